// Public subscription routes: the sign-up page, POST /subscribe (form or
// JSON, with the optional choices), scanner-safe confirmation (GET shows a
// button, only POST acts), the preferences page (GET shows, only POST
// saves) and unsubscribe, including RFC 8058 one-click POSTs from mail
// clients. Pages speak the reader's language: their stored choice, or for
// the sign-up page ?lang= and then Accept-Language.
import { Hono, type Context } from "hono";
import { getDigest, getDigestState, type EditionSummary } from "../../digest/digest-store";
import { isLang, langFromAcceptLanguage, type Lang } from "../../i18n";
import { parseEmailAddress } from "../../subscribers/address";
import {
  effectiveSources,
  listFeedChoices,
  parsePreferencesInput,
  preferencesOf,
  type FeedChoice,
  type Preferences,
  type RawPreferences,
} from "../../subscribers/preferences";
import {
  checkConfirmToken,
  confirmByToken,
  readerByToken,
  savePreferencesByToken,
  subscribeAddress,
  unsubscribeByToken,
  type SubscriptionDeps,
  type TokenActionResult,
} from "../../subscribers/service";
import { verifyPersonalToken } from "../../subscribers/tokens";
import { preferencesHelpPage, renderPreferencesPage } from "./preference-pages";
import { readBody, wantsJson, type BodyResult } from "../read-request";
import {
  checkInboxPage,
  confirmedPage,
  confirmPage,
  errorPage,
  linkProblemPage,
  renderSignupPage,
  unsubscribedPage,
  unsubscribeHelpPage,
  unsubscribePage,
} from "./subscription-pages";
import { checkSignupCaps, reserveSignupMail } from "../../subscribers/signup-limits";
import { buildClientKey } from "./client-key";
import { isTurnstileEnabled, verifyTurnstile } from "./turnstile";
import type { AppEnv } from "../types";

export const subscriptionRoutes = new Hono<AppEnv>();

export function subscriptionDeps(c: Context<AppEnv>): SubscriptionDeps {
  const config = c.get("config");
  return {
    kv: c.env.KV,
    queue: c.env.SEND_QUEUE,
    signingSecret: config.signingSecret,
    confirmationIntervalMs: config.confirmEmailIntervalMs,
    now: () => new Date(),
  };
}

const ACCEPTED_MESSAGE = "If the address can receive the digest, a confirmation email is on its way.";
const RATE_LIMITED: Record<Lang, string> = {
  en: "Too many sign-ups from your network in the last minute. Please wait a minute and try again.",
  fr: "Trop d'inscriptions depuis votre réseau dans la dernière minute. Attendez une minute et réessayez.",
};
const SIGNUPS_PAUSED: Record<Lang, string> = {
  en: "Sign-ups are paused for a while: the service has sent as many confirmation emails as it may for now. Please try again later.",
  fr: "Les inscriptions sont suspendues un moment : le service a envoyé autant d'e-mails de confirmation qu'il le peut pour l'instant. Réessayez plus tard.",
};

/** The sign-up page's language: ?lang=, then the browser's Accept-Language. */
function pageLang(c: Context<AppEnv>, chosen?: unknown): Lang {
  if (isLang(chosen)) return chosen;
  const query = c.req.query("lang");
  return isLang(query) ? query : langFromAcceptLanguage(c.req.header("Accept-Language"));
}

/**
 * Headlines of the latest daily digest in the page's language, for the
 * sign-up page: that language's edition (topics-free first, then the most
 * read), so a story shows once and in the page's language. Two KV reads.
 * Records from before editions are English.
 */
async function latestHeadlines(kv: KVNamespace, lang: Lang): Promise<{ title: string; link: string }[] | null> {
  const state = await getDigestState(kv, "daily");
  if (!state.lastDigestId) return null;
  const record = await getDigest(kv, state.lastDigestId);
  if (!record) return null;
  let releases = record.releases;
  if (record.editions?.length) {
    const rank = (e: EditionSummary) => (e.topics.length === 0 ? 1e12 : 0) + e.recipientCount;
    const edition = record.editions.filter((e) => e.lang === lang).sort((a, b) => rank(b) - rank(a))[0];
    if (!edition) return null;
    const ids = new Set(edition.releaseIds);
    releases = releases.filter((release) => ids.has(release.id));
  } else if (lang !== "en") return null;
  return releases.slice(0, 8).map((release) => ({ title: release.title, link: release.link }));
}

