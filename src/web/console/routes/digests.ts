// /console/digests and the digest actions: the list, one digest and its
// live progress, preview, send now (with a confirmation page), test send
// and resume after a quota pause. Each action is one operator-service call.
import { Hono } from "hono";
import { getQuotaPause } from "../../../mail/quota-store";
import { listDigestSummaries } from "../../../operator/console-data";
import { listWaitingReleases, parseCadence, type Cadence, type Edition } from "../../../operator/digest-actions";
import { parseEmailAddress } from "../../../subscribers/address";
import { listFeedChoices, parsePreferencesInput, type FeedChoice } from "../../../subscribers/preferences";
import { operatorFor } from "../../operator";
import { formText, signedForm, type ConsoleContext, type ConsoleEnv } from "../middleware";
import { digestPage, progressText } from "../pages/digest";
import { digestsPage } from "../pages/digests";
import { consoleErrorPage, resultPage } from "../pages/messages";
import { previewPage, sendConfirmPage } from "../pages/preview";
import { counted, number } from "../ui";

export const digestRoutes = new Hono<ConsoleEnv>();

function feedChoices(c: ConsoleContext): Promise<FeedChoice[]> {
  return listFeedChoices(c.env.KV, c.get("config"));
}

/** An edition from a form or query (cadence, lang, topics, sources), validated as the sign-up form validates a reader's choices. */
function readEdition(
  values: { cadence: unknown; lang: unknown; topics: unknown; sources: string[] },
  feeds: FeedChoice[],
): { ok: true; edition: Edition } | { ok: false; message: string } {
  const parsed = parsePreferencesInput({ ...values, sources: values.sources.length ? values.sources : undefined }, feeds);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const { cadence, lang, topics, sources } = parsed.preferences;
  return { ok: true, edition: { cadence, lang, topics, sources } };
}

digestRoutes.get("/digests", async (c) => {
  const now = new Date();
  const [digests, waiting, pause, feeds] = await Promise.all([
    listDigestSummaries(c.env.KV, 30),
    listWaitingReleases(c.get("config"), c.env.KV, now),
    getQuotaPause(c.env.KV, now),
    feedChoices(c),
  ]);
  const counts = { daily: waiting.daily.length, weekly: waiting.weekly.length };
  return c.html(digestsPage({ csrf: c.get("session").csrf, now, digests, waiting: counts, feeds, paused: pause !== null }));
});

digestRoutes.get("/digests/:id", async (c) => {
  const now = new Date();
  const found = await operatorFor(c).getDigest(c.req.param("id"));
  if (!found) return c.html(consoleErrorPage("No such digest", "There is no digest with that id.", c.get("session").csrf), 404);
  // The totals and the editions table come from one computation (getRunProgress): the table's rows sum to the totals.
  const feeds = await feedChoices(c);
  return c.html(
    digestPage({ csrf: c.get("session").csrf, now, summary: found.summary, releases: found.record.releases, editionProgress: found.editions, feeds }),
  );
});

digestRoutes.get("/digests/:id/progress.json", async (c) => {
  const found = await operatorFor(c).getDigest(c.req.param("id"));
  if (!found) return c.json({ error: "no digest with that id" }, 404);
  const d = found.summary;
  return c.json({
    done: d.sent + d.failed + d.skipped,
    total: d.recipients,
    finished: d.status === "sent",
    text: progressText(d),
    fields: { sent: number(d.sent), failed: number(d.failed), skipped: number(d.skipped), pending: number(d.pending) },
    digest: d,
  });
});

digestRoutes.get("/preview", async (c) => {
  const feeds = await feedChoices(c);
  const query = { cadence: c.req.query("cadence"), lang: c.req.query("lang"), topics: c.req.query("topics"), sources: c.req.queries("sources") ?? [] };
  const read = readEdition(query, feeds);
  const csrf = c.get("session").csrf;
  if (!read.ok) {
    const edition: Edition = { cadence: parseCadence(c.req.query("cadence")) ?? "daily", lang: "en", topics: [], sources: null };
    return c.html(previewPage({ csrf, edition, feeds, report: null, next: null, email: null, error: read.message }), 400);
  }
  const preview = await operatorFor(c).preview(read.edition);
  return c.html(previewPage({ csrf, edition: read.edition, feeds, report: preview.report, next: preview.edition, email: preview.email, error: null }));
});

