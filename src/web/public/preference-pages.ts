// The preference choices (cadence, topics, language, feeds) as form fields,
// shared by the sign-up page's options and the preferences page, and the
// preferences page itself. Plain HTML forms: no JavaScript needed.
import { html } from "hono/html";
import { stringsFor, type Cadence, type Lang, type Strings } from "../../i18n";
import { page } from "../layout";

/** A configured feed as the forms offer it (the editions side's FeedChoice has this shape). */
export interface FeedOption {
  id: string;
  title: string;
  lang: Lang | null;
  url: string;
}

export interface ChoiceValues {
  cadence?: Cadence;
  /** As typed (sign-up form) or as stored. */
  topics?: string | string[];
  lang?: Lang;
  /** null or empty: the default (every feed in the reader's language). */
  sources?: string[] | null;
  /** Absent: "include". */
  otherLanguage?: "include" | "skip";
}

export interface FieldError {
  field: string;
  message: string;
}

/** The message for a field error in the page's language (English keeps the precise message from validation). */
export function fieldErrorText(t: Strings, error: FieldError): string {
  if (t.lang === "en") return error.message;
  return t.pages.fieldErrors[error.field] ?? error.message;
}

function errorFor(t: Strings, error: FieldError | undefined, field: string) {
  return error?.field === field ? html`<p id="${field}-error" class="notice error" role="alert">${fieldErrorText(t, error)}</p>` : "";
}

function describedBy(error: FieldError | undefined, field: string, hint: string | null): string {
  return [hint, error?.field === field ? `${field}-error` : null].filter(Boolean).join(" ");
}

/** Cadence, topics, language and (when more than one feed) one checkbox per feed. */
export function preferenceFields(options: { lang: Lang; values?: ChoiceValues; feeds: FeedOption[]; error?: FieldError }) {
  const t = stringsFor(options.lang);
  const values = options.values ?? {};
  const cadence = values.cadence ?? "daily";
  const readerLang = values.lang ?? options.lang;
  const topics = Array.isArray(values.topics) ? values.topics.join(", ") : (values.topics ?? "");
  const sources = new Set(values.sources ?? []);
  const error = options.error;
  const s = t.pages.signup;
  return html`<fieldset>
      <legend>${s.cadenceLegend}</legend>
      ${errorFor(t, error, "cadence")}
      <label class="choice"><input type="radio" name="cadence" value="daily" ${cadence === "daily" ? "checked" : ""} /> ${s.daily}</label>
      <label class="choice"><input type="radio" name="cadence" value="weekly" ${cadence === "weekly" ? "checked" : ""} /> ${s.weekly}</label>
    </fieldset>
    <label for="topics">${s.topicsLabel}</label>
    <p id="topics-hint" class="hint muted">${s.topicsHint}</p>
    ${errorFor(t, error, "topics")}
    <input
      id="topics"
      name="topics"
      type="text"
      maxlength="500"
      autocomplete="off"
      aria-describedby="${describedBy(error, "topics", "topics-hint")}"
      ${error?.field === "topics" ? html`aria-invalid="true"` : ""}
      value="${topics}"
    />
    <fieldset>
      <legend>${s.langLegend}</legend>
      ${errorFor(t, error, "lang")}
      <label class="choice"
        ><input type="radio" name="lang" value="en" ${readerLang === "en" ? "checked" : ""} /> <span lang="en">${t.pages.langNames.en}</span></label
      >
      <label class="choice"
        ><input type="radio" name="lang" value="fr" ${readerLang === "fr" ? "checked" : ""} /> <span lang="fr">${t.pages.langNames.fr}</span></label
      >
    </fieldset>
    <fieldset>
      <legend>${s.otherLanguageLegend}</legend>
      ${errorFor(t, error, "otherLanguage")}
      <label class="choice"
        ><input type="radio" name="otherLanguage" value="include" ${values.otherLanguage !== "skip" ? "checked" : ""} /> ${s.otherLanguageInclude}</label
      >
      <label class="choice"
        ><input type="radio" name="otherLanguage" value="skip" ${values.otherLanguage === "skip" ? "checked" : ""} /> ${s.otherLanguageSkip}</label
      >
    </fieldset>
    ${
      options.feeds.length > 1
        ? html`<fieldset aria-describedby="sources-hint">
            <legend>${s.sourcesLegend}</legend>
            <p id="sources-hint" class="hint muted">${s.sourcesHint}</p>
            ${errorFor(t, error, "sources")}
            ${options.feeds.map(
              (feed) =>
                html`<label class="choice"
                  ><input type="checkbox" name="sources" value="${feed.id}" ${sources.has(feed.id) ? "checked" : ""} />
                  <span ${feed.lang ? html`lang="${feed.lang}"` : ""}>${feed.title}</span></label
                >`,
            )}
          </fieldset>`
        : ""
    }`;
}

export interface PreferencesPageOptions {
  lang: Lang;
  token: string;
  preferences: { cadence: Cadence; topics: string[]; lang: Lang; sources: string[] | null; otherLanguage?: "include" | "skip" };
  feeds: FeedOption[];
  saved?: boolean;
  error?: FieldError;
  /** What the reader typed when the save was refused, shown back instead of the stored choices. */
  values?: ChoiceValues;
}

export function renderPreferencesPage(options: PreferencesPageOptions) {
  const t = stringsFor(options.lang);
  const p = t.pages.preferences;
  return page({
    lang: options.lang,
    title: p.title,
    body: html`<h1>${p.heading}</h1>
      <p>${p.intro}</p>
      ${options.saved ? html`<p class="notice" role="status">${p.saved}</p>` : ""}
      ${
        options.error && !["cadence", "topics", "lang", "sources", "otherLanguage"].includes(options.error.field)
          ? html`<p class="notice error" role="alert">${t.pages.fixField} ${fieldErrorText(t, options.error)}</p>`
          : ""
      }
      <form method="post" action="/preferences">
        <input type="hidden" name="token" value="${options.token}" />
        ${preferenceFields({ lang: options.lang, values: options.values ?? options.preferences, feeds: options.feeds, error: options.error })}
        <button type="submit">${p.save}</button>
      </form>
      <h2>${p.unsubscribeHeading}</h2>
      <form method="post" action="/unsubscribe?token=${options.token}">
        <p>${p.unsubscribeText}</p>
        <button type="submit" class="secondary">${p.unsubscribeButton}</button>
      </form>
      <p class="muted">${p.help}</p>`,
  });
}

/** /preferences without a token (the web version of a digest links here). */
export function preferencesHelpPage(lang: Lang = "en") {
  const p = stringsFor(lang).pages.preferences;
  return page({
    lang,
    title: p.title,
    body: html`<h1>${p.heading}</h1>
      <p>${p.noToken}</p>`,
  });
}
