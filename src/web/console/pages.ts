// The console's pages, as hono/html templates (every value escaped). Pure:
// each takes what it shows and returns markup. Forms work without
// JavaScript; the one script (console.js) only moves progress bars.
import { html } from "hono/html";
import type { IngestReport } from "../../feeds";
import type { OutgoingEmail } from "../../mail/mailer";
import type { StoredRelease } from "../../releases/release-store";
import type { Subscriber } from "../../subscribers/subscriber";
import type { DigestReport } from "../../digest/run-digest";
import { buildBarChart, buildLineChart } from "./charts";
import { effectiveSources, preferencesOf, type FeedChoice, type Preferences } from "../../subscribers/preferences";
import type { NextEdition } from "../../digest/send-test-digest";
import type { DigestSummary, EditionProgress, OverviewData } from "../../operator/console-data";
import { CADENCES, LANGUAGES, type Cadence, type Edition } from "../../operator/digest-actions";
import type { StatusCounts } from "../../subscribers/daily-counts";
import { consolePage, csrfField, formatUtc, notice, number, when, type Html } from "./ui";

export function signInPage(options: { error?: string; info?: string } = {}): Html {
  return consolePage({
    title: "Sign in",
    body: html`<h1>Sign in to the console</h1>
      ${options.error ? notice(options.error, "error") : ""} ${options.info ? notice(options.info, "ok") : ""}
      <p>Enter the admin token (the <code>ADMIN_TOKEN</code> secret). Locally, <code>npm start</code> wrote it to <code>.dev.vars</code>.</p>
      <form method="post" action="/console/login">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        <button type="submit">Sign in</button>
      </form>`,
  });
}

export function consoleErrorPage(title: string, message: string, csrf?: string): Html {
  return consolePage({
    title,
    csrf,
    body: html`<h1>${title}</h1>
      ${notice(message, "error")}
      <p><a href="/console">Back to the console</a></p>`,
  });
}

export function resultPage(options: { title: string; csrf: string; message: Html | string; ok?: boolean; details?: Html; back?: [string, string] }): Html {
  const [href, label] = options.back ?? ["/console", "Back to the overview"];
  return consolePage({
    title: options.title,
    csrf: options.csrf,
    body: html`<h1>${options.title}</h1>
      ${notice(options.message, options.ok === false ? "error" : "ok")} ${options.details ?? ""}
      <p><a href="${href}">${label}</a></p>`,
  });
}

function statusCards(counts: StatusCounts): Html {
  const items: [string, number][] = [
    ["Confirmed", counts.confirmed],
    ["Unconfirmed", counts.unconfirmed],
    ["Unsubscribed", counts.unsubscribed],
    ["Suppressed", counts.suppressed],
  ];
  return html`<dl class="cards">
    ${items.map(
      ([label, value]) =>
        html`<div>
          <dt>${label}</dt>
          <dd>${number(value)}</dd>
        </div>`,
    )}
  </dl>`;
}

/** Newest first, as the digest lists them. */
function newestFirst<T extends { publishedAt: string }>(releases: T[]): T[] {
  return [...releases].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
}

function sameReleases(a: StoredRelease[], b: StoredRelease[]): boolean {
  const ids = new Set(b.map((r) => r.id));
  return a.length === b.length && a.every((r) => ids.has(r.id));
}

function releaseList(releases: StoredRelease[], now: Date): Html {
  return html`<ul>
      ${newestFirst(releases)
        .slice(0, 20)
        .map((r) => html`<li><a href="${r.link}" rel="noreferrer">${r.title}</a> <span class="muted">· published ${when(r.publishedAt, now)}</span></li>`)}
    </ul>
    ${releases.length > 20 ? html`<p class="muted">and ${releases.length - 20} more.</p>` : ""}`;
}

function cadenceName(cadence: Cadence): string {
  return cadence === "weekly" ? "Weekly" : "Daily";
}

function languageName(lang: string): string {
  return lang === "fr" ? "French" : "English";
}

