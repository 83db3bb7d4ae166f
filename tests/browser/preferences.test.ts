// Choosing and changing preferences as a person does it, in Debian's
// Chromium against `wrangler dev` (local outbox), keyboard only: the sign-up
// page in French with its options (weekly, topics, one feed), confirmation,
// the confirmed page's "Manage preferences" link, and a change to daily in
// English on the preferences page. axe-core on every page; screenshots in
// English and French under test-results/screenshots/.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const SECRETS = { ADMIN_TOKEN: "browser-admin-token-0123456789", SIGNING_SECRET: "browser-signing-secret-0123456789abcdef" };
// Two feeds that need not answer: the pages read their names and languages from the configuration.
const EN_FEED = "http://127.0.0.1:9/en.xml";
const FR_FEED = "http://127.0.0.1:9/fr.xml";
const feedId = (url: string) => createHash("sha256").update(url).digest("hex").slice(0, 24);

let browser: Browser;
let dev: WranglerDev;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
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
  await browser?.close();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  await page.addScriptTag({ content: axe.source });
  const result = (await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run;
    return run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } });
  })) as { violations: AxeViolation[] };
  const problems = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    problems.map((p) => `${p.id}: ${p.help} ${JSON.stringify(p.nodes.map((n) => n.target))}`),
    name,
  ).toEqual([]);
}

/** Tabs until the element matching `selector` has focus. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`could not reach ${selector} with Tab`);
}

async function poll<T>(check: () => Promise<T | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function confirmationText(address: string): Promise<string> {
  const message = await poll(async () => {
    const list = (await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json" } })).json()) as {
      messages: { id: string; to: string }[];
    };
    return list.messages.find((m) => m.to === address) ?? null;
  }, "the confirmation email in the outbox");
  const full = (await (await fetch(`${dev.url}/dev/outbox/${message.id}`, { headers: { Accept: "application/json" } })).json()) as { text: string };
  return full.text;
}

describe("preferences in Chromium, keyboard only", () => {
  it("signs up in French with options, confirms, then changes to a daily English digest from the preferences page", async () => {
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
      await page.waitForSelector("a[href*='/preferences?token=p.']");
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

      // A forged link gets a clear page, never a 500.
      const forged = await page.goto(`${dev.url}/preferences?token=p.AAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAA`);
      expect(forged?.status()).toBe(400);
      await checkPage(page, "prefs-en-8-forged-link");
    } finally {
      await context.close();
    }
  });
});
