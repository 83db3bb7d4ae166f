// What counts as NATO revising a release: its title or summary changed in
// substance. Pure. The fingerprint ignores what changes without meaning:
// whitespace, Unicode normalisation forms, invisible characters; the date and
// the link are not part of it (a re-stamped date or a tracking parameter is
// no revision, and the link's canonical form is the release's id anyway).
import { sha256HexSync } from "../lib/crypto";

function normalise(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** A short fingerprint of a release's title and summary. */
export function buildContentFingerprint(title: string, summary: string): string {
  return sha256HexSync(`${normalise(title)}\n${normalise(summary)}`).slice(0, 12);
}
