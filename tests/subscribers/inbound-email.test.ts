import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { parseCommand } from "../../src/subscribers/inbound-email";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";
import { INBOUND_TO as TO, inboundMessage } from "../support/inbound-mail";

// High global caps: every test in this file shares one day's inbound ledger in KV.
const ENV = { ...env, INBOUND_MAX_MAILS_PER_HOUR: "1000", INBOUND_MAX_MAILS_PER_DAY: "1000" } as Env;

async function deliver(raw: string, envelopeFrom: string, rawSize?: number) {
  const { forwardable, rejections } = inboundMessage(raw, envelopeFrom, rawSize);
  // Waits for the work done after the answer too (an unsubscribe).
  const ctx = createExecutionContext();
  await worker.email(forwardable, ENV, ctx);
  await waitOnExecutionContext(ctx);
  return rejections;
}

/** What Cloudflare Email Routing stamps on top of a message whose sender's domain passed DMARC. */
function verified(address: string): string {
  const domain = address.split("@")[1]!;
  return `Authentication-Results: mx.cloudflare.net;
 dkim=pass header.d=${domain} header.s=sel header.b=AbCdEf12;
 dmarc=pass header.from=${domain} policy.dmarc=reject;
 spf=pass (mx.cloudflare.net: domain of ${address} designates 192.0.2.1 as permitted sender) smtp.mailfrom=${address}
`;
}

function mail(from: string, subject: string, body: string, extraHeaders = "", messageId = `<${crypto.randomUUID()}@example.test>`) {
  return `From: Reader <${from}>
To: ${TO}
Subject: ${subject}
Message-ID: ${messageId}
Date: Fri, 27 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
${extraHeaders}
${body}
`;
}

const settle = drainSendQueue; // the queue handled everything enqueued so far (tests/support/queue.ts)

describe("parseCommand", () => {
  it.each([
    ["subscribe", "", "subscribe", []],
    ["  UNSUBSCRIBE ", "", "unsubscribe", []],
    ["", "subscribe\n\nthanks", "subscribe", []],
    ["Hello", "\n\n  Unsubscribe.\n-- \nsig", "unsubscribe", []],
    ["Re: your digest", "> subscribe\nwhat is this?", "unknown", []],
    ["please subscribe me", "", "unknown", []],
    ["Subscribe Weekly.", "", "subscribe", ["weekly"]],
    ["", "subscribe weekly, topics: cyber\nthanks", "subscribe", ["weekly", "topics", "cyber"]],
    ["subscriber", "", "unknown", []],
  ])("subject %j body %j → %s %j", (subject, body, command, args) => {
    expect(parseCommand(subject, body)).toEqual({ command, args });
  });
});

