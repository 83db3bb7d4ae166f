// What every email shares, checked on the rendered HTML: a non-empty <title>
// and lang, padding on cells rather than tables (Outlook for Windows drops
// it on tables), the font where Outlook reads it, a dimmed rule in dark mode,
// the footer (who runs the service, "Manage preferences"), both languages.
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ConfirmSubscriptionEmail, confirmSubscriptionSubjectFor } from "../../emails/confirm-subscription";
import { InboundHelpEmail, inboundHelpSubjectFor } from "../../emails/inbound-help";
import { PREVIEW_RELEASES } from "../../emails/release-digest";
import { SourceAlertEmail } from "../../emails/source-alert";
import { renderDigest } from "../../src/digest/render-digest";
import { renderEmail } from "../../src/mail/render";

const OPERATOR = { name: "Example Association", postalAddress: "1 Example Street, 1000 Brussels, Belgium", email: "digest@example.org" };

async function everyEmail(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const lang of ["en", "fr"] as const) {
    const digest = await renderDigest(PREVIEW_RELEASES, { publicUrl: "https://d.example", digestId: "d", date: new Date(), lang, operator: OPERATOR });
    out.push([`digest-${lang}`, digest.htmlParts.join("?token=T")]);
    const confirm = await renderEmail(
      createElement(ConfirmSubscriptionEmail, {
        confirmUrl: "https://d.example/confirm?token=c",
        expiresInHours: 48,
        lang,
        preferencesUrl: "https://d.example/preferences?token=p",
        operator: OPERATOR,
      }),
    );
    out.push([`confirmation-${lang}`, confirm.html]);
    const help = await renderEmail(
      createElement(InboundHelpEmail, { signupUrl: "https://d.example/", commandAddress: "digest@example.org", lang, operator: OPERATOR }),
    );
    out.push([`help-${lang}`, help.html]);
  }
  out.push(["source-alert", (await renderEmail(createElement(SourceAlertEmail, { ...SourceAlertEmail.PreviewProps, operator: OPERATOR }))).html]);
  return out;
}

describe("every email", () => {
  it("has a non-empty <title>, lang, a viewport and the Outlook font block", async () => {
    for (const [name, html] of await everyEmail()) {
      const lang = name.endsWith("-fr") ? "fr" : "en";
      expect(html, name).toMatch(new RegExp(`<html[^>]* lang="${lang}"`));
      expect(/<title>([^<]+)<\/title>/.exec(html)?.[1]?.trim(), name).toBeTruthy();
      expect(html, name).toContain('name="viewport"');
      expect(html, name).toContain("<!--[if mso]><style>");
      // Outlook ignores max-width: a fixed 600 px table wraps exactly the card.
      const ghost = html.indexOf('<!--[if mso]><table role="presentation" width="600"');
      expect(ghost, name).toBeGreaterThan(-1);
      expect(html.slice(ghost).replace(/^<!--\[if mso\]>.*?<!\[endif\]-->/, ""), name).toMatch(/^<table[^>]*class="email-card"/);
      expect(html, name).toMatch(/<\/table><!--\[if mso\]><\/td><\/tr><\/table><!\[endif\]--><\/td><\/tr><\/tbody><\/table>(<!--\/\$-->)?<\/body>/);
    }
  });

  it("puts padding on cells, never on tables, and the font on every text cell", async () => {
    for (const [name, html] of await everyEmail()) {
      const tables = html.match(/<table[^>]*>/g) ?? [];
      for (const table of tables) expect(table, name).not.toMatch(/style="[^"]*padding/);
      const cells = html.match(/<td[^>]*style="[^"]*padding[^"]*"[^>]*>/g) ?? [];
      expect(cells.length, name).toBeGreaterThan(0);
      // The card's cell carries the font for Outlook, not only the body.
      expect(html, name).toMatch(/<td[^>]*style="[^"]*font-family:&quot;Segoe UI&quot;/);
    }
  });

  it("dims the footer rule in dark mode and keeps essential styles inline", async () => {
    for (const [name, html] of await everyEmail()) {
      expect(html, name).toMatch(/<hr[^>]*class="email-hr"/);
      expect(html, name).toContain(".email-hr { border-color: #3b4553 !important; }");
      // Links are coloured and underlined inline, so clients that drop <style> keep them visible.
      for (const link of html.match(/<a [^>]*>/g) ?? []) {
        if (link.includes("display:inline-block")) continue; // the confirm button
        expect(link, name).toMatch(/style="[^"]*color:#0b4ea2;text-decoration:underline/);
      }
    }
  });

  it("says who runs the service and how to reach them when configured", async () => {
    for (const [name, html] of await everyEmail()) {
      expect(html, name).toContain("Example Association");
      expect(html, name).toContain("1 Example Street, 1000 Brussels, Belgium");
      expect(html, name).toContain('href="mailto:digest@example.org"');
    }
    const bare = await renderEmail(createElement(ConfirmSubscriptionEmail, { confirmUrl: "https://d.example/c", expiresInHours: 48 }));
    expect(bare.html).not.toContain("is run by");
  });

  it("the confirmation email speaks the reader's language and offers the preferences page", async () => {
    const fr = await renderEmail(
      createElement(ConfirmSubscriptionEmail, {
        confirmUrl: "https://d.example/c",
        expiresInHours: 48,
        lang: "fr",
        preferencesUrl: "https://d.example/preferences?token=p",
      }),
    );
    expect(confirmSubscriptionSubjectFor("fr")).toBe("Confirmez votre abonnement à NATO Digest");
    expect(fr.html).toContain("Confirmer l&#x27;abonnement");
    expect(fr.html).toContain("48\u00a0heures");
    expect(fr.html).toContain('href="https://d.example/preferences?token=p"');
    expect(fr.text).toContain("Gérer mes préférences");
    expect(inboundHelpSubjectFor("fr")).toBe("Utiliser NATO Digest par e-mail");
  });
});
