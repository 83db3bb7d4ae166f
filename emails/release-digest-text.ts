// The plain-text part of a digest, built from the same model as the HTML
// (no second React render). One release per block: a marked title, the
// "time · source" line, the summary, the URL alone on its line. Headings are
// underlined so they read as headings; every URL ends its line, so no
// punctuation runs into it.
import type { DigestModel, ShownRelease } from "./digest-model";

export interface DigestTextLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  viewInBrowserUrl: string;
  signupUrl: string;
  operator?: { name?: string | null; postalAddress?: string | null; email?: string | null };
}

function underline(text: string, char: "=" | "-"): string {
  return `${text}\n${char.repeat(Math.min(Array.from(text).length, 72))}`;
}

export function buildDigestText(model: DigestModel, links: DigestTextLinks): string {
  const { t } = model;
  const blocks: string[] = [underline(model.heading, "=")];
  blocks.push(model.topicsLine ? `${model.intro}\n${model.topicsLine}` : model.intro);
  if (model.headlines.length > 0) {
    const lines = model.headlines.map((headline) => `- ${headline.title}`);
    if (model.headlinesMore > 0) lines.push(`  (${t.digest.andMoreBelow(model.headlinesMore)})`);
    blocks.push(`${underline(t.digest.inThisDigest, "-")}\n${lines.join("\n")}`);
  }
  const full = (release: ShownRelease) =>
    [`> ${release.title}${release.marker ? ` ${release.marker}` : ""}`, release.meta, release.previously, release.summary, release.link]
      .filter(Boolean)
      .join("\n");
  for (const day of model.days) {
    blocks.push(underline(day.label, "-"));
    for (const release of day.releases) blocks.push(full(release));
  }
  for (const section of model.sections) {
    blocks.push(underline(section.heading, "-"));
    for (const release of section.releases) blocks.push(full(release));
  }
  if (model.titles.length > 0) {
    blocks.push(underline(t.digest.moreHeading, "-"));
    for (const release of model.titles) blocks.push(`> ${release.title}${release.marker ? ` ${release.marker}` : ""}\n${release.link}`);
  }
  if (model.hidden > 0) blocks.push(`${t.digest.andMore(model.hidden)}\n${t.digest.seeAll}:\n${links.viewInBrowserUrl}`);

  const footer = [`--\n${t.digest.reason(model.cadence)}`];
  footer.push(`${t.footer.managePreferences}:\n${links.preferencesUrl}`);
  footer.push(`${t.footer.unsubscribe}:\n${links.unsubscribeUrl}`);
  footer.push(`${t.footer.viewInBrowser}:\n${links.viewInBrowserUrl}`);
  const operator = links.operator;
  if (operator?.name || operator?.postalAddress || operator?.email) {
    footer.push(
      [operator.name ? t.runBy(operator.name) : null, operator.postalAddress, operator.email ? `${t.writeTo}:\n${operator.email}` : null]
        .filter(Boolean)
        .join("\n"),
    );
  }
  footer.push(t.notAffiliated);
  footer.push(`${t.digest.forwarded} ${t.digest.subscribeHere}:\n${links.signupUrl}`);
  return `${blocks.join("\n\n")}\n\n${footer.join("\n\n")}\n`;
}
