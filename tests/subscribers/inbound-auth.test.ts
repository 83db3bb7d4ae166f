// Forged "unsubscribe" mail (issue 11, item 1): only Cloudflare's own,
// topmost Authentication-Results, passing and aligned with the From: domain,
// lets a message change a subscription by itself.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { findAlignedPass, hasHeaderSafeEnvelope, isAligned, parseAuthenticationResults, readSenderVerdict } from "../../src/subscribers/authentication-results";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { linkIn, receivedEmails, uniqueDomain } from "../support/servers";
import { seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";
import { INBOUND_TO as TO, inboundMessage } from "../support/inbound-mail";

const ENV = { ...env, INBOUND_MAX_MAILS_PER_HOUR: "1000", INBOUND_MAX_MAILS_PER_DAY: "1000" } as Env;

async function deliver(raw: string, envelopeFrom: string) {
  // Waits for the work done after the answer too (an unsubscribe).
  const ctx = createExecutionContext();
  await worker.email(inboundMessage(raw, envelopeFrom).forwardable, ENV, ctx);
  await waitOnExecutionContext(ctx);
}

function unsubscribeMail(headersOnTop: string, from: string) {
  return `${headersOnTop}From: Reader <${from}>
To: ${TO}
Subject: unsubscribe
Message-ID: <${crypto.randomUUID()}@example.test>
Date: Sun, 29 Nov 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

unsubscribe
`;
}

const pass = (domain: string, address: string) =>
  `Authentication-Results: mx.cloudflare.net; dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}; spf=pass smtp.mailfrom=${address}\n`;
const settle = drainSendQueue; // replies sent and the queue handled everything enqueued so far (tests/support/queue.ts)

async function confirmedReader(prefix: string) {
  const domain = uniqueDomain(prefix);
  const [address] = await seedSubscribers(domain, 1, "confirmed");
  return { domain, address: address! };
}

describe("forged unsubscribe mail changes no subscription", () => {
  const forgeries: [string, (domain: string, address: string) => string][] = [
    ["no Authentication-Results header", () => ""],
    [
      "a failing Cloudflare verdict",
      (d, a) => `Authentication-Results: mx.cloudflare.net; dkim=fail header.d=${d}; dmarc=fail header.from=${d}; spf=fail smtp.mailfrom=${a}\n`,
    ],
    ["a softfail and none", (d) => `Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=none header.from=${d}; spf=softfail smtp.mailfrom=${d}\n`],
    [
      "a passing verdict below a failing Cloudflare one",
      (d, a) =>
        `Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=fail header.from=${d}; spf=fail smtp.mailfrom=attacker@evil.example\n${pass(d, a)}`,
    ],
    ["a passing verdict with another authserv-id", (d, a) => pass(d, a).replace("mx.cloudflare.net", "mx.evil.example")],
    ["a passing verdict whose id only looks like Cloudflare's", (d, a) => pass(d, a).replace("mx.cloudflare.net", "mx.cloudflare.net.evil.example")],
    [
      "a passing verdict for the attacker's own domain",
      () =>
        `Authentication-Results: mx.cloudflare.net; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example; spf=pass smtp.mailfrom=a@evil.example\n`,
    ],
    ["a pass hidden in a comment", (d) => `Authentication-Results: mx.cloudflare.net; dmarc=fail (dmarc=pass header.from=${d}) header.from=${d}\n`],
  ];

  it.each(forgeries)("%s: the reader stays subscribed and gets one mail with a link that does it", async (_, headers) => {
    const { domain, address } = await confirmedReader("forged");
    // A fresh envelope sender per case: the per-sender limits are tested in inbound-limits.test.ts.
    await deliver(unsubscribeMail(headers(domain, address), address), `attacker@${uniqueDomain("evil")}`);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "confirmed", email: address });

    const [reply] = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length ? emails : null;
    });
    expect(reply!.to).toEqual([address]);
    expect(reply!.subject).toBe("Stop your NATO Digest subscription");
    expect(reply!.headers?.["Auto-Submitted"]).toBe("auto-replied");
    const link = linkIn(reply!.text, "/unsubscribe");

    // A second forgery the same day sends nothing more.
    await deliver(unsubscribeMail(headers(domain, address), address), `attacker2@${uniqueDomain("evil")}`);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(1);

    // The link is the reader's own unsubscribe page: its button does it.
    const page = await SELF.fetch(link);
    expect(page.status).toBe(200);
    const done = await SELF.fetch(link, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(done.status).toBe(200);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "unsubscribed" });
  });

  // Issue 20, hardening: alignment by the Public Suffix List, and one dkim result at most.
  it.each([
    ["a dkim pass for the public suffix co.uk", "co.uk", () => `Authentication-Results: mx.cloudflare.net; dkim=pass header.d=co.uk; dmarc=none; spf=none\n`],
    [
      "an spf pass for the public suffix github.io",
      "github.io",
      () => `Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=none; spf=pass smtp.mailfrom=x@github.io\n`,
    ],
    [
      "two dkim results, one of them a pass for the reader's domain",
      "example.test",
      (d: string) => `Authentication-Results: mx.cloudflare.net; dkim=pass header.d=${d}; dkim=pass header.d=evil.example; dmarc=none; spf=none\n`,
    ],
  ])("%s is no verdict: the reader stays subscribed and gets a link", async (_, suffix, headers) => {
    const domain = `${uniqueDomain("psl").replace(/\.example\.test$/, "")}.${suffix}`;
    const [address] = await seedSubscribers(domain, 1, "confirmed");
    await deliver(unsubscribeMail(headers(domain), address!), `attacker@${uniqueDomain("evil")}`);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address!))).toMatchObject({ status: "confirmed", email: address });
    const [reply] = await waitFor(
      async () => {
        const emails = await receivedEmails(domain);
        return emails.length ? emails : null;
      },
      15_000,
      "the unsubscribe link",
    );
    expect(reply!.subject).toBe("Stop your NATO Digest subscription");
  });

  it("an unverified unsubscribe for an address that is not subscribed sends nothing", async () => {
    const domain = uniqueDomain("forged-unknown");
    await deliver(unsubscribeMail("", `nobody@${domain}`), `attacker@${uniqueDomain("evil")}`);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`nobody@${domain}`))).toBeNull();
  });

  it("two From: headers change nothing, even with a passing verdict for one of them", async () => {
    const { domain, address } = await confirmedReader("two-from");
    await deliver(
      unsubscribeMail(pass(domain, address), address).replace("From: Reader", `From: other@evil.example\nFrom: Reader`),
      `a@${uniqueDomain("evil")}`,
    );
    await settle();
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "confirmed" });
    expect(await receivedEmails(domain)).toHaveLength(0);
  });
});

