// Renders a digest ONCE per edition (HTML with React, text from the same
// model), then personalises per reader by joining pre-split parts: no React,
// no regex and no search through text that holds feed data.
//
// The personal links are rendered with a random placeholder that is new on
// every render, so no feed can know it; the rendered output is split at it
// and the number of pieces must match the slots the template placed
// (DIGEST_TOKEN_SLOTS). A feed item that contains any other string, including
// an old placeholder, stays inert text.
//
// An edition's topics are its readers' own words: the email shows them, the
// public web version never does. The topics line is rendered as another
// random placeholder too, so where it sits in the HTML is known exactly
// (topicsSpan), whatever the feeds hold, and webVersion cuts it out.
import { createElement } from "react";
import { buildDigestModel, type DigestRelease } from "../../emails/digest-model";
import type { OperatorInfo } from "../../emails/components/email-footer";
import { DIGEST_TOKEN_SLOTS, ReleaseDigestEmail } from "../../emails/release-digest";
import { buildDigestText } from "../../emails/release-digest-text";
import { stringsFor, type Cadence, type Lang } from "../i18n";
import type { OutgoingEmail } from "../mail/mailer";
import { digestEmailChunks, type EscapedParts, isSafeGlue } from "../mail/resend-json";
import { renderEmailHtml } from "../mail/render";

export interface DigestContent {
  subject: string;
  preheader: string;
  lang: Lang;
  /** The HTML, cut where each reader's `?token=…` goes: personalise with parts.join. */
  htmlParts: string[];
  textParts: string[];
  /** Where the topics line sits in htmlParts[0] ([start, end)): the web version leaves it out. Absent: no topics. */
  topicsSpan?: [number, number];
}

