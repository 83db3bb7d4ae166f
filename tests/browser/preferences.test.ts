// Choosing and changing preferences as a person does it, in Debian's
// Chromium against `wrangler dev` (local outbox, a local feed server),
// keyboard only: the sign-up page in French with its options (weekly,
// topics, one feed), confirmation, the confirmed page's "Manage preferences"
// link, a change to daily in English on the preferences page; then the crons
// honour it, and the digest's own "Manage preferences" link changes it back
// to weekly, which the next daily cron respects. axe-core on every page;
// screenshots in English and French under test-results/screenshots/.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchChromium, SCREENSHOTS, tabTo } from "./chromium";
import { createHash } from "node:crypto";
import { startFeedServer } from "../node/feed-server";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const SECRETS = { ADMIN_TOKEN: "browser-admin-token-0123456789", SIGNING_SECRET: "browser-signing-secret-0123456789abcdef" };
const feedId = (url: string) => createHash("sha256").update(url).digest("hex").slice(0, 24);

let browser: Browser;
let dev: WranglerDev;
let feeds: Awaited<ReturnType<typeof startFeedServer>>;
let EN_FEED: string;
let FR_FEED: string;

function natoDate(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())} ${months[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:00 GMT`;
}

async function serve(path: string, titles: string[]): Promise<void> {
  const items = titles
    .map(
      (title, i) =>
        `<item><title>${title}</title><link>https://www.nato.int/prefs/${encodeURIComponent(title)}.htm</link><description>About ${title}.</description><pubDate>${natoDate(new Date(Date.now() - (i + 1) * 600_000))}</pubDate></item>`,
    )
    .join("");
  const body = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>${items}</channel></rss>`;
  await fetch(`${feeds.url}/__control/feeds${path}`, { method: "PUT", body: JSON.stringify({ body }) });
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  feeds = await startFeedServer();
  EN_FEED = `${feeds.url}/en.xml`;
  FR_FEED = `${feeds.url}/fr.xml`;
  await serve("/en.xml", ["Cyber range opens in Tallinn", "Ministers meet in Brussels"]);
  await serve("/fr.xml", ["Sommet de l'OTAN à La Haye"]);
  dev = await startWranglerDev({
    vars: {
      FEED_URLS: `${EN_FEED},${FR_FEED}`,
      FEED_LANGUAGES: `${FR_FEED}=fr`,
      FEED_TITLES: `${EN_FEED}=NATO News|${FR_FEED}=Actualités de l'OTAN`,
    },
    secrets: SECRETS,
  });
});

afterAll(async () => {
  await dev?.stop();
  await feeds?.close();
  await browser?.close();
});

