// Every kind of email scored by SpamAssassin (Debian's package, local rules
// only: -L, no network tests), as a receiving server would see it. No rule
// with a positive score may fire. The scores are printed and written to
// test-results/spamassassin.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ConfirmSubscriptionEmail, confirmSubscriptionSubjectFor } from "../../emails/confirm-subscription";
import { InboundHelpEmail, inboundHelpSubjectFor } from "../../emails/inbound-help";
import { PREVIEW_RELEASES } from "../../emails/release-digest";
import { SourceAlertEmail, sourceAlertSubject } from "../../emails/source-alert";
import { personaliseDigest, renderDigest } from "../../src/digest/render-digest";
import type { Lang } from "../../src/i18n";
import type { OutgoingEmail } from "../../src/mail/mailer";
import { renderEmail } from "../../src/mail/render";
import { buildMimeMessage } from "./mime";

// The real token functions, loaded at run time: their module is typed for
// workerd (Web Crypto extensions), which this Node-side type check does not know.
const TOKENS_MODULE = new URL("../../src/subscribers/tokens.ts", import.meta.url).href;
const { createConfirmToken, createPersonalToken } = (await import(/* @vite-ignore */ TOKENS_MODULE)) as {
  createPersonalToken(secret: string, subscriberId: string): string;
  createConfirmToken(secret: string, subscriberId: string, nonce: string, now: Date): string;
};

const SPAMASSASSIN = process.env.SPAMASSASSIN_PATH ?? "/usr/bin/spamassassin";
const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));
const PUBLIC_URL = "https://digest.example.org";
const FROM = "NATO Digest <digest@digest.example.org>";
const SECRET = "spam-test-signing-secret-0123456789";
const PREFS = `${RESULTS}spamassassin-user_prefs`;
const OPERATOR = { name: "Example Association", postalAddress: "1 Example Street, 1000 Brussels, Belgium", email: "digest@digest.example.org" };

interface Score {
  score: number;
  rules: { points: number; name: string; description: string }[];
}

/** Runs spamassassin in test mode on one message; parses the "Content analysis details" table. */
function scoreMessage(message: string): Score {
  // -L: local tests only; no Bayes and no auto-learning, so runs do not influence each other.
  const args = ["-L", "-t", "-p", PREFS, "--cf=required_score 5", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"];
  const report = execFileSync(SPAMASSASSIN, args, { input: message, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const table = report.split("Content analysis details:")[1] ?? "";
  const score = Number(/\(([-\d.]+) points, [\d.]+ required\)/.exec(table)?.[1]);
  const rules: Score["rules"] = [];
  for (const line of table.split(/\r?\n/)) {
    const match = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$/.exec(line);
    if (match) rules.push({ points: Number(match[1]), name: match[2]!, description: match[3]!.trim() });
  }
  if (!Number.isFinite(score)) throw new Error(`no score in SpamAssassin's report:\n${report.slice(-2000)}`);
  return { score, rules };
}

function subscriberId(i: number): string {
  return createHashHex(`reader-${i}`);
}

function createHashHex(text: string): string {
  // 32 hex characters, like the store's ids.
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; round < 4; round++) {
    for (const char of `${round}${text}`) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

async function digestEmails(lang: Lang, readers: number): Promise<OutgoingEmail[]> {
  const content = await renderDigest(PREVIEW_RELEASES, {
    publicUrl: PUBLIC_URL,
    digestId: "2026-11-29-0123456789",
    date: new Date("2026-11-29T07:00:00Z"),
    lang,
    cadence: "daily",
    topics: [],
    operator: OPERATOR,
  });
  return Array.from({ length: readers }, (_, i) =>
    personaliseDigest(content, {
      token: createPersonalToken(SECRET, subscriberId(i)),
      to: `reader${i}@example.net`,
      from: FROM,
      publicUrl: PUBLIC_URL,
      digestId: "2026-11-29-0123456789",
      inboundAddress: "digest@digest.example.org",
    }),
  );
}

async function confirmationEmail(lang: Lang): Promise<OutgoingEmail> {
  const id = subscriberId(99);
  const confirmUrl = `${PUBLIC_URL}/confirm?token=${createConfirmToken(SECRET, id, "nonce12345", new Date("2026-11-29T07:00:00Z"))}`;
  const preferencesUrl = `${PUBLIC_URL}/preferences?token=${createPersonalToken(SECRET, id)}`;
  const rendered = await renderEmail(createElement(ConfirmSubscriptionEmail, { confirmUrl, expiresInHours: 48, lang, preferencesUrl, operator: OPERATOR }));
  return { from: FROM, to: "new.reader@example.net", subject: confirmSubscriptionSubjectFor(lang), ...rendered };
}

async function helpEmail(lang: Lang): Promise<OutgoingEmail> {
  const rendered = await renderEmail(
    createElement(InboundHelpEmail, { signupUrl: `${PUBLIC_URL}/`, commandAddress: "digest@digest.example.org", lang, operator: OPERATOR }),
  );
  return {
    from: FROM,
    to: "writer@example.net",
    subject: inboundHelpSubjectFor(lang),
    ...rendered,
    headers: { "Auto-Submitted": "auto-replied", "In-Reply-To": "<question-1@example.net>", References: "<question-1@example.net>" },
  };
}

async function alertEmail(): Promise<OutgoingEmail> {
  const props = SourceAlertEmail.PreviewProps;
  const rendered = await renderEmail(createElement(SourceAlertEmail, { ...props, statusUrl: `${PUBLIC_URL}/admin/status`, operator: OPERATOR }));
  return { from: FROM, to: "operator@example.net", subject: sourceAlertSubject(props.sourceUrl), ...rendered };
}

describe("SpamAssassin, local rules", () => {
  it("the scorer works: SpamAssassin's GTUBE test message scores as spam", () => {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(PREFS, "");
    const gtube = buildMimeMessage({
      from: FROM,
      to: "reader@example.net",
      subject: "Test",
      text: "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X",
      html: "<p>x</p>",
    });
    const result = scoreMessage(gtube);
    expect(result.rules.map((r) => r.name)).toContain("GTUBE");
    expect(result.score).toBeGreaterThan(5);
  }, 60_000);

  it("no rule with a positive score fires on any kind of email", async () => {
    const kinds: [string, OutgoingEmail][] = [];
    for (const lang of ["en", "fr"] as const) {
      (await digestEmails(lang, 6)).forEach((email, i) => kinds.push([`digest-${lang}-reader${i}`, email]));
      kinds.push([`confirmation-${lang}`, await confirmationEmail(lang)]);
      kinds.push([`help-${lang}`, await helpEmail(lang)]);
    }
    kinds.push(["source-alert", await alertEmail()]);

    const results: Record<string, Score> = {};
    for (const [name, email] of kinds) results[name] = scoreMessage(buildMimeMessage(email));

    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(`${RESULTS}spamassassin.json`, `${JSON.stringify(results, null, 2)}\n`);
    for (const [name, result] of Object.entries(results)) {
      console.log(`${name}: ${result.score} (${result.rules.map((r) => `${r.name} ${r.points}`).join(", ")})`);
    }
    const positive = Object.entries(results).flatMap(([name, result]) =>
      result.rules.filter((r) => r.points > 0).map((r) => `${name}: ${r.name} +${r.points} ${r.description}`),
    );
    expect(positive).toEqual([]);
  }, 240_000);
});
