// Issue 20, item 7: an inbound "unsubscribe" does the same work on the
// answer path for a current reader as for an unknown address; the lookup,
// the budget, the render and the send happen after the answer.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";
import { INBOUND_TO as TO, inboundMessage } from "../support/inbound-mail";

/** The real KV, with every operation noted as "method prefix" (the key cut after its second colon). */
function recordingKv(log: string[]): KVNamespace {
  const kv = env.KV;
  const note = (method: string, key: string | string[]) => {
    for (const k of Array.isArray(key) ? key : [key]) log.push(`${method} ${k.split(":").slice(0, 2).join(":")}`);
  };
  const wrapped = {
    get: (key: string | string[], options?: unknown) => (note("get", key), kv.get(key as string, options as "text")),
    getWithMetadata: (key: string | string[], options?: unknown) => (note("getWithMetadata", key), kv.getWithMetadata(key as string, options as "text")),
    put: (key: string, value: string, options?: KVNamespacePutOptions) => (note("put", key), kv.put(key, value, options)),
    delete: (key: string) => (note("delete", key), kv.delete(key)),
    list: (options?: KVNamespaceListOptions) => (note("list", options?.prefix ?? ""), kv.list(options)),
  };
  return wrapped as unknown as KVNamespace;
}

function unsubscribeMail(from: string) {
  return `From: <${from}>\nTo: ${TO}\nSubject: unsubscribe\nMessage-ID: <${crypto.randomUUID()}@example.test>\nContent-Type: text/plain; charset=utf-8\n\nunsubscribe\n`;
}

/** Delivers one message; the KV operations made before the answer, and after it. */
async function deliver(from: string) {
  const beforeAnswer: string[] = [];
  const log: string[] = [];
  const ctx = createExecutionContext();
  const bindings = { ...env, KV: recordingKv(log), INBOUND_MAX_MAILS_PER_HOUR: "1000", INBOUND_MAX_MAILS_PER_DAY: "1000" } as Env;
  await worker.email(inboundMessage(unsubscribeMail(from), from).forwardable, bindings, ctx);
  beforeAnswer.push(...log);
  await waitOnExecutionContext(ctx);
  return { beforeAnswer, afterAnswer: log.slice(beforeAnswer.length) };
}

describe("inbound unsubscribe answer path", () => {
  it("is the same for a current reader, a pending one and an unknown address; the reader's link goes out after the answer", async () => {
    const readerDomain = uniqueDomain("timing-reader");
    const [reader] = await seedSubscribers(readerDomain, 1, "confirmed");
    const pendingDomain = uniqueDomain("timing-pending");
    const [pending] = await seedSubscribers(pendingDomain, 1, "unconfirmed");
    const unknownDomain = uniqueDomain("timing-unknown");

    const known = await deliver(reader!);
    const waiting = await deliver(pending!);
    const unknown = await deliver(`nobody@${unknownDomain}`);

    expect(known.beforeAnswer).toEqual(unknown.beforeAnswer);
    expect(waiting.beforeAnswer).toEqual(unknown.beforeAnswer);
    for (const op of known.beforeAnswer) expect(op).not.toMatch(/v1:sub|v1:stop|v1:inbound-ledger/);
    // The difference is all after the answer: the reader's record and the ledger.
    expect(known.afterAnswer).toEqual(expect.arrayContaining(["get v1:sub", "put v1:inbound-ledger"]));
    expect(unknown.afterAnswer).not.toContain("put v1:inbound-ledger");

    await waitFor(async () => (await receivedEmails(readerDomain)).length === 1, 15_000, "the reader's unsubscribe link");
    await waitFor(async () => (await receivedEmails(pendingDomain)).length === 1, 15_000, "the pending reader's unsubscribe link");
    await drainSendQueue();
    expect(await receivedEmails(unknownDomain)).toHaveLength(0);
  });
});
