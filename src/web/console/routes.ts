// /console: the operator console. Server-rendered pages behind a session
// cookie (session.ts); every POST needs the session, a CSRF token and no
// foreign Origin, else 403 and nothing changes. Handlers stay thin: each
// action is one call into the functions the JSON API uses.
import { Hono, type Context } from "hono";
import { ConfigError } from "../../config";
import { getQuotaPause } from "../../mail/quota-store";
import { createMailer } from "../../mail/create-mailer";
import { runIngest } from "../../feeds";
import type { SendQueue } from "../../queue-messages";
import { parseEmailAddress } from "../../subscribers/address";
import { exportDownload } from "../../subscribers/export";
import { getImportProgress, startImport } from "../../subscribers/import";
import { ImportFormatError, parseCsvImport } from "../../subscribers/import-parse";
import { clearSuppression } from "../../subscribers/resend-webhook";
import { deleteSubscriber, getSubscriber, subscriberIdFor } from "../../subscribers/subscriber-store";
import { listFeedChoices, parsePreferencesInput, type FeedChoice } from "../../subscribers/preferences";
import { readBytesCapped } from "../../lib/read-body";
import type { AppEnv } from "../types";
import { readAccessConfig, verifyAccessRequest } from "./access";
import { getDigestSummary, getEditionProgress, getOverviewData, listDigestSummaries } from "../../operator/console-data";
import { countSubscribers } from "../../subscribers/daily-counts";
import {
  type Cadence,
  type DigestBindings,
  type Edition,
  listWaitingReleases,
  parseCadence,
  previewNextDigest,
  resumeAfterPause,
  sendDigestNow,
  sendTestDigestTo,
} from "../../operator/digest-actions";
import {
  consoleErrorPage,
  digestPage,
  digestsPage,
  importPage,
  importText,
  ingestResult,
  overviewPage,
  previewPage,
  progressText,
  resultPage,
  sendConfirmPage,
  signInPage,
  subscribersPage,
} from "./pages";
import { buildSampleFeed, isLocalMode, saveSampleFeedSwitch } from "../../feeds/sample-feed";
import { accessSession, consoleSecret, endSession, isAdminToken, isForeignOrigin, isValidCsrf, readSession, type Session, startSession } from "./session";
import { CONSOLE_SCRIPT } from "./static-script";
import { number } from "./ui";

interface ConsoleEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { session: Session; form: FormData };
}

type ConsoleContext = Context<ConsoleEnv>;

export const consoleRoutes = new Hono<ConsoleEnv>();

/** Forms are small; an import is up to 100,000 rows of ~40 bytes, with room to spare. */
const MAX_FORM_BYTES = 64 * 1024;
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

// --- Public parts: the script and, in local mode, the sample feed ---------

