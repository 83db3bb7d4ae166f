// Renders a digest ONCE (HTML and text) with a placeholder where each
// reader's unsubscribe token goes; personalising is then a string join,
// microseconds per reader instead of milliseconds per React render.
import { createElement } from "react";
import { buildDigestSubject, buildPreheader, ReleaseDigestEmail, type DigestRelease } from "../../emails/release-digest";
import type { OutgoingEmail } from "../mail/mailer";
import { renderEmail } from "../mail/render";

/** Only letters and digits: survives HTML escaping, URL encoding and text wrapping unchanged. */
export const TOKEN_PLACEHOLDER = "XUNSUBSCRIBETOKENX";

export interface DigestContent {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** Counts React renders of digests in this isolate, for tests and benchmarks. */
export const digestRenderStats = { renders: 0 };

export function unsubscribeUrlFor(publicUrl: string, token: string): string {
  return `${publicUrl}/unsubscribe?token=${token}`;
}

export async function renderDigest(releases: DigestRelease[], options: { publicUrl: string; digestId: string; date: Date }): Promise<DigestContent> {
  digestRenderStats.renders++;
  const rendered = await renderEmail(
    createElement(ReleaseDigestEmail, {
      releases,
      unsubscribeUrl: unsubscribeUrlFor(options.publicUrl, TOKEN_PLACEHOLDER),
      viewInBrowserUrl: `${options.publicUrl}/digests/${options.digestId}`,
      signupUrl: `${options.publicUrl}/`,
    }),
  );
  return { subject: buildDigestSubject(releases.length, options.date), preheader: buildPreheader(releases), html: rendered.html, text: rendered.text };
}

/** The digest as one reader gets it: their token in the footer link and the List-Unsubscribe headers (RFC 2369, RFC 8058). */
export function personaliseDigest(
  content: DigestContent,
  options: { token: string; to: string; from: string; publicUrl: string; digestId: string },
): OutgoingEmail {
  const unsubscribeUrl = unsubscribeUrlFor(options.publicUrl, options.token);
  return {
    from: options.from,
    to: options.to,
    subject: content.subject,
    html: content.html.replaceAll(TOKEN_PLACEHOLDER, options.token),
    text: content.text.replaceAll(TOKEN_PLACEHOLDER, options.token),
    headers: {
      "List-Unsubscribe": `<${unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
    tags: [
      { name: "kind", value: "digest" },
      { name: "digest", value: options.digestId.replace(/[^A-Za-z0-9_-]/g, "_") },
    ],
  };
}

/** The non-personal web version: the footer's unsubscribe link points to the generic page. */
export function webVersion(content: DigestContent, publicUrl: string): string {
  return content.html.replaceAll(unsubscribeUrlFor(publicUrl, TOKEN_PLACEHOLDER), `${publicUrl}/unsubscribe`);
}
