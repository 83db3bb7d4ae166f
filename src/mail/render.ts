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

// Headings keep their case in the text part: release titles are headings,
// and SHOUTED titles are harder to read.
const TEXT_SELECTORS = ["h1", "h2", "h3", "h4"].map((selector) => ({
  selector,
  options: { uppercase: false, leadingLineBreaks: selector === "h1" ? 0 : 2, trailingLineBreaks: 1 },
}));

export async function renderEmail(element: ReactElement): Promise<RenderedEmail> {
  const html = await render(element);
  return { html, text: toPlainText(html, { selectors: TEXT_SELECTORS }) };
}