digestRoutes.get("/send", async (c) => {
  const cadence: Cadence = parseCadence(c.req.query("cadence")) ?? "daily";
  const [preview, pause] = await Promise.all([operatorFor(c).preview({ cadence, lang: "en", topics: [], sources: null }), getQuotaPause(c.env.KV, new Date())]);
  return c.html(sendConfirmPage({ csrf: c.get("session").csrf, cadence, report: preview.report, paused: pause !== null }));
});

digestRoutes.post("/send", signedForm(), async (c) => {
  const csrf = c.get("session").csrf;
  const cadence = parseCadence(formText(c, "cadence") ?? "daily");
  if (!cadence) return c.html(consoleErrorPage("Not sent", "cadence must be daily or weekly.", csrf), 400);
  if (formText(c, "confirm") !== "yes") return c.redirect(`/console/send?cadence=${cadence}`, 303);
  const report = await operatorFor(c).sendNow(cadence);
  if (report.digest.digestId) return c.redirect(`/console/digests/${report.digest.digestId}`, 303);
  const unfinished = report.digest.resumed?.digestId;
  const found = counted(report.ingest.new, "new release", "new releases");
  return c.html(
    resultPage({
      title: "No new digest",
      csrf,
      ok: true,
      message: `Ingest found ${found}. No new digest started: ${report.digest.skipped ?? "nothing to send"}.`,
      back: unfinished ? [`/console/digests/${unfinished}`, "Follow the unfinished digest"] : ["/console/digests", "Back to digests"],
    }),
  );
});

digestRoutes.post("/test-send", signedForm(), async (c) => {
  const csrf = c.get("session").csrf;
  const sources = c
    .get("form")
    .getAll("sources")
    .filter((v): v is string => typeof v === "string");
  const values = { cadence: formText(c, "cadence") ?? undefined, lang: formText(c, "lang") ?? undefined, topics: formText(c, "topics") ?? undefined, sources };
  const read = readEdition(values, await feedChoices(c));
  const address = parseEmailAddress(formText(c, "to"));
  const back: [string, string] = ["/console/digests", "Back to digests"];
  const notSent = (message: string, status: 200 | 400 | 502) => c.html(resultPage({ title: "Test not sent", csrf, ok: false, message, back }), status);
  if (!read.ok) return notSent(`${read.message}.`, 400);
  if (!address.ok) return notSent(`to: ${address.message}`, 400);
  const { digest } = await operatorFor(c).sendTest(address.address, read.edition);
  if (digest.skipped) return notSent(`Nothing to send: ${digest.skipped}.`, 200);
  if (!digest.sent) return notSent(`The mail provider refused it: ${digest.error ?? "unknown error"}`, 502);
  const message = `Sent “${digest.subject}” (${counted(digest.releases, "release")}) to ${address.address}.`;
  return c.html(resultPage({ title: "Test sent", csrf, message, back }));
});

digestRoutes.post("/resume", signedForm(), async (c) => {
  const csrf = c.get("session").csrf;
  const { liftedPause, reports } = await operatorFor(c).resume();
  const lifted = liftedPause ? "The mail-quota pause is lifted." : "There was no mail-quota pause.";
  if (reports.length === 0) return c.html(resultPage({ title: "Resumed", csrf, message: `${lifted} No digest was waiting to finish.` }));
  const resumed = reports.flatMap((report) => (report.resumed ? [report.resumed] : []));
  const id = resumed[0]?.digestId;
  const each = resumed.map((r) => `${counted(r.batchesEnqueued, "batch", "batches")} enqueued again for digest ${r.digestId}.`);
  return c.html(
    resultPage({ title: "Resumed", csrf, message: `${lifted} ${each.join(" ")}`, back: id ? [`/console/digests/${id}`, "Follow the digest"] : undefined }),
  );
});