consoleRoutes.get("/static/console.js", (c) =>
  c.body(CONSOLE_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300" }),
);

consoleRoutes.get("/sample-feed.xml", (c) => {
  if (!isLocalMode(c.get("config"))) return c.json({ error: "not found" }, 404);
  return c.body(buildSampleFeed(new Date(), c.req.query("lang") === "fr" ? "fr" : "en"), 200, {
    "Content-Type": "application/rss+xml; charset=utf-8",
    "Cache-Control": "no-store",
  });
});

// --- The console refuses to start without a strong admin token -------------

consoleRoutes.use("*", async (c, next) => {
  try {
    consoleSecret(c.get("config"));
    readAccessConfig(c.env as unknown as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error("console configuration error:", error.message);
    return c.html(consoleErrorPage("The console is not configured", error.message), 500);
  }
  await next();
});

// --- Sign-in ----------------------------------------------------------------

function clientIp(c: ConsoleContext): string {
  return c.req.header("CF-Connecting-IP") ?? "unknown";
}

/** Reads a form body, counting bytes as they arrive (a missing or false Content-Length cannot lift the cap). */
async function readForm(c: ConsoleContext, maxBytes: number): Promise<FormData | { status: 400 | 413 | 415; message: string }> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") return { status: 415, message: "Send the form from the console." };
  const read = await readBytesCapped(c.req.raw, maxBytes);
  if (!read.ok) return { status: 413, message: `The upload is over ${Math.round(maxBytes / 1024 / 1024) || 1} MB; split it.` };
  try {
    return await new Response(read.bytes, { headers: { "Content-Type": c.req.header("Content-Type")! } }).formData();
  } catch {
    return { status: 400, message: "The form data could not be read." };
  }
}

consoleRoutes.post("/login", async (c) => {
  if (isForeignOrigin(c, c.get("config"))) return c.html(signInPage({ error: "This sign-in came from another site and was refused." }), 403);
  const { success } = await c.env.LOGIN_LIMITER.limit({ key: `console-login:${clientIp(c)}` });
  if (!success) {
    c.header("Retry-After", "60");
    return c.html(signInPage({ error: "Too many sign-in attempts from your network. Wait a minute and try again." }), 429);
  }
  const form = await readForm(c, MAX_FORM_BYTES);
  if (!(form instanceof FormData)) return c.html(signInPage({ error: form.message }), form.status);
  if (!(await isAdminToken(c.get("config"), form.get("token")))) {
    return c.html(signInPage({ error: "That is not the admin token. Check ADMIN_TOKEN and try again." }), 401);
  }
  await startSession(c, c.get("config"), new Date());
  return c.redirect("/console", 303);
});

// --- Everything else needs a session ------------------------------------------

consoleRoutes.use("*", async (c, next) => {
  const config = c.get("config");
  const now = new Date();
  let session = await readSession(c, config, c.env.KV, now);
  // Behind Cloudflare Access (optional), its signed JWT is a session too.
  const access = readAccessConfig(c.env as unknown as Record<string, unknown>);
  if (!session && access) {
    const identity = await verifyAccessRequest(access, c.req.raw.headers);
    if (identity) session = await accessSession(config, identity, now);
  }
  const isPost = c.req.method === "POST";
  if (isPost && isForeignOrigin(c, c.get("config")))
    return c.html(consoleErrorPage("Refused", "This request came from another site and was refused; nothing changed."), 403);
  if (!session) {
    if (isPost) return c.html(signInPage({ error: "Your session ended, so nothing changed. Sign in again." }), 403);
    if (c.req.path.endsWith(".json")) return c.json({ error: "sign in to the console first" }, 401);
    if (c.req.path === "/console" || c.req.path === "/console/") return c.html(signInPage());
    return c.redirect("/console", 303);
  }
  c.set("session", session);
  if (isPost) {
    const form = await readForm(c, c.req.path === "/console/import" ? MAX_IMPORT_BYTES : MAX_FORM_BYTES);
    if (!(form instanceof FormData)) return c.html(consoleErrorPage("Not accepted", form.message, session.csrf), form.status);
    if (!(await isValidCsrf(session, form.get("csrf")))) {
      return c.html(
        consoleErrorPage("Refused", "The form's security token is missing or stale, so nothing changed. Reload the page and try again.", session.csrf),
        403,
      );
    }
    c.set("form", form);
  }
  c.header("Cache-Control", "no-store");
  await next();
});

consoleRoutes.post("/logout", async (c) => {
  await endSession(c, c.get("config"), c.env.KV, c.get("session"));
  return c.html(signInPage({ info: "You are signed out." }));
});

// --- Pages ------------------------------------------------------------------

function bindings(c: ConsoleContext): DigestBindings {
  const config = c.get("config");
  return { kv: c.env.KV, queue: c.env.SEND_QUEUE as SendQueue, mailer: createMailer(config, c.env.KV) };
}

function formText(c: ConsoleContext, name: string): string | null {
  const value = c.get("form").get(name);
  return typeof value === "string" ? value : null;
}

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

consoleRoutes.get("/", async (c) => {
  const data = await getOverviewData(c.get("config"), c.env.KV, new Date());
  return c.html(overviewPage(data, c.get("session").csrf));
});

consoleRoutes.get("/digests", async (c) => {
  const now = new Date();
  const [digests, waiting, pause, feeds] = await Promise.all([
    listDigestSummaries(c.env.KV, 30),
    listWaitingReleases(c.get("config"), c.env.KV, now),
    getQuotaPause(c.env.KV, now),
    feedChoices(c),
  ]);
  return c.html(
    digestsPage({
      csrf: c.get("session").csrf,
      now,
      digests,
      waiting: { daily: waiting.daily.length, weekly: waiting.weekly.length },
      feeds,
      paused: pause !== null,
    }),
  );
});

consoleRoutes.get("/digests/:id", async (c) => {
  const now = new Date();
  const found = await getDigestSummary(c.env.KV, c.req.param("id"), now);
  if (!found) return c.html(consoleErrorPage("No such digest", "There is no digest with that id.", c.get("session").csrf), 404);
  const [editionProgress, feeds] = await Promise.all([getEditionProgress(c.env.KV, found.record), feedChoices(c)]);
  return c.html(digestPage({ csrf: c.get("session").csrf, now, summary: found.summary, releases: found.record.releases, editionProgress, feeds }));
});

consoleRoutes.get("/digests/:id/progress.json", async (c) => {
  const found = await getDigestSummary(c.env.KV, c.req.param("id"), new Date());
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

consoleRoutes.get("/preview", async (c) => {
  const feeds = await feedChoices(c);
  const read = readEdition(
    { cadence: c.req.query("cadence"), lang: c.req.query("lang"), topics: c.req.query("topics"), sources: c.req.queries("sources") ?? [] },
    feeds,
  );
  const csrf = c.get("session").csrf;
  if (!read.ok) {
    const edition: Edition = { cadence: parseCadence(c.req.query("cadence")) ?? "daily", lang: "en", topics: [], sources: null };
    return c.html(previewPage({ csrf, edition, feeds, report: null, next: null, email: null, error: read.message }), 400);
  }
  const preview = await previewNextDigest(c.get("config"), c.env.KV, read.edition, new Date());
  return c.html(previewPage({ csrf, edition: read.edition, feeds, report: preview.report, next: preview.edition, email: preview.email, error: null }));
});

consoleRoutes.get("/send", async (c) => {
  const cadence: Cadence = parseCadence(c.req.query("cadence")) ?? "daily";
  const now = new Date();
  const preview = await previewNextDigest(c.get("config"), c.env.KV, { cadence, lang: "en", topics: [], sources: null }, now);
  const paused = (await getQuotaPause(c.env.KV, now)) !== null;
  return c.html(sendConfirmPage({ csrf: c.get("session").csrf, cadence, report: preview.report, paused }));
});

// --- Actions (POST: session + CSRF + same origin, checked above) -------------

consoleRoutes.post("/send", async (c) => {
  const csrf = c.get("session").csrf;
  const cadence = parseCadence(formText(c, "cadence") ?? "daily");
  if (!cadence) return c.html(consoleErrorPage("Not sent", "cadence must be daily or weekly.", csrf), 400);
  if (formText(c, "confirm") !== "yes") return c.redirect(`/console/send?cadence=${cadence}`, 303);
  const report = await sendDigestNow(c.get("config"), bindings(c), cadence, new Date());
  const digestId = report.digest.digestId ?? report.digest.resumed?.digestId;
  if (report.digest.digestId) return c.redirect(`/console/digests/${report.digest.digestId}`, 303);
  return c.html(
    resultPage({
      title: "No new digest",
      csrf,
      ok: true,
      message: `Ingest found ${report.ingest.new} new release(s). No new digest started: ${report.digest.skipped ?? "nothing to send"}.`,
      back: digestId ? [`/console/digests/${digestId}`, "Follow the unfinished digest"] : ["/console/digests", "Back to digests"],
    }),
  );
});

consoleRoutes.post("/test-send", async (c) => {
  const csrf = c.get("session").csrf;
  const form = c.get("form");
  const read = readEdition(
    {
      cadence: formText(c, "cadence") ?? undefined,
      lang: formText(c, "lang") ?? undefined,
      topics: formText(c, "topics") ?? undefined,
      sources: form.getAll("sources").filter((v): v is string => typeof v === "string"),
    },
    await feedChoices(c),
  );
  const address = parseEmailAddress(formText(c, "to"));
  const back: [string, string] = ["/console/digests", "Back to digests"];
  if (!read.ok) return c.html(resultPage({ title: "Test not sent", csrf, ok: false, message: `${read.message}.`, back }), 400);
  if (!address.ok) return c.html(resultPage({ title: "Test not sent", csrf, ok: false, message: `to: ${address.message}`, back }), 400);
  const { digest } = await sendTestDigestTo(c.get("config"), bindings(c), address.address, read.edition);
  if (digest.skipped) return c.html(resultPage({ title: "Test not sent", csrf, ok: false, message: `Nothing to send: ${digest.skipped}.`, back }));
  if (!digest.sent)
    return c.html(
      resultPage({ title: "Test not sent", csrf, ok: false, message: `The mail provider refused it: ${digest.error ?? "unknown error"}`, back }),
      502,
    );
  return c.html(resultPage({ title: "Test sent", csrf, message: `Sent “${digest.subject}” (${digest.releases} release(s)) to ${address.address}.`, back }));
});

consoleRoutes.post("/resume", async (c) => {
  const csrf = c.get("session").csrf;
  const { liftedPause, reports } = await resumeAfterPause(c.get("config"), bindings(c), new Date());
  const lifted = liftedPause ? "The mail-quota pause is lifted." : "There was no mail-quota pause.";
  if (reports.length === 0) return c.html(resultPage({ title: "Resumed", csrf, message: `${lifted} No digest was waiting to finish.` }));
  const resumed = reports.flatMap((report) => (report.resumed ? [report.resumed] : []));
  const id = resumed[0]?.digestId;
  return c.html(
    resultPage({
      title: "Resumed",
      csrf,
      message: `${lifted} ${resumed.map((r) => `${r.batchesEnqueued} batch(es) enqueued again for digest ${r.digestId}.`).join(" ")}`,
      back: id ? [`/console/digests/${id}`, "Follow the digest"] : undefined,
    }),
  );
});

consoleRoutes.post("/ingest", async (c) => {
  const config = c.get("config");
  const report = await runIngest(config, c.env.KV, fetch, () => new Date(), createMailer(config, c.env.KV));
  return c.html(
    resultPage({ title: "Ingest done", csrf: c.get("session").csrf, message: `${report.new} new release(s) stored.`, details: ingestResult(report) }),
  );
});

consoleRoutes.post("/sample-feed", async (c) => {
  const csrf = c.get("session").csrf;
  if (!isLocalMode(c.get("config"))) {
    return c.html(consoleErrorPage("Not available", "The sample feed exists only in local mode (no RESEND_API_KEY, PUBLIC_URL on this machine).", csrf), 400);
  }
  const on = formText(c, "on") === "on";
  await saveSampleFeedSwitch(c.env.KV, on);
  return c.html(
    resultPage({
      title: on ? "Sample feed on" : "Sample feed off",
      csrf,
      message: on
        ? "The offline sample feed now replaces the configured feeds. Ingest now, or send a digest, to see it."
        : "The configured feeds are back (unless SAMPLE_FEED=on is set).",
    }),
  );
});

// --- Subscribers ----------------------------------------------------------------

consoleRoutes.get("/subscribers", async (c) => {
  const now = new Date();
  const query = c.req.query("email") ?? null;
  const counts = await countSubscribers(c.env.KV);
  let found = null;
  let queryError: string | null = null;
  if (query !== null && query.trim() !== "") {
    const parsed = parseEmailAddress(query);
    if (!parsed.ok) queryError = parsed.message;
    else found = await getSubscriber(c.env.KV, await subscriberIdFor(parsed.address));
  }
  const feeds = found ? await feedChoices(c) : [];
  return c.html(subscribersPage({ csrf: c.get("session").csrf, now, counts, query: query?.trim() || null, queryError, found, feeds }));
});

consoleRoutes.get("/subscribers/export", (c) => {
  const format = c.req.query("format") ?? "csv";
  if (format !== "csv" && format !== "json") return c.json({ error: "format must be csv or json" }, 400);
  return exportDownload(c.env.KV, format);
});

consoleRoutes.post("/subscribers/erase", async (c) => {
  const csrf = c.get("session").csrf;
  const back: [string, string] = ["/console/subscribers", "Back to subscribers"];
  const parsed = parseEmailAddress(formText(c, "email"));
  if (!parsed.ok) return c.html(resultPage({ title: "Not erased", csrf, ok: false, message: parsed.message, back }), 400);
  if (formText(c, "confirm") !== "yes") {
    return c.html(resultPage({ title: "Not erased", csrf, ok: false, message: "Tick the box to confirm the erasure.", back }), 400);
  }
  const id = await subscriberIdFor(parsed.address);
  const existed = (await getSubscriber(c.env.KV, id)) !== null;
  await deleteSubscriber(c.env.KV, id);
  return c.html(
    resultPage({
      title: existed ? "Erased" : "Nothing to erase",
      csrf,
      message: existed ? `The record of ${parsed.address} is erased.` : `There was no record of ${parsed.address}.`,
      back,
    }),
  );
});

consoleRoutes.post("/subscribers/unsuppress", async (c) => {
  const csrf = c.get("session").csrf;
  const back: [string, string] = ["/console/subscribers", "Back to subscribers"];
  const address = formText(c, "email") ?? "";
  const result = await clearSuppression(c.env.KV, address, new Date());
  const messages = {
    cleared: `The suppression of ${address} is lifted; the address is now unsubscribed and can sign up again.`,
    "not-suppressed": `${address} is not suppressed; nothing changed.`,
    unknown: `There is no record of ${address}.`,
  };
  return c.html(
    resultPage({ title: result === "cleared" ? "Suppression lifted" : "Nothing changed", csrf, ok: result === "cleared", message: messages[result], back }),
  );
});

consoleRoutes.post("/import", async (c) => {
  const csrf = c.get("session").csrf;
  const back: [string, string] = ["/console/subscribers#import", "Back to the import form"];
  const file = c.get("form").get("file");
  if (!(file instanceof File) || file.size === 0)
    return c.html(resultPage({ title: "Not imported", csrf, ok: false, message: "Choose a CSV file to import.", back }), 400);
  let parsed;
  try {
    parsed = await parseCsvImport(file.stream());
  } catch (error) {
    if (error instanceof ImportFormatError) return c.html(resultPage({ title: "Not imported", csrf, ok: false, message: error.message, back }), 400);
    throw error;
  }
  const job = await startImport(c.env.KV, c.env.SEND_QUEUE as SendQueue, parsed, formText(c, "optin") === "yes", new Date());
  return c.redirect(`/console/imports/${job.id}`, 303);
});

consoleRoutes.get("/imports/:id", async (c) => {
  const progress = await getImportProgress(c.env.KV, c.req.param("id"));
  if (!progress) return c.html(consoleErrorPage("No such import", "There is no import with that id.", c.get("session").csrf), 404);
  return c.html(importPage({ csrf: c.get("session").csrf, now: new Date(), progress: { ...progress, totals: { ...progress.totals } } }));
});

consoleRoutes.get("/imports/:id/progress.json", async (c) => {
  const progress = await getImportProgress(c.env.KV, c.req.param("id"));
  if (!progress) return c.json({ error: "no import with that id" }, 404);
  return c.json({
    done: progress.done,
    total: progress.chunks,
    finished: progress.done >= progress.chunks,
    text: importText(progress),
    fields: Object.fromEntries(Object.entries(progress.totals).map(([k, v]) => [k, number(v)])),
  });
});
