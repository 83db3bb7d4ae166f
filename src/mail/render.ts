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

// Outlook for Windows ignores max-width: without a fixed-width "ghost" table
// around the card, lines run the whole width of the window.
const OUTLOOK_CARD_OPEN = `<!--[if mso]><table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->`;
const OUTLOOK_CARD_CLOSE = `<!--[if mso]></td></tr></table><![endif]-->`;

/**
 * Adds what only Outlook reads. Markup is found by the template's own tags:
 * text from feeds is escaped, so it can never contain "<table" or "</head>".
 */
function addOutlookMarkup(html: string): string {
  let out = html;
  const head = out.indexOf("</head>");
  if (head !== -1) out = `${out.slice(0, head)}${OUTLOOK_HEAD}${out.slice(head)}`;
  const card = out.indexOf('class="email-card"');
  const open = card === -1 ? -1 : out.lastIndexOf("<table", card);
  // The card is the last table inside the Body wrapper: its end is the second-to-last </table>.
  const last = out.lastIndexOf("</table>");
  const close = last === -1 ? -1 : out.lastIndexOf("</table>", last - 1);
  if (open === -1 || close === -1 || close < open) return out;
  const end = close + "</table>".length;
  return `${out.slice(0, open)}${OUTLOOK_CARD_OPEN}${out.slice(open, end)}${OUTLOOK_CARD_CLOSE}${out.slice(end)}`;
}

/** The HTML part alone: for templates that build their text part from their own model. */
export async function renderEmailHtml(element: ReactElement): Promise<string> {
  return addOutlookMarkup(await render(element));
}

export async function renderEmail(element: ReactElement): Promise<RenderedEmail> {
  const html = await renderEmailHtml(element);
  return { html, text: toPlainText(html, { selectors: TEXT_SELECTORS }) };
}
