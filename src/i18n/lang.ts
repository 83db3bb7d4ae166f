// The languages the service speaks, and the two edition rhythms. This module
// imports nothing, so emails/ (which never imports the rest of src/) may use it.
export type Lang = "en" | "fr";
export type Cadence = "daily" | "weekly";

export const LANGS: readonly Lang[] = ["en", "fr"];

export function isLang(value: unknown): value is Lang {
  return value === "en" || value === "fr";
}

/**
 * The best language for an Accept-Language header (RFC 9110 §12.5.4):
 * the highest-weighted tag we speak, English when none.
 */
export function langFromAcceptLanguage(header: string | null | undefined): Lang {
  if (!header) return "en";
  let best: { lang: Lang; q: number } | null = null;
  for (const part of header.split(",").slice(0, 20)) {
    const [tag = "", ...params] = part.trim().split(";");
    const primary = tag.trim().toLowerCase().split("-")[0];
    if (!isLang(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? "en";
}
