// Link handling for feed items: resolve relative links, accept only http(s),
// and build the canonical form used for ids (no fragment, no tracking or
// locale parameters, so the same release never counts twice because a
// campaign tag or ?selectedLocale=en came and went). Each link is parsed as
// a URL once: resolveLinkUrl's answer serves both the link and its id.

const TRACKING_PARAMS = /^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref|ref_src)$/i;
const LOCALE_PARAMS = /^(selectedlocale|locale|lang|language|hl)$/i;
const ABSOLUTE_HTTP = /^https?:\/\//i;
// Cheap pre-checks on the raw query, so most links never build a URLSearchParams.
const MAY_TRACK = /[?&](?:utm_|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|ref)/i;
const PLAIN_QUERY = /^\?[A-Za-z0-9._-]+=[A-Za-z0-9._-]*(?:&[A-Za-z0-9._-]+=[A-Za-z0-9._-]*)*$/;

/** Absolute http(s) URL without tracking parameters or fragment, or null for anything else (javascript:, data:, junk). */
export function resolveLinkUrl(link: string | null | undefined, base: string | null): URL | null {
  if (!link) return null;
  const trimmed = link.trim();
  if (trimmed === "") return null;
  let url: URL;
  try {
    url = ABSOLUTE_HTTP.test(trimmed) || base === null ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  // Strip tracking parameters from what readers see; keep the rest as published.
  if (url.search !== "" && MAY_TRACK.test(url.search)) {
    for (const key of [...url.searchParams.keys()]) {
      if (TRACKING_PARAMS.test(key)) url.searchParams.delete(key);
    }
  }
  if (url.hash !== "") url.hash = "";
  return url;
}

/** Absolute http(s) URL as text, or null (see resolveLinkUrl). */
export function resolveLink(link: string | null | undefined, base: string): string | null {
  return resolveLinkUrl(link, base)?.href ?? null;
}

/** Canonical form for identity: scheme-less, lower-case host, sorted params. */
export function canonicalLink(absolute: string | URL): string {
  const url = typeof absolute === "string" ? new URL(absolute) : absolute;
  let query = "";
  const search = url.search;
  if (search !== "" && PLAIN_QUERY.test(search)) {
    // Only characters URLSearchParams writes back unchanged: the same result as below, without building it.
    const params = search
      .slice(1)
      .split("&")
      .filter((pair) => {
        const key = pair.slice(0, pair.indexOf("="));
        return !TRACKING_PARAMS.test(key) && !LOCALE_PARAMS.test(key);
      });
    if (params.length > 1) params.sort((a, b) => compareKeys(a.slice(0, a.indexOf("=")), b.slice(0, b.indexOf("="))));
    query = params.length ? `?${params.join("&")}` : "";
  } else if (search !== "") {
    const params = [...url.searchParams.entries()]
      .filter(([key]) => !TRACKING_PARAMS.test(key) && !LOCALE_PARAMS.test(key))
      .sort(([a], [b]) => compareKeys(a, b));
    query = params.length ? `?${new URLSearchParams(params).toString()}` : "";
  }
  const host = url.host.toLowerCase().replace(/^www\./, "");
  const path = trimTrailingSlashes(url.pathname) || "/";
  return `${host}${path}${query}`;
}

// A loop, not /\/+$/: that expression retries at every slash of a long run
// ("/a////…////b"), which costs the square of the run.
function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