describe("attacker text inside Cloudflare's own header cannot forge a verdict", () => {
  // Cloudflare echoes the envelope sender (the attacker's choice) in a
  // comment and in smtp.mailfrom. A quoted local part may hold ")", ";" and
  // spaces, which end the comment and start a result of the attacker's making.
  const cloudflareHeader = (d: string, envelope: string) =>
    `Authentication-Results: mx.cloudflare.net;\n\tdkim=none;\n\tdmarc=fail header.from=${d} policy.dmarc=none;\n\tspf=pass (mx.cloudflare.net: domain of ${envelope} designates 192.0.2.7 as permitted sender) smtp.mailfrom=${envelope}\n`;
  const cases: [string, (d: string) => string][] = [
    ["a forged dmarc=pass", (d) => `"x);dmarc=pass header.from=${d};("@${uniqueDomain("evil")}`],
    ["a forged dkim=pass", (d) => `"x);dkim=pass header.d=${d};("@${uniqueDomain("evil")}`],
  ];

  it.each(cases)("%s smuggled in through the envelope sender changes nothing", async (_, envelopeFor) => {
    const { domain, address } = await confirmedReader("smuggled");
    const envelope = envelopeFor(domain);
    await deliver(unsubscribeMail(cloudflareHeader(domain, envelope), address), envelope);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "confirmed", email: address });
  });

  it("ordinary envelope senders (plus tags, SRS, VERP, Unicode) keep their verdict; quoted local parts and syntax characters do not", () => {
    for (const ok of [
      "reader@example.org",
      "reader+tag@example.org",
      "SRS0=HHH=TT=example.org=reader@forwarder.example",
      "bounce-12-reader=example.org@lists.example",
      "jörg@bücher.example",
    ]) {
      expect(hasHeaderSafeEnvelope(ok), ok).toBe(true);
    }
    for (const bad of [
      '"x y"@evil.example',
      "x);dkim=pass@evil.example",
      "a(b@evil.example",
      "a;b@evil.example",
      "a\\b@evil.example",
      "a b@evil.example",
      "a\tb@evil.example",
      "no-at-sign",
      "a@b@c.example",
    ]) {
      expect(hasHeaderSafeEnvelope(bad), bad).toBe(false);
    }
  });

  it("a header with two dmarc results is ambiguous: no verdict", () => {
    const value = "mx.cloudflare.net; dmarc=fail header.from=example.org; dmarc=pass header.from=example.org";
    expect(readSenderVerdict([{ key: "authentication-results", value }], "example.org")).toMatchObject({ authenticated: false });
  });

  it("so is a header with two dkim results", () => {
    const value = "mx.cloudflare.net; dkim=pass header.d=example.org; dkim=fail header.d=example.org";
    expect(readSenderVerdict([{ key: "authentication-results", value }], "example.org")).toEqual({ authenticated: false, reason: "more than one dkim result" });
    expect(readSenderVerdict([{ key: "authentication-results", value: "mx.cloudflare.net; dkim=pass header.d=example.org" }], "example.org")).toEqual({
      authenticated: true,
      method: "dkim",
    });
  });
});

