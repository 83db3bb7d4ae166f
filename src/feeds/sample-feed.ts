// An offline sample feed for trying the service locally: a NATO-shaped RSS
// document (NATO's date style, its link scheme, HTML summaries) dated
// relative to now, served by the worker itself at /console/sample-feed.xml.
// It exists only in local mode (no RESEND_API_KEY and a loopback PUBLIC_URL).
// Switched on with SAMPLE_FEED=on (e.g. `npm start -- --var SAMPLE_FEED:on`)
// or from the console (KV key v1:state:sample-feed, owned here); while on,
// it replaces FEED_URLS with an English and a French feed, paired as NATO's
// are, so an offline first run shows the whole loop in both languages.
// Releases sit on fixed six-hour slots: one new release appears every six
// hours, as on a real news feed, and nothing floods.
import type { Config } from "../config";

const SWITCH_KEY = "v1:state:sample-feed";
export const SAMPLE_FEED_PATH = "/console/sample-feed.xml";
const SLOT_MS = 6 * 3_600_000;
const ITEMS = 8;

// [English title, English summary, French title, French summary, hours after
// the English that the French appears; null: NATO never translates it].
const TOPICS: [string, string, string, string, number | null][] = [
  [
    "Secretary General meets Allied defence ministers in Brussels",
    "Ministers discussed support for Ukraine, defence production and the readiness of Allied forces.",
    "Le secrétaire général rencontre les ministres de la Défense des pays de l'OTAN à Bruxelles",
    "Les ministres ont évoqué le soutien à l'Ukraine, la production de défense et la disponibilité opérationnelle des forces alliées.",
    0,
  ],
  [
    "NATO Allies conclude exercise Steadfast Sample in the Baltic Sea",
    "Some 30 ships and 3,000 personnel trained together to protect critical undersea infrastructure.",
    "Les Alliés concluent l'exercice Steadfast Sample en mer Baltique",
    "Une trentaine de navires et 3 000 militaires se sont entraînés à protéger les infrastructures sous-marines critiques.",
    3,
  ],
  [
    "Joint press conference by the NATO Secretary General and a visiting Prime Minister",
    "The two leaders spoke about deterrence and defence, and about investment in new capabilities.",
    "",
    "",
    null,
  ],
  [
    "NATO opens a new innovation centre for cyber defence",
    "The centre will bring together experts from Allies and industry to test defences against cyber attacks.",
    "L'OTAN ouvre un nouveau centre d'innovation pour la cyberdéfense",
    "Le centre réunira des experts des pays alliés et de l'industrie pour tester les défenses contre les cyberattaques.",
    4,
  ],
  [
    "Allied leaders agree on climate and security action plan",
    "The plan sets out how NATO adapts its operations to a changing climate, and cuts its own emissions.",
    "Les dirigeants alliés adoptent un plan d'action sur le changement climatique et la sécurité",
    "Le plan décrit comment l'OTAN adapte ses opérations à l'évolution du climat et réduit ses propres émissions.",
    0,
  ],
  [
    "Deputy Secretary General addresses the Women, Peace and Security forum",
    "She stressed the role of women in conflict prevention, crisis management and peace-building.",
    "La secrétaire générale déléguée s'exprime au forum Femmes, paix et sécurité",
    "Elle a souligné le rôle des femmes dans la prévention des conflits, la gestion des crises et la consolidation de la paix.",
    2,
  ],
  [
    "NATO and the European Union hold staff talks on military mobility",
    "Staff from both organisations reviewed progress on moving forces and equipment quickly across Europe.",
    "L'OTAN et l'Union européenne tiennent des entretiens sur la mobilité militaire",
    "Les services des deux organisations ont fait le point sur le déplacement rapide des forces et des équipements en Europe.",
    0,
  ],
  [
    "Chair of the NATO Military Committee visits Allied troops in Romania",
    "The visit focused on the multinational battlegroup and on air policing along the eastern flank.",
    "Le président du Comité militaire de l'OTAN rend visite aux troupes alliées en Roumanie",
    "La visite a porté sur le groupement tactique multinational et la police du ciel sur le flanc est.",
    5,
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

/**
 * The sample document as of `now` in one language: the newest English item is
 * less than six hours old. Both languages share NATO's numeric ids, so their
 * items pair into stories; a French item appears only once its delay has
 * passed (it may be hours after the English), and one topic is never
 * translated, as happens on NATO's site.
 */
export function buildSampleFeed(now: Date, lang: SampleLang = "en"): string {
  const newestSlot = Math.floor(now.getTime() / SLOT_MS);
  const items: string[] = [];
  for (let k = 0; k < ITEMS; k++) {
    const slot = newestSlot - k;
    const [enTitle, enSummary, frTitle, frSummary, delayHours] = TOPICS[slot % TOPICS.length]!;
    // Published an hour into its slot, so the newest is never in the future.
    let published = slot * SLOT_MS + 3_600_000;
    if (lang === "fr") {
      if (delayHours === null) continue;
      published += delayHours * 3_600_000;
      if (published > now.getTime()) continue; // not translated yet
    }
    const title = lang === "fr" ? frTitle : enTitle;
    const summary = lang === "fr" ? frSummary : enSummary;
    const note = lang === "fr" ? "(Communiqué d'exemple pour essayer NATO Digest hors ligne.)" : "(Sample release for trying NATO Digest offline.)";
    const link = `https://www.nato.int/cps/${lang}/natohq/news_${200000 + (slot % 800000)}.htm?selectedLocale=${lang}`;
    items.push(`<item>
<title>${escapeXml(title)}</title>
<link>${escapeXml(link)}</link>
<description>${escapeXml(`<p>${summary} <em>${note}</em></p>`)}</description>
<pubDate>${natoDate(new Date(Math.min(published, now.getTime() - 60_000)))}</pubDate>
</item>`);
  }
  const channel =
    lang === "fr"
      ? { title: "OTAN - Dernières nouvelles (exemple hors ligne)", link: "https://www.nato.int/cps/fr/natohq/news.htm", language: "fr" }
      : { title: "NATO - Latest news (offline sample)", link: "https://www.nato.int/cps/en/natohq/news.htm", language: "en" };
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>${channel.title}</title>
<link>${channel.link}</link>
<language>${channel.language}</language>
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

export type SampleLang = "en" | "fr";

/** The sample feed's URL in one language (`?lang=fr` for the French one). */
export function sampleFeedUrl(config: Config, lang: SampleLang = "en"): string {
  return `${config.publicUrl}${SAMPLE_FEED_PATH}${lang === "fr" ? "?lang=fr" : ""}`;
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
  if (!on) return config;
  const en = sampleFeedUrl(config, "en");
  const fr = sampleFeedUrl(config, "fr");
  return {
    ...config,
    feedUrls: [en, fr],
    feedLanguages: { [en]: "en", [fr]: "fr" },
    feedTitles: { [en]: "NATO News (sample)", [fr]: "Actualités de l'OTAN (exemple)" },
  };
}
