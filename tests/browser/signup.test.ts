// The sign-up flow as a person does it, in Debian's Chromium against
// `wrangler dev`: keyboard only, an accessibility check (axe-core) on every
// page, a screenshot of every page in test-results/screenshots/. Runs once
// with the local outbox (no Resend key) and once against the local
// Resend-compatible server.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchChromium, SCREENSHOTS, tabTo } from "./chromium";
import { startResendServer } from "../node/resend-server";
import { startUnreachableServer } from "../node/unreachable-server";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const SECRETS = { ADMIN_TOKEN: "browser-admin-token-0123456789", SIGNING_SECRET: "browser-signing-secret-0123456789abcdef" };

let browser: Browser;
/** FEED_URLS points here: no feed is fetched in these tests, and if one were, it would fail at once. */
let noFeeds: Awaited<ReturnType<typeof startUnreachableServer>>;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  noFeeds = await startUnreachableServer();
  browser = await launchChromium(["--disable-quic"]);
});

afterAll(async () => {
  await browser?.close();
  await noFeeds?.close();
});

async function signUpAndConfirm(dev: WranglerDev, address: string, prefix: string, readConfirmationText: () => Promise<string>): Promise<void> {
  // bypassCSP only so the test can inject axe-core; the page itself runs no script.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 }, colorScheme: "light" });
  const page = await context.newPage();
  try {
    await page.goto(`${dev.url}/`);
    await expect(page.title()).resolves.toContain("NATO Digest");
    await checkPage(page, `${prefix}-1-signup`);

    await tabTo(page, "#email", 20);
    await page.keyboard.type(address);
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=Check your inbox");
    await checkPage(page, `${prefix}-2-check-inbox`);

    const text = await readConfirmationText();
    const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9._-]+/.exec(text)?.[0];
    expect(link, "confirmation link in the email").toBeTruthy();
    await page.goto(link!);
    await page.waitForSelector("text=Confirm your subscription");
    await checkPage(page, `${prefix}-3-confirm`);

    await tabTo(page, "button[type=submit]", 20);
    await page.keyboard.press("Enter");
    await page.waitForSelector("text=You're subscribed");
    await checkPage(page, `${prefix}-4-confirmed`);

    // The same page on a dark-mode desktop, for the record.
    const dark = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${dev.url}/`);
    await checkPage(darkPage, `${prefix}-5-signup-dark`);
    await dark.close();
  } finally {
    await context.close();
  }
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

describe("sign-up in Chromium, mail in the local outbox", () => {
  let dev: WranglerDev;
  beforeAll(async () => {
    dev = await startWranglerDev({ vars: { FEED_URLS: `${noFeeds.url}/none.xml` }, secrets: SECRETS });
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it("subscribes and confirms with the keyboard; every page passes axe", async () => {
    const address = "keyboard.reader@example.org";
    await signUpAndConfirm(dev, address, "outbox", async () => {
      const message = await poll(async () => {
        const list = (await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json" } })).json()) as {
          messages: { id: string; to: string }[];
        };
        return list.messages.find((m) => m.to === address) ?? null;
      }, "the confirmation email in the outbox");
      // The outbox's own page must work too.
      const page = await browser.newPage();
      await page.goto(`${dev.url}/dev/outbox/${message.id}`);
      await page.screenshot({ path: `${SCREENSHOTS}outbox-email.png`, fullPage: true });
      await page.close();
      const full = (await (await fetch(`${dev.url}/dev/outbox/${message.id}`, { headers: { Accept: "application/json" } })).json()) as { text: string };
      return full.text;
    });
  });
});

describe("sign-up in Chromium, mail through a local Resend-compatible server", () => {
  let dev: WranglerDev;
  let resend: Awaited<ReturnType<typeof startResendServer>>;
  beforeAll(async () => {
    resend = await startResendServer(fileURLToPath(new URL("../fixtures/resend-openapi.yaml", import.meta.url)));
    dev = await startWranglerDev({
      vars: { FEED_URLS: `${noFeeds.url}/none.xml`, RESEND_BASE_URL: resend.url, EMAIL_FROM: "NATO Digest <digest@example.org>" },
      secrets: { ...SECRETS, RESEND_API_KEY: "re_browser_test" },
    });
  });
  afterAll(async () => {
    await dev?.stop();
    await resend?.close();
  });

  it("subscribes and confirms; the confirmation went through Resend's wire protocol", async () => {
    const address = "resend.reader@example.net";
    await signUpAndConfirm(dev, address, "resend", async () => {
      const email = await poll(async () => {
        const list = (await (await fetch(`${resend.url}/__control/emails?domain=example.net`)).json()) as { emails: { to: string[]; text: string }[] };
        return list.emails.find((e) => e.to[0] === address) ?? null;
      }, "the confirmation email at the Resend server");
      return email.text;
    });
    // The outbox does not exist when a Resend key is configured.
    expect((await fetch(`${dev.url}/dev/outbox`)).status).toBe(404);
  });
});
