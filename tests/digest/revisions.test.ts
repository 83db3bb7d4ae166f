// Revisions end to end: NATO changes a release already mailed; the next
// digest lists it once under "Updated since we sent it" for the readers who
// got it, with the old title; whitespace, a re-stamped date or a tracking
// parameter are no revision; the old digest's web view stays as sent.
import { createExecutionContext, env, reset, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigest } from "../../src/digest/digest-store";
import worker from "../../src/index";
import natoActualites from "../fixtures/nato-actualites.xml?raw";
import { natoNews } from "../support/feeds";
import { seedReaders } from "../support/seed";
import { serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { digestNow, emailsTo, prefs, recent, twoFeeds } from "./two-languages";

beforeEach(async () => {
  await reset();
});

const OLD_TITLE = "NATO Ministers Tackle Spending, Industry, Ukraine Aid";
const NEW_TITLE = "NATO Ministers Agree on Spending, Industry and Ukraine Aid";

describe("a release NATO revises after it was mailed", () => {
  it("is listed once as updated, with the old title, to the readers who got it; cosmetic changes are not revisions", async () => {
    const domain = uniqueDomain("revised");
    const name = uniqueName("revised");
    const english = recent(natoNews);
    const { settings } = await twoFeeds(name, english, recent(natoActualites));
    const [en] = await seedReaders(domain, "en", 1, null);
    const [fr] = await seedReaders(domain, "fr", 1, prefs("fr"));
    const first = await digestNow(settings);
    expect(first.recipients).toBe(2);
    await emailsTo(domain, 2);

    const revised = english
      .replace(OLD_TITLE, NEW_TITLE)
      // Cosmetic: whitespace in a summary, a re-stamped date and a tracking parameter on another release.
      .replace("the Munich Security Conference (MSC),", "the  Munich Security Conference\n (MSC),")
      .replace("news_232950.htm?selectedLocale=en", "news_232950.htm?selectedLocale=en&amp;utm_source=rss")
      .replace(/(<link>[^<]*news_232950[^<]*<\/link>[\s\S]*?<pubDate>)[^<]+/, "$113 Feb. 2025 09:00:00 GMT");
    expect(revised).not.toBe(english);
    await serveFeed(`/${name}/en.xml`, { body: revised });
    const second = await digestNow(settings);
    expect(second).toMatchObject({ recipients: 1, readersWithNothing: 1 });
    const mail = await emailsTo(domain, 3);
    const update = mail.get(en!)![1]!;
    expect(update.text).toContain("Updated since we sent it\n");
    const section = update.text!.split("Updated since we sent it\n")[1]!;
    expect(section).toContain(`> ${NEW_TITLE}`);
    expect(section).toContain(`Previously: “${OLD_TITLE}”`);
    expect(update.text).not.toContain("Munich");
    expect(update.html).toContain("Updated since we sent it</h2>");
    expect(mail.get(fr!)).toHaveLength(1);

    // Once: nothing more to say.
    const third = await digestNow(settings);
    expect(third.skipped).toBe("nothing new since the last digest");

    // The first digest's web view stays as it was sent.
    const record = (await getDigest(env.KV, first.digestId!))!;
    const englishEdition = record.editions!.find((edition) => edition.lang === "en")!;
    const ctx = createExecutionContext();
    const page = await worker.fetch(new Request(`https://digest.example.test/digests/${englishEdition.digestId}`), { ...env, ...settings } as Env, ctx);
    await waitOnExecutionContext(ctx);
    const html = await page.text();
    expect(html).toContain(OLD_TITLE);
    expect(html).not.toContain(NEW_TITLE);
  });
});
