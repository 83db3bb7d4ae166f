// The whole loop in workerd: a local feed, ingest, the digest run, the real
// send queue and its consumer, and the local Resend-compatible server.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { digestRenderStats } from "../../src/digest/render-digest";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, call } from "../support/worker";
import { feedServerUrl, receivedEmails, resendStats, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { natoDate, rss, type TestItem } from "../support/feeds";
import { seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";

const HOUR = 3_600_000;

interface DigestRunResponse {
  ingest: { new: number };
  digest: {
    digestId: string | null;
    releases: number;
    recipients: number;
    batchesEnqueued: number;
    skipped: string | null;
    subject?: string;
    dryRun?: boolean;
    to?: string;
    sent?: boolean;
  };
}

async function triggerDigest(feedUrl: string, body: object | null = null): Promise<DigestRunResponse> {
  const response = await call(
    "/admin/digest",
    { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : "" },
    { FEED_URLS: feedUrl },
  );
  expect(response.status).toBe(200);
  return response.json();
}

interface Progress {
  status: string;
  progress: { sent: number; failed: number; skipped: number; pending: number; complete: boolean };
}

async function digestProgress(id: string): Promise<Progress> {
  return (await call(`/admin/digests/${id}`, { headers: ADMIN_AUTH })).json();
}

async function waitForDigestSent(id: string, timeoutMs = 60_000): Promise<Progress> {
  return waitFor(
    async () => {
      const progress = await digestProgress(id);
      return progress.status === "sent" ? progress : null;
    },
    timeoutMs,
    `digest ${id} to be sent`,
  );
}

function freshItems(prefix: string, count: number, hoursAgo = 2): TestItem[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `${prefix} release ${i} &amp; more`,
    link: `https://www.nato.int/cps/en/natohq/news_${prefix}_${i}.htm?selectedLocale=en`,
    description: `&lt;p&gt;Summary of ${prefix} release ${i}.&lt;/p&gt;`,
    pubDate: natoDate(new Date(Date.now() - (hoursAgo + i) * HOUR)),
  }));
}

beforeEach(async () => {
  await reset();
});

