// POST /subscribe answers new and known addresses alike (issue 11, item 9):
// the lookup, the write and the queue send run after the answer.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { getSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { randomIp } from "../../support/worker";
import { receivedEmails, uniqueDomain } from "../../support/servers";
import { seedSubscribers } from "../../support/seed";
import { waitFor } from "../../support/kv";

/**
 * The real KV and queue, but every call waits until the gate opens; calls are
 * counted. The global sign-up ledger (issue 20) is read before the answer, the
 * same read for every address, so it passes: everything about the address stalls.
 */
function gatedBindings() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const calls = { kv: 0, queue: 0 };
  const kv = new Proxy(env.KV, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const keys = Array.isArray(args[0]) ? (args[0] as unknown[]) : [args[0]];
        const isLedger = keys.every((key) => typeof key === "string" && key.startsWith("v1:signup-ledger:"));
        if (!isLedger) {
          calls.kv++;
          await gate;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const queue = {
    send: async (...args: Parameters<Env["SEND_QUEUE"]["send"]>) => {
      calls.queue++;
      await gate;
      return env.SEND_QUEUE.send(...args);
    },
    sendBatch: async (...args: Parameters<Env["SEND_QUEUE"]["sendBatch"]>) => {
      calls.queue++;
      await gate;
      return env.SEND_QUEUE.sendBatch(...args);
    },
  };
  return { bindings: { ...env, KV: kv, SEND_QUEUE: queue } as unknown as Env, open, calls };
}

async function signUp(email: string) {
  const { bindings, open, calls } = gatedBindings();
  const ctx = createExecutionContext();
  const request = new Request("https://digest.example.test/subscribe", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
    body: JSON.stringify({ email }),
  });
  // With KV and the queue stalled, the answer must still arrive.
  const response = await worker.fetch(request, bindings, ctx);
  const answer = { status: response.status, body: await response.text(), headers: [...response.headers].filter(([name]) => name !== "date") };
  open();
  await waitOnExecutionContext(ctx);
  return { answer, calls };
}

describe("POST /subscribe timing", () => {
  it("answers a new address before any KV or queue call completes, then does the work", async () => {
    const domain = uniqueDomain("timing-new");
    const { answer, calls } = await signUp(`new@${domain}`);
    expect(answer.status).toBe(202);
    expect(calls.kv).toBeGreaterThan(0);
    expect(calls.queue).toBe(1);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`new@${domain}`))).toMatchObject({ status: "unconfirmed" });
    await waitFor(async () => (await receivedEmails(domain)).length === 1);
  });

  it("a confirmed address gets the very same answer, also without waiting for KV", async () => {
    const domain = uniqueDomain("timing-known");
    const [known] = await seedSubscribers(domain, 1, "confirmed");
    const knownRun = await signUp(known!);
    const newRun = await signUp(`someone-else@${uniqueDomain("timing-other")}`);
    expect(knownRun.answer).toEqual(newRun.answer);
    expect(knownRun.calls.queue).toBe(0);
  });
});
