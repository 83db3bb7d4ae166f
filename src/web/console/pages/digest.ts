// /console/digests/:id: one digest's progress (updated live by console.js),
// its editions and its releases.
import { html } from "hono/html";
import type { EditionSummary } from "../../../digest/digest-store";
import type { DigestSummary, EditionProgress } from "../../../operator/console-data";
import type { FeedChoice } from "../../../subscribers/preferences";
import { consolePage, number, when, type Html } from "../ui";
import { badCount, cadenceName, cards, languageName, newestFirst, table } from "./components";

export function progressText(d: DigestSummary): string {
  if (d.status === "sent") return `Finished: ${number(d.sent)} sent, ${number(d.failed)} failed, ${number(d.skipped)} skipped.`;
  if (d.deferredBatches > 0) return `Paused by the mail quota: ${number(d.pending)} of ${number(d.recipients)} still to send. Resume from the overview.`;
  return `Sending: ${number(d.sent + d.failed + d.skipped)} of ${number(d.recipients)} done.`;
}

function editionsTable(d: DigestSummary, progress: EditionProgress[] | null, feeds: FeedChoice[]): Html {
  const byIndex = new Map(progress?.map((p) => [p.index, p]) ?? []);
  const feedName = (id: string) => feeds.find((f) => f.id === id)?.title ?? id;
  /** A figure from the edition's progress, or a dash when the recipient list has expired. */
  const figure = (e: EditionSummary, pick: (p: EditionProgress) => Html | string) => {
    const p = byIndex.get(e.index);
    return p ? pick(p) : "–";
  };
  const choices = (e: EditionSummary) =>
    html`${languageName(e.lang)} ·
    ${e.topics.length ? html`topics: ${e.topics.join(", ")}` : "all topics"}${
      e.sources.length && feeds.length > 1 ? html` · feeds: ${e.sources.map(feedName).join(", ")}` : ""
    }`;
  return html`<section aria-labelledby="editions-h">
    <h2 id="editions-h">Editions</h2>
    <p class="muted">
      Readers with the same language, topics and feeds share one edition, rendered once. Batches mix editions, so each reader counts by their batch's outcome.
    </p>
    ${table<EditionSummary>({
      label: "Editions",
      rows: d.editions,
      columns: [
        { header: "Edition", cellClass: "title", cell: (e) => html`<a href="/digests/${e.digestId}">${e.subject}</a>` },
        { header: "Choices", cell: choices },
        { header: "Releases", num: true, cell: (e) => number(e.releaseIds.length) },
        { header: "Readers", num: true, cell: (e) => number(e.recipientCount) },
        { header: "Sent", num: true, cell: (e) => figure(e, (p) => number(p.sent)) },
        { header: "Failed", num: true, cell: (e) => figure(e, (p) => badCount(p.failed) as Html | string) },
        { header: "Pending", num: true, cell: (e) => figure(e, (p) => number(p.pending)) },
      ],
    })}
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
  const several = d.editions.length > 1;
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
        ${cards([
          { label: "Readers", value: number(d.recipients) },
          { label: "Sent", value: number(d.sent), field: "sent" },
          { label: "Failed", value: number(d.failed), field: "failed" },
          { label: "Skipped", value: number(d.skipped), field: "skipped" },
          { label: "Pending", value: number(d.pending), field: "pending" },
        ])}
        <p class="muted">Skipped: readers who unsubscribed or bounced after the digest started.</p>
      </section>
      ${d.editions.length ? editionsTable(d, options.editionProgress, options.feeds) : ""}
      <section aria-labelledby="releases-h">
        <h2 id="releases-h">Releases in this digest${several ? " (all editions)" : ""}</h2>
        <ul>
          ${newestFirst(options.releases).map((r) => html`<li><a href="${r.link}" rel="noreferrer">${r.title}</a></li>`)}
        </ul>
        <p><a href="/digests/${d.id}">Open the web version</a> (the archive's page for this run${several ? "; each edition's own is linked above" : ""}).</p>
      </section>`,
  });
}
