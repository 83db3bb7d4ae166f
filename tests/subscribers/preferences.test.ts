// The preference model: validation of every field, topic matching (accents,
// word starts, elisions, punctuation), default sources, and edition grouping.
import { describe, expect, it } from "vitest";
import { planEditions, releasesFor, type ListedReader } from "../../src/digest/editions";
import {
  effectiveSources,
  feedIdFor,
  parsePreferencesInput,
  preferencesOf,
  topicMatcher,
  type FeedChoice,
  type Preferences,
} from "../../src/subscribers/preferences";
import { editionKeyOf, metadataOf } from "../../src/subscribers/subscriber-store";
import { newSubscriber } from "../../src/subscribers/subscriber";

const EN: FeedChoice = { id: feedIdFor("https://example.test/en.xml"), title: "NATO News", lang: "en", url: "https://example.test/en.xml" };
const FR: FeedChoice = { id: feedIdFor("https://example.test/fr.xml"), title: "Actualités de l'OTAN", lang: "fr", url: "https://example.test/fr.xml" };
const FEEDS = [EN, FR];

const matches = (topics: string[], title: string, summary = "") => topicMatcher(topics)({ title, summary });

describe("topic matching", () => {
  it("matches at the start of a word, ignoring case", () => {
    expect(matches(["cyber"], "Cyber defence pledge")).toBe(true);
    expect(matches(["cyber"], "Allies discuss cyberattacks")).toBe(true);
    expect(matches(["cyber"], "A hypercyber event")).toBe(false);
    expect(matches(["ukraine"], "Support for UKRAINE continues")).toBe(true);
    expect(matches(["arctic"], "Antarctic research")).toBe(false);
  });

  it("ignores accents both ways", () => {
    expect(matches(["securite"], "Sécurité euro-atlantique")).toBe(true);
    expect(matches(["sécurité"], "Securite collective")).toBe(true);
    expect(matches(["defense"], "La défense aérienne")).toBe(true);
    expect(matches(["élargissement"], "ELARGISSEMENT de l'Alliance")).toBe(true);
  });

  it("treats elisions and punctuation as word boundaries", () => {
    expect(matches(["otan"], "Réunion des ministres de l'OTAN")).toBe(true);
    expect(matches(["otan"], "Sommet de l’OTAN à La Haye")).toBe(true);
    expect(matches(["alliance"], "L'Alliance s'engage")).toBe(true);
    expect(matches(["nato"], "(NATO) statement")).toBe(true);
    expect(matches(["nato"], "NATO-Ukraine Council")).toBe(true);
    expect(matches(["ukraine"], "NATO-Ukraine Council")).toBe(true);
    expect(matches(["summit"], "Summit: leaders agree")).toBe(true);
    expect(matches(["otan"], "Le potentiel")).toBe(false);
  });

  it("looks in the summary too, and matches any of several topics", () => {
    expect(matches(["space"], "Ministers meet", "They discussed space policy.")).toBe(true);
    expect(matches(["space", "cyber"], "Cyber range opens")).toBe(true);
    expect(matches(["space", "cyber"], "Budget agreed", "Defence spending")).toBe(false);
  });

  it("matches a phrase and treats regex characters literally", () => {
    expect(matches(["air policing"], "Air policing mission in the Baltics")).toBe(true);
    expect(matches(["c.i.a"], "Cxixa")).toBe(false);
  });

  it("no topics matches everything", () => {
    expect(matches([], "Anything at all")).toBe(true);
  });
});