/** Records stored before per-render placeholders: one string with a fixed placeholder. */
export interface LegacyDigestContent {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

export type StoredDigestContent = DigestContent | LegacyDigestContent;

/** The fixed placeholder of legacy records; only ever replaced inside our own unsubscribe URL. */
export const LEGACY_TOKEN_PLACEHOLDER = "XUNSUBSCRIBETOKENX";

export interface RenderDigestOptions {
  publicUrl: string;
  digestId: string;
  date: Date;
  cadence?: Cadence;
  lang?: Lang;
  topics?: string[];
  operator?: OperatorInfo;
}

/** Counts React renders of digests in this isolate, for tests and benchmarks. */
export const digestRenderStats = { renders: 0 };

export function unsubscribeUrlFor(publicUrl: string, token: string): string {
  return `${publicUrl}/unsubscribe?token=${token}`;
}

export function preferencesUrlFor(publicUrl: string, token: string): string {
  return `${publicUrl}/preferences?token=${token}`;
}

export function isLegacyContent(content: StoredDigestContent): content is LegacyDigestContent {
  return typeof (content as LegacyDigestContent).html === "string";
}

function randomPlaceholder(prefix = "tk"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Puts the topics line where its placeholder was rendered; in the HTML, escaped, and returns where it went. */
function placeTopics(rendered: string, slot: string, line: string, escape: boolean, part: string): { text: string; span: [number, number] } {
  const pieces = rendered.split(slot);
  if (pieces.length !== 2) throw new DigestTemplateError(`the digest's ${part} part shows the topics line ${pieces.length - 1} times, expected once`);
  const value = escape ? escapeHtml(line) : line;
  return { text: pieces[0]! + value + pieces[1]!, span: [pieces[0]!.length, pieces[0]!.length + value.length] };
}

export class DigestTemplateError extends Error {
  override name = "DigestTemplateError";
}

function splitAtSlots(rendered: string, slot: string, part: string): string[] {
  const parts = rendered.split(slot);
  if (parts.length !== DIGEST_TOKEN_SLOTS + 1) {
    throw new DigestTemplateError(`the digest's ${part} part has ${parts.length - 1} personal-link slots, expected ${DIGEST_TOKEN_SLOTS}`);
  }
  return parts;
}

export async function renderDigest(releases: DigestRelease[], options: RenderDigestOptions): Promise<DigestContent> {
  digestRenderStats.renders++;
  const lang = options.lang ?? "en";
  const model = buildDigestModel(releases, { lang, cadence: options.cadence ?? "daily", date: options.date, topics: options.topics ?? [] });
  const topicsLine = model.topicsLine;
  const topicsSlot = topicsLine ? randomPlaceholder("tq") : null;
  if (topicsSlot) model.topicsLine = topicsSlot;
  const slot = `?token=${randomPlaceholder()}`;
  const links = {
    unsubscribeUrl: `${options.publicUrl}/unsubscribe${slot}`,
    preferencesUrl: `${options.publicUrl}/preferences${slot}`,
    viewInBrowserUrl: `${options.publicUrl}/digests/${encodeURIComponent(options.digestId)}`,
    signupUrl: lang === "en" ? `${options.publicUrl}/` : `${options.publicUrl}/?lang=${lang}`,
    operator: options.operator,
  };
  let html = await renderEmailHtml(createElement(ReleaseDigestEmail, { model, ...links }));
  let text = buildDigestText(model, links);
  let topicsSpan: [number, number] | undefined;
  if (topicsSlot && topicsLine) {
    const placed = placeTopics(html, topicsSlot, topicsLine, true, "HTML");
    html = placed.text;
    topicsSpan = placed.span;
    text = placeTopics(text, topicsSlot, topicsLine, false, "text").text;
  }
  const content: DigestContent = {
    subject: model.subject,
    preheader: model.preheader,
    lang,
    htmlParts: splitAtSlots(html, slot, "HTML"),
    textParts: splitAtSlots(text, slot, "text"),
  };
  if (topicsSpan) {
    // The line sits in the intro, before the first personal link.
    if (topicsSpan[1] > content.htmlParts[0]!.length) throw new DigestTemplateError("the digest's topics line comes after a personal link");
    content.topicsSpan = topicsSpan;
  }
  return content;
}

/** Concatenation builds a rope in V8: O(parts) per reader, not a copy of the whole body. */
function joinParts(parts: string[], glue: string): string {
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += glue + parts[i]!;
  return out;
}

let listIdCache: { publicUrl: string; listId: string } | null = null;

/** RFC 2919 List-Id: a phrase and a dot-atom under a domain the operator controls. */
export function listIdFor(publicUrl: string): string {
  if (listIdCache?.publicUrl === publicUrl) return listIdCache.listId;
  const host = new URL(publicUrl).hostname.replace(/[^A-Za-z0-9.-]/g, "") || "localhost";
  const listId = `NATO Digest <nato-digest.${host}>`;
  listIdCache = { publicUrl, listId };
  return listId;
}

export interface PersonaliseOptions {
  token: string;
  to: string;
  from: string;
  publicUrl: string;
  digestId: string;
  listId?: string;
  /** The inbound address that understands "unsubscribe": added to List-Unsubscribe as a mailto:. */
  inboundAddress?: string | null;
  /** This edition's parts escaped once (escapeParts): the email then carries its Resend JSON too. */
  escaped?: EscapedParts;
}

/**
 * The digest as one reader gets it: their token in the footer's links and in
 * the List-Unsubscribe headers (RFC 2369, RFC 8058), and List-Id (RFC 2919).
 */
export function personaliseDigest(content: StoredDigestContent, options: PersonaliseOptions): OutgoingEmail {
  const token = encodeURIComponent(options.token);
  const unsubscribeUrl = unsubscribeUrlFor(options.publicUrl, token);
  let html: string;
  let text: string;
  let glue: string | null = null;
  if (isLegacyContent(content)) {
    const legacyUrl = unsubscribeUrlFor(options.publicUrl, LEGACY_TOKEN_PLACEHOLDER);
    html = content.html.split(legacyUrl).join(unsubscribeUrl);
    text = content.text.split(legacyUrl).join(unsubscribeUrl);
  } else {
    glue = `?token=${token}`;
    html = joinParts(content.htmlParts, glue);
    text = joinParts(content.textParts, glue);
  }
  const listUnsubscribe = options.inboundAddress ? `<${unsubscribeUrl}>, <mailto:${options.inboundAddress}?subject=unsubscribe>` : `<${unsubscribeUrl}>`;
  const listId = options.listId ?? listIdFor(options.publicUrl);
  const digestTag = options.digestId.replace(/[^A-Za-z0-9_-]/g, "_");
  const email: OutgoingEmail = {
    from: options.from,
    to: options.to,
    subject: content.subject,
    html,
    text,
    headers: {
      "List-Unsubscribe": listUnsubscribe,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "List-Id": listId,
    },
    tags: [
      { name: "kind", value: "digest" },
      { name: "digest", value: digestTag },
    ],
  };
  // encodeURIComponent leaves only ASCII without quotes or backslashes: the glue needs no escaping.
  if (options.escaped && glue !== null && isSafeGlue(glue)) {
    // The same JSON as resendEmailChunks(email, …) would give; what every reader of the edition shares is encoded once.
    email.resendJson = digestEmailChunks(options.escaped, { from: options.from, listId, digestTag }, options.to, glue, listUnsubscribe);
  }
  return email;
}

const escapeHtml = (text: string) => text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * The non-personal web version for /digests/:id: no topics line, the footer's
 * personal links become the generic /unsubscribe and /preferences pages, and a line above
 * the card leads to the archive and the sign-up page. Legacy records lack a
 * viewport and a title; both are added so phones lay the page out at their width.
 */
export function webVersion(content: StoredDigestContent, publicUrl: string, related: WebVersionLink[] = []): string {
  if (!isLegacyContent(content)) {
    const parts = [...content.htmlParts];
    if (content.topicsSpan) {
      const [start, end] = content.topicsSpan;
      parts[0] = parts[0]!.slice(0, start) + parts[0]!.slice(end);
    }
    return withArchiveNav(parts.join(""), content.lang, related);
  }
  let html = content.html.split(unsubscribeUrlFor(publicUrl, LEGACY_TOKEN_PLACEHOLDER)).join(`${publicUrl}/unsubscribe`);
  const head = html.indexOf("<head>");
  if (head !== -1 && !html.includes('name="viewport"')) {
    const at = head + "<head>".length;
    const title = html.includes("<title>") ? "" : `<title>${escapeHtml(content.subject)}</title>`;
    html = `${html.slice(0, at)}<meta name="viewport" content="width=device-width, initial-scale=1">${title}${html.slice(at)}`;
  }
  return withArchiveNav(html, "en", related);
}

/** Another page shown in the web version's top line: the other editions of the same run. */
export interface WebVersionLink {
  href: string;
  label: string;
}

// Inline styles and the email's own dark-mode class, like the rest of the page.
function withArchiveNav(page: string, lang: Lang, related: WebVersionLink[]): string {
  const body = page.indexOf("<body");
  const end = body === -1 ? -1 : page.indexOf(">", body);
  if (end === -1) return page;
  const t = stringsFor(lang);
  const signup = lang === "en" ? "/" : `/?lang=${lang}`;
  const link = 'style="color:#0b4ea2;text-decoration:underline" class="email-link"';
  const nav =
    `<nav aria-label="NATO Digest" class="email-muted" style="max-width:600px;margin:0 auto;padding:12px 16px 0;color:#4a5361;font:14px/1.5 system-ui,sans-serif">` +
    `<a href="/digests${lang === "en" ? "" : `?lang=${lang}`}" ${link}>${escapeHtml(t.pages.pastDigests)}</a> · <a href="${signup}" ${link}>${escapeHtml(t.pages.signup.submit)}</a>` +
    related.map((item) => ` · <a href="${escapeHtml(item.href)}" ${link}>${escapeHtml(item.label)}</a>`).join("") +
    `</nav>`;
  return `${page.slice(0, end + 1)}${nav}${page.slice(end + 1)}`;
}