describe("the digest loop", () => {
  it("1,000 confirmed readers get exactly one digest each in ⌈N/100⌉ Resend calls and one render; others get none; one-click unsubscribe works; nothing new sends nothing; new releases send only them", async () => {
    const domain = uniqueDomain("loop");
    const feedPath = `/${uniqueName("loop")}/news.xml`;
    const feedUrl = await serveFeed(feedPath, { body: rss(freshItems("a", 3)) });
    const confirmed = await seedSubscribers(domain, 1000);
    await seedSubscribers(domain, 5, "unconfirmed", "pending");
    await seedSubscribers(domain, 3, "unsubscribed", "gone");
    await seedSubscribers(domain, 2, "suppressed", "bounced");

    const rendersBefore = digestRenderStats.renders;
    const report = await triggerDigest(feedUrl);
    expect(report.ingest.new).toBe(3);
    expect(report.digest).toMatchObject({
      releases: 3,
      recipients: 1000,
      batchesEnqueued: 10,
      skipped: null,
      subject: "a release 0 & more + 2 more",
    });
    const id = report.digest.digestId!;
    const progress = await waitForDigestSent(id);
    expect(progress.progress).toMatchObject({ sent: 1000, failed: 0, pending: 0 });

    const received = await receivedEmails(domain);
    expect(received).toHaveLength(1000);
    expect(new Set(received.map((e) => e.to[0]))).toEqual(new Set(confirmed));
    expect((await resendStats(domain)).requests).toBe(10);
    expect(digestRenderStats.renders - rendersBefore).toBe(1);
    console.log(`digest for 1,000 readers: ${(await resendStats(domain)).requests} Resend calls, ${digestRenderStats.renders - rendersBefore} React render`);

    // Every email is personal, with one-click unsubscribe headers, and says what is new.
    const email = received.find((e) => e.to[0] === confirmed[7])!;
    const id7 = await subscriberIdFor(confirmed[7]!);
    // The subject names the top release and how many more (the date is in the heading).
    expect(email.subject).toBe("a release 0 & more + 2 more");
    expect(email.headers!["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const unsubscribeUrl = /^<(.+)>$/.exec(email.headers!["List-Unsubscribe"]!)![1]!;
    expect(unsubscribeUrl).toMatch(/^https:\/\/digest\.example\.test\/unsubscribe\?token=p\./);
    expect(email.html).toContain(unsubscribeUrl);
    expect(email.text).toContain(unsubscribeUrl);
    expect(email.html).toContain("a release 0 &amp; more");
    expect(email.text).toContain(`https://digest.example.test/digests/${id}`);
    expect(email.tags).toContainEqual({ name: "kind", value: "digest" });
    const other = received.find((e) => e.to[0] === confirmed[8])!;
    expect(other.headers!["List-Unsubscribe"]).not.toBe(email.headers!["List-Unsubscribe"]);

    // The mail client's one-click unsubscribe (RFC 8058).
    const oneClick = await call(new URL(unsubscribeUrl).pathname + new URL(unsubscribeUrl).search, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect((await getSubscriber(env.KV, id7))!.status).toBe("unsubscribed");

    // The view-in-browser page and the archive.
    const web = await call(`/digests/${id}`, {});
    expect(web.status).toBe(200);
    const webHtml = await web.text();
    expect(webHtml).toContain("a release 0 &amp; more");
    expect(webHtml).not.toMatch(/unsubscribe\?token=/);
    expect(await (await call("/digests.xml", {})).text()).toContain(`/digests/${id}`);

    // Nothing new: no email at all, recorded as skipped.
    const again = await triggerDigest(feedUrl);
    expect(again.digest).toMatchObject({ digestId: null, skipped: "nothing new since the last digest" });
    const status = (await (await call("/admin/status", { headers: ADMIN_AUTH })).json()) as { digest: { lastRun: { result: string } } };
    expect(status.digest.lastRun.result).toBe("skipped");

    // New releases: a digest of only them, to everyone still subscribed.
    await serveFeed(feedPath, { body: rss([...freshItems("b", 1, 1), ...freshItems("a", 3)]) });
    const next = await triggerDigest(feedUrl);
    expect(next.digest).toMatchObject({ releases: 1, recipients: 999 });
    await waitForDigestSent(next.digest.digestId!);
    const all = await receivedEmails(domain);
    const second = all.filter((e) => e.subject === "b release 0 & more");
    expect(second).toHaveLength(999);
    expect(second.some((e) => e.to[0] === confirmed[7])).toBe(false);
    expect(second[0]!.html).toContain("b release 0");
    expect(second[0]!.html).not.toContain("a release 0");
  });

  it("dryRun renders and counts but sends nothing and moves nothing; a test send goes to one address only", async () => {
    const domain = uniqueDomain("dry");
    const feedUrl = await serveFeed(`/${uniqueName("dry")}/news.xml`, { body: rss(freshItems("dry", 2)) });
    await seedSubscribers(domain, 120);

    const dry = await triggerDigest(feedUrl, { dryRun: true });
    expect(dry.digest).toMatchObject({ dryRun: true, releases: 2, recipients: 120, batchesEnqueued: 0 });
    const tester = `editor@${uniqueDomain("tester")}`;
    const test = await triggerDigest(feedUrl, { to: tester });
    expect(test.digest).toMatchObject({ to: tester, sent: true, releases: 2 });
    const testMails = await receivedEmails(tester.split("@")[1]!);
    expect(testMails).toHaveLength(1);
    expect(testMails[0]!.subject).toBe("[test] dry release 0 & more + 1 more");
    await drainSendQueue(); // had the test copy enqueued the digest, the readers would have it now
    expect(await receivedEmails(domain)).toHaveLength(0);

    // The real digest still has everything.
    const real = await triggerDigest(feedUrl);
    expect(real.digest).toMatchObject({ releases: 2, recipients: 120 });
    await waitForDigestSent(real.digest.digestId!);
    expect(await receivedEmails(domain)).toHaveLength(120);
  });

  it("rejects bad options with 400", async () => {
    for (const body of ['{"dryRun": "yes"}', '{"to": 5}', '{"to": "not an address"}', '{"bogus": true}', "[1]", "{oops"]) {
      const response = await call(
        "/admin/digest",
        { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body },
        { FEED_URLS: `${feedServerUrl()}/never-registered.xml` },
      );
      expect(response.status, body).toBe(400);
    }
    expect((await call("/admin/digest", { method: "POST" })).status).toBe(401);
  });
});
