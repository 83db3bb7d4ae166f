// Builds the RFC 5322 message a provider like Resend sends from an
// OutgoingEmail: multipart/alternative (text, then HTML), quoted-printable
// UTF-8 bodies, encoded-word subject, a Message-ID and a Received line, so a
// spam filter sees what a reader's server would see. Test helper only.
import { createHash } from "node:crypto";
import type { OutgoingEmail } from "../../src/mail/mailer";

function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.replace(/\r?\n/g, "\n").split("\n")) {
    let encoded = "";
    for (const byte of Buffer.from(line, "utf8")) {
      const char = String.fromCharCode(byte);
      encoded += (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32 ? char : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    if (encoded.endsWith(" ")) encoded = `${encoded.slice(0, -1)}=20`;
    // Soft line breaks every 75 characters, never inside an =XX escape.
    while (encoded.length > 76) {
      let cut = 75;
      const escape = encoded.lastIndexOf("=", cut);
      if (escape > cut - 3) cut = escape;
      out.push(`${encoded.slice(0, cut)}=`);
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join("\r\n");
}

function encodeHeader(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

export function buildMimeMessage(email: OutgoingEmail, date = new Date("2026-11-29T07:00:05Z")): string {
  const fromAddress = /<([^>]+)>/.exec(email.from)?.[1] ?? email.from;
  const domain = fromAddress.split("@")[1]!;
  const id = createHash("sha256")
    .update(email.to + email.subject)
    .digest("hex")
    .slice(0, 24);
  const boundary = `b_${id}`;
  const headers = [
    `Received: from a48-93.smtp-out.amazonses.com (a48-93.smtp-out.amazonses.com [54.240.48.93]) by mx.example.net with ESMTPS id ${id.slice(0, 12)} for <${email.to}>; ${date.toUTCString().replace("GMT", "+0000")}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `From: ${email.from}`,
    `To: ${email.to}`,
    `Subject: ${encodeHeader(email.subject)}`,
    `Message-ID: <${id}@${domain}>`,
    "MIME-Version: 1.0",
    ...Object.entries(email.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return [
    headers.join("\r\n"),
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(email.text),
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(email.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
