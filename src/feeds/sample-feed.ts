// An offline sample feed for trying the service locally: a NATO-shaped RSS
// document (NATO's date style, its link scheme, HTML summaries) dated
// relative to now, served by the worker itself at /console/sample-feed.xml.
// It exists only in local mode (no RESEND_API_KEY and a loopback PUBLIC_URL).
// Switched on with SAMPLE_FEED=on (e.g. `npm start -- --var SAMPLE_FEED:on`)
// or from the console (KV key v1:state:sample-feed, owned here); while on,
// it replaces FEED_URLS, so an offline first run shows the whole loop.
// Releases sit on fixed six-hour slots: one new release appears every six
// hours, as on a real news feed, and nothing floods.
import type { Config } from "../config";

const SWITCH_KEY = "v1:state:sample-feed";
export const SAMPLE_FEED_PATH = "/console/sample-feed.xml";
const SLOT_MS = 6 * 3_600_000;
const ITEMS = 8;

const TOPICS: [string, string][] = [
  [
    "Secretary General meets Allied defence ministers in Brussels",
    "Ministers discussed support for Ukraine, defence production and the readiness of Allied forces.",
  ],
  [
    "NATO Allies conclude exercise Steadfast Sample in the Baltic Sea",
    "Some 30 ships and 3,000 personnel trained together to protect critical undersea infrastructure.",
  ],
  [
    "Joint press conference by the NATO Secretary General and a visiting Prime Minister",
    "The two leaders spoke about deterrence and defence, and about investment in new capabilities.",
  ],
  [
    "NATO opens a new innovation centre for cyber defence",
    "The centre will bring together experts from Allies and industry to test defences against cyber attacks.",
  ],
  [
    "Allied leaders agree on climate and security action plan",
    "The plan sets out how NATO adapts its operations to a changing climate, and cuts its own emissions.",
  ],
  [
    "Deputy Secretary General addresses the Women, Peace and Security forum",
    "She stressed the role of women in conflict prevention, crisis management and peace-building.",
  ],
  [
    "NATO and the European Union hold staff talks on military mobility",
    "Staff from both organisations reviewed progress on moving forces and equipment quickly across Europe.",
  ],
  [
    "Chair of the NATO Military Committee visits Allied troops in Romania",
    "The visit focused on the multinational battlegroup and on air policing along the eastern flank.",
  ],
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** NATO's own date style: "19 Sep. 2025 12:00:00 GMT" (no weekday, a dot after the month). */
function natoDate(date: Date): string {
  return `${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:00 GMT`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The sample document as of `now`: the newest item is less than six hours old. */
export function buildSampleFeed(now: Date): string {
  const newestSlot = Math.floor(now.getTime() / SLOT_MS);
  const items: string[] = [];
  for (let k = 0; k < ITEMS; k++) {
    const slot = newestSlot - k;
    // Published an hour into its slot, so the newest is never in the future.
    const published = new Date(Math.min(slot * SLOT_MS + 3_600_000, now.getTime() - 60_000));
    const [title, summary] = TOPICS[slot % TOPICS.length]!;
    const link = `https://www.nato.int/cps/en/natohq/news_${200000 + (slot % 800000)}.htm?selectedLocale=en`;
    items.push(`<item>
<title>${escapeXml(title)}</title>
<link>${escapeXml(link)}</link>
<description>${escapeXml(`<p>${summary} <em>(Sample release for trying NATO Digest offline.)</em></p>`)}</description>
<pubDate>${natoDate(published)}</pubDate>
</item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>NATO - Latest news (offline sample)</title>
<link>https://www.nato.int/cps/en/natohq/news.htm</link>
<description>A sample feed in the shape of NATO's, served by the local worker.</description>
${items.join("\n")}
</channel>
</rss>
`;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Local mode: mail goes to the outbox and PUBLIC_URL points at this machine. */
export function isLocalMode(config: Config): boolean {
  return config.resendApiKey === null && LOOPBACK_HOSTS.has(new URL(config.publicUrl).hostname);
}

export function sampleFeedUrl(config: Config): string {
  return `${config.publicUrl}${SAMPLE_FEED_PATH}`;
}

export async function isSampleFeedOn(kv: KVNamespace): Promise<boolean> {
  return (await kv.get(SWITCH_KEY)) === "on";
}

export async function saveSampleFeedSwitch(kv: KVNamespace, on: boolean): Promise<void> {
  if (on) await kv.put(SWITCH_KEY, "on");
  else await kv.delete(SWITCH_KEY);
}

/**
 * The config with the sample feed in place of FEED_URLS when it is switched
 * on in local mode; the config unchanged otherwise (no KV read outside
 * local mode). Called at the edge (app.ts, index.ts).
 */
export async function withSampleFeed(config: Config, env: { KV: KVNamespace; SAMPLE_FEED?: unknown }): Promise<Config> {
  if (!isLocalMode(config)) return config;
  const on = env.SAMPLE_FEED === "on" || (await isSampleFeedOn(env.KV));
  return on ? { ...config, feedUrls: [sampleFeedUrl(config)] } : config;
}
