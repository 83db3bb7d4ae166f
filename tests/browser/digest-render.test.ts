// The digest as readers see it, in Debian's Chromium: the email and its web
// view (/digests/:id serves webVersion's output) at 375 px (a phone) and
// 700 px, light and dark. No horizontal overflow, axe-core with no serious or
// critical violations, screenshots under test-results/screenshots/. Also the
// email with every <style> removed, as Gmail's mobile web client shows it.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, launchChromium, SCREENSHOTS } from "./chromium";
import { PREVIEW_RELEASES } from "../../emails/release-digest";
import type { DigestRelease } from "../../emails/digest-model";
import { personaliseDigest, renderDigest, webVersion } from "../../src/digest/render-digest";
import { renderPreferencesPage } from "../../src/web/public/preference-pages";
import { renderSignupPage } from "../../src/web/public/subscription-pages";

const PUBLIC_URL = "https://digest.example.org";

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Twelve releases over two days, like a busy morning; the first from the preview data. */
function twelveReleases(): DigestRelease[] {
  const titles = [
    "Allies agree new defence investment plans",
    "Secretary General meets the Prime Minister of Canada",
    "NATO and the European Union step up cooperation on military mobility",
    "Joint statement of the NATO-Ukraine Council at the level of Defence Ministers",
    "NATO Secretary General to attend the Munich Security Conference",
    "Deputy Secretary General visits Allied Command Transformation in Norfolk",
  ];
  return Array.from({ length: 12 }, (_, i) => ({
    ...PREVIEW_RELEASES[i % PREVIEW_RELEASES.length]!,
    id: `b${i}`,
    title: i < titles.length ? titles[i]! : `${titles[i % titles.length]!} (${i})`,
    link: `https://www.nato.int/cps/en/natohq/news_${232990 - i}.htm`,
    publishedAt: new Date(Date.UTC(2026, 10, 28, 17, 30) - i * 2 * 3_600_000).toISOString(),
  }));
}

async function check(html: string, name: string, width: number, colorScheme: "light" | "dark"): Promise<void> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 812 : 900 }, colorScheme, javaScriptEnabled: true });
  const page = await context.newPage();
  try {
    // Links point at nato.int: nothing may load from the network.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name}: horizontal overflow in px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    // The first screen alone: what a reader sees on opening.
    await page.screenshot({ path: `${SCREENSHOTS}${name}-first-screen.png` });
    expect(await accessibilityProblems(page), name).toEqual([]);
  } finally {
    await context.close();
  }
}

describe("digest rendering in Chromium", () => {
  for (const lang of ["en", "fr"] as const) {
    it(`the ${lang} email and its web view at 375 and 700 px, light and dark`, async () => {
      const content = await renderDigest(twelveReleases(), {
        publicUrl: PUBLIC_URL,
        digestId: "2026-11-29-0123456789",
        date: new Date("2026-11-29T07:00:00Z"),
        lang,
        cadence: "daily",
        topics: [],
        operator: { name: "Example Association", postalAddress: "1 Example Street, 1000 Brussels, Belgium", email: "digest@example.org" },
      });
      const email = personaliseDigest(content, {
        token: "p.0123456789012345678.abcdefghijklmnopqrs",
        to: "reader@example.net",
        from: "NATO Digest <digest@example.org>",
        publicUrl: PUBLIC_URL,
        digestId: "2026-11-29-0123456789",
      });
      const web = webVersion(content, PUBLIC_URL);
      for (const width of [375, 700]) {
        for (const scheme of ["light", "dark"] as const) {
          await check(email.html, `digest-${lang}-email-${width}-${scheme}`, width, scheme);
          if (lang === "en") await check(web, `digest-${lang}-web-${width}-${scheme}`, width, scheme);
        }
      }
    });
  }

  it("without any <style> (Gmail mobile web) the email still fits a phone and its titles are visibly links", async () => {
    const content = await renderDigest(twelveReleases(), { publicUrl: PUBLIC_URL, digestId: "d", date: new Date("2026-11-29T07:00:00Z") });
    const html = content.htmlParts.join("?token=x").replace(/<style[\s\S]*?<\/style>/g, "");
    expect(html).not.toContain("<style");
    await check(html, "digest-en-email-375-no-style", 375, "light");
    const context = await browser.newContext({ viewport: { width: 375, height: 900 } });
    const page = await context.newPage();
    await page.setContent(html);
    const title = await page.evaluate(() => {
      const link = document.querySelector("h3 a") as HTMLElement;
      const style = getComputedStyle(link);
      return { decoration: style.textDecorationLine, color: style.color, size: style.fontSize, family: style.fontFamily };
    });
    await context.close();
    expect(title.decoration).toBe("underline");
    expect(title.color).toBe("rgb(11, 78, 162)");
    expect(title.size).toBe("17px");
    expect(title.family).toContain("Segoe UI");
  });
});

