// Inbound mail rate limits (issue 11, item 2, and the help-reply race):
// per envelope sender, per domain, one mail per address per day, global caps.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { MAX_MAILS_PER_DOMAIN_PER_DAY, MAX_MAILS_PER_SENDER_PER_DAY, reserveInboundMail, type InboundLimitDeps } from "../../src/subscribers/inbound-limits";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";
import { INBOUND_TO as TO, inboundMessage } from "../support/inbound-mail";

const ENV = { ...env, INBOUND_MAX_MAILS_PER_HOUR: "1000", INBOUND_MAX_MAILS_PER_DAY: "1000" } as Env;

async function deliver(raw: string, envelopeFrom: string, bindings: Env = ENV) {
  const ctx = createExecutionContext();
  await worker.email(inboundMessage(raw, envelopeFrom).forwardable, bindings, ctx);
  await waitOnExecutionContext(ctx);
}

function mail(from: string, subject: string, verified = false) {
  const domain = from.split("@")[1]!;
  const auth = verified ? `Authentication-Results: mx.cloudflare.net; dmarc=pass header.from=${domain}\n` : "";
  return `${auth}From: <${from}>
To: ${TO}
Subject: ${subject}
Message-ID: <${crypto.randomUUID()}@example.test>
Content-Type: text/plain; charset=utf-8

${subject}
`;
}

const settle = drainSendQueue; // replies sent and the queue handled everything enqueued so far (tests/support/queue.ts)

describe("inbound mail through the handler", () => {
  it("twelve 'subscribe' mails from one envelope sender with twelve forged From: addresses send at most the per-sender daily limit", async () => {
    const domain = uniqueDomain("twelve");
    const envelope = `spammer@${uniqueDomain("spam")}`;
    for (let i = 0; i < 12; i++) await deliver(mail(`victim${i}@${domain}`, "subscribe"), envelope);
    await waitFor(async () => (await receivedEmails(domain)).length >= MAX_MAILS_PER_SENDER_PER_DAY);
    await settle();
    const emails = await receivedEmails(domain);
    expect(emails).toHaveLength(MAX_MAILS_PER_SENDER_PER_DAY);
    expect(new Set(emails.map((e) => e.to[0])).size).toBe(emails.length);
  });

  it("six parallel verified mails from one reader get exactly one help reply", async () => {
    const domain = uniqueDomain("parallel");
    const address = `reader@${domain}`;
    await Promise.all(Array.from({ length: 6 }, (_, i) => deliver(mail(address, `question ${i}`, true), `reader+${i}@${domain}`)));
    await waitFor(async () => (await receivedEmails(domain)).length > 0);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(1);
  });

  it("the global hourly cap stops replies from many senders at many domains", async () => {
    const domains = Array.from({ length: 4 }, () => uniqueDomain("cap"));
    // The cap counts this file's earlier mails too (one ledger per day), so it is set relative to them.
    // Unverified senders get half the caps: this leaves them room for exactly two more.
    const before = await sentTodayByInboundPath(false);
    const capped = { ...env, INBOUND_MAX_MAILS_PER_HOUR: String(2 * (before + 2)), INBOUND_MAX_MAILS_PER_DAY: "1000" } as Env;
    for (const domain of domains) await deliver(mail(`someone@${domain}`, "subscribe"), `someone@${domain}`, capped);
    await settle();
    const counts = await Promise.all(domains.map(async (domain) => (await receivedEmails(domain)).length));
    expect(counts).toEqual([1, 1, 0, 0]);

    // Forged mail has spent the unverified budget; a reader whose domain is vouched for still gets through.
    expect(await sentTodayByInboundPath(true)).toBeLessThan(2 * (before + 2));
    const reader = uniqueDomain("verified-reader");
    await deliver(mail(`reader@${reader}`, "subscribe", true), `reader@${reader}`, capped);
    await waitFor(async () => (await receivedEmails(reader)).length === 1, 15_000, "the verified reader's confirmation");
  });
});

async function sentTodayByInboundPath(verified: boolean): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  const entries = (await env.KV.get<{ verified?: boolean }[]>(`v1:inbound-ledger:${day}`, "json")) ?? [];
  return entries.filter((entry) => (entry.verified === true) === verified).length;
}