describe("validation", () => {
  it("absent fields take the defaults", () => {
    expect(parsePreferencesInput({}, FEEDS)).toEqual({ ok: true, preferences: { cadence: "daily", topics: [], lang: "en", sources: null } });
  });

  it("accepts every valid value", () => {
    const result = parsePreferencesInput({ cadence: "weekly", topics: " cyber ,  Sécurité ,space  policy", lang: "fr", sources: [EN.id] }, FEEDS);
    expect(result).toEqual({ ok: true, preferences: { cadence: "weekly", topics: ["cyber", "Sécurité", "space policy"], lang: "fr", sources: [EN.id] } });
    expect(parsePreferencesInput({ topics: ["cyber", "otan"] }, FEEDS)).toMatchObject({ ok: true, preferences: { topics: ["cyber", "otan"] } });
  });

  it("merges duplicate topics (case and accents) and skips empty comma slots", () => {
    expect(parsePreferencesInput({ topics: "Cyber, cyber, CYBÉR,, otan," }, FEEDS)).toMatchObject({ ok: true, preferences: { topics: ["Cyber", "otan"] } });
  });

  it("ticking exactly the default feeds of the language keeps the default (null); ticking others is kept as chosen", () => {
    expect(parsePreferencesInput({ sources: [EN.id] }, FEEDS)).toMatchObject({ ok: true, preferences: { sources: null } });
    expect(parsePreferencesInput({ sources: [FR.id], lang: "fr" }, FEEDS)).toMatchObject({ ok: true, preferences: { sources: null } });
    expect(parsePreferencesInput({ sources: [FR.id, EN.id] }, FEEDS)).toMatchObject({ ok: true, preferences: { sources: [EN.id, FR.id] } });
    expect(parsePreferencesInput({ sources: [FR.id] }, FEEDS)).toMatchObject({ ok: true, preferences: { sources: [FR.id] } });
  });

  it.each([
    [{ cadence: "monthly" }, "cadence"],
    [{ cadence: 7 }, "cadence"],
    [{ lang: "de" }, "lang"],
    [{ lang: ["fr"] }, "lang"],
    [{ topics: "x" }, "topics"],
    [{ topics: "a".repeat(41) }, "topics"],
    [{ topics: Array.from({ length: 11 }, (_, i) => `topic${i}`) }, "topics"],
    [{ topics: [1, 2] }, "topics"],
    [{ topics: { a: 1 } }, "topics"],
    [{ topics: "<script>" }, "topics"],
    [{ topics: ["ok", ""] }, "topics"],
    [{ sources: ["cccccccccccccccccccccccc"] }, "sources"],
    [{ sources: [] }, "sources"],
    [{ sources: "not-a-list-of-ids" }, "sources"],
    [{ sources: [42] }, "sources"],
  ])("%j is refused naming %s", (raw, field) => {
    const result = parsePreferencesInput(raw as never, FEEDS);
    expect(result).toMatchObject({ ok: false, field });
    if (!result.ok) expect(result.message).toMatch(new RegExp(field === "lang" ? "lang" : field.slice(0, 5), "i"));
  });

  it("exactly 10 topics of 2 and of 40 characters pass", () => {
    const topics = [...Array.from({ length: 9 }, (_, i) => `t${i}`), "b".repeat(40)];
    expect(parsePreferencesInput({ topics }, FEEDS)).toMatchObject({ ok: true });
  });
});

describe("old records and defaults", () => {
  it("a record without preferences reads as daily, no topics, English, default sources", () => {
    const old = newSubscriber({ id: "0".repeat(32), email: "a@example.org", source: "form", status: "confirmed" }, new Date());
    expect(preferencesOf(old)).toEqual({ cadence: "daily", topics: [], lang: "en", sources: null });
    expect(metadataOf(old)).toEqual({ status: "confirmed", email: "a@example.org" });
  });

  it("default sources: the feeds in the reader's language where feeds declare one", () => {
    expect(effectiveSources({ sources: null, lang: "fr" }, FEEDS)).toEqual([FR.id]);
    expect(effectiveSources({ sources: null, lang: "en" }, FEEDS)).toEqual([EN.id]);
    const undeclared = FEEDS.map((feed) => ({ ...feed, lang: null }));
    expect(effectiveSources({ sources: null, lang: "fr" }, undeclared)).toEqual([EN.id, FR.id]);
    expect(effectiveSources({ sources: null, lang: "fr" }, [EN])).toEqual([EN.id]);
    expect(effectiveSources({ sources: [EN.id, "gone"], lang: "fr" }, FEEDS)).toEqual([EN.id]);
  });

  it("metadata keeps an edition key, not the topics, and stays far under 1,024 bytes", () => {
    const preferences: Preferences = {
      cadence: "weekly",
      topics: Array.from({ length: 10 }, (_, i) => `${"é".repeat(38)}${i}`),
      lang: "fr",
      sources: [FR.id],
    };
    const subscriber = {
      ...newSubscriber(
        { id: "1".repeat(32), email: `${"a".repeat(64)}@${"b".repeat(180)}.example`, source: "form" as const, status: "confirmed" as const },
        new Date(),
      ),
      preferences,
      personalToken: "p.AAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBB",
    };
    const metadata = metadataOf(subscriber);
    expect(metadata).toMatchObject({ cadence: "weekly", edition: editionKeyOf(preferences), token: subscriber.personalToken });
    expect(new TextEncoder().encode(JSON.stringify(metadata)).length).toBeLessThan(512);
    // Same choices in another order or case: the same edition.
    expect(editionKeyOf({ ...preferences, topics: [...preferences.topics].reverse().map((t) => t.toUpperCase()) })).toBe(editionKeyOf(preferences));
  });
});

