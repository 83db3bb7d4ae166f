import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OutgoingEmail } from "../../src/mail/mailer";
import { createOutboxMailer, getOutboxMessage, listOutbox } from "../../src/mail/outbox-mailer";
import { escapeParts, resendEmailChunks } from "../../src/mail/resend-json";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { testConfig } from "../support/worker";
import { advanceResendClock, newResendTeam, receivedEmails, resendServerUrl, resendStats, setResendRules, uniqueDomain } from "../support/servers";

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

/** The email with its prebuilt Resend JSON, as the digest's send path gives it. */
function prebuilt(email: OutgoingEmail): OutgoingEmail {
  // One part each, so no glue is placed.
  const escaped = escapeParts({ subject: email.subject, htmlParts: [email.html], textParts: [email.text] });
  return { ...email, resendJson: resendEmailChunks(email, escaped, "") };
}

// Every behaviour twice: through the SDK's serialisation, and with bodies
// prebuilt (the digest's path), which bypasses it but shares the rest.
describe.each([
  { path: "the SDK", prebuild: false },
  { path: "prebuilt JSON bodies", prebuild: true },
])("Resend mailer against the local Resend-compatible server, through $path", ({ prebuild }) => {
  // Each mailer gets a Resend team of its own (limit 100/s unless a test sets
  // another), so no test inherits another's rate limit or idempotency keys.
  async function mailer(overrides: Partial<Parameters<typeof createResendMailer>[0]> = {}) {
    const real = createResendMailer({ apiKey: await newResendTeam(), baseUrl: resendServerUrl(), requestsPerSecond: 50, ...overrides });
    if (!prebuild) return real;
    return { ...real, sendBatch: (emails: OutgoingEmail[], options: { idempotencyKey: string }) => real.sendBatch(emails.map(prebuilt), options) };
  }

  it("sends 100 emails in one batch call with the caller's idempotency key", async () => {
    const domain = uniqueDomain("batch");
    const result = await (await mailer()).sendBatch(batch(domain, 100), { idempotencyKey: `k-${domain}` });
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
    await expect((await mailer()).sendBatch(batch(domain, 101), { idempotencyKey: "x" })).rejects.toThrow(/at most 100/);
    expect((await resendStats(domain)).requests).toBe(0);
  });

  it("replays an idempotent retry instead of sending twice, and reports a changed body as already sent", async () => {
    const domain = uniqueDomain("idem");
    const emails = batch(domain, 3);
    const m = await mailer();
    const first = await m.sendBatch(emails, { idempotencyKey: `k-${domain}` });
    const again = await m.sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(again).toEqual(first);
    const changed = await m.sendBatch(batch(domain, 2), { idempotencyKey: `k-${domain}` });
    expect(changed.status).toBe("already-sent");
    expect(await receivedEmails(domain)).toHaveLength(3);
    expect(await resendStats(domain)).toMatchObject({ acceptedRequests: 1, replayedRequests: 1 });
  });

  it("Resend forgets an idempotency key after 24 hours: the same call then sends again", async () => {
    const domain = uniqueDomain("idem-expiry");
    const apiKey = await newResendTeam();
    const m = createResendMailer({ apiKey, baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const emails = batch(domain, 2);
    await m.sendBatch(emails, { idempotencyKey: `k-${domain}` });
    await advanceResendClock(apiKey, 24 * 3_600_000 - 60_000);
    await m.sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(await receivedEmails(domain)).toHaveLength(2); // 23 h 59 min: replayed
    await advanceResendClock(apiKey, 60_000);
    await m.sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(await receivedEmails(domain)).toHaveLength(4); // 24 h: a new send
    expect(await resendStats(domain)).toMatchObject({ acceptedRequests: 2, replayedRequests: 1 });
  });

  it("idempotency keys belong to one team: another team's identical key is its own send", async () => {
    const domain = uniqueDomain("idem-team");
    await (await mailer()).sendBatch(batch(domain, 1), { idempotencyKey: `k-${domain}` });
    await (await mailer()).sendBatch(batch(domain, 1), { idempotencyKey: `k-${domain}` });
    expect(await resendStats(domain)).toMatchObject({ acceptedRequests: 2, replayedRequests: 0 });
  });

  it("learns the team's rate limit from the ratelimit-* headers: calls spaced by the limit, hardly a 429", async () => {
    const domain = uniqueDomain("storm");
    // The team allows 2 requests/s; the mailer is configured for 50/s.
    const m = createResendMailer({ apiKey: await newResendTeam({ requestsPerSecond: 2 }), baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    for (let i = 0; i < 8; i++) {
      const result = await m.sendBatch(batch(domain, 10, i * 10), { idempotencyKey: `k-${domain}-${i}` });
      expect(result.status).toBe("sent");
    }
    const received = await receivedEmails(domain);
    expect(received).toHaveLength(80);
    expect(new Set(received.map((e) => e.to[0])).size).toBe(80);
    const stats = await resendStats(domain);
    expect(stats.acceptedRequests).toBe(8);
    // The first answer already carries `ratelimit-limit: 2`: every later call
    // leaves ≥ 525 ms after the one before. (At most one 429, for network
    // jitter at a window's edge; without the headers, 50/s meets a 429 every
    // third call: at least three here.)
    expect(stats.rejectedRequests).toBeLessThanOrEqual(1);
    const times = stats.requestTimes;
    expect((times.at(-1)! - times[0]!) / (times.length - 1)).toBeGreaterThanOrEqual(450);
  });

  it("the server really limits: a team limited to 2/s answers 429 to a burst, with headers on every answer", async () => {
    const apiKey = await newResendTeam({ requestsPerSecond: 2 });
    const domain = uniqueDomain("raw");
    const answers = await Promise.all(
      [0, 1, 2].map((i) =>
        fetch(`${resendServerUrl()}/emails`, {
          method: "POST",
          headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({ from: "a@example.test", to: [`r${i}@${domain}`], subject: "s", text: "t" }),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    for (const answer of answers) {
      expect(answer.headers.get("ratelimit-limit")).toBe("2");
      expect(answer.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);
      expect(answer.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
    }
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { name: string }).name).toBe("rate_limit_exceeded");
  });

  it("Resend's default of 2 requests/s per team, and RESEND_RATE_LIMIT's default of 2: five calls, all sent at that pace", async () => {
    // A team with no settings has Resend's default limit.
    const domain = uniqueDomain("default-rate");
    const apiKey = await newResendTeam(null);
    const m = createResendMailer({ apiKey, baseUrl: resendServerUrl(), requestsPerSecond: testConfig({ RESEND_RATE_LIMIT: "" }).resendRequestsPerSecond });
    for (let i = 0; i < 5; i++) expect((await m.sendBatch(batch(domain, 1, i), { idempotencyKey: `k-${domain}-${i}` })).status).toBe("sent");
    const stats = await resendStats(domain);
    expect(stats.rejectedRequests).toBeLessThanOrEqual(1); // one at most, for network jitter at a window's edge
    expect(stats.acceptedRequests).toBe(5);
    expect(stats.requestTimes.at(-1)! - stats.requestTimes[0]!).toBeGreaterThanOrEqual(1800); // 4 intervals of ≥ 1/2 s, less jitter
    const probe = await fetch(`${resendServerUrl()}/emails`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ from: "a@example.test", to: [`probe@${domain}`], subject: "s", text: "t" }),
    });
    expect(probe.headers.get("ratelimit-limit")).toBe("2");
  });

  it("a validation error is 400 validation_error, as Resend documents", async () => {
    const apiKey = await newResendTeam();
    const answer = await fetch(`${resendServerUrl()}/emails/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify([{ from: "a@example.test", to: ["not an address"], subject: "s", text: "t" }]),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { name: string }).name).toBe("validation_error");
    expect(answer.headers.get("ratelimit-limit")).toBe("100");
  });

  it("retries 5xx with backoff and sends once", async () => {
    const domain = uniqueDomain("5xx");
    await setResendRules(domain, { failNext: 2 });
    const result = await (await mailer()).sendBatch(batch(domain, 5), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("sent");
    expect(await receivedEmails(domain)).toHaveLength(5);
    expect((await resendStats(domain)).requests).toBe(3);
  });

  it("hands back 'retry' when faults outlast its attempts", async () => {
    const domain = uniqueDomain("5xx-long");
    await setResendRules(domain, { failNext: 10 });
    const result = await (await mailer({ maxAttempts: 2 })).sendBatch(batch(domain, 1), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("retry");
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("gives up on a call with no answer after timeoutMs (RESEND_TIMEOUT_MS) and hands back 'retry'", async () => {
    const domain = uniqueDomain("timeout");
    await setResendRules(domain, { delayNext: 1, delayMs: 3000 });
    const m = await mailer({ timeoutMs: 300, maxAttempts: 1 });
    const started = Date.now();
    const result = await m.sendBatch(batch(domain, 4), { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("retry");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a timed-out request that did go through is not sent again on retry", async () => {
    const domain = uniqueDomain("timeout-twice");
    await setResendRules(domain, { delayNext: 1, delayMs: 1500 });
    const m = await mailer({ timeoutMs: 300 });
    // The first attempt times out while the server still holds it (retries
    // meanwhile get 409 "in flight"); once it went through, a retry is
    // answered from the idempotency store.
    const result = await m.sendBatch(batch(domain, 4), { idempotencyKey: `k-${domain}` });
    const final = result.status === "retry" ? await m.sendBatch(batch(domain, 4), { idempotencyKey: `k-${domain}` }) : result;
    expect(final.status).toBe("sent");
    expect(await receivedEmails(domain)).toHaveLength(4);
    expect((await resendStats(domain)).acceptedRequests).toBe(1);
  });

  it("stops cleanly on a quota error", async () => {
    const domain = uniqueDomain("quota");
    await setResendRules(domain, { quotaRemaining: 150 });
    const m = await mailer();
    expect((await m.sendBatch(batch(domain, 100), { idempotencyKey: `k1-${domain}` })).status).toBe("sent");
    const second = await m.sendBatch(batch(domain, 100, 100), { idempotencyKey: `k2-${domain}` });
    expect(second.status).toBe("quota");
    expect((await resendStats(domain)).requests).toBe(2); // no retries on quota
  });

  it("a team's daily and monthly quotas: daily_quota_exceeded and monthly_quota_exceeded both stop at once", async () => {
    const domain = uniqueDomain("team-quota");
    const apiKey = await newResendTeam({ requestsPerSecond: 100, dailyQuota: 3, monthlyQuota: 5 });
    const m = createResendMailer({ apiKey, baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    expect((await m.sendBatch(batch(domain, 3), { idempotencyKey: `a-${domain}` })).status).toBe("sent");
    const daily = await m.sendBatch(batch(domain, 1, 3), { idempotencyKey: `b-${domain}` });
    expect(daily).toMatchObject({ status: "quota", message: expect.stringMatching(/429 daily_quota_exceeded/) });
    await advanceResendClock(apiKey, 24 * 3_600_000); // the next UTC day
    expect((await m.sendBatch(batch(domain, 2, 3), { idempotencyKey: `b-${domain}` })).status).toBe("sent");
    const monthly = await m.sendBatch(batch(domain, 1, 5), { idempotencyKey: `c-${domain}` });
    expect(monthly).toMatchObject({ status: "quota", message: expect.stringMatching(/429 monthly_quota_exceeded/) });
    expect(await receivedEmails(domain)).toHaveLength(5);
    expect((await resendStats(domain)).requests).toBe(4); // no retries on either quota
  });

  it("permissive validation: one bad address does not sink the batch", async () => {
    const domain = uniqueDomain("permissive");
    const emails = batch(domain, 3);
    emails[1] = { ...emails[1]!, to: `not-an-address@${domain}@@` };
    const result = await (await mailer()).sendBatch(emails, { idempotencyKey: `k-${domain}` });
    expect(result.status).toBe("sent");
    if (result.status !== "sent") return;
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
    expect(result.ids[1]).toBeNull();
    expect(result.ids[0]).toBeTruthy();
    expect(await receivedEmails(domain)).toHaveLength(2);
  });

  it("a wrong API key is rejected without retries", async () => {
    const domain = uniqueDomain("badkey");
    const result = await (await mailer({ apiKey: "not-a-resend-key" })).sendBatch(batch(domain, 1), { idempotencyKey: "k" });
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
