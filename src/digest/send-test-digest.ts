// POST /admin/digest {"to": "..."}: the digest of what is new, sent to one
// address only. Nothing is marked as sent and no watermark moves, so the
// real digest still goes out as usual.
import { parseEmailAddress } from "../subscribers/address";
import { subscriberIdFor } from "../subscribers/subscriber-store";
import { createToken } from "../subscribers/tokens";
import type { Mailer } from "../mail/mailer";
import { getDigestState } from "./digest-store";
import { personaliseDigest, renderDigest } from "./render-digest";
import { digestIdFor, selectForDigest, toDigestRelease, type DigestDeps, type DigestReport } from "./run-digest";

export async function sendTestDigest(
  deps: Pick<DigestDeps, "kv" | "publicUrl" | "maxAgeDays" | "now"> & { mailer: Mailer; signingSecret: string; emailFrom: string },
  to: unknown,
): Promise<DigestReport & { to: string; sent: boolean; error?: string }> {
  const address = parseEmailAddress(to);
  if (!address.ok) throw new TypeError(address.message);
  const now = deps.now();
  const releases = (await selectForDigest(deps, await getDigestState(deps.kv), now)).map(toDigestRelease);
  const base: DigestReport = { digestId: null, releases: releases.length, recipients: 1, batchesEnqueued: 0, skipped: null, resumed: null };
  if (releases.length === 0) return { ...base, recipients: 0, to: address.address, sent: false, skipped: "nothing new since the last digest" };
  const digestId = await digestIdFor(
    releases.map((r) => r.id),
    now,
  );
  const content = await renderDigest(releases, { publicUrl: deps.publicUrl, digestId, date: now });
  const token = await createToken(deps.signingSecret, "unsubscribe", await subscriberIdFor(address.address), now);
  const email = personaliseDigest(content, { token, to: address.address, from: deps.emailFrom, publicUrl: deps.publicUrl, digestId });
  email.subject = `[test] ${email.subject}`;
  email.tags = [{ name: "kind", value: "digest-test" }];
  const result = await deps.mailer.sendBatch([email], { idempotencyKey: `test-${crypto.randomUUID()}` });
  return {
    ...base,
    digestId,
    subject: email.subject,
    to: address.address,
    sent: result.status === "sent",
    error: result.status === "sent" ? undefined : result.message,
  };
}
