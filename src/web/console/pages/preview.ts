// /console/preview and /console/send: the dry run of the next digest as a
// reader of one edition gets it, and the confirmation before sending.
import { html } from "hono/html";
import type { DigestReport } from "../../../digest/run-digest";
import type { NextEdition } from "../../../digest/send-test-digest";
import type { OutgoingEmail } from "../../../mail/mailer";
import type { Cadence, Edition } from "../../../operator/digest-actions";
import type { FeedChoice } from "../../../subscribers/preferences";
import { consolePage, counted, csrfField, notice, number, type Html } from "../ui";
import { cadenceName, cards, languageName } from "./components";

interface PreviewOptions {
  csrf: string;
  edition: Edition;
  feeds: FeedChoice[];
  report: DigestReport | null;
  next: NextEdition | null;
  email: OutgoingEmail | null;
  error: string | null;
}

function choicesText(edition: Edition, feeds: FeedChoice[]): Html {
  const topics = edition.topics.length ? html`topics: ${edition.topics.join(", ")}` : "all topics";
  const chosen = edition.sources ? feeds.filter((f) => edition.sources!.includes(f.id)).map((f) => f.title) : [];
  const feedList = edition.sources && feeds.length > 1 ? html`, feeds: ${chosen.join(", ")}` : "";
  return html`${cadenceName(edition.cadence)}, ${languageName(edition.lang)}, ${topics}${feedList}`;
}

function thePreview(report: DigestReport, next: NextEdition, email: OutgoingEmail, cadence: Cadence): Html {
  const editions = report.editions ?? 0;
  return html`${cards([
      { label: "Releases in this edition", value: `${number(next.releases.length)} of ${number(next.selected)}` },
      { label: "Would go to", value: number(report.recipients) },
      { label: "Editions", value: number(editions) },
      { label: "Batches", value: number(Math.ceil(report.recipients / 100)) },
    ])}
    <p class="muted">
      The counts are for the whole ${cadence} run: ${counted(report.recipients, `${cadence} reader`)} in ${counted(editions, "edition")}. The email below is
      this edition's.
    </p>
    <p><strong>Subject:</strong> ${email.subject}</p>
    <iframe class="preview" title="The digest email as a reader sees it" sandbox="" referrerpolicy="no-referrer" srcdoc="${email.html}"></iframe>
    <details>
      <summary>Plain-text part</summary>
      <pre>${email.text}</pre>
    </details>
    <p><a href="/console/send?cadence=${cadence}">Send the ${cadence} digest now…</a></p>`;
}

function previewBody(options: PreviewOptions): Html {
  const { report, next, email, edition } = options;
  if (options.error) return notice(options.error, "error");
  if (report && next && email) return thePreview(report, next, email, edition.cadence);
  if (next && next.selected > 0) {
    const waiting = counted(next.selected, "release");
    return notice(
      `A reader with these choices gets no email this time: none of the ${waiting} waiting for the ${edition.cadence} digest matches their topics and feeds.`,
    );
  }
  return html`${notice(`No digest to preview: ${report?.skipped ?? "nothing new since the last digest"}.`)}
    <p>New releases arrive with the next ingest; you can <a href="/console">ingest now from the overview</a>.</p>`;
}

export function previewPage(options: PreviewOptions): Html {
  return consolePage({
    title: "Preview",
    current: "/console/digests",
    csrf: options.csrf,
    body: html`<h1>Preview of the next digest</h1>
      <p class="muted">Edition: ${choicesText(options.edition, options.feeds)}. A dry run: nothing was sent.</p>
      ${previewBody(options)}
      <p><a href="/console/digests">Back to digests</a></p>`,
  });
}

export function sendConfirmPage(options: { csrf: string; cadence: Cadence; report: DigestReport; paused: boolean }): Html {
  const { report, cadence } = options;
  const what = report.digestId
    ? html`<p>
        “${report.subject}”: ${counted(report.releases, "release")} to <strong>${number(report.recipients)}</strong> confirmed ${cadence}
        ${report.recipients === 1 ? "reader" : "readers"} in ${counted(report.editions ?? 0, "edition")}, as of now. The feeds are read once more first, so a
        release that arrives meanwhile goes in too.
      </p>`
    : html`<p>Right now there is nothing new to send (${report.skipped}). Sending still reads the feeds first, and finishes an unfinished digest.</p>`;
  return consolePage({
    title: "Send now",
    current: "/console/digests",
    csrf: options.csrf,
    body: html`<h1>Send the ${cadence} digest now?</h1>
      ${what} ${options.paused ? html`<p>Sending also lifts the mail-quota pause; if the provider still refuses, it is set again.</p>` : ""}
      <form method="post" action="/console/send">
        ${csrfField(options.csrf)}<input type="hidden" name="cadence" value="${cadence}" /><input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">Yes, send it</button>
      </form>
      <p><a href="/console/digests">Cancel</a></p>`,
  });
}
