// A French reader in Debian's Chromium against `wrangler dev`, with NATO's
// English and French feeds (tests/fixtures, dated relative to now) on the
// local feed server as the default configuration names them: the French
// sign-up at 375 px, the French digest in the outbox (375 px dark, desktop
// light) with an English-only story marked "(en anglais)", then a late
// translation and a revised release in the next one, and the French archive,
// web view and Atom feed. Every page axe-clean, screenshots under
// test-results/screenshots/fr-*.png. The tests run in order: each continues
// from the state the one before left.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchChromium, SCREENSHOTS, tabTo } from "./chromium";
import { natoDate } from "../../bench/shared/feed-documents";
import { startFeedServer } from "../node/feed-server";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const run = promisify(execFile);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const natoNews = fixture("nato-news.xml");
const natoActualites = fixture("nato-actualites.xml");
const ADMIN_TOKEN = "fr-browser-admin-token-0123456789";
const HOUR = 3_600_000;
const READER = "lectrice@example.org";
/** Every mail but the confirmation. */
const DIGEST = /^(?!Confirmez)/;

/** English words that must never reach a French reader's page or email (the language switch aside). */
const ENGLISH = [
  "Manage preferences",
  "Unsubscribe",
  "View in browser",
  "Past digests",
  "Subscribe here",
  "Forwarded this",
  "In this digest",
  "newest first",
  "Updated since we sent it",
  "Previously:",
  "Now in French",
  "(in French)",
  "Your email",
  "Check your inbox",
  "You're subscribed",
];

// NATO's fixture dates moved once, so that its newest release was published two hours ago.
const SHIFT = Date.now() - 2 * HOUR - Date.parse("2025-02-12T15:30:00Z");
const recent = (xml: string) =>
  xml.replace(/<pubDate>([^<]+)<\/pubDate>/g, (_, date: string) => `<pubDate>${natoDate(new Date(Date.parse(date.replace(".", "")) + SHIFT))}</pubDate>`);

const OLD_FR_TITLE = "Les ministres de l'OTAN s'attaquent aux dépenses, à l'industrie et à l'aide à l'Ukraine";
const NEW_FR_TITLE = "Les ministres de l'OTAN s'accordent sur les dépenses, l'industrie et l'aide à l'Ukraine";
const MUNICH_EN = "NATO Secretary General to attend the Munich Security Conference";
const MUNICH_FR = "Le secrétaire général de l'OTAN participera à la Conférence de Munich sur la sécurité";
const CANADA_EN = "NATO Secretary General meets the Prime Minister of Canada";

/** NATO's French feed before it published the Munich release in French. */
const withoutMunich = (xml: string) => xml.replace(/<item>(?:(?!<\/item>)[\s\S])*news_232950[\s\S]*?<\/item>/, "");

function item(lang: "en" | "fr", id: number, title: string, summary: string, ago: number): string {
  return `<item><title>${title}</title><link>https://www.nato.int/cps/${lang}/natohq/news_${id}.htm?selectedLocale=${lang}</link><description>&lt;p&gt;${summary}&lt;/p&gt;</description><pubDate>${natoDate(new Date(Date.now() - ago))}</pubDate></item>`;
}

const prepend = (xml: string, items: string[]) => xml.replace("<item>", `${items.join("")}<item>`);

interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
}

let browser: Browser;
let feeds: Awaited<ReturnType<typeof startFeedServer>>;
let dev: WranglerDev;

async function serve(path: string, body: string): Promise<void> {
  const response = await fetch(`${feeds.url}/__control/feeds${path}`, { method: "PUT", body: JSON.stringify({ body }) });
  expect(response.status).toBe(204);
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  feeds = await startFeedServer();
  await serve("/fr-browser/en.xml", recent(natoNews));
  await serve("/fr-browser/fr.xml", withoutMunich(recent(natoActualites)));
  const en = `${feeds.url}/fr-browser/en.xml`;
  const fr = `${feeds.url}/fr-browser/fr.xml`;
  dev = await startWranglerDev({
    vars: { FEED_URLS: `${en},${fr}`, FEED_LANGUAGES: `${en}=en,${fr}=fr`, FEED_TITLES: `${en}=NATO News|${fr}=Actualités de l'OTAN` },
    secrets: { ADMIN_TOKEN, SIGNING_SECRET: "fr-browser-signing-secret-0123456789abcdef" },
  });
  browser = await launchChromium(["--disable-quic"]);
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await feeds?.close();
});

