import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OutgoingEmail } from "../../src/mail/mailer";
import { createOutboxMailer, getOutboxMessage, listOutbox } from "../../src/mail/outbox-mailer";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { receivedEmails, resendServerUrl, resendStats, setResendRules, uniqueDomain } from "../helpers";

function batch(domain: string, count: number, start = 0): OutgoingEmail[] {
  return Array.from({ length: count }, (_, i) => ({
    from: "NATO Digest <digest@example.test>",
    to: `reader${start + i}@${domain}`,
    subject: "NATO digest: test",
    html: `<p>Hello ${start + i}</p>`,
    text: `Hello ${start + i}`,
    headers: { "List-Unsubscribe": `<https://digest.example.test/unsubscribe?token=t${start + i}>` },
    tags: [{ name: "kind", value: "test" }],
  }));
}

function mailer(overrides: Partial<Parameters<typeof createResendMailer>[0]> = {}) {
  return createResendMailer({ apiKey: "re_test_key", baseUrl: resendServerUrl(), requestsPerSecond: 50, ...overrides });
}

describe("Resend mailer against the local Resend-compatible server", () => {
  it("sends 100 emails in one batch call with the caller's idempotency key", async () => {
    const domain = uniqueDomain("batch");
    const result = await mailer().sendBatch(batch(domain, 100), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("sent");
    if (result.status !== "sent") return;
    expect(result.ids.filter(Boolean)).toHaveLength(100);
    const received = await receivedEmails(domain);
    expect(received).toHaveLength(100);
    expect(received[0]).toMatchObject({ idempotencyKey: `k-${domain}`, text: "Hello 0", tags: [{ name: "kind", value: "test" }] });
    expect(received[0]!.headers!["List-Unsubscribe"]).toContain("token=t0");
    expect((await resendStats(domain)).requests).toBe(1);
  });

  it("refuses more than 100 emails per batch before calling Resend", async () => {
    const domain = uniqueDomain("toomany");
    await expect(mailer().sendBatch(batch(domain, 101), { idempotencyKey: "x" })).rejects.toThrow(/at most 100/);
    expect((await resendStats(domain)).requests).toBe(0);
  });

  it("replays an idempotent retry instead of sending twice, and reports a changed body as already sent", async () => {
    const domain = uniqueDomain("idem");
    const emails = batch(domain, 3);
    const first = await mailer().sendBatch(emails, { idempotencyKey: `k-${domain}` });
    const again = await mailer().sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(again).toEqual(first);
    const changed = await mailer().sendBatch(batch(domain, 2), { idempotencyKey: `k-${domain}` });
    expect(changed.status).toBe("already-sent");
    expect(await receivedEmails(domain)).toHaveLength(3);
  });

  it("paces to the server's rate limit: a 429 storm still delivers every batch exactly once", async () => {
    const domain = uniqueDomain("storm");
    await setResendRules(domain, { requestsPerSecond: 2 });
    const m = mailer({ requestsPerSecond: 50 });
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      const result = await m.sendBatch(batch(domain, 10, i * 10), { idempotencyKey: `k-${domain}-${i}` });
      expect(result.status).toBe("sent");
    }
    const received = await receivedEmails(domain);
    expect(received).toHaveLength(60);
    expect(new Set(received.map((e) => e.to[0])).size).toBe(60);
    // Six calls at 2/s need at least two full seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // After the first 429 the mailer learns the limit from the headers.
    expect((await resendStats(domain)).rejectedRequests).toBeLessThanOrEqual(2);
  });

  it("retries 5xx with backoff and sends once", async () => {
    const domain = uniqueDomain("5xx");
    await setResendRules(domain, { failNext: 2 });
    const result = await mailer().sendBatch(batch(domain, 5), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("sent");
    expect(await receivedEmails(domain)).toHaveLength(5);
    expect((await resendStats(domain)).requests).toBe(3);
  });

  it("hands back 'retry' when faults outlast its attempts", async () => {
    const domain = uniqueDomain("5xx-long");
    await setResendRules(domain, { failNext: 10 });
    const result = await mailer({ maxAttempts: 2 }).sendBatch(batch(domain, 1), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("retry");
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("a timed-out request that did go through is not sent again on retry", async () => {
    const domain = uniqueDomain("timeout");
    await setResendRules(domain, { delayNext: 1, delayMs: 1500 });
    const result = await mailer({ timeoutMs: 300 }).sendBatch(batch(domain, 4), { idempotencyKey: `k-${domain}` });
    // Whichever attempt wins, the server saw one set of emails.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    if (result.status === "retry") {
      const second = await mailer().sendBatch(batch(domain, 4), { idempotencyKey: `k-${domain}` });
      expect(second.status).toBe("sent");
    } else {
      expect(result.status).toBe("sent");
    }
    expect(await receivedEmails(domain)).toHaveLength(4);
  });

  it("stops cleanly on a quota error", async () => {
    const domain = uniqueDomain("quota");
    await setResendRules(domain, { quotaRemaining: 150 });
    const m = mailer();
    expect((await m.sendBatch(batch(domain, 100), { idempotencyKey: `k1-${domain}` })).status).toBe("sent");
    const second = await m.sendBatch(batch(domain, 100, 100), { idempotencyKey: `k2-${domain}` });
    expect(second.status).toBe("quota");
    expect((await resendStats(domain)).requests).toBe(2); // no retries on quota
  });

  it("permissive validation: one bad address does not sink the batch", async () => {
    const domain = uniqueDomain("permissive");
    const emails = batch(domain, 3);
    emails[1] = { ...emails[1]!, to: `not-an-address@${domain}@@` };
    const result = await mailer().sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("sent");
    if (result.status !== "sent") return;
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
    expect(result.ids[1]).toBeNull();
    expect(result.ids[0]).toBeTruthy();
    expect(await receivedEmails(domain)).toHaveLength(2);
  });

  it("a wrong API key is rejected without retries", async () => {
    const domain = uniqueDomain("badkey");
    const result = await mailer({ apiKey: "not-a-resend-key" }).sendBatch(batch(domain, 1), { idempotencyKey: "k" });
    expect(result).toMatchObject({ status: "rejected" });
    expect((result as { message: string }).message).toMatch(/403 invalid_api_key/);
  });
});

describe("outbox mailer", () => {
  it("keeps mails in KV, lists newest first, and honours idempotency keys", async () => {
    let clock = new Date("2026-01-01T10:00:00Z");
    const outbox = createOutboxMailer(env.KV, () => clock);
    const first = await outbox.sendBatch(batch("outbox.test", 2), { idempotencyKey: "a" });
    clock = new Date("2026-01-01T11:00:00Z");
    await outbox.sendBatch(batch("outbox.test", 1, 5), { idempotencyKey: "b" });
    expect(await outbox.sendBatch(batch("outbox.test", 2), { idempotencyKey: "a" })).toEqual(first);
    expect((await outbox.sendBatch(batch("outbox.test", 1), { idempotencyKey: "a" })).status).toBe("already-sent");
    const listed = await listOutbox(env.KV);
    expect(listed.map((m) => m.to)).toEqual(["reader5@outbox.test", "reader0@outbox.test", "reader1@outbox.test"]);
    const message = await getOutboxMessage(env.KV, listed[0]!.id);
    expect(message).toMatchObject({ text: "Hello 5", subject: "NATO digest: test" });
    expect(await getOutboxMessage(env.KV, "../../etc")).toBeNull();
  });
});
