// The reader-facing pages: sign-up (with its options behind a disclosure),
// check your inbox, confirm, unsubscribe, and the clear pages shown for
// expired or forged links; in English and French (strings in src/i18n). No
// JavaScript is needed anywhere; Turnstile's script is added only when it is
// enabled. Every function takes the page language last or in its options,
// English by default, so older callers keep working.
import { html } from "hono/html";
import { stringsFor, type Lang } from "../../i18n";
import { page } from "../layout";
import { fieldErrorText, preferenceFields, type ChoiceValues, type FeedOption, type FieldError } from "./preference-pages";

export interface SignupPageOptions {
  lang: Lang;
  feeds: FeedOption[];
  /** Headlines of the latest digest; null or empty when none was sent yet. */
  latest: { title: string; link: string }[] | null;
  archiveUrl: string;
  values?: ChoiceValues & { email?: string };
  error?: FieldError;
  turnstileSiteKey: string | null;
}

const LATEST_SHOWN = 8;

export function renderSignupPage(options: SignupPageOptions) {
  const t = stringsFor(options.lang);
  const s = t.pages.signup;
  const error = options.error;
  const emailError = error?.field === "email" || (error && !["cadence", "topics", "lang", "sources"].includes(error.field)) ? error : undefined;
  const optionError = error && !emailError ? error : undefined;
  const describedBy = emailError ? "email-hint email-error" : "email-hint";
  const latest = (options.latest ?? []).slice(0, LATEST_SHOWN);
  return page({
    lang: options.lang,
    title: s.title,
    switchLanguage: t.pages.otherLanguage,
    head: options.turnstileSiteKey ? html`<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>` : undefined,
    body: html`<h1>${s.heading}</h1>
      <p>${s.intro}</p>
      <form method="post" action="/subscribe" novalidate>
        <label for="email">${s.emailLabel}</label>
        <p id="email-hint" class="hint muted">${s.emailHint}</p>
        ${emailError ? html`<p id="email-error" class="notice error" role="alert">${fieldErrorText(t, emailError)}</p>` : ""}
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="email"
          inputmode="email"
          required
          maxlength="254"
          aria-describedby="${describedBy}"
          ${emailError ? html`aria-invalid="true"` : ""}
          value="${options.values?.email ?? ""}"
        />
        <details ${optionError ? "open" : ""}>
          <summary>${s.options}</summary>
          <p class="hint muted">${s.optionsHint}</p>
          ${preferenceFields({ lang: options.lang, values: options.values, feeds: options.feeds, error: optionError })}
        </details>
        <div class="hp" aria-hidden="true">
          <label for="website">${s.honeypot}</label>
          <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
        </div>
        ${options.turnstileSiteKey ? html`<div class="cf-turnstile" data-sitekey="${options.turnstileSiteKey}"></div>` : ""}
        <button type="submit">${s.submit}</button>
      </form>
      <p class="muted">${s.privacy}</p>
      <section aria-labelledby="latest-heading">
        <h2 id="latest-heading">${s.latestHeading}</h2>
        ${
          latest.length > 0
            ? html`<ul class="headlines">
                ${latest.map((item) => html`<li><a href="${item.link}">${item.title}</a></li>`)}
              </ul>`
            : html`<p class="muted">${s.latestNone}</p>`
        }
        <p><a href="${options.archiveUrl}">${s.archive}</a></p>
      </section>`,
  });
}

/** The sign-up page as it was before options: kept for callers that have no feed list yet. */
export function signupPage(options: { turnstileSiteKey: string | null; error?: string; email?: string; lang?: Lang }) {
  return renderSignupPage({
    lang: options.lang ?? "en",
    feeds: [],
    latest: null,
    archiveUrl: "/digests",
    values: { email: options.email },
    error: options.error ? { field: "email", message: options.error } : undefined,
    turnstileSiteKey: options.turnstileSiteKey,
  });
}

