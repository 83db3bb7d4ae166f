// /console/digests: preview, test, send now, and the past digests.
import { html } from "hono/html";
import type { DigestSummary } from "../../../operator/console-data";
import type { Cadence } from "../../../operator/digest-actions";
import type { FeedChoice } from "../../../subscribers/preferences";
import { consolePage, counted, csrfField, number, type Html } from "../ui";
import { cadenceSelect, digestTable, editionFields } from "./components";

export function digestsPage(options: {
  csrf: string;
  now: Date;
  digests: DigestSummary[];
  waiting: Record<Cadence, number>;
  feeds: FeedChoice[];
  paused: boolean;
}): Html {
  const { csrf, now, feeds, waiting } = options;
  const resume = options.paused
    ? html`<p>Sending is paused by the mail quota.</p>
        <form method="post" action="/console/resume">${csrfField(csrf)}<button type="submit" class="secondary">Resume sending</button></form>`
    : "";
  return consolePage({
    title: "Digests",
    current: "/console/digests",
    csrf,
    body: html`<h1>Digests</h1>
      <p>
        ${counted(waiting.daily, "release")} ${waiting.daily === 1 ? "is" : "are"} waiting for the next daily digest, ${number(waiting.weekly)} for the next
        weekly one (before each reader's topics and feeds).
      </p>

      <section aria-labelledby="preview-h">
        <h2 id="preview-h">Preview the next digest</h2>
        <p>A dry run: renders the digest as a reader of the chosen edition gets it, and sends nothing.</p>
        <form method="get" action="/console/preview" class="row">
          ${cadenceSelect("preview-cadence")} ${editionFields("preview", feeds)}
          <button type="submit">Preview</button>
        </form>
      </section>

      <section aria-labelledby="test-h">
        <h2 id="test-h">Send a test</h2>
        <p>Sends the next digest of the chosen edition to one address only. Nothing is marked as sent.</p>
        <form method="post" action="/console/test-send" class="row">
          ${csrfField(csrf)}
          <div>
            <label for="test-to">Address</label>
            <input id="test-to" name="to" type="email" autocomplete="email" required />
          </div>
          ${cadenceSelect("test-cadence")} ${editionFields("test", feeds)}
          <button type="submit">Send test</button>
        </form>
      </section>

      <section aria-labelledby="send-h">
        <h2 id="send-h">Send now</h2>
        <p>
          Reads the feeds, then sends the digest to every confirmed reader of the cadence, each their own edition, as the cron would. You confirm on the next
          page.
        </p>
        <form method="get" action="/console/send" class="row">
          ${cadenceSelect("send-cadence")}
          <button type="submit">Send now…</button>
        </form>
        ${resume}
      </section>

      <section aria-labelledby="past-h">
        <h2 id="past-h">Past digests</h2>
        ${options.digests.length ? digestTable(options.digests, now) : html`<p>No digest yet. Preview one above, send yourself a test, then send it.</p>`}
      </section>`,
  });
}
