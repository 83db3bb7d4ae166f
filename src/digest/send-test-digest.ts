// POST /admin/digest {"to": "..."}: the digest of what is new for a cadence,
// as a reader with the default choices of that cadence gets it, sent to one
// address only. Nothing is marked as sent and no watermark moves, so the real
// digest still goes out as usual.
import { parseEmailAddress } from "../subscribers/address";
import { listFeedChoices, type Cadence } from "../subscribers/preferences";
import { subscriberIdFor } from "../subscribers/subscriber-store";
import { createPersonalToken } from "../subscribers/tokens";
import type { Mailer } from "../mail/mailer";
import { editionDigestId, getDigestState } from "./digest-store";
import { choiceFor, releasesFor } from "./editions";
import { personaliseDigest, renderDigest } from "./render-digest";
import { digestIdFor, selectForDigest, toDigestRelease, type DigestDeps, type DigestReport } from "./run-digest";

export async function sendTestDigest(
  deps: Pick<DigestDeps, "kv" | "publicUrl" | "maxAgeDays" | "now" | "feeds" | "operator"> & {
    mailer: Mailer;
    signingSecret: string;
    emailFrom: string;
    inboundAddress?: string | null;
  },
  to: unknown,
  cadence: Cadence = "daily",
): Promise<DigestReport & { to: string; sent: boolean; error?: string }> {
  const address = parseEmailAddress(to);
  if (!address.ok) throw new TypeError(address.message);
  const now = deps.now();
  const feeds = deps.feeds ? await listFeedChoices(deps.kv, deps.feeds) : null;
  const selected = (await selectForDigest(deps, await getDigestState(deps.kv, cadence), now, cadence)).map((r) => toDigestRelease(r, feeds));
  const choice = choiceFor({ lang: "en", topics: [], sources: null }, feeds);
  const releases = releasesFor(choice, selected);
  const base: DigestReport = { digestId: null, releases: releases.length, recipients: 1, batchesEnqueued: 0, skipped: null, resumed: null, cadence };
  if (releases.length === 0) return { ...base, recipients: 0, to: address.address, sent: false, skipped: "nothing new since the last digest" };
  const digestId = await digestIdFor(
    selected.map((r) => r.id),
    now,
    cadence,
  );
  const content = await renderDigest(releases, {
    publicUrl: deps.publicUrl,
    digestId: editionDigestId(digestId, 0),
    date: now,
    cadence,
    lang: choice.lang,
    operator: deps.operator,
  });
  const token = createPersonalToken(deps.signingSecret, await subscriberIdFor(address.address));
  const email = personaliseDigest(content, {
    token,
    to: address.address,
    from: deps.emailFrom,
    publicUrl: deps.publicUrl,
    digestId,
    inboundAddress: deps.inboundAddress,
  });
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
