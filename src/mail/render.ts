// Renders a React Email element to the HTML and plain-text parts of a mail.
// Rendering happens here, not in the Resend SDK (`react:`), because the SDK's
// lazy import of @react-email/render breaks wrangler bundles.
import { render } from "@react-email/render";
import type { ReactElement } from "react";

export interface RenderedEmail {
  html: string;
  text: string;
}

export async function renderEmail(element: ReactElement): Promise<RenderedEmail> {
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { html, text };
}