// The pages' markup (rendered by the same functions the routes call), in
// Chromium: the sign-up options disclosure opened by keyboard, the
// preferences form, both languages; axe-clean, no overflow at 375 px.
describe("sign-up and preferences pages in Chromium", () => {
  const feeds = [
    { id: "f1", title: "NATO News", lang: "en" as const, url: "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml" },
    { id: "f2", title: "OTAN Actualités", lang: "fr" as const, url: "https://www.nato.int/cps/rss/fr/natohq/rssFeed.xsl/rssFeed.xml" },
  ];
  const latest = twelveReleases()
    .slice(0, 5)
    .map(({ title, link }) => ({ title, link }));

  for (const lang of ["en", "fr"] as const) {
    it(`${lang}: the sign-up options open with the keyboard, one checkbox per feed, latest headlines, archive link`, async () => {
      const html = String(await renderSignupPage({ lang, feeds, latest, archiveUrl: "/digests", turnstileSiteKey: null }));
      expect(html).toContain(`<html lang="${lang}">`);
      for (const width of [375, 700]) await check(html, `page-signup-${lang}-${width}-light`, width, "light");
      await check(html, `page-signup-${lang}-375-dark`, 375, "dark");

      const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
      const page = await context.newPage();
      await page.setContent(html);
      expect(await page.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.tagName === "SUMMARY")); i++) await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      expect(await page.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe("daily");
      // Arrow keys move within the cadence radio group.
      await page.keyboard.press("ArrowDown");
      expect(await page.locator("input[name=cadence][value=weekly]").isChecked()).toBe(true);
      expect(await page.locator("input[name=sources]").count()).toBe(2);
      expect(await page.locator("label:has(input[value=f2])").innerText()).toContain("OTAN Actualités");
      expect(await page.locator(".headlines a").count()).toBe(5);
      await page.screenshot({ path: `${SCREENSHOTS}page-signup-${lang}-options-open.png`, fullPage: true });
      await context.close();
    });
  }

  it("the preferences page shows the current choices, an error named by field, and the unsubscribe offer", async () => {
    for (const lang of ["en", "fr"] as const) {
      const html = String(
        await renderPreferencesPage({
          lang,
          token: "p.0123456789012345678.abcdefghijklmnopqrs",
          preferences: { cadence: "weekly", topics: ["cyber", "Ukraine"], lang, sources: ["f2"] },
          feeds,
          saved: lang === "en",
          error: lang === "fr" ? { field: "topics", message: "topics: at most 10" } : undefined,
        }),
      );
      await check(html, `page-preferences-${lang}-375-light`, 375, "light");
      await check(html, `page-preferences-${lang}-700-dark`, 700, "dark");
      const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
      const page = await context.newPage();
      await page.setContent(html);
      expect(await page.locator("input[name=cadence][value=weekly]").isChecked()).toBe(true);
      expect(await page.locator("#topics").inputValue()).toBe("cyber, Ukraine");
      expect(await page.locator(`input[name=lang][value=${lang}]`).isChecked()).toBe(true);
      expect(await page.locator("input[value=f2]").isChecked()).toBe(true);
      expect(await page.locator("input[value=f1]").isChecked()).toBe(false);
      expect(await page.locator('form[action^="/unsubscribe?token=p."] button').count()).toBe(1);
      if (lang === "fr") expect(await page.locator("[role=alert]").first().innerText()).toContain("Sujets");
      await context.close();
    }
  });
});
