// Both of NATO's languages end to end in workerd: the two default-shaped
// feeds (tests/fixtures/nato-news.xml and nato-actualites.xml, dated relative
// to now) served by the local feed server, readers seeded per language, the
// digest run through POST /admin/digest (ingest first) and the emails read
// back from the local Resend server.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigest } from "../../src/digest/digest-store";
import natoActualites from "../fixtures/nato-actualites.xml?raw";
import { natoDate, natoNews } from "../support/feeds";
import { seedReaders } from "../support/seed";
import { serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { call, digestNow, emailsTo, HOUR, prefs, recent, twoFeeds } from "./two-languages";

beforeEach(async () => {
  await reset();
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("a digest in each reader's language", () => {
  it("a French reader reads French, an English reader English; the English-only story is marked or left out per otherLanguage; no story twice", async () => {
    const domain = uniqueDomain("langs");
    const { settings } = await twoFeeds(uniqueName("langs"), recent(natoNews), recent(natoActualites));
    const [en] = await seedReaders(domain, "en", 1, null);
    const [frInclude] = await seedReaders(domain, "fr-include", 1, prefs("fr"));
    const [frSkip] = await seedReaders(domain, "fr-skip", 1, prefs("fr", "skip"));
    const [frCyber] = await seedReaders(domain, "fr-canada", 1, prefs("fr", "include", ["Canada"]));
    const digest = await digestNow(settings);
    expect(digest.recipients).toBe(4);
    const mail = await emailsTo(domain, 4);

    const english = mail.get(en!)![0]!;
    expect(english.text).toContain("NATO Ministers Tackle Spending, Industry, Ukraine Aid");
    expect(english.text).toContain("NATO Secretary General meets the Prime Minister of Canada");
    expect(english.text).not.toContain("Les ministres de l'OTAN");
    expect(english.text).not.toContain("(in French)");
    expect(english.subject).toContain("NATO Ministers Tackle Spending");

    const french = mail.get(frInclude!)![0]!;
    expect(french.html).toContain('lang="fr"');
    expect(french.subject).toContain("Les ministres de l'OTAN");
    expect(french.text).toContain("Les ministres de l'OTAN s'attaquent aux dépenses");
    expect(french.text).toContain("Le secrétaire général de l'OTAN participera à la Conférence de Munich");
    expect(french.text).toContain("> NATO Secretary General meets the Prime Minister of Canada (en anglais)");
    expect(french.html).toMatch(/lang="en"[^>]*>NATO Secretary General meets the Prime Minister of Canada<\/a> \(en anglais\)/);
    expect(french.text).not.toContain("NATO Ministers Tackle");
    expect(count(french.text!, "news_232986")).toBe(1);

    const skipping = mail.get(frSkip!)![0]!;
    expect(skipping.text).toContain("Les ministres de l'OTAN s'attaquent");
    expect(skipping.text).not.toContain("Prime Minister of Canada");
    expect(skipping.text).not.toContain("(en anglais)");

    // A French reader's topic matches the English title of the story NATO has only in English.
    const canada = mail.get(frCyber!)![0]!;
    expect(canada.text).toContain("Prime Minister of Canada (en anglais)");
    expect(canada.text).not.toContain("Munich");
  });

  it("topics match either language of a story: a French reader's 'cyber' finds the French 'cyberdéfense', an English reader's 'cyber' the English title of a French-listed story", async () => {
    const domain = uniqueDomain("topics");
    const at = natoDate(new Date(Date.now() - 3 * HOUR));
    const item = (lang: string, id: number, title: string) =>
      `<item><title>${title}</title><link>https://www.nato.int/cps/${lang}/natohq/news_${id}.htm</link><description>Texte</description><pubDate>${at}</pubDate></item>`;
    const doc = (lang: string, items: string[]) =>
      `<?xml version="1.0"?><rss version="2.0"><channel><title>NATO</title><language>${lang}</language>${items.join("")}</channel></rss>`;
    const { settings } = await twoFeeds(
      uniqueName("topics"),
      doc("en", [item("en", 400001, "NATO opens a new centre for cyber defence")]),
      doc("fr", [item("fr", 400001, "L'OTAN ouvre un nouveau centre de cyberdéfense"), item("fr", 400002, "Réunion sur la sécurité du cyberespace")]),
    );
    const [fr] = await seedReaders(domain, "fr", 1, prefs("fr", "include", ["cyber"]));
    const [en] = await seedReaders(domain, "en", 1, prefs("en", "include", ["cyber"]));
    await digestNow(settings);
    const mail = await emailsTo(domain, 2);
    expect(mail.get(fr!)![0]!.text).toContain("L'OTAN ouvre un nouveau centre de cyberdéfense");
    expect(mail.get(fr!)![0]!.text).not.toContain("NATO opens");
    expect(mail.get(en!)![0]!.text).toContain("NATO opens a new centre for cyber defence");
    expect(mail.get(en!)![0]!.text).toContain("Réunion sur la sécurité du cyberespace (in French)");
    expect(mail.get(en!)![0]!.text).not.toContain("L'OTAN ouvre");
  });
});

describe("a translation that arrives later", () => {
  it("is announced once under 'Maintenant en français' to French readers who got the English, as new to those who skipped it, and not at all to English readers", async () => {
    const domain = uniqueDomain("late");
    const name = uniqueName("late");
    const english = recent(natoNews);
    const empty = recent(natoActualites).replace(/<item>[\s\S]*<\/item>/, "");
    const { settings } = await twoFeeds(name, english, empty);
    const [en] = await seedReaders(domain, "en", 1, null);
    const [frInclude] = await seedReaders(domain, "fr-include", 1, prefs("fr"));
    const [frSkip] = await seedReaders(domain, "fr-skip", 1, prefs("fr", "skip"));

    const first = await digestNow(settings);
    expect(first.recipients).toBe(2); // the French reader who skips English gets nothing yet
    const firstMail = await emailsTo(domain, 2);
    expect(firstMail.get(frInclude!)![0]!.text).toContain("NATO Ministers Tackle Spending, Industry, Ukraine Aid (en anglais)");

    // NATO publishes the French versions hours later.
    await serveFeed(`/${name}/fr.xml`, { body: recent(natoActualites) });
    const second = await digestNow(settings);
    expect(second).toMatchObject({ recipients: 2, readersWithNothing: 1 });
    const secondMail = await emailsTo(domain, 4);
    expect(secondMail.get(en!)).toHaveLength(1);
    const announced = secondMail.get(frInclude!)![1]!;
    expect(announced.text).toContain("Maintenant en français\n");
    expect(announced.text!.split("Maintenant en français\n")[1]).toContain("Les ministres de l'OTAN s'attaquent aux dépenses");
    expect(announced.html).toContain("Maintenant en français</h2>");
    const asNew = secondMail.get(frSkip!)![0]!;
    expect(asNew.text).toContain("Les ministres de l'OTAN s'attaquent aux dépenses");
    expect(asNew.text).not.toContain("Maintenant en français");

    // Once: the next run has nothing more to say about it.
    const third = await digestNow(settings);
    expect(third.skipped).toBe("nothing new since the last digest");
  });
});

describe("the archive in each language", () => {
  it("/digests?lang=fr and /digests.xml?lang=fr list the French editions, in French; the French web view links the French archive", async () => {
    const domain = uniqueDomain("archive");
    const { settings } = await twoFeeds(
      uniqueName("archive"),
      // Ids of their own: the digest id derives from the releases, and this file's storage is shared by its tests.
      recent(natoNews).replaceAll("news_2329", "news_7329"),
      recent(natoActualites).replaceAll("news_2329", "news_7329"),
    );
    await seedReaders(domain, "en", 2, null);
    await seedReaders(domain, "fr", 1, prefs("fr"));
    await digestNow(settings);

    const french = await call("/digests?lang=fr", {}, settings);
    const frenchHtml = await french.text();
    expect(frenchHtml).toContain('<html lang="fr">');
    expect(frenchHtml).toContain("Éditions précédentes");
    expect(frenchHtml).toContain("attaquent aux dépenses");
    expect(frenchHtml).toContain('href="/digests.xml?lang=fr"');
    expect(frenchHtml).not.toContain("NATO Ministers Tackle");
    const english = await (await call("/digests", {}, settings)).text();
    expect(english).toContain("NATO Ministers Tackle");
    expect(english).not.toContain("attaquent aux dépenses");

    const atom = await (await call("/digests.xml?lang=fr", {}, settings)).text();
    expect(atom).toContain('xml:lang="fr"');
    expect(atom).toContain("<title>Archives de NATO Digest</title>");
    expect(atom).toContain("attaquent aux dépenses");
    expect(atom).not.toContain("NATO Ministers Tackle");

    const link = /href="(\/digests\/[^"]+)"/.exec(frenchHtml)![1]!;
    const viewResponse = await call(link, {}, settings);
    expect(viewResponse.status, `web view ${link}`).toBe(200);
    const view = await viewResponse.text();
    expect(view).toContain('lang="fr"');
    expect(view).toContain('href="/digests?lang=fr"');
    expect(view).toContain("attaquent aux dépenses");
  });

  it("a run read only in French is listed in French by its unfiltered French edition, never by a topic edition; the French sign-up page shows that edition once, in French, and links the French archive", async () => {
    const domain = uniqueDomain("french-only");
    const { settings } = await twoFeeds(
      uniqueName("french-only"),
      recent(natoNews).replaceAll("news_2329", "news_8329"),
      recent(natoActualites).replaceAll("news_2329", "news_8329"),
    );
    await seedReaders(domain, "fr", 2, prefs("fr"));
    await seedReaders(domain, "fr-munich", 1, prefs("fr", "include", ["Munich"]));
    const digest = await digestNow(settings);
    const editions = (await getDigest(env.KV, digest.digestId!))!.editions!;
    const unfiltered = editions.find((e) => e.lang === "fr" && e.topics.length === 0)!;
    const topical = editions.find((e) => e.topics.length > 0)!;
    expect(editions.every((e) => e.lang === "fr")).toBe(true);

    const french = await (await call("/digests?lang=fr", {}, settings)).text();
    expect(french).toContain(`href="/digests/${unfiltered.digestId}"`);
    const english = await (await call("/digests", {}, settings)).text();
    const atom = await (await call("/digests.xml?lang=fr", {}, settings)).text();
    for (const page of [french, english, atom]) expect(page).not.toContain(topical.digestId);
    const view = await (await call(`/digests/${unfiltered.digestId}`, {}, settings)).text();
    expect(view).toMatch(/<html[^>]* lang="fr"/);
    expect(view).toContain("Éditions précédentes");

    const signup = await (await call("/?lang=fr", {}, settings)).text();
    expect(signup).toContain('href="/digests?lang=fr"');
    expect(count(signup, "attaquent aux dépenses")).toBe(1);
    expect(signup).toContain("NATO Secretary General meets the Prime Minister of Canada");
    expect(signup).not.toContain("NATO Ministers Tackle");
    const englishSignup = await (await call("/", {}, settings)).text();
    expect(englishSignup).toContain('href="/digests"');
    expect(englishSignup).not.toContain("attaquent aux dépenses");
  });

  it("a language read only through topics has no edition in the archive: no public link to a group of readers' choices", async () => {
    const domain = uniqueDomain("french-topics");
    const { settings } = await twoFeeds(
      uniqueName("french-topics"),
      recent(natoNews).replaceAll("news_2329", "news_9329"),
      recent(natoActualites).replaceAll("news_2329", "news_9329"),
    );
    await seedReaders(domain, "en", 1, null);
    await seedReaders(domain, "fr-munich", 2, prefs("fr", "include", ["Munich"]));
    const digest = await digestNow(settings);
    const topical = (await getDigest(env.KV, digest.digestId!))!.editions!.find((e) => e.topics.length > 0)!;
    expect(topical.lang).toBe("fr");
    for (const path of ["/digests?lang=fr", "/digests.xml?lang=fr", "/digests", "/digests.xml", "/?lang=fr"]) {
      expect(await (await call(path, {}, settings)).text(), path).not.toContain(topical.digestId);
    }
  });
});