describe("verified unsubscribe mail acts at once and sends nothing", () => {
  const verdicts: [string, (domain: string, address: string) => string][] = [
    [
      "dmarc=pass for the From: domain",
      (d) => `Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=pass header.from=${d.toUpperCase()} policy.dmarc=none; spf=none\n`,
    ],
    [
      "dkim=pass signed by a parent domain",
      (d) => `Authentication-Results: mx.cloudflare.net; dkim=pass header.i=@${d.split(".").slice(1).join(".")} header.s=s1; dmarc=none\n`,
    ],
    [
      "spf=pass for the From: domain (folded, with comments)",
      (d, a) =>
        `Authentication-Results: mx.cloudflare.net;\n\tspf=pass (mx.cloudflare.net: domain of ${a} designates 192.0.2.7 as permitted sender)\n\tsmtp.mailfrom=${a}\n`,
    ],
    ["Cloudflare's header above an older forged failure", (d, a) => `${pass(d, a)}Authentication-Results: mx.evil.example; dmarc=fail header.from=${d}\n`],
  ];

  it.each(verdicts)("%s", async (_, headers) => {
    const { domain, address } = await confirmedReader("verified");
    await deliver(unsubscribeMail(headers(domain, address), address), address);
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "unsubscribed", email: "" });
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });
});

describe("Authentication-Results parsing and alignment", () => {
  it("parses RFC 8601 examples: version, comments, quoted values, reason, several results", () => {
    const parsed = parseAuthenticationResults(
      'MX.Cloudflare.NET 1; dkim=pass (good signature) reason="valid; key found" header.d=Example.org header.s="sel;1"; spf=neutral smtp.mailfrom=a@example.org',
    );
    expect(parsed).toEqual({
      authservId: "mx.cloudflare.net",
      results: [
        { method: "dkim", result: "pass", props: { "header.d": "Example.org", "header.s": "sel;1" } },
        { method: "spf", result: "neutral", props: { "smtp.mailfrom": "a@example.org" } },
      ],
    });
    expect(parseAuthenticationResults("mx.cloudflare.net; none")).toEqual({ authservId: "mx.cloudflare.net", results: [] });
    expect(parseAuthenticationResults("   ")).toBeNull();
  });

  it.each([
    ["example.org", "example.org", true],
    ["example.org", "news.example.org", true],
    ["EXAMPLE.org.", "example.ORG", true],
    // Relaxed alignment: one organisational domain, by the Public Suffix List.
    ["news.example.org", "example.org", true],
    ["a.example.org", "b.example.org", true],
    ["org", "example.org", false],
    ["evil-example.org", "example.org", false],
    ["co.uk", "victim.co.uk", false],
    ["evil.co.uk", "victim.co.uk", false],
    ["mail.victim.co.uk", "victim.co.uk", true],
    ["github.io", "alice.github.io", false],
    ["mallory.github.io", "alice.github.io", false],
    ["blog.alice.github.io", "alice.github.io", true],
    ["bücher.example", "xn--bcher-kva.example", true],
  ])("authenticated %s aligns with From: %s → %s", (auth, from, expected) => {
    expect(isAligned(auth, from)).toBe(expected);
  });

  it("a pass counts only for the domain it names", () => {
    const results = parseAuthenticationResults("mx.cloudflare.net; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=evil.example")!.results;
    expect(findAlignedPass(results, "example.org")).toBeNull();
    expect(findAlignedPass(results, "evil.example")).toBe("dkim");
  });

  it("reads only the topmost header", () => {
    const headers = [
      { key: "received", value: "from x" },
      { key: "authentication-results", value: "mx.cloudflare.net; dmarc=fail header.from=example.org" },
      { key: "authentication-results", value: "mx.cloudflare.net; dmarc=pass header.from=example.org" },
    ];
    expect(readSenderVerdict(headers, "example.org")).toMatchObject({ authenticated: false });
    expect(readSenderVerdict(headers.slice(2), "example.org")).toEqual({ authenticated: true, method: "dmarc" });
  });
});
