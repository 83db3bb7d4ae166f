// The local feed and Resend-compatible servers as tests drive them (the
// clients are shared with the bench, bench/shared/local-servers.ts), plus
// reading a link out of an email the Resend server received.
export * from "../../bench/shared/local-servers";

/** Extracts the first link to `path` from a text part. */
export function linkIn(text: string | undefined, path: string): string {
  const match = new RegExp(`https?://[^\\s]*${path.replace(/[/?]/g, "\\$&")}\\?token=[A-Za-z0-9._-]+`).exec(text ?? "");
  if (!match) throw new Error(`no ${path} link in: ${text?.slice(0, 500)}`);
  return match[0];
}