/** The archive in the page's language. */
const archiveUrl = (lang: Lang) => (lang === "en" ? "/digests" : `/digests?lang=${lang}`);

/** The choices sent with a sign-up or a preferences form; repeated `sources` checkboxes are read as a list. */
function rawPreferences(body: Extract<BodyResult, { ok: true }>): RawPreferences {
  const { cadence, topics, lang, sources, otherLanguage } = body.fields;
  if (body.kind === "json") return { cadence, topics, lang, sources, otherLanguage };
  const chosen = body.lists.sources ?? [];
  return { cadence, topics, lang, sources: chosen.length > 0 ? chosen : undefined, otherLanguage };
}

function hasChoices(raw: RawPreferences): boolean {
  return [raw.cadence, raw.topics, raw.lang, raw.sources, raw.otherLanguage].some((value) => value !== undefined && value !== "");
}

/** The form's values as the reader typed them, to show back with an error. */
function typedValues(raw: RawPreferences) {
  return {
    cadence: raw.cadence === "weekly" ? ("weekly" as const) : ("daily" as const),
    topics: typeof raw.topics === "string" ? raw.topics : Array.isArray(raw.topics) ? raw.topics.filter((t) => typeof t === "string") : undefined,
    lang: isLang(raw.lang) ? raw.lang : undefined,
    sources: Array.isArray(raw.sources) ? raw.sources.filter((s): s is string => typeof s === "string") : null,
    otherLanguage: raw.otherLanguage === "skip" ? ("skip" as const) : ("include" as const),
  };
}

subscriptionRoutes.get("/", async (c) => {
  const config = c.get("config");
  const lang = pageLang(c);
  const [feeds, latest] = await Promise.all([listFeedChoices(c.env.KV, config), latestHeadlines(c.env.KV, lang)]);
  return c.html(
    renderSignupPage({
      lang,
      feeds,
      latest,
      archiveUrl: archiveUrl(lang),
      turnstileSiteKey: isTurnstileEnabled(config) ? config.turnstileSiteKey : null,
    }),
  );
});

