// The whole loop as an operator runs it locally: `wrangler dev` in outbox
// mode, a local feed, a reader who subscribes and confirms, then
// `npm run digest` (scripts/digest.mjs) and the daily cron, with the mail
// read from /dev/outbox.
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, SCREENSHOTS } from "./chromium";
import { startFeedServer } from "../node/feed-server";
import { startUnreachableServer } from "../node/unreachable-server";
import { startWranglerDev, type WranglerDev } from "../node/wrangler-dev";

const run = promisify(execFile);
const ADMIN_TOKEN = "e2e-admin-token-0123456789";

function natoDate(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())} ${months[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:00 GMT`;
}

function feed(titles: string[]): string {
  const items = titles
    .map(
      (title, i) =>
        `<item><title>${title}</title><link>https://www.nato.int/cps/en/natohq/news_${title.replace(/\W/g, "")}.htm?selectedLocale=en</link><description>&lt;p&gt;About ${title}.&lt;/p&gt;</description><pubDate>${natoDate(new Date(Date.now() - (i + 1) * 3_600_000))}</pubDate></item>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>NATO - Latest news</title>${items}</channel></rss>`;
}

interface OutboxList {
  messages: { id: string; to: string; subject: string }[];
}

describe("the digest loop against wrangler dev", () => {
  let dev: WranglerDev;
  let feeds: Awaited<ReturnType<typeof startFeedServer>>;

  beforeAll(async () => {
    feeds = await startFeedServer();
    await fetch(`${feeds.url}/__control/feeds/nato.xml`, {
      method: "PUT",
      body: JSON.stringify({ body: feed(["Ministers meet in Brussels", "Summit preparations"]) }),
    });
    dev = await startWranglerDev({
      vars: { FEED_URLS: `${feeds.url}/nato.xml` },
      secrets: { ADMIN_TOKEN, SIGNING_SECRET: "e2e-signing-secret-0123456789abcdef" },
    });
  });
  afterAll(async () => {
    await dev?.stop();
    await feeds?.close();
  });

  async function outbox(): Promise<OutboxList["messages"]> {
    return ((await (await fetch(`${dev.url}/dev/outbox`, { headers: { Accept: "application/json" } })).json()) as OutboxList).messages;
  }

  async function outboxMessage(id: string): Promise<{ text: string; html: string; headers: Record<string, string> }> {
    return (await fetch(`${dev.url}/dev/outbox/${id}`, { headers: { Accept: "application/json" } })).json();
  }

  async function waitForMail(to: string, subject: RegExp) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = (await outbox()).find((m) => m.to === to && subject.test(m.subject));
      if (found) return outboxMessage(found.id);
      if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${to}; outbox: ${JSON.stringify(await outbox())}\n${dev.logs().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function digestCli(...args: string[]) {
    const { stdout } = await run(process.execPath, ["scripts/digest.mjs", "--url", dev.url, ...args], {
      env: { ...process.env, ADMIN_TOKEN },
      timeout: 120_000,
    });
    return stdout;
  }

  it("subscribe, confirm from the outbox, npm run digest, read the digest in the outbox; then the cron sends only what is new", async () => {
    const reader = "local.reader@example.org";
    const subscribe = await fetch(`${dev.url}/subscribe`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `email=${encodeURIComponent(reader)}`,
    });
    expect(subscribe.status).toBe(202);
    const confirmation = await waitForMail(reader, /^Confirm your NATO Digest subscription$/);
    const confirmUrl = new URL(/https?:\/\/\S+\/confirm\?token=[\w.-]+/.exec(confirmation.text)![0]);
    const confirmed = await fetch(`${dev.url}/confirm`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `token=${confirmUrl.searchParams.get("token")}`,
    });
    expect(await confirmed.text()).toMatch(/You(&#39;|')re subscribed/); // page text is escaped

    // Ingest on its own first, as an operator checking a new feed would.
    const ingest = await fetch(`${dev.url}/admin/ingest`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const ingestReport = (await ingest.json()) as { sources: { url: string; status: string; new: number }[] };
    expect(ingestReport.sources).toEqual([expect.objectContaining({ url: `${feeds.url}/nato.xml`, status: "ok", new: 2 })]);
    const stored = (await (await fetch(`${dev.url}/admin/releases`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      releases: { title: string }[];
    };
    expect(stored.releases.map((r) => r.title)).toEqual(["Ministers meet in Brussels", "Summit preparations"]);

    const dry = await digestCli("--dry-run");
    expect(dry).toMatch(/Dry run: "Ministers meet in Brussels \+ 1 more" — 2 releases, .*would go to 1 confirmed reader in 1 batch, /);

    const sent = await digestCli();
    expect(sent).toMatch(/Ingest: \d+ new release/);
    expect(sent).toMatch(/Done\. View it at/);
    const digest = await waitForMail(reader, /^Ministers meet in Brussels \+ 1 more$/);
    expect(digest.text).toContain("Ministers meet in Brussels");
    expect(digest.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    console.log(sent);
    expect(await digestCli()).toMatch(/No digest sent: nothing new since the last digest/);

    // Screenshots of the digest as a reader sees it: the email (outbox) and the web view.
    mkdirSync(SCREENSHOTS, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const id = /View it at \S+\/digests\/([\w-]+)/.exec(sent)![1]!;
      await page.goto(`${dev.url}/digests/${id}`);
      await page.screenshot({ path: `${SCREENSHOTS}digest-web-view.png`, fullPage: true });
      await page.setContent(digest.html);
      await page.screenshot({ path: `${SCREENSHOTS}digest-email-phone.png`, fullPage: true });
      const dark = await browser.newPage({ viewport: { width: 800, height: 900 }, colorScheme: "dark" });
      await dark.setContent(digest.html);
      await dark.screenshot({ path: `${SCREENSHOTS}digest-email-dark.png`, fullPage: true });
    } finally {
      await browser.close();
    }

    // A new release, then the daily cron (07:00 UTC) as Cloudflare fires it.
    await fetch(`${feeds.url}/__control/feeds/nato.xml`, {
      method: "PUT",
      body: JSON.stringify({ body: feed(["A brand new release", "Ministers meet in Brussels", "Summit preparations"]) }),
    });
    expect((await fetch(`${dev.url}/__scheduled?cron=${encodeURIComponent("0 7 * * *")}`)).status).toBe(200);
    const second = await waitForMail(reader, /^A brand new release$/);
    expect(second.text).toContain("A brand new release");
    expect(second.text).not.toContain("Summit preparations");
  });

  it("the CLI explains a wrong token or an unreachable worker", async () => {
    await expect(run(process.execPath, ["scripts/digest.mjs", "--url", dev.url], { env: { ...process.env, ADMIN_TOKEN: "wrong" } })).rejects.toMatchObject({
      stderr: expect.stringMatching(/401/),
    });
    const down = await startUnreachableServer();
    try {
      await expect(run(process.execPath, ["scripts/digest.mjs", "--url", down.url], { env: { ...process.env, ADMIN_TOKEN } })).rejects.toMatchObject({
        stderr: expect.stringMatching(/Cannot reach/),
      });
    } finally {
      await down.close();
    }
  });
});
