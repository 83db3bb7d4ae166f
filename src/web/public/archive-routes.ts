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
import type { DigestRecord } from "../../digest/digest-store";
import { page } from "../layout";
import type { AppEnv } from "../types";

export const archiveRoutes = new Hono<AppEnv>();

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

archiveRoutes.get("/digests.xml", async (c) => {
  const base = c.get("config").publicUrl;
  const digests = await listDigests(c.env.KV, 50);
  const updated = digests[0]?.meta.createdAt ?? new Date(0).toISOString();
  const entries = digests
    .map(
      ({ id, meta }) => `  <entry>
    <id>${escapeXml(`${base}/digests/${id}`)}</id>
    <title>${escapeXml(meta.subject)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${base}/digests/${id}`)}"/>
    <updated>${escapeXml(meta.createdAt)}</updated>
    <summary>${meta.releaseCount} new releases</summary>
  </entry>`,
    )
    .join("\n");
  const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(`${base}/digests.xml`)}</id>
  <title>NATO Digest archive</title>
  <link rel="self" href="${escapeXml(`${base}/digests.xml`)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}/digests`)}"/>
  <updated>${escapeXml(updated)}</updated>
  <author><name>NATO Digest</name></author>
${entries}
</feed>
`;
  return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8" });
});

archiveRoutes.get("/digests", async (c) => {
  const digests = await listDigests(c.env.KV, 100);
  return c.html(
    page({
      title: "Past digests",
      head: html`<link rel="alternate" type="application/atom+xml" title="NATO Digest archive" href="/digests.xml" />`,
      body: html`<h1>Past digests</h1>
        ${
          digests.length === 0
            ? html`<p>No digest has been sent yet.</p>`
            : html`<ul>
                ${digests.map(({ id, meta }) => html`<li><a href="/digests/${id}">${meta.subject}</a></li>`)}
              </ul>`
        }
        <p><a href="/digests.xml">Atom feed</a> · <a href="/">Subscribe</a></p>`,
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