subscriptionRoutes.post("/subscribe", async (c) => {
  const config = c.get("config");
  const json = wantsJson(c);
  let lang = pageLang(c);
  let feeds: FeedChoice[] = [];
  let typed: RawPreferences = {};
  let email: string | undefined;
  const fail = async (status: 400 | 413 | 415 | 429 | 503, message: string, field = "email") => {
    if (status === 429) c.header("Retry-After", "60");
    if (json) return c.json(status === 400 ? { error: message, field } : { error: message }, status);
    if (status === 400) {
      return c.html(
        renderSignupPage({
          lang,
          feeds,
          latest: await latestHeadlines(c.env.KV, lang),
          archiveUrl: archiveUrl(lang),
          values: { ...typedValues(typed), email },
          error: { field, message },
          turnstileSiteKey: isTurnstileEnabled(config) ? config.turnstileSiteKey : null,
        }),
        400,
      );
    }
    return c.html(errorPage(status, message, lang), status);
  };

  const ip = c.req.header("CF-Connecting-IP") ?? "unknown";
  // An IPv6 client is keyed on its /64, every spelling of an address as one.
  const { success } = await c.env.SIGNUP_LIMITER.limit({ key: `signup:${buildClientKey(ip)}` });
  if (!success) return fail(429, RATE_LIMITED[lang]);

  // The global caps, decided before the body is read: the same answer for every address.
  const caps = { maxPerHour: config.signupMaxMailsPerHour, maxPerDay: config.signupMaxMailsPerDay };
  const cap = await checkSignupCaps(c.env.KV, caps, new Date());
  if (!cap.ok) {
    c.header("Retry-After", String(cap.retryAfterSeconds));
    return fail(503, SIGNUPS_PAUSED[lang]);
  }

  const body = await readBody(c);
  if (!body.ok) return fail(body.status, body.message);
  email = typeof body.fields.email === "string" ? body.fields.email : undefined;
  typed = rawPreferences(body);
  lang = pageLang(c, typed.lang);

  // Bots fill every field; people never see this one. Answer as if accepted.
  const honeypot = body.fields.website;
  if (typeof honeypot === "string" && honeypot !== "") {
    return json ? c.json({ status: "accepted", message: ACCEPTED_MESSAGE }, 202) : c.html(checkInboxPage(lang), 202);
  }

  // Choices are checked before anything is stored or sent: a bad one changes nothing.
  let preferences: Preferences | undefined;
  if (hasChoices(typed)) {
    feeds = await listFeedChoices(c.env.KV, config);
    const parsed = parsePreferencesInput(typed, feeds);
    if (!parsed.ok) return fail(400, parsed.message, parsed.field);
    preferences = parsed.preferences;
  }

  if (isTurnstileEnabled(config)) {
    const token = body.kind === "json" ? body.fields.turnstileToken : body.fields["cf-turnstile-response"];
    const check = await verifyTurnstile(config, token, ip === "unknown" ? null : ip);
    if (!check.ok) return fail(check.status, check.message);
  }

  const address = parseEmailAddress(body.fields.email);
  if (!address.ok) return fail(400, address.message, "email");
  // New and known addresses must answer alike: the lookup, the write and the
  // queue send run after the answer, so timing tells nothing.
  const reserve = () => reserveSignupMail(c.env.KV, caps, new Date());
  c.executionCtx.waitUntil(subscribeInBackground(subscriptionDeps(c), address.address, body.kind === "json" ? "api" : "form", preferences, reserve));
  return json ? c.json({ status: "accepted", message: ACCEPTED_MESSAGE }, 202) : c.html(checkInboxPage(lang), 202);
});

async function subscribeInBackground(
  deps: SubscriptionDeps,
  address: string,
  source: "api" | "form",
  preferences: Preferences | undefined,
  reserve: () => Promise<boolean>,
): Promise<void> {
  try {
    await subscribeAddress(deps, address, source, preferences, reserve);
  } catch (error) {
    // The person already has their 202; the error (never the address) goes to the logs.
    console.error("sign-up failed after the answer:", error instanceof Error ? error.message : String(error));
  }
}

function problemStatus(reason: string): 400 | 410 {
  return reason === "expired" || reason === "unknown" || reason === "unsubscribed" || reason === "suppressed" || reason === "superseded" || reason === "revoked"
    ? 410
    : 400;
}

/** The page for a link that does not work, by reason. */
function linkProblem(c: Context<AppEnv>, result: Extract<TokenActionResult, { ok: false }>, lang: Lang) {
  // Superseded and revoked links: "no longer valid", sign up again.
  const reason = result.reason === "superseded" || result.reason === "revoked" ? "unknown" : result.reason;
  const shown = reason === "expired" || reason === "unknown" || reason === "unsubscribed" || reason === "suppressed" ? reason : "invalid";
  return c.html(linkProblemPage(shown, lang), problemStatus(result.reason));
}

subscriptionRoutes.get("/confirm", async (c) => {
  const token = c.req.query("token");
  // Looks the sign-up up but changes nothing: scanners prefetch links.
  const check = await checkConfirmToken(subscriptionDeps(c), token);
  if (!check.ok) return linkProblem(c, check, pageLang(c));
  return c.html(confirmPage(token!, preferencesOf(check.subscriber).lang));
});

subscriptionRoutes.post("/confirm", async (c) => {
  const body = await readBody(c);
  const token = body.ok ? body.fields.token : undefined;
  const result = await confirmByToken(subscriptionDeps(c), token ?? c.req.query("token"));
  if (!result.ok) return linkProblem(c, result, pageLang(c));
  const lang = preferencesOf(result.subscriber).lang;
  return c.html(confirmedPage({ lang, preferencesToken: result.subscriber.personalToken ?? null }));
});