async function poll<T>(check: () => Promise<T | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type OutboxMessage = { id: string; to: string; subject: string };

async function outbox(): Promise<OutboxMessage[]> {
  return ((await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json" } })).json()) as { messages: OutboxMessage[] }).messages;
}

async function mailText(id: string): Promise<{ text: string; html: string }> {
  return (await fetch(`${dev.url}/dev/outbox/${id}`, { headers: { Accept: "application/json" } })).json();
}

async function confirmationText(address: string): Promise<string> {
  const message = await poll(async () => (await outbox()).find((m) => m.to === address) ?? null, "the confirmation email in the outbox");
  return (await mailText(message.id)).text;
}

/**
 * Fires a digest cron and waits for its run to be over: the worker logs
 * {"event":"digest",…} once the run has enqueued whatever it sends (the
 * run itself is in waitUntil, after /__scheduled has answered).
 */
async function cron(expression: string): Promise<{ recipients: number; batchesEnqueued: number }> {
  const runs = () =>
    dev
      .logs()
      .split("\n")
      .filter((line) => line.includes('{"event":"digest"'));
  const before = runs().length;
  expect((await fetch(`${dev.url}/__scheduled?cron=${encodeURIComponent(expression)}`)).status).toBe(200);
  const line = await poll(async () => runs()[before] ?? null, `the digest run of cron "${expression}" to log its report`, 60_000);
  return JSON.parse(line.slice(line.indexOf("{")));
}

describe("preferences in Chromium, keyboard only", () => {
  it("signs up in French with options, confirms, changes to a daily English digest, and back to weekly from the digest's link; the crons honour each choice", async () => {
    const address = "lectrice.clavier@example.org";
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 }, colorScheme: "light" });
    const page = await context.newPage();
    try {
      await page.goto(`${dev.url}/?lang=fr`);
      expect(await page.getAttribute("html", "lang")).toBe("fr");
      await checkPage(page, "prefs-fr-1-signup");

      await tabTo(page, "#email");
      await page.keyboard.type(address);
      // The options sit behind a disclosure that opens from the keyboard, no script needed.
      await tabTo(page, "summary");
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.querySelector("details")?.open)).toBe(true);
      await checkPage(page, "prefs-fr-2-signup-options");
      await tabTo(page, "input[name=cadence]");
      await page.keyboard.press("ArrowDown");
      expect(await page.isChecked("input[name=cadence][value=weekly]")).toBe(true);
      await tabTo(page, "#topics");
      await page.keyboard.type("cyber, otan");
      await tabTo(page, `input[name=sources][value="${feedId(FR_FEED)}"]`);
      await page.keyboard.press("Space");
      await tabTo(page, "button[type=submit]");
      await page.keyboard.press("Enter");
      await page.waitForLoadState("load");
      expect(await page.getAttribute("html", "lang")).toBe("fr");
      await page.waitForSelector("[role=status]");
      await checkPage(page, "prefs-fr-3-check-inbox");

      const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9._-]+/.exec(await confirmationText(address))?.[0];
      expect(link, "confirmation link in the email").toBeTruthy();
      await page.goto(link!);
      expect(await page.getAttribute("html", "lang")).toBe("fr");
      await checkPage(page, "prefs-fr-4-confirm");
      await tabTo(page, "button[type=submit]");
      await page.keyboard.press("Enter");
      await page.waitForSelector("a[href*='/preferences?token=p']");
      await checkPage(page, "prefs-fr-5-confirmed");

      // The confirmed page offers the preferences page.
      await tabTo(page, "a[href*='/preferences?token=']");
      await page.keyboard.press("Enter");
      await page.waitForSelector("form[action='/preferences']");
      expect(await page.isChecked("input[name=cadence][value=weekly]")).toBe(true);
      expect(await page.inputValue("#topics")).toBe("cyber, otan");
      expect(await page.isChecked(`input[name=sources][value="${feedId(FR_FEED)}"]`)).toBe(true);
      expect(await page.isChecked(`input[name=sources][value="${feedId(EN_FEED)}"]`)).toBe(false);
      await checkPage(page, "prefs-fr-6-preferences");

      // Daily, in English, every feed, no topics.
      await tabTo(page, "input[name=cadence]:checked");
      await page.keyboard.press("ArrowUp");
      await tabTo(page, "#topics");
      await page.keyboard.press("Control+A");
      await page.keyboard.press("Delete");
      await tabTo(page, "input[name=lang]:checked");
      await page.keyboard.press("ArrowUp");
      await tabTo(page, `input[name=sources][value="${feedId(EN_FEED)}"]`);
      await page.keyboard.press("Space");
      await tabTo(page, "form[action='/preferences'] button[type=submit]");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[role=status]");
      expect(await page.getAttribute("html", "lang")).toBe("en");
      expect(await page.isChecked("input[name=cadence][value=daily]")).toBe(true);
      expect(await page.isChecked("input[name=lang][value=en]")).toBe(true);
      expect(await page.inputValue("#topics")).toBe("");
      await checkPage(page, "prefs-en-7-saved");

      // A reload (a GET) shows the same saved choices and changes nothing.
      await page.reload();
      expect(await page.isChecked("input[name=cadence][value=daily]")).toBe(true);

      // The daily cron now mails this reader, in English, from both feeds; the weekly cron does not.
      const before = (await outbox()).length;
      await cron("0 7 * * *");
      const digest = await poll(
        async () => (await outbox()).find((m) => m.to === address && /Cyber range|Ministers|Sommet/.test(m.subject)) ?? null,
        "the daily digest",
      );
      const body = await mailText(digest.id);
      expect(body.text).toContain("Ministers meet in Brussels");
      expect(body.text).toContain("Sommet de l'OTAN");
      expect(body.html).toContain('lang="en"');
      // The weekly run is over and mailed no one (nothing is left in the queue for it): no sleep needed.
      expect(await cron("0 7 * * 1")).toMatchObject({ recipients: 0, batchesEnqueued: 0 });
      expect((await outbox()).filter((m) => m.to === address)).toHaveLength(2); // the confirmation and one digest
      expect((await outbox()).length).toBe(before + 1);

      // The digest's own "Manage preferences" link: back to weekly, by keyboard.
      const manage = /https?:\/\/\S+\/preferences\?token=p2?\.[A-Za-z0-9_.-]+/.exec(body.text)?.[0];
      expect(manage, "a Manage preferences link in the digest").toBeTruthy();
      await page.goto(manage!);
      await tabTo(page, "input[name=cadence]:checked");
      await page.keyboard.press("ArrowDown");
      await tabTo(page, "form[action='/preferences'] button[type=submit]");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[role=status]");
      expect(await page.isChecked("input[name=cadence][value=weekly]")).toBe(true);
      await checkPage(page, "prefs-en-8-weekly-from-email");

      // Something new, and the daily cron: a weekly reader gets nothing; the Monday cron sends it.
      await serve("/en.xml", ["Air policing over the Baltics", "Cyber range opens in Tallinn", "Ministers meet in Brussels"]);
      expect(await cron("0 7 * * *")).toMatchObject({ recipients: 0, batchesEnqueued: 0 });
      expect((await outbox()).filter((m) => m.to === address)).toHaveLength(2);
      const known = new Set((await outbox()).filter((m) => m.to === address).map((m) => m.id));
      await cron("0 7 * * 1");
      const weekly = await poll(async () => (await outbox()).find((m) => m.to === address && !known.has(m.id)) ?? null, "the weekly digest");
      expect((await mailText(weekly.id)).text).toContain("Air policing over the Baltics");

      // A forged link gets a clear page, never a 500.
      const forged = await page.goto(`${dev.url}/preferences?token=p.AAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAA`);
      expect(forged?.status()).toBe(400);
      await checkPage(page, "prefs-en-9-forged-link");
    } finally {
      await context.close();
    }
  });
});
