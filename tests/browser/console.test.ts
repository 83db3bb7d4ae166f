// The operator console in Debian's Chromium against `wrangler dev`, offline:
// local mode (mail in the outbox) with the sample feed switched on
// (SAMPLE_FEED=on), so the whole loop runs without internet. Sign in by
// keyboard, ingest, import a CSV and watch its progress, preview, send a
// test, send the digest and watch its progress bar reach the end. The page
// keeps its real CSP (the progress script must run under it); axe-core is
// evaluated through the debugging protocol. Every page is checked with axe
// and photographed light and dark, on a desktop and a phone, under
// test-results/screenshots/console-*.png.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, launchChromium, SCREENSHOTS, tabTo } from "./chromium";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const ADMIN_TOKEN = "browser-console-admin-token-0123456789abcdef";
const SECRETS = { ADMIN_TOKEN, SIGNING_SECRET: "browser-console-signing-secret-0123456789" };
const READERS = 250;

async function outbox(dev: WranglerDev): Promise<{ id: string; to: string; subject: string }[]> {
  // The admin token opens the outbox whatever DEV_OUTBOX_OPEN says.
  const list = (await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json", Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
    messages: { id: string; to: string; subject: string }[];
  };
  return list.messages;
}

describe("the operator console in Chromium", () => {
  let dev: WranglerDev;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dev = await startWranglerDev({ vars: { SAMPLE_FEED: "on", FEED_URLS: "http://127.0.0.1:9/unreachable.xml" }, secrets: SECRETS });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  const variants = [
    { name: "light-desktop", colorScheme: "light" as const, viewport: { width: 1280, height: 900 } },
    { name: "dark-desktop", colorScheme: "dark" as const, viewport: { width: 1280, height: 900 } },
    { name: "light-phone", colorScheme: "light" as const, viewport: { width: 390, height: 844 } },
    { name: "dark-phone", colorScheme: "dark" as const, viewport: { width: 390, height: 844 } },
  ];

  /** Visits each page signed in, in every variant: a screenshot and an axe check each. */
  async function tour(storage: Awaited<ReturnType<BrowserContext["storageState"]>>, pages: [string, string][]): Promise<void> {
    for (const variant of variants) {
      const context = await browser.newContext({ storageState: storage, colorScheme: variant.colorScheme, viewport: variant.viewport });
      const tab = await context.newPage();
      for (const [name, path] of pages) {
        const response = await tab.goto(`${dev.url}${path}`);
        expect(response?.status(), `${name} ${variant.name}`).toBe(200);
        await tab.screenshot({ path: `${SCREENSHOTS}console-${name}-${variant.name}.png`, fullPage: true });
        expect(await accessibilityProblems(tab), `${name} ${variant.name}`).toEqual([]);
      }
      await context.close();
    }
  }

  it("the sign-in page, light and dark, desktop and phone", async () => {
    for (const variant of variants) {
      const context = await browser.newContext({ colorScheme: variant.colorScheme, viewport: variant.viewport });
      const tab = await context.newPage();
      await tab.goto(`${dev.url}/console`);
      await tab.screenshot({ path: `${SCREENSHOTS}console-sign-in-${variant.name}.png`, fullPage: true });
      expect(await accessibilityProblems(tab), `sign-in ${variant.name}`).toEqual([]);
      await context.close();
    }
  });

  it("sign in by keyboard, ingest the sample feed, import, preview, test, send and watch the progress; every page light and dark, desktop and phone", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const scriptErrors: string[] = [];
    page.on("console", (message) => {
      // Script errors only: the 401 of the wrong-token attempt and a missing favicon are expected.
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) scriptErrors.push(message.text());
    });

    // Sign in with the keyboard only.
    await page.goto(`${dev.url}/console`);
    await tabTo(page, "#token");
    await page.keyboard.type("not-the-admin-token-not-the-admin-token");
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=That is not the admin token");
    await tabTo(page, "#token");
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForSelector("h1:text('Overview')");
    await page.screenshot({ path: `${SCREENSHOTS}console-overview-empty-light-desktop.png`, fullPage: true });
    expect(await page.textContent("body")).toContain("No feed has been read yet");

    // Ingest now: the worker reads its own sample feed.
    await page.click("button:text('Ingest now')");
    await page.waitForSelector("h1:text('Ingest done')");
    expect(await page.textContent("body")).toMatch(/[1-9]\d* new releases? stored/);

    // Import readers with the CSV form and watch that progress bar finish.
    await page.goto(`${dev.url}/console/subscribers`);
    const csv = `email\n${Array.from({ length: READERS }, (_, i) => `reader${i}@example.org`).join("\n")}\nnot-an-address\n`;
    await page.setInputFiles("#import-file", { name: "readers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click("button:text('Import')");
    await page.waitForURL(/\/console\/imports\//);
    const importUrl = page.url();
    await page.waitForSelector("[data-progress-text]:text('Finished')", { timeout: 60_000 });
    // Every chunk done (the chunk size is the import's own, src/subscribers/import.ts: more than one for 250 rows).
    const [done, chunks] = await page.$eval("progress", (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
    expect(chunks).toBeGreaterThan(1);
    expect(done).toBe(chunks);

    // Preview, as a reader gets it.
    await page.goto(`${dev.url}/console/digests`);
    await page.selectOption("#preview-cadence", "daily");
    await page.click("button:text('Preview')");
    await page.waitForSelector("iframe.preview");
    const frame = page.frameLocator("iframe.preview");
    await expect(frame.locator("text=Sample release for trying NATO Digest offline").first().textContent()).resolves.toBeTruthy();

    // A test to one address.
    await page.goto(`${dev.url}/console/digests`);
    await page.fill("#test-to", "tester@example.org");
    await page.click("button:text('Send test')");
    await page.waitForSelector("h1:text('Test sent')");
    expect((await outbox(dev)).find((m) => m.to === "tester@example.org")?.subject).toMatch(/^\[test\] .+ \+ \d+ more$/);

    // The pages that show what is waiting, photographed while something is.
    const storage = await context.storageState();
    await tour(storage, [
      ["overview-waiting", "/console"],
      ["preview", "/console/preview?cadence=daily&lang=en"],
      ["send-confirm", "/console/send?cadence=daily"],
    ]);

    // Send now, confirm, and watch the bar move to the end without reloading the page.
    await page.goto(`${dev.url}/console/digests`);
    await page.click("button:text('Send now…')");
    await page.waitForSelector("h1:text('Send the daily digest now?')");
    await page.click("button:text('Yes, send it')");
    await page.waitForURL(/\/console\/digests\/[\w-]+$/);
    const digestUrl = page.url();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    const seen: number[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [value, max] = await page.$eval("progress", (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
      if (seen[seen.length - 1] !== value) seen.push(value);
      if (max === READERS && value === max && (await page.textContent("[data-progress-text]"))?.startsWith("Finished")) break;
      if (Date.now() > deadline) throw new Error(`the progress bar stopped at ${value}/${max}: ${seen.join(",")}\n${dev.logs().slice(-2000)}`);
      await page.waitForTimeout(100);
    }
    console.log(`digest progress bar values seen: ${seen.join(" → ")}`);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // moved by the script, not a reload
    expect(await page.textContent("[data-field=sent]")).toBe(String(READERS));
    expect(scriptErrors).toEqual([]);
    // The JSON API agrees (and still takes the Bearer token).
    const record = (await (
      await fetch(`${dev.url}/admin/digests/${digestUrl.split("/").pop()}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { status: string; progress: { sent: number } };
    expect(record).toMatchObject({ status: "sent", progress: { sent: READERS } });

    await context.close();

    // Every page, light and dark, desktop and phone, each checked with axe.
    await tour(storage, [
      ["overview", "/console"],
      ["digests", "/console/digests"],
      ["digest", new URL(digestUrl).pathname],
      ["subscribers", `/console/subscribers?email=${encodeURIComponent("reader7@example.org")}`],
      ["import", new URL(importUrl).pathname],
    ]);
  });
});
