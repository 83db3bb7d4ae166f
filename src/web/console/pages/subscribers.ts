// /console/subscribers: counts, finding one record (with unsuppress and
// erase), export and import.
import { html } from "hono/html";
import type { StatusCounts } from "../../../subscribers/daily-counts";
import { effectiveSources, preferencesOf, type FeedChoice, type Preferences } from "../../../subscribers/preferences";
import type { Subscriber } from "../../../subscribers/subscriber";
import { consolePage, csrfField, notice, when, type Html } from "../ui";
import { cadenceName, languageName, recordTable, statusCards } from "./components";

interface SubscribersOptions {
  csrf: string;
  now: Date;
  counts: StatusCounts;
  query: string | null;
  queryError: string | null;
  found: Subscriber | null;
  feeds: FeedChoice[];
}

function choiceRows(choices: Preferences, feeds: FeedChoice[]): [string, Html | string][] {
  const names = effectiveSources(choices, feeds)
    .map((id) => feeds.find((f) => f.id === id)?.title ?? id)
    .join(", ");
  return [
    ["Gets", `${cadenceName(choices.cadence)} digest in ${languageName(choices.lang)}`],
    ["Topics", choices.topics.length ? choices.topics.join(", ") : "all topics"],
    ["Feeds", html`${names || "none"}${choices.sources === null ? html` <span class="muted">(the default for the language)</span>` : ""}`],
  ];
}

function theRecord(found: Subscriber, options: SubscribersOptions): Html {
  const { csrf, now } = options;
  const choices = preferencesOf(found);
  const record = recordTable("Subscriber record", [
    ["Address", options.query ?? ""],
    ["Status", `${found.status}${found.suppressedReason ? ` (${found.suppressedReason})` : ""}`],
    ...(choices ? choiceRows(choices, options.feeds) : []),
    ["Signed up", html`${when(found.createdAt, now)} via ${found.source}`],
    ["Consent", found.consentAt ? html`${when(found.consentAt, now)} via ${found.consentSource ?? ""}` : "none"],
    found.unsubscribedAt ? ["Unsubscribed", when(found.unsubscribedAt, now)] : null,
    found.suppressedAt ? ["Suppressed", when(found.suppressedAt, now)] : null,
  ]);
  const unsuppress =
    found.status === "suppressed"
      ? html`<form method="post" action="/console/subscribers/unsuppress">
          ${csrfField(csrf)}<input type="hidden" name="email" value="${options.query}" />
          <p>Lifting the suppression leaves the address unsubscribed; the reader signs up again to get digests.</p>
          <button type="submit" class="secondary">Lift the suppression</button>
        </form>`
      : "";
  return html`<h3>The record</h3>
    ${record} ${unsuppress}
    <form method="post" action="/console/subscribers/erase">
      ${csrfField(csrf)}<input type="hidden" name="email" value="${options.query}" />
      <p>
        <input id="erase-confirm" name="confirm" type="checkbox" value="yes" required /><label class="inline" for="erase-confirm"
          >Erase this record entirely (a privacy request). To stop mail but remember the choice, the reader unsubscribes instead.</label
        >
      </p>
      <button type="submit" class="danger">Erase</button>
    </form>`;
}

export function subscribersPage(options: SubscribersOptions): Html {
  const { csrf, found, counts } = options;
  const total = counts.confirmed + counts.unconfirmed + counts.unsubscribed + counts.suppressed;
  const notFound = options.query && !options.queryError && !found;
  return consolePage({
    title: "Subscribers",
    current: "/console/subscribers",
    csrf,
    body: html`<h1>Subscribers</h1>
      ${statusCards(counts)} ${total === 0 ? html`<p>No readers yet. Share the <a href="/">sign-up page</a>, or import a list below.</p>` : ""}

      <section aria-labelledby="find-h">
        <h2 id="find-h">Find a subscriber</h2>
        <form method="get" action="/console/subscribers" class="row">
          <div>
            <label for="find-email">Address</label>
            <input id="find-email" name="email" type="email" value="${options.query ?? ""}" required />
          </div>
          <button type="submit">Find</button>
        </form>
        ${options.queryError ? notice(options.queryError, "error") : ""} ${notFound ? html`<p role="status">No record for ${options.query}.</p>` : ""}
        ${found ? theRecord(found, options) : ""}
      </section>

      <section aria-labelledby="export-h">
        <h2 id="export-h">Export</h2>
        <p>
          Every record with its status and consent, streamed: <a href="/console/subscribers/export?format=csv">download CSV</a> ·
          <a href="/console/subscribers/export?format=json">download JSON</a>
        </p>
      </section>

      <section aria-labelledby="import-h" id="import">
        <h2 id="import-h">Import a CSV</h2>
        <p>A CSV with an <code>email</code> column (or one address per line), up to 20 MB. Unsubscribed and suppressed addresses stay as they are.</p>
        <form method="post" action="/console/import" enctype="multipart/form-data">
          ${csrfField(csrf)}
          <label for="import-file">CSV file</label>
          <input id="import-file" name="file" type="file" accept=".csv,text/csv,text/plain" required />
          <p>
            <input id="import-optin" name="optin" type="checkbox" value="yes" /><label class="inline" for="import-optin"
              >Send each new address a confirmation email (double opt-in) instead of confirming it</label
            >
          </p>
          <button type="submit">Import</button>
        </form>
      </section>`,
  });
}
