// /console: the overview. Mail and sign-up safety first, then feeds, what
// the next digests will carry, the last digests, readers and two charts.
import { html } from "hono/html";
import type { DigestSummary, OverviewData, SourceRow } from "../../../operator/console-data";
import type { StoredRelease } from "../../../releases/release-store";
import { buildBarChart, buildLineChart } from "../charts";
import { consolePage, counted, csrfField, formatUtc, notice, number, when, type Html } from "../ui";
import { digestTable, releaseList, statusCards, table } from "./components";

/** Live mail with an unguarded sign-up form: anyone can make the worker mail any address, spending the quota. */
function signupWarning(data: OverviewData): Html | string {
  if (data.mailer !== "resend" || data.turnstile) return "";
  return notice(
    html`<strong>Mail is live but the sign-up form has no bot check.</strong> RESEND_API_KEY is set and Turnstile is off, so a script can sign up many addresses
      and make this worker send each one a confirmation email, spending your mail quota and flooding strangers' inboxes. Set TURNSTILE_SITE_KEY and
      TURNSTILE_SECRET_KEY to turn Turnstile on.`,
    "error",
  );
}

function quotaNotice(data: OverviewData, csrf: string): Html | string {
  if (!data.quotaPause) return "";
  return html`<section aria-labelledby="quota-h">
    <h2 id="quota-h">Mail quota pause</h2>
    ${notice(html`Sending is paused until ${when(data.quotaPause.until, data.now)}: ${data.quotaPause.reason}`, "error")}
    <p>If you raised the quota with your mail provider, resume now; if the provider still refuses, the pause is set again.</p>
    <form method="post" action="/console/resume">${csrfField(csrf)}<button type="submit">Resume sending</button></form>
  </section>`;
}

function health({ state, flag }: SourceRow): Html {
  if (flag) return html`<span class="bad">Flagged: ${flag}</span>`;
  if (state.consecutiveFailures) return html`<span class="bad">Failing: ${state.lastError ?? "unknown error"}</span>`;
  if (state.lastSuccessAt) return html`<span class="ok">OK</span>`;
  return html`<span class="muted">not read yet</span>`;
}

function sampleFeedForm(data: OverviewData, csrf: string): Html | string {
  if (!data.localMode) return "";
  const text = data.sampleFeedOn
    ? "The offline sample feed replaces the configured feeds (local mode only)."
    : "No internet? A NATO-shaped sample feed, served by this worker, can replace the configured feeds while you try things locally.";
  return html`<form method="post" action="/console/sample-feed">
    ${csrfField(csrf)}<input type="hidden" name="on" value="${data.sampleFeedOn ? "off" : "on"}" />
    <p class="muted">${text}</p>
    <button type="submit" class="secondary">${data.sampleFeedOn ? "Stop using the sample feed" : "Use the offline sample feed"}</button>
  </form>`;
}

function feedsSection(data: OverviewData, csrf: string): Html {
  const now = data.now;
  const neverRead = data.sources.some((s) => s.state.lastAttemptAt)
    ? ""
    : html`<p>
        No feed has been read yet. Press <strong>Ingest now</strong> to read ${data.sources.length === 1 ? "the feed" : "the feeds"} once; the hourly cron does
        it from then on.
      </p>`;
  return html`<section aria-labelledby="feeds-h">
    <h2 id="feeds-h">Feeds</h2>
    ${neverRead}
    ${table<SourceRow>({
      label: "Feeds",
      rows: data.sources,
      columns: [
        { header: "Feed", cell: ({ state }) => html`${state.title ?? ""} <span class="muted">${state.url}</span>` },
        { header: "Last success", cell: ({ state }) => when(state.lastSuccessAt, now) },
        { header: "Failures in a row", num: true, cell: ({ state }) => state.consecutiveFailures },
        { header: "Health", cell: health },
      ],
    })}
    <p class="muted">Last ingest: ${data.lastIngest ? html`${when(data.lastIngest.finishedAt ?? null, now)}, ${data.lastIngest.new} new` : "never"}.</p>
    <form method="post" action="/console/ingest">${csrfField(csrf)}<button type="submit">Ingest now</button></form>
    ${sampleFeedForm(data, csrf)}
  </section>`;
}

function sameReleases(a: StoredRelease[], b: StoredRelease[]): boolean {
  const ids = new Set(b.map((r) => r.id));
  return a.length === b.length && a.every((r) => ids.has(r.id));
}

function willGo(releases: StoredRelease[], when: string): string {
  return `${counted(releases.length, "release")} will go into the next ${when}.`;
}

