// The public archive: /digests (list), /digests/:id (the "view in browser"
// page: the rendered digest with no personal data in it) and /digests.xml
// (an Atom feed of past digests). A run is shown by its own page, the
// unfiltered edition; an edition's page (its readers' "view in browser"
// link) shows its releases without its topics line. Readers' topics are
// their own words: no public page shows them or links an edition by topic.
import { Hono } from "hono";
import { html } from "hono/html";
import { getDigest, listDigests } from "../../digest/digest-store";
import { getEdition } from "../../digest/edition-store";
import { webVersion, type WebVersionLink } from "../../digest/render-digest";
import type { DigestMeta, DigestRecord } from "../../digest/digest-store";
import { stringsFor } from "../../i18n";
import type { Lang } from "../../i18n/lang";
import { page } from "../layout";
import type { AppEnv } from "../types";

export const archiveRoutes = new Hono<AppEnv>();

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/** ?lang=fr: the French archive; anything else: the English one. */
const archiveLang = (value: string | undefined): Lang => (value === "fr" ? "fr" : "en");
const langQuery = (lang: Lang) => (lang === "en" ? "" : `?lang=${lang}`);

/** The runs of one language: each run's edition in that language (older records, without languages, are English). */
function inLanguage(digests: { id: string; meta: DigestMeta }[], lang: Lang) {
  return digests.flatMap(({ id, meta }) => {
    const run = { id, subject: meta.subject, releaseCount: meta.releaseCount };
    // A run read only in English is its own page (a run's page is rendered in
    // English, see renderRunPage); otherwise each language links its edition,
    // so a run read only in French shows its French edition, not that page.
    const ownPage = lang === "en" && meta.langs && Object.keys(meta.langs).length === 1 && meta.langs.en;
    const edition = meta.langs ? (ownPage ? run : meta.langs[lang]) : lang === "en" ? run : undefined;
    return edition ? [{ id: edition.id, subject: edition.subject, releaseCount: edition.releaseCount, createdAt: meta.createdAt }] : [];
  });
}

archiveRoutes.get("/digests.xml", async (c) => {
  const base = c.get("config").publicUrl;
  const lang = archiveLang(c.req.query("lang"));
  const t = stringsFor(lang).pages.archive;
  const digests = inLanguage(await listDigests(c.env.KV, 50), lang);
  const updated = digests[0]?.createdAt ?? new Date(0).toISOString();
  const entries = digests
    .map(
      (digest) => `  <entry>
    <id>${escapeXml(`${base}/digests/${digest.id}`)}</id>
    <title>${escapeXml(digest.subject)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${base}/digests/${digest.id}`)}"/>
    <updated>${escapeXml(digest.createdAt)}</updated>
    <summary>${escapeXml(t.releases(digest.releaseCount))}</summary>
  </entry>`,
    )
    .join("\n");
  const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang}">
  <id>${escapeXml(`${base}/digests.xml${langQuery(lang)}`)}</id>
  <title>${escapeXml(t.feedTitle)}</title>
  <link rel="self" href="${escapeXml(`${base}/digests.xml${langQuery(lang)}`)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}/digests${langQuery(lang)}`)}"/>
  <updated>${escapeXml(updated)}</updated>
  <author><name>NATO Digest</name></author>
${entries}
</feed>
`;
  return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8" });
});

archiveRoutes.get("/digests", async (c) => {
  const lang = archiveLang(c.req.query("lang"));
  const strings = stringsFor(lang);
  const t = strings.pages.archive;
  const digests = inLanguage(await listDigests(c.env.KV, 100), lang);
  const atom = `/digests.xml${langQuery(lang)}`;
  return c.html(
    page({
      lang,
      title: strings.pages.pastDigests,
      switchLanguage: t.otherLanguage,
      head: html`<link rel="alternate" type="application/atom+xml" title="${t.feedTitle}" href="${atom}" />`,
      body: html`<h1>${strings.pages.pastDigests}</h1>
        ${
          digests.length === 0
            ? html`<p>${t.empty}</p>`
            : html`<ul>
                ${digests.map((digest) => html`<li><a href="/digests/${digest.id}">${digest.subject}</a></li>`)}
              </ul>`
        }
        <p><a href="${atom}">${t.atom}</a> · <a href="/${langQuery(lang)}">${t.subscribe}</a></p>`,
    }),
  );
});

archiveRoutes.get("/digests/:id", async (c) => {
  const id = c.req.param("id");
  const record = await getDigest(c.env.KV, id);
  if (record) return c.html(webVersion(record.content, c.get("config").publicUrl, editionLinks(record)));
  const edition = await getEdition(c.env.KV, id);
  if (!edition)
    return c.html(
      page({
        title: "Not found",
        body: html`<h1>No such digest</h1>
          <p><a href="/digests">All digests</a></p>`,
      }),
      404,
    );
  return c.html(webVersion(edition.content, c.get("config").publicUrl));
});

/**
 * A run's page links its other unfiltered editions (every release of the
 * run, no topics: the run in another language), by language. Editions
 * filtered by topic or feed are groups of readers' choices: never linked.
 */
function editionLinks(record: DigestRecord): WebVersionLink[] {
  const all = record.releases.length;
  const shown = "lang" in record.content ? record.content.lang : "en";
  return (record.editions ?? [])
    .filter((edition) => edition.topics.length === 0 && edition.releaseIds.length === all && edition.lang !== shown)
    .map((edition) => ({
      href: `/digests/${encodeURIComponent(edition.digestId)}`,
      label: edition.lang === "fr" ? "En français" : "In English",
    }));
}