describe("inbound email", () => {
  it("'subscribe' in the subject creates a pending subscription and sends the confirmation email", async () => {
    const domain = uniqueDomain("in-sub");
    await deliver(mail(`reader@${domain}`, "subscribe", "Please add me."), `reader@${domain}`);
    const [confirmation] = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length ? emails : null;
    });
    expect(confirmation!.subject).toBe("Confirm your NATO Digest subscription");
    expect(await getSubscriber(env.KV, await subscriberIdFor(`reader@${domain}`))).toMatchObject({ status: "unconfirmed", source: "email" });
  });

  it("a verified 'unsubscribe' as the first line of a multipart message acts at once and sends nothing", async () => {
    const domain = uniqueDomain("in-unsub");
    const address = `leaver@${domain}`;
    await deliver(mail(address, "subscribe", ""), address);
    await waitFor(async () => (await receivedEmails(domain)).length > 0);
    const multipart = `${verified(address)}From: ${address}
To: ${TO}
Subject: =?UTF-8?B?w4Jub3RoZXIgc3ViamVjdA==?=
Message-ID: <${crypto.randomUUID()}@example.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

unsubscribe

Sent from my phone
--b1
Content-Type: text/html; charset=utf-8

<p>unsubscribe</p>
--b1--
`;
    await deliver(multipart, address);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "unsubscribed", email: "" });
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(1);
  });

  it("anything else from a verified sender gets one help reply a day, an auto-reply threaded to the message", async () => {
    const domain = uniqueDomain("in-help");
    const address = `curious@${domain}`;
    const messageId = `<first-${crypto.randomUUID()}@${domain}>`;
    await deliver(verified(address) + mail(address, "Hallo, wie geht's? Grüße", "What is this service?", `References: <older@${domain}>`, messageId), address);
    const [help] = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length ? emails : null;
    });
    expect(help!.subject).toBe("How to use NATO Digest by email");
    expect(help!.headers?.["Auto-Submitted"]).toBe("auto-replied");
    expect(help!.headers?.["In-Reply-To"]).toBe(messageId);
    expect(help!.headers?.["References"]).toBe(`<older@${domain}> ${messageId}`);
    expect(help!.text).toContain("subscribe");
    await deliver(verified(address) + mail(address, "still confused", "?"), address);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(1);
  });

  it("an unknown command from an unverified sender gets no reply (no backscatter to forged senders)", async () => {
    const domain = uniqueDomain("in-help-forged");
    await deliver(mail(`victim@${domain}`, "hello", "what is this?"), `attacker@elsewhere.example.test`);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("a command with words it does not understand yet gets the help reply instead of acting", async () => {
    const domain = uniqueDomain("in-args");
    const address = `weekly@${domain}`;
    await deliver(verified(address) + mail(address, "subscribe fortnightly", ""), address);
    const [reply] = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length ? emails : null;
    });
    expect(reply!.subject).toBe("How to use NATO Digest by email");
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toBeNull();
  });

  it.each([
    ["a mailer-daemon bounce", (d: string) => mail(`MAILER-DAEMON@${d}`, "Undelivered Mail Returned to Sender", "subscribe"), ""],
    ["an auto-reply", (d: string) => mail(`person@${d}`, "subscribe", "I am out of office", "Auto-Submitted: auto-replied"), "person"],
    ["bulk mail", (d: string) => mail(`news@${d}`, "Newsletter", "hello", "Precedence: bulk"), "news"],
    ["a mailing list", (d: string) => mail(`list@${d}`, "Digest", "hello", "List-Id: <list.example.test>"), "list"],
    ["an empty return path", (d: string) => mail(`someone@${d}`, "Hi", "hello", "Return-Path: <>"), "someone"],
    ["a forged mailer-daemon with a person's envelope", (d: string) => mail(`mailer-daemon@${d}`, "subscribe", "x"), "victim"],
  ])("never answers %s", async (_, build, envelopeLocal) => {
    const domain = uniqueDomain("in-auto");
    const raw = build(domain);
    await deliver(raw, envelopeLocal ? `${envelopeLocal}@${domain}` : "");
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("logs the action and a fixed reason, never an address", async () => {
    const domain = uniqueDomain("in-logs");
    const log = vi.spyOn(console, "log");
    try {
      await deliver(mail(`MAILER-DAEMON@${domain}`, "Undelivered", "x"), `bounce-sender@${domain}`);
      await deliver(mail(`noreply@${domain}`, "hi", "x"), `noreply@${domain}`);
      await deliver(mail(`person@${domain}`, "subscribe", ""), `person@${domain}`);
      await deliver(mail(`person2@${domain}`, "unsubscribe", ""), `person2@${domain}`);
      await deliver(mail(`person3@${domain}`, "hello", ""), `person3@${domain}`);
      const lines = log.mock.calls.map((args) => args.map(String).join(" ")).filter((line) => line.includes("inbound-email"));
      expect(lines).toHaveLength(5);
      expect(lines.join("\n")).toContain('"reason":"automated sender name"');
      for (const line of lines) expect(line).not.toContain(domain);
    } finally {
      log.mockRestore();
    }
  });

  it("rejects messages over 1 MB without reading them", async () => {
    const domain = uniqueDomain("in-big");
    const rejections = await deliver(mail(`big@${domain}`, "subscribe", "x"), `big@${domain}`, 2 * 1024 * 1024);
    expect(rejections[0]).toMatch(/too large/i);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`big@${domain}`))).toBeNull();
  });

  it("ignores a sender whose address is not valid", async () => {
    const rejections = await deliver(mail("not an address", "subscribe", ""), "also not an address");
    expect(rejections).toEqual([]);
  });
});