async function outbox(): Promise<OutboxMessage[]> {
  const list = (await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json" } })).json()) as { messages: OutboxMessage[] };
  return list.messages;
}

/** The `nth` message (oldest first) to `to` whose subject matches, waited for at most 30 s. */
async function waitForMail(to: string, subject: RegExp, nth = 0): Promise<OutboxMessage & { text: string; html: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await outbox()).filter((m) => m.to === to && subject.test(m.subject)).reverse()[nth];
    if (found) {
      const full = (await (await fetch(`${dev.url}/dev/outbox/${found.id}`, { headers: { Accept: "application/json" } })).json()) as {
        text: string;
        html: string;
      };
      return { ...found, ...full };
    }
    if (Date.now() > deadline) throw new Error(`no mail ${subject} (#${nth}) to ${to}; outbox: ${JSON.stringify(await outbox())}\n${dev.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** `npm run digest` against the worker: ingest, render, send, and wait until sent. */
async function digest(): Promise<string> {
  const { stdout } = await run(process.execPath, ["scripts/digest.mjs", "--url", dev.url], { env: { ...process.env, ADMIN_TOKEN }, timeout: 120_000 });
  return stdout;
}

async function newPage(width: number, colorScheme: "light" | "dark", locale = "fr-FR"): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so the test can inject axe-core; the pages run no script.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: width < 500 ? 812 : 900 }, colorScheme, locale });
  return { context, page: await context.newPage() };
}

/** What a French reader must see: French, none of the English interface words, nothing wider than the screen. */
async function expectFrench(page: Page, name: string): Promise<string> {
  expect(await page.getAttribute("html", "lang"), `${name}: <html lang>`).toBe("fr");
  const text = await page.innerText("body");
  for (const words of ENGLISH) expect(text, `${name}: English "${words}"`).not.toContain(words);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${name}: horizontal overflow in px`).toBeLessThanOrEqual(0);
  return text;
}

