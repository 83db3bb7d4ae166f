// The send queue's own signal that it has done what was enqueued, instead of
// a sleep.
import { env } from "cloudflare:test";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { receivedEmails, uniqueDomain, waitFor } from "../../bench/shared/local-servers";
import { seedSubscribers } from "./seed";

/**
 * The explicit signal that the send queue has done everything enqueued so
 * far: enqueues a confirmation email to a sentinel reader of its own and
 * waits until the Resend server has it. The queue's consumer takes messages
 * in order, one batch at a time (max_concurrency = 1), so once the sentinel
 * is sent, every message enqueued before it has been handled (only a
 * message the consumer chose to retry later can still be pending). Use it to
 * show that nothing was sent, instead of sleeping. Bounded: fails after
 * `timeoutMs` naming the sentinel that never arrived.
 */
export async function drainSendQueue(timeoutMs = 30_000): Promise<void> {
  const domain = uniqueDomain("sentinel");
  const [address] = await seedSubscribers(domain, 1, "unconfirmed", "sentinel");
  await env.SEND_QUEUE.send({ kind: "confirmation", subscriberId: await subscriberIdFor(address!), requestedAt: new Date().toISOString() });
  await waitFor(async () => (await receivedEmails(domain)).length > 0, timeoutMs, `the send queue to deliver its sentinel confirmation to ${address}`);
}