function weeklyWaiting(data: OverviewData): Html {
  const { daily, weekly } = data.waiting;
  if (weekly.length === 0) return html`<p>Nothing waiting for the weekly edition.</p>`;
  if (sameReleases(weekly, daily)) return html`<p>The same ${willGo(weekly, "weekly digest (Monday 07:00 UTC)")}</p>`;
  return html`<p>${willGo(weekly, "weekly digest (Monday 07:00 UTC)")}</p>
    ${releaseList(weekly, data.now)}`;
}

function waitingSection(data: OverviewData): Html {
  const daily = data.waiting.daily;
  return html`<section aria-labelledby="waiting-h">
    <h2 id="waiting-h">Waiting for the next digest</h2>
    <h3>Daily edition</h3>
    ${
      daily.length
        ? html`<p>${willGo(daily, "daily digest (07:00 UTC)")}</p>
            ${releaseList(daily, data.now)}`
        : html`<p>Nothing new since the last digest. New releases appear here after the next ingest.</p>`
    }
    <h3>Weekly edition</h3>
    ${weeklyWaiting(data)}
    <p class="muted">Each reader gets the releases that match their topics and feeds.</p>
    <p><a href="/console/digests">Preview, test or send the digest</a></p>
  </section>`;
}

function readersSection(data: OverviewData): Html {
  const { counts } = data;
  const none = counts.confirmed + counts.unconfirmed + counts.unsubscribed + counts.suppressed === 0;
  return html`<section aria-labelledby="readers-h">
    <h2 id="readers-h">Subscribers</h2>
    ${statusCards(counts)}
    ${none ? html`<p>No readers yet. Share the <a href="/">sign-up page</a>, or <a href="/console/subscribers#import">import a list</a>.</p>` : ""}
  </section>`;
}

function readersChart(data: OverviewData): Html {
  const days = data.readersPerDay.filter((p) => p.confirmed !== null).reverse();
  return html`<section aria-labelledby="chart-readers-h">
    <h2 id="chart-readers-h">Confirmed readers per day (last 30 days)</h2>
    <div class="chart">
      ${buildLineChart(
        "chart-readers",
        "Confirmed readers per day over the last 30 days",
        data.readersPerDay.map((p) => ({ label: p.day.slice(5), value: p.confirmed })),
      )}
      ${table({
        label: "Confirmed readers per day",
        scroll: true,
        rows: days,
        columns: [
          { header: "Day", cell: (p) => p.day },
          { header: "Confirmed", num: true, cell: (p) => number(p.confirmed ?? 0) },
        ],
      })}
    </div>
    <p class="muted">One snapshot a day, taken by the first hourly ingest of each UTC day; today shows the live count until then.</p>
  </section>`;
}

function sentChart(data: OverviewData): Html {
  const oldestFirst = [...data.digests].reverse();
  const chart = html`<div class="chart">
    ${buildBarChart(
      "chart-sent",
      `Emails sent per digest, last ${oldestFirst.length}`,
      oldestFirst.map((d) => ({ label: d.createdAt.slice(5, 10), value: d.sent })),
    )}
    ${table<DigestSummary>({
      label: "Emails sent per digest",
      scroll: true,
      rows: data.digests,
      columns: [
        { header: "Digest", cell: (d) => html`<a href="/console/digests/${d.id}">${d.createdAt.slice(0, 10)}</a>` },
        { header: "Sent", num: true, cell: (d) => number(d.sent) },
      ],
    })}
  </div>`;
  return html`<section aria-labelledby="chart-sent-h">
    <h2 id="chart-sent-h">Emails sent per digest</h2>
    ${oldestFirst.length ? chart : html`<p>No digest has been sent yet, so there is nothing to chart.</p>`}
  </section>`;
}

export function overviewPage(data: OverviewData, csrf: string): Html {
  const now = data.now;
  const lastDigests = data.digests.length
    ? digestTable(data.digests.slice(0, 5), now)
    : html`<p>
        No digest yet. Once readers have confirmed and releases are waiting, the daily cron sends one, or <a href="/console/digests">send one now</a>.
      </p>`;
  return consolePage({
    title: "Overview",
    current: "/console",
    csrf,
    body: html`<h1>Overview</h1>
      <p class="muted">
        Times in UTC. Now: ${formatUtc(now.toISOString())}. Mail goes
        ${data.mailer === "resend" ? "through Resend" : html`to the <a href="/dev/outbox">local outbox</a> (no Resend key)`}.
      </p>
      ${signupWarning(data)} ${quotaNotice(data, csrf)} ${feedsSection(data, csrf)} ${waitingSection(data)}
      <section aria-labelledby="digests-h">
        <h2 id="digests-h">Last digests</h2>
        ${lastDigests}
      </section>
      ${readersSection(data)} ${readersChart(data)} ${sentChart(data)}`,
  });
}
