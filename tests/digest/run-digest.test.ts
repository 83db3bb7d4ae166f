// The run's resume path writes the cadence's state when it meets its digest
// and the state does not point at it (src/digest/run-digest.ts,
// resumeExisting). The state is written before the record, so a run's own
// crash never needs this; what does is a run that read the state before the
// digest existed and writes its stale copy back afterwards (KV has no
// compare-and-set): here a run that found nothing new because it listed the
// releases before they were ingested. The next same-day run meets the
// digest again and repairs the state; without that, the next day would
// select the same releases under a new id and mail every reader twice.
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { getDigest, getDigestState } from "../../src/digest/digest-store";
import { runDigest } from "../../src/digest/run-digest";
import worker from "../../src/index";
import type { SendQueue } from "../../src/queue-messages";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { ADMIN_AUTH, testConfig } from "../support/worker";
import { drainSendQueue } from "../support/queue";
import { natoDate, rss } from "../support/feeds";
import { receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { seedReaders } from "../support/seed";
import { waitFor } from "../support/kv";

const HOUR = 3_600_000;

async function ingest(feedUrl: string) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request("https://digest.example.test/admin/ingest", { method: "POST", headers: ADMIN_AUTH }),
    { ...env, FEED_URLS: feedUrl } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(response.status).toBe(200);
}

/** env.KV whose writes of the daily state wait for `gate`; `reached` resolves when one is waiting. */
function gatedStateKv(gate: Promise<void>) {
  let signal!: () => void;
  const reached = new Promise<void>((resolve) => (signal = resolve));
  const kv = new Proxy(env.KV, {
    get(target, property) {
      if (property === "put") {
        return async (key: string, ...rest: unknown[]) => {
          if (key === "v1:state:digest") {
            signal();
            await gate;
          }
          return (target.put as (...args: unknown[]) => Promise<void>)(key, ...rest);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv, reached };
}

it("a stale state written back by a concurrent run after the digest was created: the next same-day run repairs it, and the next day mails nobody twice", async () => {
  const domain = uniqueDomain("stale-state");
  const feedUrl = await serveFeed(`/${uniqueName("stale")}/news.xml`, {
    body: rss(
      ["Once only", "Twice never"].map((title, i) => ({
        title,
        link: `https://www.nato.int/stale/news_${i}.htm`,
        description: `Summary ${i}`,
        pubDate: natoDate(new Date(Date.now() - (2 + i) * HOUR)),
      })),
    ),
  });
  const readers = await seedReaders(domain, "r", 12, null);
  const config = testConfig({ FEED_URLS: feedUrl });
  const deps = {
    kv: env.KV,
    queue: env.SEND_QUEUE as SendQueue,
    publicUrl: config.publicUrl,
    maxAgeDays: config.maxAgeDays,
    feeds: config,
    now: () => new Date(),
  };

  // The slow run: reads the state and lists the releases before they are ingested; its "skipped" write waits.
  let open!: () => void;
  const gated = gatedStateKv(new Promise<void>((resolve) => (open = resolve)));
  const slow = runDigest({ ...deps, kv: gated.kv });
  await gated.reached;

  // Meanwhile the releases arrive and another run creates and sends the digest.
  await ingest(feedUrl);
  const created = await runDigest(deps);
  expect(created).toMatchObject({ recipients: 12, batchesEnqueued: 1 });
  const id = created.digestId!;
  expect((await getDigestState(env.KV)).lastDigestId).toBe(id);

  // The slow run now writes what it read: a state that knows nothing of the digest.
  open();
  expect((await slow).skipped).toBe("nothing new since the last digest");
  expect((await getDigestState(env.KV)).lastDigestId).toBeNull();
  await waitFor(async () => ((await getDigest(env.KV, id))?.status === "sent" ? true : null), 60_000, `digest ${id} sent`);

  // A same-day run (a retried cron) selects the same releases, meets the digest, and repairs the state.
  const again = await runDigest(deps);
  expect(again.digestId).toBe(id);
  expect(again.batchesEnqueued).toBe(0);
  expect((await getDigestState(env.KV)).lastDigestId).toBe(id);

  // The next day: nothing new, no second digest.
  const tomorrow = await runDigest({ ...deps, now: () => new Date(Date.now() + 24 * HOUR) });
  expect(tomorrow.digestId).toBeNull();
  expect(tomorrow.skipped).toBe("nothing new since the last digest");
  await drainSendQueue();
  const received = await receivedEmails(domain);
  expect(received).toHaveLength(12);
  expect(new Set(received.map((e) => e.to[0]))).toEqual(new Set(readers));
});
