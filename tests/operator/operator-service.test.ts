// The operator service, called directly as both fronts call it: erase,
// unsuppress, import (with its one upload cap) and the digest run's rule
// that only a manual run to the readers lifts a mail-quota pause.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createMailer } from "../../src/mail/create-mailer";
import { getQuotaPause, pauseForQuota } from "../../src/mail/quota-store";
import { createOperatorService, MAX_IMPORT_BYTES } from "../../src/operator/operator-service";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { seedSubscribers } from "../support/seed";
import { testConfig } from "../support/worker";
import { uniqueDomain } from "../support/servers";

function service() {
  const config = testConfig();
  return createOperatorService({
    config,
    kv: env.KV,
    queue: env.SEND_QUEUE,
    mailer: createMailer(config, env.KV),
    now: () => new Date(),
    fetch: (input, init) => fetch(input, init),
  });
}

/** A stream of `lines`, then `bytes` more bytes of one long line, in 1 MB chunks. */
function csvStream(lines: string, bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(1024 * 1024).fill(0x78); // "x"
  let left = bytes;
  let head = true;
  return new ReadableStream({
    pull(controller) {
      if (head) {
        controller.enqueue(new TextEncoder().encode(lines));
        head = false;
      } else if (left > 0) {
        controller.enqueue(chunk.subarray(0, Math.min(chunk.length, left)));
        left -= chunk.length;
      } else controller.close();
    },
  });
}

describe("erase", () => {
  it("removes the record, says whether there was one, and refuses a malformed address", async () => {
    const [address] = await seedSubscribers(uniqueDomain("erase"), 1);
    const ops = service();
    expect(await ops.erase(address)).toEqual({ ok: true, address, erased: true });
    expect(await getSubscriber(env.KV, await subscriberIdFor(address!))).toBeNull();
    expect(await ops.erase(address)).toEqual({ ok: true, address, erased: false });
    expect(await ops.erase("not an address")).toMatchObject({ ok: false, message: expect.any(String) });
  });
});

describe("unsuppress", () => {
  it("lifts a suppression once, then reports there is none; an unknown address is unknown", async () => {
    const [address] = await seedSubscribers(uniqueDomain("unsuppress"), 1, "suppressed");
    const ops = service();
    expect(await ops.unsuppress(address!)).toBe("cleared");
    expect((await getSubscriber(env.KV, await subscriberIdFor(address!)))?.status).toBe("unsubscribed");
    expect(await ops.unsuppress(address!)).toBe("not-suppressed");
    expect(await ops.unsuppress(`nobody@${uniqueDomain("unknown")}`)).toBe("unknown");
  });
});

describe("import", () => {
  it("starts a job from a JSON array or a CSV stream, and its progress is readable", async () => {
    const domain = uniqueDomain("import");
    const ops = service();
    const fromJson = await ops.importSubscribers({ json: JSON.stringify([`a@${domain}`, `b@${domain}`]) }, false);
    if (!fromJson.ok) throw new Error(`import refused: ${fromJson.message}`);
    expect(fromJson.job.valid).toBe(2);
    expect(await ops.getImport(fromJson.job.id)).toMatchObject({ id: fromJson.job.id, chunks: 1 });
    const fromCsv = await ops.importSubscribers({ csv: csvStream(`email\nc@${domain}\n`, 0) }, false);
    expect(fromCsv).toMatchObject({ ok: true, job: { valid: 1 } });
  });

  it("a malformed upload is a format refusal", async () => {
    const ops = service();
    expect(await ops.importSubscribers({ json: "{" }, false)).toMatchObject({ ok: false, reason: "format" });
  });

  it("one cap for both fronts: over MAX_IMPORT_BYTES, a CSV stream and a JSON text are refused as too large", async () => {
    const ops = service();
    const csv = await ops.importSubscribers({ csv: csvStream("email\n", MAX_IMPORT_BYTES + 1) }, false);
    expect(csv).toEqual({ ok: false, reason: "too-large", message: "the upload is over 20 MB; split it" });
    const json = await ops.importSubscribers({ json: `["${"x".repeat(MAX_IMPORT_BYTES)}"]` }, false);
    expect(json).toMatchObject({ ok: false, reason: "too-large" });
  });
});

describe("digest runs and the quota pause", () => {
  it("a dry run and a test send leave the pause; a run to the readers lifts it and says so", async () => {
    const ops = service();
    await pauseForQuota(env.KV, new Date(), "daily quota reached");
    const dry = await ops.runDigest({ dryRun: true });
    expect(dry.liftedPause).toBeNull();
    expect(await getQuotaPause(env.KV, new Date())).not.toBeNull();
    const test = await ops.runDigest({ to: `operator@${uniqueDomain("test-send")}` });
    expect(test.liftedPause).toBeNull();
    expect(await getQuotaPause(env.KV, new Date())).not.toBeNull();
    const run = await ops.sendNow("daily");
    expect(run.liftedPause).toMatchObject({ reason: "daily quota reached" });
    expect(await getQuotaPause(env.KV, new Date())).toBeNull();
  });
});