describe("edition grouping", () => {
  const release = (id: string, title: string, feed: FeedChoice) => ({
    id,
    title,
    link: `https://example.test/${id}`,
    summary: "",
    publishedAt: "2026-11-28T10:00:00Z",
    sourceUrl: feed.url,
  });
  const releases = [
    release("r1", "Cyber defence pledge", EN),
    release("r2", "Allies meet in Brussels", EN),
    release("r3", "Réunion de l'OTAN sur la cyberdéfense", FR),
    release("r4", "Sécurité en mer Baltique", FR),
  ];
  const reader = (n: number, edition: string | null): ListedReader => ({
    id: String(n).padStart(32, "0"),
    email: `r${n}@example.test`,
    cadence: "daily",
    edition,
  });

  it("groups readers by effective choices, filters releases per edition, and leaves out readers with nothing", () => {
    const cyberEn: Preferences = { cadence: "daily", topics: ["cyber"], lang: "en", sources: null };
    const cyberFr: Preferences = { cadence: "daily", topics: ["Cyber"], lang: "fr", sources: null };
    const space: Preferences = { cadence: "daily", topics: ["space"], lang: "en", sources: null };
    // An explicit choice equal to the default resolves to the same edition as the default.
    const enExplicit: Preferences = { cadence: "daily", topics: [], lang: "en", sources: [EN.id] };
    const keys = new Map([
      ["k-cyber-en", cyberEn],
      ["k-cyber-fr", cyberFr],
      ["k-space", space],
      ["k-en", enExplicit],
    ]);
    const readers = [reader(1, null), reader(2, "k-cyber-en"), reader(3, "k-cyber-fr"), reader(4, "k-space"), reader(5, "k-en"), reader(6, "k-unknown")];
    const plan = planEditions(readers, keys, releases, FEEDS);
    expect(plan.readersWithNothing).toBe(1);
    expect(plan.unknownEditionKeys).toEqual(["k-unknown"]);
    const byReader = new Map(plan.editions.flatMap((e) => e.readers.map((r) => [r.email, e] as const)));
    expect(byReader.get("r1@example.test")!.releases.map((r) => r.id)).toEqual(["r1", "r2"]);
    expect(byReader.get("r5@example.test")).toBe(byReader.get("r1@example.test"));
    expect(byReader.get("r6@example.test")).toBe(byReader.get("r1@example.test"));
    expect(byReader.get("r2@example.test")!.releases.map((r) => r.id)).toEqual(["r1"]);
    expect(byReader.get("r3@example.test")!.releases.map((r) => r.id)).toEqual(["r3"]);
    expect(byReader.get("r3@example.test")!.choice.lang).toBe("fr");
    expect(byReader.has("r4@example.test")).toBe(false);
    expect(plan.editions).toHaveLength(3);
    expect(plan.editions.map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it("numbers editions the same way whatever the order of readers", () => {
    const keys = new Map([["k", { cadence: "daily", topics: ["cyber"], lang: "en", sources: null } as Preferences]]);
    const a = planEditions([reader(1, null), reader(2, "k")], keys, releases, FEEDS);
    const b = planEditions([reader(2, "k"), reader(1, null)], keys, releases, FEEDS);
    expect(a.editions.map((e) => e.key)).toEqual(b.editions.map((e) => e.key));
  });

  it("without known feeds, every release counts for every edition", () => {
    expect(releasesFor({ lang: "fr", topics: [], sources: null }, releases).map((r) => r.id)).toEqual(["r1", "r2", "r3", "r4"]);
  });
});
