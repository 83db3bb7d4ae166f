// One source of truth for a digest's progress (src/digest/progress.ts): a
// digest with two editions, sent to completion through the real routes (the
// admin trigger, the real queue and consumer, the local Resend server); its
// console page's totals are the sum of its editions table, and
// GET /admin/digests/:id says the same.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type DigestRecord, getDigest, listBatches, type Recipient, saveBatch, saveDigest, saveRecipients } from "../../src/digest/digest-store";
import { getRunProgress } from "../../src/digest/progress";
import { CONSOLE_TOKEN, ConsoleClient } from "../support/console-client";
import { natoDate, rss } from "../support/feeds";
import { receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { seedReaders } from "../support/seed";
import { waitFor } from "../support/kv";

interface Counts {
  sent: number;
  failed: number;
  pending: number;
}

const cell = (html: string) => Number(html.replace(/<[^>]*>/g, "").replace(/[^0-9]/g, "") || "NaN");

/** The page's totals cards, by data-field. */
function totalsOf(page: string): Counts & { skipped: number } {
  const field = (name: string) => {
    const match = new RegExp(`data-field="${name}">([^<]*)<`).exec(page);
    if (!match) throw new Error(`no ${name} total on the page`);
    return cell(match[1]!);
  };
  return { sent: field("sent"), failed: field("failed"), skipped: field("skipped"), pending: field("pending") };
}

/** The editions table's rows: Sent, Failed and Pending are its last three cells. */
function editionRowsOf(page: string): Counts[] {
  const section = /<section aria-labelledby="editions-h">([\s\S]*?)<\/section>/.exec(page)?.[1];
  if (!section) throw new Error("no editions table on the page");
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!);
    const [sent, failed, pending] = cells.slice(-3).map(cell);
    return { sent: sent!, failed: failed!, pending: pending! };
  });
}

describe("a digest's progress", () => {
  it("a finished digest with two editions: the console page's totals are the sum of its editions table, and the admin JSON agrees", async () => {
    const domain = uniqueDomain("progress");
    const feedUrl = await serveFeed(`/${uniqueName("progress")}/news.xml`, {
      body: rss(
        ["Allies meet in Brussels", "Une réunion des Alliés"].map((title, i) => ({
          title,
          link: `https://www.nato.int/progress/news_${i}.htm`,
          description: `Summary ${i}`,
          pubDate: natoDate(new Date(Date.now() - (2 + i) * 3_600_000)),
        })),
      ),
    });
    await seedReaders(domain, "en", 3, null);
    await seedReaders(domain, "fr", 2, { cadence: "daily", lang: "fr", topics: [], sources: null });
    const client = new ConsoleClient({ FEED_URLS: feedUrl });
    await client.signIn();

    const triggered = await client.post("/console/send", { cadence: "daily", confirm: "yes" });
    expect(triggered.status).toBe(303);
    const id = /^\/console\/digests\/([0-9a-z-]+)$/.exec(triggered.headers.get("Location") ?? "")?.[1];
    if (!id) throw new Error(`the send did not lead to a digest page: ${triggered.headers.get("Location")}`);
    await waitFor(async () => ((await getDigest(env.KV, id))?.status === "sent" ? true : null), 60_000, `digest ${id} sent`);
    expect(await receivedEmails(domain)).toHaveLength(5);

    const page = await client.page(`/console/digests/${id}`);
    const totals = totalsOf(page);
    const rows = editionRowsOf(page);
    expect(rows).toHaveLength(2);
    const sum = (field: keyof Counts) => rows.reduce((total, row) => total + row[field], 0);
    expect(totals).toEqual({ sent: 5, failed: 0, skipped: 0, pending: 0 });
    expect({ sent: sum("sent"), failed: sum("failed"), pending: sum("pending") }).toEqual({
      sent: totals.sent,
      failed: totals.failed,
      pending: totals.pending,
    });
    expect(rows.map((row) => row.sent).sort()).toEqual([2, 3]);

    const admin = (await (await client.get(`/admin/digests/${id}`, { Authorization: `Bearer ${CONSOLE_TOKEN}` })).json()) as {
      progress: { sent: number; failed: number; skipped: number; pending: number; editions: (Counts & { index: number; readers: number })[] };
    };
    expect({ sent: admin.progress.sent, failed: admin.progress.failed, skipped: admin.progress.skipped, pending: admin.progress.pending }).toEqual(totals);
    expect(admin.progress.editions.map(({ sent, failed, pending }) => ({ sent, failed, pending }))).toEqual(rows);
  });

  it("a batch that mixes editions and dropped readers: each dropped reader counts in their own edition (the drops the consumer recorded), and the totals are the rows' sum", async () => {
    const id = "2026-12-01-0123456789";
    const recipients: Recipient[] = Array.from({ length: 150 }, (_, i) => ({
      id: `r${String(i).padStart(3, "0")}`,
      email: `r${i}@example.test`,
      edition: i % 3,
    }));
    await saveRecipients(env.KV, id, "tok", recipients);
    const content = { subject: "s", preheader: "p", lang: "en" as const, htmlParts: [""], textParts: [""] };
    const record: DigestRecord = {
      id,
      runToken: "tok",
      createdAt: "2026-12-01T07:00:00.000Z",
      status: "sending",
      subject: "s",
      preheader: "p",
      releases: [],
      recipientCount: 150,
      batchCount: 2,
      content,
      finishedAt: null,
      totals: null,
      cadence: "daily",
      editions: [0, 1, 2].map((index) => ({
        digestId: `${id}-e${index}`,
        index,
        lang: "en",
        topics: [],
        sources: [],
        releaseIds: [],
        recipientCount: 50,
        subject: "s",
      })),
    };
    await saveDigest(env.KV, record);
    // Batch 0 (readers 0–99) sent: two readers of edition 1 had left, one of edition 2 was refused. Batch 1 is still queued.
    await saveBatch(env.KV, id, 0, {
      status: "sent",
      sent: 97,
      skipped: 2,
      rejected: 1,
      at: "2026-12-01T07:01:00.000Z",
      drops: [
        { edition: 1, skipped: 2, rejected: 0 },
        { edition: 2, skipped: 0, rejected: 1 },
      ],
    });
    // The list metadata stays small: the drops are in the value only.
    expect((await listBatches(env.KV, id)).get(0)).toMatchObject({ dropped: true, sent: 97 });
    expect((await listBatches(env.KV, id)).get(0)!.drops).toBeUndefined();

    const { progress, editions } = await getRunProgress(env.KV, record);
    const inBatch = (edition: number, batch: number) => recipients.slice(batch * 100, (batch + 1) * 100).filter((r) => r.edition === edition).length;
    expect(editions).toEqual([
      { index: 0, readers: 50, sent: inBatch(0, 0), failed: 0, skipped: 0, pending: inBatch(0, 1) },
      { index: 1, readers: 50, sent: inBatch(1, 0) - 2, failed: 0, skipped: 2, pending: inBatch(1, 1) },
      { index: 2, readers: 50, sent: inBatch(2, 0) - 1, failed: 1, skipped: 0, pending: inBatch(2, 1) },
    ]);
    expect(progress.readers).toEqual({ readers: 150, sent: 97, failed: 1, skipped: 2, pending: 50 });
  });
});