describe("the daily ledger", () => {
  // The real KV and the real Rate Limiting bindings; only the clock moves.
  function deps(now: Date, overrides: Partial<InboundLimitDeps> = {}): InboundLimitDeps {
    return {
      kv: env.KV,
      senderLimiter: env.INBOUND_SENDER_LIMITER,
      // A binding with room (5 a minute), so the ledger is what decides here.
      replyLimiter: env.INBOUND_SENDER_LIMITER,
      secret: "ledger-test-secret-0123456789",
      now: () => now,
      maxMailsPerHour: 1000,
      maxMailsPerDay: 1000,
      ...overrides,
    };
  }
  // A day far from today, so the handler tests above do not share its ledger.
  const start = new Date("2031-03-01T10:00:00Z");
  const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

  it("one mail per address per rolling 24 hours, across midnight", async () => {
    const request = { envelopeSender: "a@one.example", domains: ["one.example"], recipient: "a@one.example" };
    expect(await reserveInboundMail(deps(later(0)), request)).toEqual({ ok: true });
    expect(await reserveInboundMail(deps(later(5)), { ...request, recipient: "A@ONE.example" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/24 h/),
    });
    expect(await reserveInboundMail(deps(later(23 * 60)), { ...request, envelopeSender: "b@two.example" })).toMatchObject({ ok: false });
    expect(await reserveInboundMail(deps(later(24 * 60 + 1)), request)).toEqual({ ok: true });
  });

  it("per envelope sender and per domain per day", async () => {
    const day = new Date("2031-04-01T08:00:00Z");
    const at = (minutes: number) => deps(new Date(day.getTime() + minutes * 60_000));
    for (let i = 0; i < MAX_MAILS_PER_SENDER_PER_DAY; i++) {
      expect(await reserveInboundMail(at(i), { envelopeSender: "bulk@sender.example", domains: [`d${i}.example`], recipient: `r${i}@d${i}.example` })).toEqual({
        ok: true,
      });
    }
    expect(await reserveInboundMail(at(10), { envelopeSender: "bulk@sender.example", domains: ["new.example"], recipient: "x@new.example" })).toMatchObject({
      ok: false,
      reason: "envelope sender over its daily limit",
    });
    for (let i = 0; i < MAX_MAILS_PER_DOMAIN_PER_DAY; i++) {
      expect(
        await reserveInboundMail(at(20 + i), { envelopeSender: `s${i}@elsewhere${i}.example`, domains: ["target.example"], recipient: `v${i}@target.example` }),
      ).toEqual({ ok: true });
    }
    expect(
      await reserveInboundMail(at(40), { envelopeSender: "fresh@fresh.example", domains: ["target.example"], recipient: "last@target.example" }),
    ).toMatchObject({
      ok: false,
      reason: "domain over its daily limit",
    });
  });

  it("the global hourly and daily caps", async () => {
    const day = new Date("2031-05-01T08:00:00Z");
    const at = (minutes: number, caps: Partial<InboundLimitDeps> = {}) =>
      deps(new Date(day.getTime() + minutes * 60_000), { maxMailsPerHour: 2, maxMailsPerDay: 3, ...caps });
    const request = (i: number) => ({ envelopeSender: `s${i}@s${i}.example`, domains: [`s${i}.example`], recipient: `r${i}@s${i}.example`, verified: true });
    expect(await reserveInboundMail(at(0), request(1))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(1), request(2))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(2), request(3))).toMatchObject({ ok: false, reason: "global hourly cap reached (verified senders)" });
    expect(await reserveInboundMail(at(61), request(3))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(130), request(4))).toMatchObject({ ok: false, reason: "global daily cap reached (verified senders)" });
    expect(await reserveInboundMail(at(131, { maxMailsPerHour: 0 }), request(5))).toMatchObject({ ok: false, reason: expect.stringMatching(/switched off/) });
  });

  it("unverified senders have a budget of their own, half the caps, which verified senders never share", async () => {
    const day = new Date("2031-07-01T08:00:00Z");
    const at = (minutes: number) => deps(new Date(day.getTime() + minutes * 60_000), { maxMailsPerHour: 4, maxMailsPerDay: 100 });
    const request = (i: number, verified: boolean) => ({
      envelopeSender: `u${i}@u${i}.example`,
      domains: [`u${i}.example`],
      recipient: `u${i}@u${i}.example`,
      verified,
    });
    expect(await reserveInboundMail(at(0), request(1, false))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(1), request(2, false))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(2), request(3, false))).toMatchObject({ ok: false, reason: "global hourly cap reached (unverified senders)" });
    for (let i = 4; i < 8; i++) expect(await reserveInboundMail(at(i), request(i, true))).toEqual({ ok: true });
    expect(await reserveInboundMail(at(9), request(9, true))).toMatchObject({ ok: false, reason: "global hourly cap reached (verified senders)" });
  });

  it("keeps keyed hashes, never addresses", async () => {
    const stored = await env.KV.get("v1:inbound-ledger:2031-03-01");
    expect(stored).not.toBeNull();
    expect(stored).not.toContain("one.example");
  });
});