subscriptionRoutes.get("/unsubscribe", async (c) => {
  const token = c.req.query("token");
  // The web version of a digest links here without a token.
  if (token === undefined) return c.html(unsubscribeHelpPage(pageLang(c)));
  const check = await verifyPersonalToken(c.get("config").signingSecret, token);
  if (!check.ok) return c.html(linkProblemPage("invalid", pageLang(c)), 400);
  const reader = await readerByToken(subscriptionDeps(c), token);
  if (!reader.ok && reader.reason === "revoked") return linkProblem(c, reader, pageLang(c));
  return c.html(unsubscribePage(token, reader.ok ? preferencesOf(reader.subscriber).lang : pageLang(c)));
});

// RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL from
// the List-Unsubscribe header; the token is in the query string.
subscriptionRoutes.post("/unsubscribe", async (c) => {
  let token: unknown = c.req.query("token");
  if (token === undefined) {
    const body = await readBody(c);
    token = body.ok ? body.fields.token : undefined;
  }
  const reader = await readerByToken(subscriptionDeps(c), token);
  const lang = reader.ok ? preferencesOf(reader.subscriber).lang : pageLang(c);
  const result = await unsubscribeByToken(subscriptionDeps(c), token);
  // A valid token whose record an admin erased: the reader is not subscribed, which is what they asked.
  if (!result.ok && result.reason === "revoked") return linkProblem(c, result, lang);
  if (!result.ok && result.reason !== "unknown") return c.html(linkProblemPage("invalid", lang), 400);
  return c.html(unsubscribedPage(lang));
});

/** The preferences form's values: the stored choices, with the default feeds shown as ticked. */
function shownPreferences(preferences: Preferences, feeds: FeedChoice[]): Preferences {
  return { ...preferences, sources: effectiveSources(preferences, feeds) };
}

// A GET only shows: link scanners and prefetchers change nothing.
subscriptionRoutes.get("/preferences", async (c) => {
  const token = c.req.query("token");
  if (token === undefined) return c.html(preferencesHelpPage(pageLang(c)));
  const reader = await readerByToken(subscriptionDeps(c), token);
  if (!reader.ok) return linkProblem(c, reader.reason === "unknown" ? { ok: false, reason: "malformed" } : reader, pageLang(c));
  const preferences = preferencesOf(reader.subscriber);
  const feeds = await listFeedChoices(c.env.KV, c.get("config"));
  return c.html(renderPreferencesPage({ lang: preferences.lang, token, preferences: shownPreferences(preferences, feeds), feeds }));
});

subscriptionRoutes.post("/preferences", async (c) => {
  const body = await readBody(c);
  if (!body.ok) return c.html(errorPage(body.status, body.message, pageLang(c)), body.status);
  const token = body.fields.token ?? c.req.query("token");
  const reader = await readerByToken(subscriptionDeps(c), token);
  if (!reader.ok) return linkProblem(c, reader.reason === "unknown" ? { ok: false, reason: "malformed" } : reader, pageLang(c));
  const feeds = await listFeedChoices(c.env.KV, c.get("config"));
  const raw = rawPreferences(body);
  const parsed = parsePreferencesInput(raw, feeds);
  const current = preferencesOf(reader.subscriber);
  if (!parsed.ok) {
    const page = renderPreferencesPage({
      lang: current.lang,
      token: token as string,
      preferences: shownPreferences(current, feeds),
      feeds,
      error: { field: parsed.field, message: parsed.message },
      values: typedValues(raw),
    });
    return body.kind === "json" ? c.json({ error: parsed.message, field: parsed.field }, 400) : c.html(page, 400);
  }
  const saved = await savePreferencesByToken(subscriptionDeps(c), token, parsed.preferences);
  if (!saved.ok) return linkProblem(c, saved, current.lang);
  if (body.kind === "json") return c.json({ status: "saved", preferences: parsed.preferences });
  const preferences = parsed.preferences;
  return c.html(
    renderPreferencesPage({ lang: preferences.lang, token: token as string, preferences: shownPreferences(preferences, feeds), feeds, saved: true }),
  );
});