/** The email as a mail client shows it: nothing loads from the network, no overflow, axe-clean, screenshots. */
async function checkEmail(html: string, name: string, width: number, colorScheme: "light" | "dark"): Promise<string> {
  const { context, page } = await newPage(width, colorScheme);
  try {
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    const text = await expectFrench(page, name);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-first-screen.png` });
    await checkPage(page, name);
    return text;
  } finally {
    await context.close();
  }
}

describe("a French reader in Chromium against wrangler dev", () => {
  it("signs up from the French sign-up page (Accept-Language: fr) at 375 px and confirms, every page in French and axe-clean", async () => {
    const { context, page } = await newPage(375, "light");
    try {
      await page.goto(`${dev.url}/`);
      const signup = await expectFrench(page, "fr-1-signup-375");
      expect(signup).toContain("Les actualités et communiqués de l'OTAN, par e-mail");
      expect(signup).toContain("Votre adresse e-mail");
      await page.click("summary");
      expect(await page.locator("input[name=lang][value=fr]").isChecked(), "French preselected for a French page").toBe(true);
      expect(await page.locator("input[name=otherLanguage][value=include]").isChecked()).toBe(true);
      expect(await page.locator("label:has(input[name=sources])").allInnerTexts()).toEqual(["NATO News", "Actualités de l'OTAN"]);
      await checkPage(page, "fr-1-signup-375-options");

      await tabTo(page, "#email", 20);
      await page.keyboard.type(READER);
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=Consultez votre boîte de réception");
      await expectFrench(page, "fr-2-check-inbox-375");
      await checkPage(page, "fr-2-check-inbox-375");

      const confirmation = await waitForMail(READER, /^Confirmez votre abonnement à NATO Digest$/);
      const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9._-]+/.exec(confirmation.text)?.[0];
      expect(link, "confirmation link in the French email").toBeTruthy();
      await page.goto(link!);
      await page.waitForSelector("text=Confirmez votre abonnement");
      await expectFrench(page, "fr-3-confirm-375");
      await checkPage(page, "fr-3-confirm-375");
      await tabTo(page, "button[type=submit]", 20);
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=Vous êtes abonné");
      await expectFrench(page, "fr-4-confirmed-375");
      await checkPage(page, "fr-4-confirmed-375");
    } finally {
      await context.close();
    }
    // The same sign-up page asked for by ?lang=fr, on a dark phone with an English browser.
    const dark = await newPage(375, "dark", "en-GB");
    try {
      await dark.page.goto(`${dev.url}/?lang=fr`);
      await expectFrench(dark.page, "fr-1-signup-375-dark");
      await checkPage(dark.page, "fr-1-signup-375-dark");
    } finally {
      await dark.context.close();
    }
  });

  it("gets the digest in French, the story NATO has only in English marked (en anglais): 375 px dark and desktop light", async () => {
    expect(await digest()).toMatch(/Done\. View it at/);
    const mail = await waitForMail(READER, DIGEST, 0);
    expect(mail.subject).toMatch(/ \+ \d+ autres$/);
    expect(mail.html).toContain('lang="fr"');
    expect(mail.text).toContain(OLD_FR_TITLE);
    expect(mail.text).toContain(`${MUNICH_EN} (en anglais)`);
    expect(mail.text).toContain(`${CANADA_EN} (en anglais)`);
    expect(mail.text).not.toContain("NATO Ministers Tackle");
    // The English title is marked up as English, for screen readers.
    expect(mail.html).toMatch(new RegExp(`lang="en"[^>]*>${CANADA_EN}</a> \\(en anglais\\)`));

    for (const [width, scheme] of [
      [375, "dark"],
      [375, "light"],
      [1280, "light"],
    ] as const) {
      const text = await checkEmail(mail.html, `fr-5-digest-email-${width}-${scheme}`, width, scheme);
      expect(text).toContain("L'actualité de l'OTAN");
      expect(text).toContain("Gérer mes préférences");
      expect(text).toContain("Se désabonner");
      expect(text).toContain(`${MUNICH_EN} (en anglais)`);
    }
  });

  it("next morning: the late French translation under 'Maintenant en français', the revised release under 'Mis à jour depuis notre envoi'", async () => {
    await serve(
      "/fr-browser/en.xml",
      prepend(recent(natoNews), [
        item("en", 233010, "NATO and Finland open a new forward land forces headquarters", "The headquarters will command Allied forces in Finland.", HOUR / 2),
        item("en", 233011, "Chair of the NATO Military Committee visits Allied troops in Romania", "The visit focused on air policing.", HOUR / 2),
      ]),
    );
    await serve(
      "/fr-browser/fr.xml",
      prepend(recent(natoActualites).replace(OLD_FR_TITLE, NEW_FR_TITLE), [
        item(
          "fr",
          233010,
          "L'OTAN et la Finlande ouvrent un nouveau quartier général des forces terrestres avancées",
          "Le quartier général commandera les forces alliées en Finlande.",
          HOUR / 4,
        ),
      ]),
    );
    expect(await digest()).toMatch(/Done\. View it at/);
    const mail = await waitForMail(READER, DIGEST, 1);
    const [news, rest] = mail.text.split("Maintenant en français\n");
    expect(rest, "a 'Maintenant en français' section").toBeDefined();
    expect(news).toContain("Chair of the NATO Military Committee visits Allied troops in Romania (en anglais)");
    const [late, updated] = rest!.split("Mis à jour depuis notre envoi\n");
    expect(late).toContain(MUNICH_FR);
    expect(updated, "a 'Mis à jour depuis notre envoi' section").toBeDefined();
    expect(updated).toContain(NEW_FR_TITLE);
    expect(updated).toMatch(/Auparavant\u00a0: «\u00a0Les ministres de l'OTAN s'attaquent aux dépenses/);
    expect(mail.text.split(MUNICH_FR)).toHaveLength(2); // once

    for (const [width, scheme] of [
      [375, "dark"],
      [1280, "light"],
    ] as const) {
      const text = await checkEmail(mail.html, `fr-6-digest-updates-email-${width}-${scheme}`, width, scheme);
      expect(text).toContain("Maintenant en français");
      expect(text).toContain("Mis à jour depuis notre envoi");
      // The two new releases; the translation and the update are counted by their sections.
      expect(text).toContain("2 nouveaux communiqués depuis la dernière édition");
      expect(text).toContain("(en anglais)");
    }
  });

  it("the French archive, a French web view linking it, and the French Atom feed", async () => {
    const { context, page } = await newPage(375, "light", "en-GB");
    try {
      // The sign-up page once digests exist: its latest headlines and its archive link, in French.
      await page.goto(`${dev.url}/?lang=fr`);
      await expectFrench(page, "fr-9-signup-after-digests-375");
      // The French edition's headlines: each story once, in French where NATO has it in French.
      const headlines = await page.locator(".headlines a").allInnerTexts();
      expect(headlines).toContain("L'OTAN et la Finlande ouvrent un nouveau quartier général des forces terrestres avancées");
      expect(headlines).toContain(MUNICH_FR);
      expect(headlines).toContain("Chair of the NATO Military Committee visits Allied troops in Romania");
      expect(headlines.join("\n")).not.toContain("NATO and Finland");
      expect(headlines.join("\n")).not.toContain(MUNICH_EN);
      expect(await page.getByText("Toutes les éditions précédentes").getAttribute("href")).toBe("/digests?lang=fr");
      await checkPage(page, "fr-9-signup-after-digests-375");

      await page.goto(`${dev.url}/digests?lang=fr`);
      const archive = await expectFrench(page, "fr-7-archive-375");
      expect(archive).toContain("Éditions précédentes");
      expect(archive).toContain("Flux Atom");
      expect(archive).not.toContain("NATO Ministers Tackle");
      const editions = page.locator("main li a, ul li a");
      expect(await editions.allInnerTexts()).toEqual([
        expect.stringMatching(/^L'OTAN et la Finlande/),
        expect.stringMatching(/^Les ministres de l'OTAN s'attaquent/),
      ]);
      await checkPage(page, "fr-7-archive-375");

      // The first digest's web view: as it was sent (the old title), in French, linking the French archive.
      await editions.nth(1).click();
      await page.waitForURL(/\/digests\/[\w-]+$/);
      const view = await expectFrench(page, "fr-8-web-view-375");
      expect(view).toContain(OLD_FR_TITLE);
      expect(view).not.toContain(NEW_FR_TITLE);
      expect(view).toContain(`${CANADA_EN} (en anglais)`);
      expect(await page.locator('a[href="/digests?lang=fr"]').count(), "link to the French archive").toBeGreaterThan(0);
      await checkPage(page, "fr-8-web-view-375");
      const url = page.url();

      const dark = await newPage(1280, "dark", "en-GB");
      await dark.page.goto(url);
      await expectFrench(dark.page, "fr-8-web-view-1280-dark");
      await checkPage(dark.page, "fr-8-web-view-1280-dark");
      await dark.context.close();
    } finally {
      await context.close();
    }

    const atom = await fetch(`${dev.url}/digests.xml?lang=fr`);
    expect(atom.headers.get("Content-Type")).toContain("application/atom+xml");
    const xml = await atom.text();
    expect(xml).toContain('xml:lang="fr"');
    expect(xml).toContain("<title>Archives de NATO Digest</title>");
    expect(xml).toContain(`href="${dev.url}/digests?lang=fr"`);
    expect(xml.match(/<entry>/g)).toHaveLength(2);
    expect(xml).toMatch(/<summary>\d+ communiqués<\/summary>/);
    expect(xml).toContain("L&#39;OTAN et la Finlande");
    expect(xml).not.toContain("NATO Ministers Tackle");
    expect(xml).not.toMatch(/<summary>\d+ releases?<\/summary>/);
  });
});
