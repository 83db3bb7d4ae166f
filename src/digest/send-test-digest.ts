// The next edition of a cadence for one set of choices, rendered exactly as
// the run renders it (same selection, same edition filter, same template):
// the console's preview shows it, and POST /admin/digest {"to": "..."} sends
// it to one address only. Nothing is marked as sent and no watermark moves,
// so the real digest still goes out as usual.
import type { DigestRelease } from "../../emails/release-digest";
import { parseEmailAddress } from "../subscribers/address";
import { DEFAULT_PREFERENCES, listFeedChoices, type Cadence, type Preferences } from "../subscribers/preferences";
import { subscriberIdFor } from "../subscribers/subscriber-store";
import { createPersonalToken } from "../subscribers/tokens";
import type { Mailer } from "../mail/mailer";
import { getDigestState } from "./digest-store";
import { editionDigestId } from "./edition-store";
import { choiceFor, releasesFor, type EditionChoice } from "./editions";
import { personaliseDigest, renderDigest, type DigestContent } from "./render-digest";
import { digestIdFor, selectForDigest, toDigestRelease, type DigestDeps, type DigestReport } from "./run-digest";

export type EditionPreferences = Pick<Preferences, "lang" | "topics" | "sources">;

export interface NextEdition {
  cadence: Cadence;
  choice: EditionChoice;
  /** Releases the cadence's next run selects, for every edition. */
  selected: number;
  /** The run's id (null when nothing is selected). */
  digestId: string | null;
  /** This edition's releases and email (null content: a reader with these choices gets no email). */
  releases: DigestRelease[];
  content: DigestContent | null;
}

/** What a reader with these choices would get from the cadence's next run. Reads only. */
export async function renderNextEdition(
  deps: Pick<DigestDeps, "kv" | "publicUrl" | "maxAgeDays" | "now" | "feeds" | "operator">,
  cadence: Cadence,
  preferences: EditionPreferences = DEFAULT_PREFERENCES,
): Promise<NextEdition> {
  const now = deps.now();
  const feeds = deps.feeds ? await listFeedChoices(deps.kv, deps.feeds) : null;
  const selected = (await selectForDigest(deps, await getDigestState(deps.kv, cadence), now, cadence)).map((r) => toDigestRelease(r, feeds));
  const choice = choiceFor(preferences, feeds);
  const releases = releasesFor(choice, selected);
  const digestId =
    selected.length === 0
      ? null
      : await digestIdFor(
          selected.map((r) => r.id),
          now,
          cadence,
        );
  if (digestId === null || releases.length === 0) return { cadence, choice, selected: selected.length, digestId, releases, content: null };
  const content = await renderDigest(releases, {
    publicUrl: deps.publicUrl,
    digestId: editionDigestId(digestId, 0),
    date: now,
    cadence,
    lang: choice.lang,
    topics: choice.topics,
    operator: deps.operator,
  });
  return { cadence, choice, selected: selected.length, digestId, releases, content };
}

export async function sendTestDigest(
  deps: Pick<DigestDeps, "kv" | "publicUrl" | "maxAgeDays" | "now" | "feeds" | "operator"> & {
    mailer: Mailer;
    signingSecret: string;
    emailFrom: string;
    inboundAddress?: string | null;
  },
  to: unknown,
  cadence: Cadence = "daily",
  preferences: EditionPreferences = DEFAULT_PREFERENCES,
): Promise<DigestReport & { to: string; sent: boolean; error?: string }> {
  const address = parseEmailAddress(to);
  if (!address.ok) throw new TypeError(address.message);
  const edition = await renderNextEdition(deps, cadence, preferences);
  const base: DigestReport = {
    digestId: null,
    releases: edition.releases.length,
    recipients: 1,
    batchesEnqueued: 0,
    skipped: null,
    resumed: null,
    cadence,
  };
  if (!edition.content || !edition.digestId) {
    const skipped = edition.selected === 0 ? "nothing new since the last digest" : "nothing new matches these choices";
    return { ...base, recipients: 0, to: address.address, sent: false, skipped };
  }
  const token = createPersonalToken(deps.signingSecret, await subscriberIdFor(address.address));
  const email = personaliseDigest(edition.content, {
    token,
    to: address.address,
    from: deps.emailFrom,
    publicUrl: deps.publicUrl,
    digestId: edition.digestId,
    inboundAddress: deps.inboundAddress,
  });
  email.subject = `[test] ${email.subject}`;
  email.tags = [{ name: "kind", value: "digest-test" }];
  const result = await deps.mailer.sendBatch([email], { idempotencyKey: `test-${crypto.randomUUID()}` });
  return {
    ...base,
    digestId: edition.digestId,
    subject: email.subject,
    to: address.address,
    sent: result.status === "sent",
    error: result.status === "sent" ? undefined : result.message,
  };
}
