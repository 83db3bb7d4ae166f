// Shared by the two-language digest tests: NATO-shaped feeds in English and
// French on the local feed server, readers per language, a digest run through
// POST /admin/digest and the emails each reader got.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { getDigest } from "../../src/digest/digest-store";
import worker from "../../src/index";
import type { Preferences } from "../../src/subscribers/preferences";
import { ADMIN_AUTH } from "../support/worker";
import { natoDate } from "../support/feeds";
import { receivedEmails, serveFeed, type ReceivedEmail } from "../support/servers";
import { waitFor } from "../support/kv";

export const HOUR = 3_600_000;

export async function call(path: string, init: RequestInit, overrides: Record<string, string>) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://digest.example.test${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The fixture with its dates moved so that NATO's newest release (12 Feb. 2025 15:30) was published two hours ago. */
export function recent(xml: string, newest = Date.now() - 2 * HOUR): string {
  const shift = newest - Date.parse("2025-02-12T15:30:00Z");
  return xml.replace(
    /<pubDate>([^<]+)<\/pubDate>/g,
    (_, date: string) => `<pubDate>${natoDate(new Date(Date.parse(date.replace(".", "")) + shift))}</pubDate>`,
  );
}

export async function twoFeeds(name: string, en: string, fr: string) {
  const enUrl = await serveFeed(`/${name}/en.xml`, { body: en });
  const frUrl = await serveFeed(`/${name}/fr.xml`, { body: fr });
  return {
    enUrl,
    frUrl,
    settings: { FEED_URLS: `${enUrl},${frUrl}`, FEED_LANGUAGES: `${enUrl}=en,${frUrl}=fr`, FEED_TITLES: `${enUrl}=NATO News|${frUrl}=Actualités de l'OTAN` },
  };
}

export async function digestNow(settings: Record<string, string>) {
  const response = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH, body: "" }, settings);
  expect(response.status).toBe(200);
  const report = (await response.json()) as { digest: { digestId: string | null; recipients: number; skipped: string | null; readersWithNothing?: number } };
  if (report.digest.digestId && report.digest.recipients > 0) {
    const id = report.digest.digestId;
    await waitFor(async () => ((await getDigest(env.KV, id))?.status === "sent" ? true : null), 60_000, `digest ${id} sent`);
  }
  return report.digest;
}

export async function emailsTo(domain: string, count: number): Promise<Map<string, ReceivedEmail[]>> {
  const received = await waitFor(
    async () => {
      const emails = await receivedEmails(domain);
      return emails.length >= count ? emails : null;
    },
    60_000,
    `${count} emails to ${domain}`,
  );
  const byReader = new Map<string, ReceivedEmail[]>();
  for (const email of received) byReader.set(email.to[0]!, [...(byReader.get(email.to[0]!) ?? []), email]);
  return byReader;
}

export const prefs = (lang: "en" | "fr", otherLanguage: "include" | "skip" = "include", topics: string[] = []): Preferences => {
  const preferences: Preferences = { cadence: "daily", topics, lang, sources: null };
  if (otherLanguage === "skip") preferences.otherLanguage = "skip";
  return preferences;
};
