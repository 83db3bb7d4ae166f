// Every console page with real data, and each action end to end: the local
// feed server, the real queue and consumer, the local Resend-compatible
// server. This file's storage is its own; empty-state.test.ts covers the
// pages with no data at all.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getQuotaPause, pauseForQuota } from "../../../src/mail/quota-store";
import { newSubscriber, type Subscriber } from "../../../src/subscribers/subscriber";
import { getSubscriber, saveSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { seedSubscribers } from "../../support/seed";
import { waitFor } from "../../support/kv";
import { ConsoleClient } from "../../support/console-client";

async function readyClient(titles: string[]) {
  const now = Date.now();
  const url = await serveFeed(`/${uniqueName("console")}/feed.xml`, {
    body: rss(
      titles.map((title, i) => ({
        title,
        link: `https://www.nato.int/cps/en/natohq/news_${uniqueName("n").replace(/\W/g, "")}.htm`,
        description: `&lt;p&gt;About ${title}.&lt;/p&gt;`,
        pubDate: natoDate(new Date(now - (i + 1) * 3_600_000)),
      })),
    ),
  });
  const client = new ConsoleClient({ FEED_URLS: url });
  await client.signIn();
  return client;
}

async function followDigest(client: ConsoleClient, id: string) {
  return waitFor(
    async () => {
      const progress = (await (await client.get(`/console/digests/${id}/progress.json`)).json()) as {
        finished: boolean;
        done: number;
        total: number;
        text: string;
      };
      return progress.finished ? progress : null;
    },
    60_000,
    `digest ${id} to finish`,
  );
}

describe("the console with real data", () => {
  it("ingest, overview, preview, test send, send now with a confirmation step, the digest page and its progress, charts", async () => {
    const domain = uniqueDomain("console-readers");
    await seedSubscribers(domain, 3);
    await seedSubscribers(domain, 1, "suppressed", "bounced");
    // Titles are XML as given: this one reads "Summit <preparations> & more" and must come out escaped.
    const client = await readyClient(["Ministers meet in Brussels", "Summit &lt;preparations&gt; &amp; more"]);

    const ingest = await client.post("/console/ingest");
    expect(ingest.status).toBe(200);
    expect(await ingest.text()).toContain("2 new releases stored");

    const overview = await client.page("/console");
    expect(overview).toContain("Ministers meet in Brussels");
    expect(overview).toContain("Summit &lt;preparations&gt; &amp; more");
    expect(overview).toMatch(/<span class="ok">OK<\/span>/);
    expect(overview).toMatch(/<dt>Confirmed<\/dt>\s*<dd>\d+<\/dd>/);
    expect(overview).toContain('aria-labelledby="chart-readers-title"');

    const preview = await client.page("/console/preview?cadence=daily&lang=en");
    expect(preview).toMatch(/<iframe\s+class="preview"\s+title="[^"]+"\s+sandbox=""\s/);
    expect(preview).toContain("Ministers meet in Brussels");
    expect(preview).toMatch(/Would go to<\/dt>\s*<dd>\d+/);
    // Every edition: the weekly digest, the French one, and one reader's topics, as those readers would get them.
    const weekly = await client.page("/console/preview?cadence=weekly&lang=en");
    expect(weekly).toContain("<strong>Subject:</strong> Ministers meet in Brussels + 1 more");
    expect(weekly).toMatch(/Would go to<\/dt>\s*<dd>0<\/dd>/);
    expect(weekly).toMatch(/whole weekly run: 0 weekly readers/);
    const french = await client.page("/console/preview?cadence=daily&lang=fr");
    expect(french).toContain("<strong>Subject:</strong> Ministers meet in Brussels + 1 autre");
    expect(french).toContain("lang=&quot;fr&quot;");
    const topics = await client.page("/console/preview?cadence=daily&lang=en&topics=summit");
    expect(topics).toContain("<strong>Subject:</strong> Summit &lt;preparations&gt; &amp; more");
    expect(topics).toMatch(/Releases in this edition<\/dt>\s*<dd>1 of 2/);
    expect(await client.page("/console/preview?cadence=daily&lang=en&topics=nothing-matches")).toContain("gets no email this time");
    const badTopics = await client.get("/console/preview?cadence=daily&topics=x");
    expect(badTopics.status).toBe(400);
    expect(await badTopics.text()).toContain("each topic must be 2 to 40 characters long");

    const testTo = `operator@${domain}`;
    const test = await client.post("/console/test-send", { to: testTo, cadence: "daily" });
    expect(test.status).toBe(200);
    expect(await test.text()).toContain(`to ${testTo}`);
    // A test of the French weekly edition with a topic: that edition's email, to that address only.
    const frenchTest = await client.post("/console/test-send", { to: testTo, cadence: "weekly", lang: "fr", topics: "ministers" });
    expect(frenchTest.status).toBe(200);
    const tests = await receivedEmails(domain);
    expect(tests).toHaveLength(2);
    expect(tests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ to: [testTo], subject: "[test] Ministers meet in Brussels" }),
        expect.objectContaining({ to: [testTo], subject: "[test] Ministers meet in Brussels + 1 more" }),
      ]),
    );
    expect((await client.post("/console/test-send", { to: "not-an-address", cadence: "daily" })).status).toBe(400);

    // Send now: a confirmation page first; a POST without the confirmation sends nothing.
    const confirm = await client.page("/console/send?cadence=daily");
    expect(confirm).toContain("Yes, send it");
    expect(confirm).toMatch(/2 releases to <strong>\d+<\/strong>\s+confirmed daily\s+readers/);
    const unconfirmed = await client.post("/console/send", { cadence: "daily" });
    expect(unconfirmed.status).toBe(303);
    expect(unconfirmed.headers.get("Location")).toBe("/console/send?cadence=daily");
    expect(await receivedEmails(domain)).toHaveLength(2);

    const sent = await client.post("/console/send", { cadence: "daily", confirm: "yes" });
    expect(sent.status).toBe(303);
    const digestPath = sent.headers.get("Location")!;
    expect(digestPath).toMatch(/^\/console\/digests\/[\w-]+$/);
    const id = digestPath.split("/").pop()!;
    const progress = await followDigest(client, id);
    expect(progress.done).toBe(progress.total);
    expect(progress.text).toMatch(/^Finished: \d+ sent/);
    const mails = await receivedEmails(domain);
    expect(
      mails
        .filter((m) => m.subject === "Ministers meet in Brussels + 1 more")
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([0, 1, 2].map((i) => `reader${i}@${domain}`));

    const digestPage = await client.page(digestPath);
    expect(digestPage).toContain("Finished:");
    expect(digestPage).toContain("Ministers meet in Brussels");
    expect(digestPage).not.toContain("console.js"); // finished: nothing to poll
    // The run's editions, each with its readers and outcome (the three readers share the default edition).
    expect(digestPage).toContain('<h2 id="editions-h">Editions</h2>');
    expect(digestPage).toContain(`href="/digests/${id}-e0"`);
    expect(digestPage).toMatch(
      /English ·\s*all topics\s*<\/td>\s*<td class="num">2<\/td>\s*<td class="num">3<\/td>\s*<td class="num">3<\/td>\s*<td class="num">0<\/td>\s*<td class="num">0<\/td>/,
    );

    const after = await client.page("/console");
    expect(after).toContain(`href="/console/digests/${id}"`);
    expect(after).toContain('aria-labelledby="chart-sent-title"');
    expect(after).toContain("Nothing new since the last digest");
    // The weekly edition has not gone out: its releases still wait.
    expect(after).toContain("2 releases will go into the next weekly digest");
    const digests = await client.page("/console/digests");
    expect(digests).toContain(`/console/digests/${id}`);

    // Sending again: nothing new, no new digest.
    const again = await client.post("/console/send", { cadence: "daily", confirm: "yes" });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("nothing new since the last digest");
  });

  it("send now for the weekly cadence mails only weekly readers, each their edition (language, topics); the digest page lists the editions", async () => {
    const domain = uniqueDomain("console-weekly");
    await seedSubscribers(domain, 2); // daily readers: the weekly run must not mail them
    const now = new Date();
    const weekly = async (email: string, preferences: Subscriber["preferences"]) => {
      const id = await subscriberIdFor(email);
      const base = newSubscriber({ id, email, source: "import", status: "confirmed" }, now);
      await saveSubscriber(env.KV, { ...base, consentAt: now.toISOString(), consentSource: "import", preferences });
    };
    await weekly(`weekly-en@${domain}`, { cadence: "weekly", topics: [], lang: "en", sources: null });
    await weekly(`weekly-fr@${domain}`, { cadence: "weekly", topics: [], lang: "fr", sources: null });
    await weekly(`weekly-cyber@${domain}`, { cadence: "weekly", topics: ["cyber"], lang: "en", sources: null });
    const client = await readyClient(["Cyber defence pledge renewed", "Foreign ministers gather"]);
    await client.post("/console/ingest");

    const confirm = await client.page("/console/send?cadence=weekly");
    expect(confirm).toContain("Send the weekly digest now?");
    expect(confirm).toMatch(/to <strong>3<\/strong>\s+confirmed weekly\s+readers in 3 editions/);
    const sent = await client.post("/console/send", { cadence: "weekly", confirm: "yes" });
    expect(sent.status).toBe(303);
    const digestPath = sent.headers.get("Location")!;
    const id = digestPath.split("/").pop()!;
    expect(id).toMatch(/-w[0-9a-f]+$/); // a weekly run
    await followDigest(client, id);
    const mails = await receivedEmails(domain);
    expect(mails.map((m) => [m.to[0], m.subject]).sort()).toEqual([
      [`weekly-cyber@${domain}`, "Cyber defence pledge renewed"],
      [`weekly-en@${domain}`, "Cyber defence pledge renewed + 1 more"],
      [`weekly-fr@${domain}`, "Cyber defence pledge renewed + 1 autre"],
    ]);

    const page = await client.page(digestPath);
    expect(page).toContain("Weekly digest");
    expect(page).toMatch(/French ·\s*all topics/);
    expect(page).toMatch(/English ·\s*topics: cyber/);
    for (const index of [0, 1, 2]) expect(page).toContain(`href="/digests/${id}-e${index}"`);
    // The daily run still has everything waiting.
    expect(await client.page("/console")).toContain("2 releases will go into the next daily digest");
  });

  it("a digest page polls while sending: the page links the static script and the progress JSON", async () => {
    const client = await readyClient(["Polling test"]);
    await client.post("/console/ingest");
    const missing = await client.get("/console/digests/no-such-digest");
    expect(missing.status).toBe(404);
    const script = await client.get("/console/static/console.js");
    expect(script.headers.get("Content-Type")).toContain("text/javascript");
    expect(await script.text()).toContain("data-progress-url");
  });

  it("resume lifts a quota pause", async () => {
    const client = await readyClient(["Resume test"]);
    await pauseForQuota(env.KV, new Date(), "daily_quota_exceeded: test");
    const overview = await client.page("/console");
    expect(overview).toContain("Sending is paused until");
    expect(overview).toContain("Resume sending");
    const response = await client.post("/console/resume");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("The mail-quota pause is lifted.");
    expect(await getQuotaPause(env.KV, new Date())).toBeNull();
  });

  it("find a subscriber, lift a suppression, erase (only when confirmed)", async () => {
    const domain = uniqueDomain("console-find");
    const [kept] = await seedSubscribers(domain, 1, "confirmed", "kept");
    const [bounced] = await seedSubscribers(domain, 1, "suppressed", "bounced");
    const [choosy] = await seedSubscribers(domain, 1, "confirmed", "choosy");
    const record = (await getSubscriber(env.KV, await subscriberIdFor(choosy!)))!;
    await saveSubscriber(env.KV, { ...record, preferences: { cadence: "weekly", topics: ["cyber", "Ukraine"], lang: "fr", sources: null } });
    const client = new ConsoleClient();
    await client.signIn();

    // The record shows the reader's choices.
    const choices = await client.page(`/console/subscribers?email=${encodeURIComponent(choosy!)}`);
    expect(choices).toMatch(/Gets<\/th>\s*<td>Weekly digest in French<\/td>/);
    expect(choices).toMatch(/Topics<\/th>\s*<td>cyber, Ukraine<\/td>/);
    expect(choices).toContain("(the default for the language)");
    expect(await client.page(`/console/subscribers?email=${encodeURIComponent(kept!)}`)).toMatch(/Gets<\/th>\s*<td>Daily digest in English<\/td>/);

    const found = await client.page(`/console/subscribers?email=${encodeURIComponent(bounced!)}`);
    expect(found).toContain("suppressed (bounced)");
    expect(found).toContain("Lift the suppression");
    const lifted = await client.post("/console/subscribers/unsuppress", { email: bounced! });
    expect(await lifted.text()).toContain("is lifted");
    expect((await getSubscriber(env.KV, await subscriberIdFor(bounced!)))?.status).toBe("unsubscribed");

    const notConfirmed = await client.post("/console/subscribers/erase", { email: kept! });
    expect(notConfirmed.status).toBe(400);
    expect(await getSubscriber(env.KV, await subscriberIdFor(kept!))).not.toBeNull();
    const erased = await client.post("/console/subscribers/erase", { email: kept!, confirm: "yes" });
    expect(await erased.text()).toContain("is erased");
    expect(await getSubscriber(env.KV, await subscriberIdFor(kept!))).toBeNull();
    expect(await client.page(`/console/subscribers?email=${encodeURIComponent(kept!)}`)).toContain("No record for");
    expect(await client.page(`/console/subscribers?email=nonsense`)).toContain("exactly one @");
  });

  it("import a CSV with a progress page, then export", async () => {
    const domain = uniqueDomain("console-import");
    const client = new ConsoleClient();
    await client.signIn();
    await client.page("/console/subscribers");
    const rows = Array.from({ length: 120 }, (_, i) => `imported${i}@${domain}`);
    const data = new FormData();
    data.set("file", new File([`email\n${rows.join("\n")}\nnot-an-address\n`], "list.csv", { type: "text/csv" }));
    const response = await client.postMultipart("/console/import", data);
    expect(response.status).toBe(303);
    const importPath = response.headers.get("Location")!;
    expect(importPath).toMatch(/^\/console\/imports\/[\w-]+$/);
    const page = await client.page(importPath);
    expect(page).toContain("120 valid");
    expect(page).toContain("not-an-address");
    const done = await waitFor(
      async () => {
        const p = (await (await client.get(`${importPath}/progress.json`)).json()) as { finished: boolean; fields: Record<string, string> };
        return p.finished ? p : null;
      },
      30_000,
      "the import",
    );
    expect(done.fields.added).toBe("120");
    expect((await getSubscriber(env.KV, await subscriberIdFor(rows[7]!)))?.status).toBe("confirmed");

    const csv = await (await client.get("/console/subscribers/export?format=csv")).text();
    expect(csv.split("\r\n")[0]).toBe(
      "email,status,consentAt,consentSource,createdAt,unsubscribedAt,suppressedAt,suppressedReason,cadence,topics,lang,sources,otherLanguage",
    );
    expect(csv).toContain(`imported7@${domain},confirmed`);
    expect(csv).toMatch(new RegExp(`imported7@${domain.replace(/\./g, "\\.")},confirmed,[^\r\n]*,daily,,en,,include\r\n`));

    const empty = new FormData();
    empty.set("file", new File([""], "empty.csv", { type: "text/csv" }));
    expect((await client.postMultipart("/console/import", empty)).status).toBe(400);
  });
});