export function checkInboxPage(lang: Lang = "en") {
  const t = stringsFor(lang);
  const c = t.pages.checkInbox;
  return page({
    lang,
    title: c.title,
    body: html`<h1>${c.title}</h1>
      <p class="notice" role="status">${c.notice} <strong>${c.button}</strong> ${c.notice2}</p>
      <p class="muted">${c.spam} <a href="${lang === "en" ? "/" : `/?lang=${lang}`}">${c.tryAgain}</a>.</p>`,
  });
}

export function confirmPage(token: string, lang: Lang = "en") {
  const c = stringsFor(lang).pages.confirm;
  return page({
    lang,
    title: c.title,
    body: html`<h1>${c.title}</h1>
      <p>${c.text}</p>
      <form method="post" action="/confirm">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">${c.button}</button>
      </form>`,
  });
}

/** After confirming. With the reader's personal token it offers the preferences page. */
export function confirmedPage(options: { lang?: Lang; preferencesToken?: string | null } = {}) {
  const lang = options.lang ?? "en";
  const t = stringsFor(lang);
  const c = t.pages.confirmed;
  return page({
    lang,
    title: c.title,
    body: html`<h1>${c.heading}</h1>
      <p class="notice" role="status">${c.notice}</p>
      ${
        options.preferencesToken ? html`<p>${c.preferences} <a href="/preferences?token=${options.preferencesToken}">${t.footer.managePreferences}</a></p>` : ""
      }
      <p class="muted">${c.unsubscribeNote}</p>`,
  });
}

export function unsubscribePage(token: string, lang: Lang = "en") {
  const t = stringsFor(lang);
  const u = t.pages.unsubscribe;
  return page({
    lang,
    title: u.title,
    body: html`<h1>${u.heading}</h1>
      <p>${u.text}</p>
      <form method="post" action="/unsubscribe?token=${token}">
        <button type="submit">${u.button}</button>
      </form>
      <p class="muted">${u.orPreferences} <a href="/preferences?token=${token}">${t.footer.managePreferences}</a></p>`,
  });
}

export function unsubscribedPage(lang: Lang = "en") {
  const u = stringsFor(lang).pages.unsubscribed;
  return page({
    lang,
    title: u.title,
    body: html`<h1>${u.heading}</h1>
      <p class="notice" role="status">${u.notice} <a href="${lang === "en" ? "/" : `/?lang=${lang}`}">${u.again}</a>.</p>`,
  });
}

export function linkProblemPage(reason: string, lang: Lang = "en") {
  const t = stringsFor(lang);
  const problems = t.pages.linkProblems;
  const problem = problems[reason as keyof typeof problems] ?? problems.invalid;
  return page({
    lang,
    title: problem.heading,
    body: html`<h1>${problem.heading}</h1>
      <p class="notice error" role="alert">${problem.text}</p>
      <p><a href="${lang === "en" ? "/" : `/?lang=${lang}`}">${t.pages.goToSignup}</a></p>`,
  });
}

/** `message` comes from the route, already in the page's language. */
export function errorPage(status: number, message: string, lang: Lang = "en") {
  const t = stringsFor(lang);
  return page({
    lang,
    title: status === 429 ? t.pages.error.tooMany : t.pages.error.generic,
    body: html`<h1>${status === 429 ? t.pages.error.tooMany : t.pages.error.heading}</h1>
      <p class="notice error" role="alert">${message}</p>
      <p><a href="${lang === "en" ? "/" : `/?lang=${lang}`}">${t.pages.backToSignup}</a></p>`,
  });
}

export function unsubscribeHelpPage(lang: Lang = "en") {
  const t = stringsFor(lang);
  return page({
    lang,
    title: t.pages.unsubscribe.title,
    body: html`<h1>${t.pages.unsubscribe.heading}</h1>
      <p>${t.pages.unsubscribeHelp.text}</p>
      <p class="muted">${t.pages.unsubscribeHelp.muted}</p>`,
  });
}
