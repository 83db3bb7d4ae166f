// Feeds as the world writes them (issue 10): one small hand-written feed per
// case, served by the local feed server and read through the real ingest
// path (fetch, decode, parse, normalise, store) in workerd.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { getSource } from "../../src/feeds/source-store";
import { listRecentReleases, type StoredRelease } from "../../src/releases/release-store";
import datesMultilingual from "../fixtures/feeds/dates-multilingual.xml?raw";
import declaredEntities from "../fixtures/feeds/declared-entities.xml?raw";
import elements from "../fixtures/feeds/elements.xml?raw";
import encodings from "../fixtures/feeds/encodings.xml?raw";
import escapedMarkup from "../fixtures/feeds/escaped-markup.xml?raw";
import invisibleCharacters from "../fixtures/feeds/invisible-characters.xml?raw";
import namedEntities from "../fixtures/feeds/named-entities.xml?raw";
import prefixedAtom from "../fixtures/feeds/prefixed-atom.xml?raw";
import relativeLinksNoSite from "../fixtures/feeds/relative-links-no-site.xml?raw";
import relativeLinks from "../fixtures/feeds/relative-links.xml?raw";
import { testConfig } from "../support/worker";
import { type FeedDefinition, serveFeed } from "../support/servers";
import { uniqueName } from "../support/servers";

const NOW = new Date("2025-02-13T08:00:00Z");

/** Serves one document, ingests it, and returns the report and what was stored from it. */
async function ingest(name: string, feed: FeedDefinition) {
  const url = await serveFeed(`/${uniqueName("world")}/${name}`, feed);
  const report = await runIngest(testConfig({ FEED_URLS: url }), env.KV, fetch, () => NOW);
  const stored = (await listRecentReleases(env.KV, NOW, 30, 1000)).filter((r) => r.sourceUrl === url);
  const byLink = new Map<string, StoredRelease>(stored.map((r) => [r.link, r]));
  return { url, source: report.sources[0]!, stored, byLink, state: await getSource(env.KV, url) };
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

function utf32(text: string, littleEndian: boolean): Uint8Array {
  const points = [...text].map((c) => c.codePointAt(0)!);
  const out = new Uint8Array(points.length * 4);
  const view = new DataView(out.buffer);
  points.forEach((point, i) => view.setUint32(i * 4, point, littleEndian));
  return out;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => {
    const code = c.charCodeAt(0);
    return code === 0x20ac ? 0x80 : code === 0x2013 ? 0x96 : code; // € and – in Windows-1252
  });
}