function digestTable(digests: DigestSummary[], now: Date): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Digests">
    <table>
      <caption class="muted" style="text-align:left">
        Newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Digest</th>
          <th scope="col">Edition</th>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">Readers</th>
          <th scope="col" class="num">Sent</th>
          <th scope="col" class="num">Failed</th>
          <th scope="col" class="num">Pending</th>
        </tr>
      </thead>
      <tbody>
        ${digests.map(
          (d) =>
            html`<tr>
              <td class="title"><a href="/console/digests/${d.id}">${d.subject}</a></td>
              <td>${cadenceName(d.cadence)}${d.editions.length > 1 ? html` <span class="muted">· ${d.editions.length} editions</span>` : ""}</td>
              <td>${when(d.createdAt, now)}</td>
              <td>
                ${d.status === "sent" ? html`<span class="ok">sent</span>` : d.deferredBatches ? html`<span class="bad">paused (quota)</span>` : "sending"}
              </td>
              <td class="num">${number(d.recipients)}</td>
              <td class="num">${number(d.sent)}</td>
              <td class="num">${d.failed ? html`<span class="bad">${number(d.failed)}</span>` : "0"}</td>
              <td class="num">${number(d.pending)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function quotaNotice(data: { quotaPause: OverviewData["quotaPause"] }, csrf: string, now: Date): Html | string {
  if (!data.quotaPause) return "";
  return html`<section aria-labelledby="quota-h">
    <h2 id="quota-h">Mail quota pause</h2>
    ${notice(html`Sending is paused until ${when(data.quotaPause.until, now)}: ${data.quotaPause.reason}`, "error")}
    <p>If you raised the quota with your mail provider, resume now; if the provider still refuses, the pause is set again.</p>
    <form method="post" action="/console/resume">${csrfField(csrf)}<button type="submit">Resume sending</button></form>
  </section>`;
}

export function overviewPage(data: OverviewData, csrf: string): Html {
  const now = data.now;
  const readersTable = data.readersPerDay.filter((p) => p.confirmed !== null);
  const sentPerDigest = [...data.digests].reverse();
  return consolePage({
    title: "Overview",
    current: "/console",
    csrf,
    body: html`<h1>Overview</h1>
      <p class="muted">
        Times in UTC. Now: ${formatUtc(now.toISOString())}. Mail goes
        ${data.mailer === "resend" ? "through Resend" : html`to the <a href="/dev/outbox">local outbox</a> (no Resend key)`}.
      </p>
      ${quotaNotice(data, csrf, now)}

      <section aria-labelledby="feeds-h">
        <h2 id="feeds-h">Feeds</h2>
        ${
          data.sources.some((s) => s.state.lastAttemptAt)
            ? ""
            : html`<p>
                No feed has been read yet. Press <strong>Ingest now</strong> to read ${data.sources.length === 1 ? "the feed" : "the feeds"} once; the hourly
                cron does it from then on.
              </p>`
        }
        <div class="table-wrap" tabindex="0" role="region" aria-label="Feeds">
          <table>
            <thead>
              <tr>
                <th scope="col">Feed</th>
                <th scope="col">Last success</th>
                <th scope="col" class="num">Failures in a row</th>
                <th scope="col">Health</th>
              </tr>
            </thead>
            <tbody>
              ${data.sources.map(
                ({ state, flag }) =>
                  html`<tr>
                    <td>${state.title ?? ""} <span class="muted">${state.url}</span></td>
                    <td>${when(state.lastSuccessAt, now)}</td>
                    <td class="num">${state.consecutiveFailures}</td>
                    <td>
                      ${
                        flag
                          ? html`<span class="bad">Flagged: ${flag}</span>`
                          : state.consecutiveFailures
                            ? html`<span class="bad">Failing: ${state.lastError ?? "unknown error"}</span>`
                            : state.lastSuccessAt
                              ? html`<span class="ok">OK</span>`
                              : html`<span class="muted">not read yet</span>`
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p class="muted">Last ingest: ${data.lastIngest ? html`${when(data.lastIngest.finishedAt ?? null, now)}, ${data.lastIngest.new} new` : "never"}.</p>
        <form method="post" action="/console/ingest">${csrfField(csrf)}<button type="submit">Ingest now</button></form>
        ${
          data.localMode
            ? html`<form method="post" action="/console/sample-feed">
                ${csrfField(csrf)}<input type="hidden" name="on" value="${data.sampleFeedOn ? "off" : "on"}" />
                <p class="muted">
                  ${
                    data.sampleFeedOn
                      ? "The offline sample feed replaces the configured feeds (local mode only)."
                      : "No internet? A NATO-shaped sample feed, served by this worker, can replace the configured feeds while you try things locally."
                  }
                </p>
                <button type="submit" class="secondary">${data.sampleFeedOn ? "Stop using the sample feed" : "Use the offline sample feed"}</button>
              </form>`
            : ""
        }
      </section>

      <section aria-labelledby="waiting-h">
        <h2 id="waiting-h">Waiting for the next digest</h2>
        <h3>Daily edition</h3>
        ${
          data.waiting.daily.length
            ? html`<p>${number(data.waiting.daily.length)} release(s) will go into the next daily digest (07:00 UTC).</p>
                ${releaseList(data.waiting.daily, now)}`
            : html`<p>Nothing new since the last digest. New releases appear here after the next ingest.</p>`
        }
        <h3>Weekly edition</h3>
        ${
          data.waiting.weekly.length === 0
            ? html`<p>Nothing waiting for the weekly edition.</p>`
            : sameReleases(data.waiting.weekly, data.waiting.daily)
              ? html`<p>The same ${number(data.waiting.weekly.length)} release(s) will go into the next weekly digest (Monday 07:00 UTC).</p>`
              : html`<p>${number(data.waiting.weekly.length)} release(s) will go into the next weekly digest (Monday 07:00 UTC).</p>
                  ${releaseList(data.waiting.weekly, now)}`
        }
        <p class="muted">Each reader gets the releases that match their topics and feeds.</p>
        <p><a href="/console/digests">Preview, test or send the digest</a></p>
      </section>

      <section aria-labelledby="digests-h">
        <h2 id="digests-h">Last digests</h2>
        ${
          data.digests.length
            ? digestTable(data.digests.slice(0, 5), now)
            : html`<p>
                No digest yet. Once readers have confirmed and releases are waiting, the daily cron sends one, or <a href="/console/digests">send one now</a>.
              </p>`
        }
      </section>

      <section aria-labelledby="readers-h">
        <h2 id="readers-h">Subscribers</h2>
        ${statusCards(data.counts)}
        ${
          data.counts.confirmed + data.counts.unconfirmed + data.counts.unsubscribed + data.counts.suppressed === 0
            ? html`<p>No readers yet. Share the <a href="/">sign-up page</a>, or <a href="/console/subscribers#import">import a list</a>.</p>`
            : ""
        }
      </section>

      <section aria-labelledby="chart-readers-h">
        <h2 id="chart-readers-h">Confirmed readers per day (last 30 days)</h2>
        <div class="chart">
          ${buildLineChart(
            "chart-readers",
            "Confirmed readers per day over the last 30 days",
            data.readersPerDay.map((p) => ({ label: p.day.slice(5), value: p.confirmed })),
          )}
          <div class="scroll table-wrap" tabindex="0" role="region" aria-label="Confirmed readers per day">
            <table>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" class="num">Confirmed</th>
                </tr>
              </thead>
              <tbody>
                ${readersTable.reverse().map(
                  (p) =>
                    html`<tr>
                      <td>${p.day}</td>
                      <td class="num">${number(p.confirmed ?? 0)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </div>
        <p class="muted">One snapshot a day, taken by the first hourly ingest of each UTC day; today shows the live count until then.</p>
      </section>

      <section aria-labelledby="chart-sent-h">
        <h2 id="chart-sent-h">Emails sent per digest</h2>
        ${
          sentPerDigest.length
            ? html`<div class="chart">
                ${buildBarChart(
                  "chart-sent",
                  `Emails sent per digest, last ${sentPerDigest.length}`,
                  sentPerDigest.map((d) => ({ label: d.createdAt.slice(5, 10), value: d.sent })),
                )}
                <div class="scroll table-wrap" tabindex="0" role="region" aria-label="Emails sent per digest">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Digest</th>
                        <th scope="col" class="num">Sent</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${data.digests.map(
                        (d) =>
                          html`<tr>
                            <td><a href="/console/digests/${d.id}">${d.createdAt.slice(0, 10)}</a></td>
                            <td class="num">${number(d.sent)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>
              </div>`
            : html`<p>No digest has been sent yet, so there is nothing to chart.</p>`
        }
      </section>`,
  });
}

function cadenceSelect(id: string, selected: Cadence = "daily"): Html {
  return html`<div>
    <label for="${id}">Cadence</label>
    <select id="${id}" name="cadence">
      ${CADENCES.map((c) => html`<option value="${c}" ${c === selected ? "selected" : ""}>${cadenceName(c)}</option>`)}
    </select>
  </div>`;
}

/** A reader's choices: language, topics and (with more than one feed) feeds, as the sign-up form names them. */
function editionFields(prefix: string, feeds: FeedChoice[], edition?: Edition): Html {
  const sources = edition?.sources ? new Set(edition.sources) : null;
  return html`<div>
      <label for="${prefix}-lang">Language</label>
      <select id="${prefix}-lang" name="lang">
        ${LANGUAGES.map((l) => html`<option value="${l}" ${l === (edition?.lang ?? "en") ? "selected" : ""}>${languageName(l)}</option>`)}
      </select>
    </div>
    <div>
      <label for="${prefix}-topics">Topics <span class="muted">(optional, comma-separated)</span></label>
      <input id="${prefix}-topics" name="topics" type="text" placeholder="e.g. cyber, Ukraine" value="${edition?.topics.join(", ") ?? ""}" />
    </div>
    ${
      feeds.length > 1
        ? html`<fieldset>
            <legend>Feeds <span class="muted">(none ticked: the language's default feeds)</span></legend>
            ${feeds.map(
              (f) =>
                html`<label class="check"
                  ><input type="checkbox" name="sources" value="${f.id}" ${sources?.has(f.id) ? "checked" : ""} />
                  ${f.title}${f.lang ? ` (${f.lang})` : ""}</label
                >`,
            )}
          </fieldset>`
        : ""
    }`;
}

export function digestsPage(options: {
  csrf: string;
  now: Date;
  digests: DigestSummary[];
  waiting: Record<Cadence, number>;
  feeds: FeedChoice[];
  paused: boolean;
}): Html {
  const { csrf, now, feeds } = options;
  return consolePage({
    title: "Digests",
    current: "/console/digests",
    csrf,
    body: html`<h1>Digests</h1>
      <p>
        ${number(options.waiting.daily)} release(s) are waiting for the next daily digest, ${number(options.waiting.weekly)} for the next weekly one (before
        each reader's topics and feeds).
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
        ${
          options.paused
            ? html`<p>Sending is paused by the mail quota.</p>
                <form method="post" action="/console/resume">${csrfField(csrf)}<button type="submit" class="secondary">Resume sending</button></form>`
            : ""
        }
      </section>

      <section aria-labelledby="past-h">
        <h2 id="past-h">Past digests</h2>
        ${options.digests.length ? digestTable(options.digests, now) : html`<p>No digest yet. Preview one above, send yourself a test, then send it.</p>`}
      </section>`,
  });
}

function editionsTable(d: DigestSummary, progress: EditionProgress[] | null, feeds: FeedChoice[]): Html {
  const byIndex = new Map(progress?.map((p) => [p.index, p]) ?? []);
  const feedName = (id: string) => feeds.find((f) => f.id === id)?.title ?? id;
  return html`<section aria-labelledby="editions-h">
    <h2 id="editions-h">Editions</h2>
    <p class="muted">
      Readers with the same language, topics and feeds share one edition, rendered once. Batches mix editions, so each reader counts by their batch's outcome.
    </p>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Editions">
      <table>
        <thead>
          <tr>
            <th scope="col">Edition</th>
            <th scope="col">Choices</th>
            <th scope="col" class="num">Releases</th>
            <th scope="col" class="num">Readers</th>
            <th scope="col" class="num">Sent</th>
            <th scope="col" class="num">Failed</th>
            <th scope="col" class="num">Pending</th>
          </tr>
        </thead>
        <tbody>
          ${d.editions.map((e) => {
            const p = byIndex.get(e.index);
            return html`<tr>
              <td class="title"><a href="/digests/${e.digestId}">${e.subject}</a></td>
              <td>
                ${languageName(e.lang)} ·
                ${e.topics.length ? html`topics: ${e.topics.join(", ")}` : "all topics"}${
                  e.sources.length && feeds.length > 1 ? html` · feeds: ${e.sources.map(feedName).join(", ")}` : ""
                }
              </td>
              <td class="num">${number(e.releaseIds.length)}</td>
              <td class="num">${number(e.recipientCount)}</td>
              <td class="num">${p ? number(p.sent) : "–"}</td>
              <td class="num">${p ? (p.failed ? html`<span class="bad">${number(p.failed)}</span>` : "0") : "–"}</td>
              <td class="num">${p ? number(p.pending) : "–"}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function digestPage(options: {
  csrf: string;
  now: Date;
  summary: DigestSummary;
  releases: { title: string; link: string; publishedAt: string }[];
  editionProgress: EditionProgress[] | null;
  feeds: FeedChoice[];
}): Html {
  const { summary: d, now } = options;
  const done = d.sent + d.failed + d.skipped;
  const finished = d.status === "sent";
  return consolePage({
    title: `Digest ${d.id}`,
    current: "/console/digests",
    csrf: options.csrf,
    script: !finished,
    refreshSeconds: finished ? undefined : 3,
    body: html`<h1>${d.subject}</h1>
      <p class="muted">
        ${cadenceName(d.cadence)} digest ${d.id} · started ${when(d.createdAt, now)}${d.finishedAt ? html` · finished ${when(d.finishedAt, now)}` : ""}
      </p>
      <section aria-labelledby="progress-h" data-progress-url="/console/digests/${d.id}/progress.json">
        <h2 id="progress-h">Progress</h2>
        <progress aria-labelledby="progress-h" max="${Math.max(1, d.recipients)}" value="${d.recipients === 0 ? 1 : done}"></progress>
        <p data-progress-text aria-live="polite">${progressText(d)}</p>
        <dl class="cards">
          <div>
            <dt>Readers</dt>
            <dd>${number(d.recipients)}</dd>
          </div>
          <div>
            <dt>Sent</dt>
            <dd data-field="sent">${number(d.sent)}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd data-field="failed">${number(d.failed)}</dd>
          </div>
          <div>
            <dt>Skipped</dt>
            <dd data-field="skipped">${number(d.skipped)}</dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd data-field="pending">${number(d.pending)}</dd>
          </div>
        </dl>
        <p class="muted">Skipped: readers who unsubscribed or bounced after the digest started.</p>
      </section>
      ${d.editions.length ? editionsTable(d, options.editionProgress, options.feeds) : ""}
      <section aria-labelledby="releases-h">
        <h2 id="releases-h">Releases in this digest${d.editions.length > 1 ? " (all editions)" : ""}</h2>
        <ul>
          ${newestFirst(options.releases).map((r) => html`<li><a href="${r.link}" rel="noreferrer">${r.title}</a></li>`)}
        </ul>
        <p>
          <a href="/digests/${d.id}">Open the web version</a> (the archive's page for this
          run${d.editions.length > 1 ? "; each edition's own is linked above" : ""}).
        </p>
      </section>`,
  });
}

export function progressText(d: DigestSummary): string {
  if (d.status === "sent") return `Finished: ${number(d.sent)} sent, ${number(d.failed)} failed, ${number(d.skipped)} skipped.`;
  if (d.deferredBatches > 0) return `Paused by the mail quota: ${number(d.pending)} of ${number(d.recipients)} still to send. Resume from the overview.`;
  return `Sending: ${number(d.sent + d.failed + d.skipped)} of ${number(d.recipients)} done.`;
}

export function previewPage(options: {
  csrf: string;
  edition: Edition;
  feeds: FeedChoice[];
  report: DigestReport | null;
  next: NextEdition | null;
  email: OutgoingEmail | null;
  error: string | null;
}): Html {
  const { report, next, email, edition } = options;
  const choices = html`${cadenceName(edition.cadence)}, ${languageName(edition.lang)},
  ${edition.topics.length ? html`topics: ${edition.topics.join(", ")}` : "all topics"}${
    edition.sources && options.feeds.length > 1
      ? html`, feeds:
        ${options.feeds
          .filter((f) => edition.sources!.includes(f.id))
          .map((f) => f.title)
          .join(", ")}`
      : ""
  }`;
  return consolePage({
    title: "Preview",
    current: "/console/digests",
    csrf: options.csrf,
    body: html`<h1>Preview of the next digest</h1>
      <p class="muted">Edition: ${choices}. A dry run: nothing was sent.</p>
      ${
        options.error
          ? notice(options.error, "error")
          : !report || !next || !email
            ? next && next.selected > 0
              ? html`${notice(
                  `A reader with these choices gets no email this time: none of the ${next.selected} release(s) waiting for the ${edition.cadence} digest matches their topics and feeds.`,
                )}`
              : html`${notice(`No digest to preview: ${report?.skipped ?? "nothing new since the last digest"}.`)}
                  <p>New releases arrive with the next ingest; you can <a href="/console">ingest now from the overview</a>.</p>`
            : html`<dl class="cards">
                  <div>
                    <dt>Releases in this edition</dt>
                    <dd>${number(next.releases.length)} of ${number(next.selected)}</dd>
                  </div>
                  <div>
                    <dt>Would go to</dt>
                    <dd>${number(report.recipients)}</dd>
                  </div>
                  <div>
                    <dt>Editions</dt>
                    <dd>${number(report.editions ?? 0)}</dd>
                  </div>
                  <div>
                    <dt>Batches</dt>
                    <dd>${number(Math.ceil(report.recipients / 100))}</dd>
                  </div>
                </dl>
                <p class="muted">
                  The counts are for the whole ${edition.cadence} run: ${number(report.recipients)} ${edition.cadence} reader(s) in
                  ${number(report.editions ?? 0)} edition(s). The email below is this edition's.
                </p>
                <p><strong>Subject:</strong> ${email.subject}</p>
                <iframe class="preview" title="The digest email as a reader sees it" sandbox="" referrerpolicy="no-referrer" srcdoc="${email.html}"></iframe>
                <details>
                  <summary>Plain-text part</summary>
                  <pre>${email.text}</pre>
                </details>
                <p><a href="/console/send?cadence=${edition.cadence}">Send the ${edition.cadence} digest now…</a></p>`
      }
      <p><a href="/console/digests">Back to digests</a></p>`,
  });
}

export function sendConfirmPage(options: { csrf: string; cadence: Cadence; report: DigestReport; paused: boolean }): Html {
  const { report } = options;
  return consolePage({
    title: "Send now",
    current: "/console/digests",
    csrf: options.csrf,
    body: html`<h1>Send the ${options.cadence} digest now?</h1>
      ${
        report.digestId
          ? html`<p>
              “${report.subject}”: ${number(report.releases)} release(s) to <strong>${number(report.recipients)}</strong> confirmed ${options.cadence} reader(s)
              in ${number(report.editions ?? 0)} edition(s), as of now. The feeds are read once more first, so a release that arrives meanwhile goes in too.
            </p>`
          : html`<p>Right now there is nothing new to send (${report.skipped}). Sending still reads the feeds first, and finishes an unfinished digest.</p>`
      }
      ${options.paused ? html`<p>Sending also lifts the mail-quota pause; if the provider still refuses, it is set again.</p>` : ""}
      <form method="post" action="/console/send">
        ${csrfField(options.csrf)}<input type="hidden" name="cadence" value="${options.cadence}" /><input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">Yes, send it</button>
      </form>
      <p><a href="/console/digests">Cancel</a></p>`,
  });
}

export function ingestResult(report: IngestReport): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Ingest result">
    <table>
      <thead>
        <tr>
          <th scope="col">Feed</th>
          <th scope="col">Result</th>
          <th scope="col" class="num">New</th>
        </tr>
      </thead>
      <tbody>
        ${report.sources.map(
          (s) =>
            html`<tr>
              <td>${s.url}</td>
              <td>${s.status === "error" ? html`<span class="bad">error: ${s.error ?? ""}</span>` : s.status}</td>
              <td class="num">${s.new}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function subscribersPage(options: {
  csrf: string;
  now: Date;
  counts: StatusCounts;
  query: string | null;
  queryError: string | null;
  found: Subscriber | null;
  feeds: FeedChoice[];
}): Html {
  const { csrf, now, found } = options;
  const choices = found ? preferencesOf(found) : null;
  const feedsOf = (p: Preferences) =>
    effectiveSources(p, options.feeds)
      .map((id) => options.feeds.find((f) => f.id === id)?.title ?? id)
      .join(", ");
  const total = options.counts.confirmed + options.counts.unconfirmed + options.counts.unsubscribed + options.counts.suppressed;
  return consolePage({
    title: "Subscribers",
    current: "/console/subscribers",
    csrf,
    body: html`<h1>Subscribers</h1>
      ${statusCards(options.counts)} ${total === 0 ? html`<p>No readers yet. Share the <a href="/">sign-up page</a>, or import a list below.</p>` : ""}

      <section aria-labelledby="find-h">
        <h2 id="find-h">Find a subscriber</h2>
        <form method="get" action="/console/subscribers" class="row">
          <div>
            <label for="find-email">Address</label>
            <input id="find-email" name="email" type="email" value="${options.query ?? ""}" required />
          </div>
          <button type="submit">Find</button>
        </form>
        ${options.queryError ? notice(options.queryError, "error") : ""}
        ${options.query && !options.queryError && !found ? html`<p role="status">No record for ${options.query}.</p>` : ""}
        ${
          found
            ? html`<h3>The record</h3>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Subscriber record">
                  <table>
                    <tbody>
                      <tr>
                        <th scope="row">Address</th>
                        <td>${options.query}</td>
                      </tr>
                      <tr>
                        <th scope="row">Status</th>
                        <td>${found.status}${found.suppressedReason ? ` (${found.suppressedReason})` : ""}</td>
                      </tr>
                      ${
                        choices
                          ? html`<tr>
                                <th scope="row">Gets</th>
                                <td>${cadenceName(choices.cadence)} digest in ${languageName(choices.lang)}</td>
                              </tr>
                              <tr>
                                <th scope="row">Topics</th>
                                <td>${choices.topics.length ? choices.topics.join(", ") : "all topics"}</td>
                              </tr>
                              <tr>
                                <th scope="row">Feeds</th>
                                <td>
                                  ${feedsOf(choices) || "none"}${choices.sources === null ? html` <span class="muted">(the default for the language)</span>` : ""}
                                </td>
                              </tr>`
                          : ""
                      }
                      <tr>
                        <th scope="row">Signed up</th>
                        <td>${when(found.createdAt, now)} via ${found.source}</td>
                      </tr>
                      <tr>
                        <th scope="row">Consent</th>
                        <td>${found.consentAt ? html`${when(found.consentAt, now)} via ${found.consentSource ?? ""}` : "none"}</td>
                      </tr>
                      ${
                        found.unsubscribedAt
                          ? html`<tr>
                              <th scope="row">Unsubscribed</th>
                              <td>${when(found.unsubscribedAt, now)}</td>
                            </tr>`
                          : ""
                      }
                      ${
                        found.suppressedAt
                          ? html`<tr>
                              <th scope="row">Suppressed</th>
                              <td>${when(found.suppressedAt, now)}</td>
                            </tr>`
                          : ""
                      }
                    </tbody>
                  </table>
                </div>
                ${
                  found.status === "suppressed"
                    ? html`<form method="post" action="/console/subscribers/unsuppress">
                        ${csrfField(csrf)}<input type="hidden" name="email" value="${options.query}" />
                        <p>Lifting the suppression leaves the address unsubscribed; the reader signs up again to get digests.</p>
                        <button type="submit" class="secondary">Lift the suppression</button>
                      </form>`
                    : ""
                }
                <form method="post" action="/console/subscribers/erase">
                  ${csrfField(csrf)}<input type="hidden" name="email" value="${options.query}" />
                  <p>
                    <input id="erase-confirm" name="confirm" type="checkbox" value="yes" required /><label class="inline" for="erase-confirm"
                      >Erase this record entirely (a privacy request). To stop mail but remember the choice, the reader unsubscribes instead.</label
                    >
                  </p>
                  <button type="submit" class="danger">Erase</button>
                </form>`
            : ""
        }
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

export interface ImportView {
  id: string;
  createdAt: string;
  rows: number;
  valid: number;
  duplicates: number;
  invalid: number;
  invalidRows: { line: number; value: string; reason: string }[];
  chunks: number;
  done: number;
  totals: Record<string, number>;
}

export function importText(p: Pick<ImportView, "done" | "chunks" | "valid">): string {
  return p.done >= p.chunks
    ? `Finished: all ${number(p.valid)} address(es) handled.`
    : `Importing: ${number(p.done)} of ${number(p.chunks)} chunk(s) of 50 done.`;
}

export function importPage(options: { csrf: string; now: Date; progress: ImportView }): Html {
  const p = options.progress;
  const finished = p.done >= p.chunks;
  const labels: [string, string][] = [
    ["added", "Added"],
    ["confirmed", "Confirmed"],
    ["alreadySubscribed", "Already subscribed"],
    ["optInSent", "Confirmation sent"],
    ["keptUnsubscribed", "Kept unsubscribed"],
    ["keptSuppressed", "Kept suppressed"],
  ];
  return consolePage({
    title: "Import",
    current: "/console/subscribers",
    csrf: options.csrf,
    script: !finished,
    refreshSeconds: finished ? undefined : 3,
    body: html`<h1>Import ${p.id}</h1>
      <p class="muted">
        Started ${when(p.createdAt, options.now)}. ${number(p.rows)} row(s): ${number(p.valid)} valid, ${number(p.duplicates)} duplicate(s),
        ${number(p.invalid)} invalid.
      </p>
      <section aria-labelledby="import-progress-h" data-progress-url="/console/imports/${p.id}/progress.json">
        <h2 id="import-progress-h">Progress</h2>
        <progress aria-labelledby="import-progress-h" max="${Math.max(1, p.chunks)}" value="${p.chunks === 0 ? 1 : p.done}"></progress>
        <p data-progress-text aria-live="polite">${importText(p)}</p>
        <dl class="cards">
          ${labels.map(
            ([key, label]) =>
              html`<div>
                <dt>${label}</dt>
                <dd data-field="${key}">${number(p.totals[key] ?? 0)}</dd>
              </div>`,
          )}
        </dl>
      </section>
      ${
        p.invalidRows.length
          ? html`<section aria-labelledby="invalid-h">
              <h2 id="invalid-h">Rows that were not imported</h2>
              <div class="table-wrap" tabindex="0" role="region" aria-label="Rows not imported">
                <table>
                  <thead>
                    <tr>
                      <th scope="col" class="num">Line</th>
                      <th scope="col">Value</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${p.invalidRows.slice(0, 100).map(
                      (r) =>
                        html`<tr>
                          <td class="num">${r.line}</td>
                          <td>${r.value}</td>
                          <td>${r.reason}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </section>`
          : ""
      }
      <p><a href="/console/subscribers">Back to subscribers</a></p>`,
  });
}
