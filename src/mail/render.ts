// Renders a React Email element to the HTML and plain-text parts of a mail.
// React renders once; the text part is derived from that HTML (no second
// React render). Rendering happens here, not in the Resend SDK (`react:`),
// because the SDK's lazy import of @react-email/render breaks wrangler bundles.
import { render, toPlainText } from "@react-email/render";
import type { ReactElement } from "react";

export interface RenderedEmail {
  html: string;
  text: string;
}

// Outlook for Windows (Word's engine) reads fonts from a stylesheet in
// conditional comments, not from inherited styles: without this it may fall
// back to Times. React cannot emit conditional comments, so the block goes in
// after the render, before the template's own </head> (no feed text precedes it).
const OUTLOOK_HEAD = `<!--[if mso]><style>body,table,td,p,a,li,h1,h2,h3{font-family:"Segoe UI",Arial,sans-serif !important}</style><![endif]-->`;

// Headings keep their case in the text part, and links that show their own
// URL are not printed twice.
const TEXT_SELECTORS = [
  ...["h1", "h2", "h3", "h4"].map((selector) => ({
    selector,
    options: { uppercase: false, leadingLineBreaks: selector === "h1" ? 0 : 2, trailingLineBreaks: 1 },
  })),
  { selector: "a", options: { hideLinkHrefIfSameAsText: true } },
];

/** The HTML part alone: for templates that build their text part from their own model. */
export async function renderEmailHtml(element: ReactElement): Promise<string> {
  const html = await render(element);
  const head = html.indexOf("</head>");
  return head === -1 ? html : `${html.slice(0, head)}${OUTLOOK_HEAD}${html.slice(head)}`;
}

export async function renderEmail(element: ReactElement): Promise<RenderedEmail> {
  const html = await renderEmailHtml(element);
  return { html, text: toPlainText(html, { selectors: TEXT_SELECTORS }) };
}