describe("feeds as the world writes them, through the ingest path", () => {
  it("1. decodes HTML named entities in titles once (Netscape RSS 0.91 DOCTYPE, French text)", async () => {
    const { source, byLink, state } = await ingest("named-entities.xml", { body: namedEntities });
    expect(source).toMatchObject({ status: "ok", new: 2, invalid: 0 });
    expect(byLink.get("https://www.nato.int/cps/fr/natohq/news_1.htm")).toMatchObject({
      title: "Le Secrétaire général à Bruxelles … « Défense » – suite",
      summary: "Réunion des ministres & partenaires.",
    });
    // "&amp;eacute;" is the text "&eacute;": decoded once, not twice.
    expect(byLink.get("https://www.nato.int/cps/fr/natohq/news_2.htm")!.title).toBe("Café &eacute; reste écrit une fois");
    expect(state).toMatchObject({ title: "OTAN – Actualités", language: "fr" });
  });

  it("2. strips escaped markup made of HTML elements from titles, keeps text that only looks like a tag", async () => {
    const { byLink } = await ingest("escaped-markup.xml", { body: escapedMarkup });
    const title = (n: number) => byLink.get(`https://example.test/markup/${n}`)!.title;
    expect(title(1)).toBe("La case BD : Tintin au pays des Alliés");
    expect(title(2)).toBe("Live: Allies agree");
    expect(title(3)).toBe("Rent 1930ft2 for $4300");
    expect(title(4)).toBe('"Baltic Sentry" <update>');
    expect(title(5)).toBe("x < y and a lone <b> stay as written");
  });

  it("3. reads dates in French, German, Spanish, Portuguese, Italian and Dutch, NATO's style in both languages, and zone-less times as UTC", async () => {
    const { byLink } = await ingest("dates-multilingual.xml", { body: datesMultilingual });
    const at = (slug: string) => byLink.get(`https://example.test/dates/${slug}`)!;
    for (const slug of ["nato-en", "nato-fr", "fr", "de", "de-long", "es", "pt", "it", "nl", "ampm", "numeric"]) {
      expect({ slug, publishedAt: at(slug).publishedAt, hasFeedDate: at(slug).hasFeedDate }).toEqual({
        slug,
        publishedAt: "2025-02-12T15:30:00.000Z",
        hasFeedDate: true,
      });
    }
    // Unparseable: the first-seen time, as before.
    expect(at("none")).toMatchObject({ publishedAt: NOW.toISOString(), hasFeedDate: false });
  });

  describe("4. encodings", () => {
    const doc = (label: string, declared: string) => encodings.replace("ENCODING", declared).replaceAll("LABEL", label);
    const expectRead = async (label: string, feed: FeedDefinition, warning: RegExp | null = null) => {
      const { source, byLink } = await ingest(`${label}.xml`, feed);
      expect(source).toMatchObject({ status: "ok", new: 1 });
      expect(byLink.get(`https://example.test/encodings/${label}`)!.title).toBe(`Sécurité €uro-atlantique – ${label}`);
      if (warning) expect(source.warning).toMatch(warning);
      else expect(source.warning).toBeUndefined();
    };

    it("detects UTF-16 and UTF-32 without a byte-order mark, and UTF-32 with one (XML Appendix F)", async () => {
      const xml = "application/xml";
      await expectRead("utf16le-nobom", { bodyBase64: toBase64(utf16(doc("utf16le-nobom", "UTF-16"), true)), contentType: xml });
      await expectRead("utf16be-nobom", { bodyBase64: toBase64(utf16(doc("utf16be-nobom", "UTF-16"), false)), contentType: xml });
      await expectRead("utf32le-nobom", { bodyBase64: toBase64(utf32(doc("utf32le-nobom", "UTF-32"), true)), contentType: xml });
      await expectRead("utf32be-nobom", { bodyBase64: toBase64(utf32(doc("utf32be-nobom", "UTF-32"), false)), contentType: xml });
      await expectRead("utf32le-bom", { bodyBase64: toBase64(utf32(`\uFEFF${doc("utf32le-bom", "UTF-32")}`, true)), contentType: xml });
      await expectRead("utf32be-bom", { bodyBase64: toBase64(utf32(`\uFEFF${doc("utf32be-bom", "UTF-32")}`, false)), contentType: xml });
    });

    it("falls back past an unknown label, and past a header charset the bytes are not valid in, with a warning in the source's health", async () => {
      await expectRead(
        "bogus",
        { bodyBase64: toBase64(latin1(doc("bogus", "bogus"))), contentType: "application/xml" },
        /unknown charset "bogus".*Windows-1252/,
      );
      // The header says UTF-8; the bytes are ISO-8859-1 as the declaration says.
      const lying = await ingest("lying-header.xml", {
        bodyBase64: toBase64(latin1(doc("lying-header", "ISO-8859-1"))),
        contentType: "application/rss+xml; charset=utf-8",
      });
      expect(lying.byLink.get("https://example.test/encodings/lying-header")!.title).toBe("Sécurité €uro-atlantique – lying-header");
      expect(lying.source.warning).toMatch(/not valid utf-8 \(the HTTP header's charset\)/);
      expect(lying.state!.lastError).toMatch(/charset/);
      expect(lying.state!.consecutiveFailures).toBe(0);
    });
  });

  it("5. expands the internal entities a feed declares, and reads CDATA that merely mentions <!ENTITY", async () => {
    const { source, byLink, state } = await ingest("declared-entities.xml", { body: declaredEntities });
    expect(source).toMatchObject({ status: "ok", new: 2 });
    expect(byLink.get("https://example.test/entities/1")!.title).toBe("The Secretary General of the North Atlantic Treaty Organization © 2025");
    expect(byLink.get("https://example.test/entities/2")).toMatchObject({
      title: 'How a DTD writes <!ENTITY name "value">',
      summary: "In CDATA, &nato; is not an entity reference.",
    });
    expect(state!.title).toBe("North Atlantic Treaty Organization news");
  });

  it("5. refuses entity expansion past its limits: nesting, and more than 64 KB in total", async () => {
    const big = "x".repeat(1000);
    const uses = "&big;".repeat(70); // 70 KB
    const blowup = await ingest("quadratic.xml", {
      body: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${big}">]><rss version="2.0"><channel><item><title>${uses}</title><link>https://example.test/q</link></item></channel></rss>`,
    });
    expect(blowup.source.status).toBe("error");
    expect(blowup.source.error).toMatch(/over 65536 characters/);
    const nested = await ingest("nested.xml", {
      body: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "one"><!ENTITY b "&a;&a;">]><rss version="2.0"><channel><item><title>&b;</title><link>https://example.test/n</link></item></channel></rss>`,
    });
    expect(nested.source.error).toMatch(/nests entities/);
    const parameter = await ingest("parameter.xml", {
      body: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]><rss version="2.0"><channel><item><title>Parameter entities are never read</title><link>https://example.test/p</link></item></channel></rss>`,
    });
    expect(parameter.source).toMatchObject({ status: "ok", new: 1 });
  });

  it("6. reads dc:title, atom:link and a10:link items, a prefixed Atom root, and JSON Feed's http:// version", async () => {
    const rss = await ingest("elements.xml", { body: elements });
    expect(rss.byLink.get("https://example.test/elements/dc-title")!.title).toBe("Item titled by Dublin Core");
    expect(rss.byLink.get("https://example.test/elements/atom-link")!.title).toBe("Only an atom:link");
    expect(rss.byLink.get("https://example.test/elements/a10-link")!.title).toBe("Only an a10:link");
    expect(rss.state!.title).toBe("Channel titled by Dublin Core");

    const atom = await ingest("prefixed-atom.xml", { body: prefixedAtom, contentType: "application/atom+xml" });
    expect(atom.byLink.get("https://example.test/elements/prefixed-atom")).toMatchObject({
      title: "Prefixed entry",
      publishedAt: "2025-02-12T15:30:00.000Z",
    });
    expect(atom.state).toMatchObject({ title: "Atom under a prefix", language: "en" });

    const json = await ingest("feed.json", {
      contentType: "application/json",
      body: JSON.stringify({
        version: "http://jsonfeed.org/version/1",
        title: "JSON Feed 1.0",
        items: [{ id: "j1", url: "https://example.test/elements/json", title: "From a version 1 JSON Feed" }],
      }),
    });
    expect(json.source).toMatchObject({ status: "ok", new: 1 });
  });

  it("7. resolves relative links against xml:base, else the channel's link, else the feed URL", async () => {
    const { byLink, url } = await ingest("relative-links.xml", { body: relativeLinks });
    expect([...byLink.keys()].sort()).toEqual(
      [
        "https://cdn.example.test/base/three.htm",
        "https://site.example.test/articles/two.htm",
        "https://site.example.test/news/articles/one.htm",
        // A relative xml:base is itself relative to the document (XML Base), here the feed URL.
        new URL("/other/four.htm", url).href,
      ].sort(),
    );
    const noSite = await ingest("relative-links-no-site.xml", { body: relativeLinksNoSite });
    expect(noSite.stored.map((r) => r.link)).toEqual([new URL("five.htm", noSite.url).href]);
  });

  it("8. drops bidi overrides, isolates and C0/C1 controls from titles and summaries", async () => {
    const { byLink } = await ingest("invisible-characters.xml", { body: invisibleCharacters });
    const release = byLink.get("https://example.test/invisible/1")!;
    expect(release.title).toBe("Payfdp.exe invoice now");
    expect(release.summary).toBe("Summary with isolates and a bell");
  });
});
