// Link handling for feed items: resolve relative links, accept only http(s),
// and build the canonical form used for ids (no fragment, no tracking or
// locale parameters, so the same release never counts twice because a
// campaign tag or ?selectedLocale=en came and went).

const TRACKING_PARAMS = /^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref|ref_src)$/i;
const LOCALE_PARAMS = /^(selectedlocale|locale|lang|language|hl)$/i;

/** Absolute http(s) URL, or null for anything else (javascript:, data:, junk). */
export function resolveLink(link: string | null | undefined, base: string): string | null {
  if (!link) return null;
  const trimmed = link.trim();
  if (trimmed === "") return null;
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  // Strip tracking parameters from what readers see; keep the rest as published.
  for (const key of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMS.test(key)) url.searchParams.delete(key);
  }
  url.hash = "";
  return url.toString();
}

/** Canonical form for identity: scheme-less, lower-case host, sorted params. */
export function canonicalLink(absolute: string): string {
  const url = new URL(absolute);
  const params = [...url.searchParams.entries()]
    .filter(([key]) => !TRACKING_PARAMS.test(key) && !LOCALE_PARAMS.test(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : "";
  const host = url.host.toLowerCase().replace(/^www\./, "");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  return `${host}${path}${query}`;
}
