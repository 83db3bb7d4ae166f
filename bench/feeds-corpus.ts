// The outside measure for the feed chain: ../shared/feeds-corpus (about 1,150
// feeds from the test suites of established feed parsers; provenance and
// licences in its README; nothing of it is copied into the project).
//   - real feeds (feedreader, node-feedparser, feedjira, rss-parser, feed-rs,
//     laminas, rsparser, control): our whole ingest chain (decode bytes →
//     parse → normalise each item) against rss-parser, item by item: title,
//     link, date. Where they disagree the verdict is recorded below with
//     its reason (KNOWN_DISAGREEMENTS); anything else counts as wrong.
//   - feedparser's well-formed, encoding and entity cases (fp-wf-*,
//     fp-encoding, fp-entities): each file's `Expect:` line is checked for
//     the fields we produce (feed and item titles, item links, item dates,
//     the encoding, whether the feed was refused or warned about).
// Used by bench/node-bench.ts (the corpus row) and by
// `node bench/run.mjs --parsing` (prints the details).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import RssParser from "rss-parser";
import { decodeHTML } from "entities";
import { decodeFeedBytes } from "../src/feeds/charset";
import { collapseWhitespace, stripTitleMarkup } from "../src/feeds/html-text";
import { resolveLinkUrl } from "../src/feeds/links";
import { parseFeedDate } from "../src/feeds/dates";
import { buildFeedTitle, buildRelease, buildSiteUrl, buildTitleText } from "../src/feeds/normalise-item";
import { parseFeed } from "../src/feeds/parse-feed";

/** Where the corpus lives (FEEDS_CORPUS_DIR overrides it, e.g. to check the "skipped" row). */
export const CORPUS_DIR = process.env.FEEDS_CORPUS_DIR ?? "../shared/feeds-corpus";
const REAL_FOLDERS = ["feedreader", "node-feedparser", "feedjira", "rss-parser", "feed-rs", "laminas", "rsparser", "control"];
const FP_FOLDERS = ["fp-wf-rss", "fp-wf-rdf", "fp-wf-atom10", "fp-wf-amp", "fp-encoding", "fp-entities"];
// Read and timed (nothing may throw), but their expectations are not counted: they probe broken XML.
const OTHER_FOLDERS = ["fp-illformed"];
const BASE_URL = "https://feeds.example.test/feed.xml";
const NOW = new Date("2030-01-01T00:00:00Z");

export interface CorpusFile {
  folder: string;
  name: string;
  bytes: Uint8Array;
  contentType: string;
}

export function loadCorpus(dir = CORPUS_DIR): CorpusFile[] | null {
  if (!existsSync(dir)) return null;
  const files: CorpusFile[] = [];
  for (const folder of [...REAL_FOLDERS, ...FP_FOLDERS, ...OTHER_FOLDERS]) {
    if (!existsSync(join(dir, folder))) continue;
    for (const name of readdirSync(join(dir, folder)).sort()) {
      if (name.startsWith("LICENSE")) continue;
      const bytes = new Uint8Array(readFileSync(join(dir, folder, name)));
      const head = new TextDecoder("latin1").decode(bytes.subarray(0, 600));
      const contentType = folder.startsWith("fp-") ? (/^Header:\s*Content-type:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? "") : "";
      files.push({ folder, name, bytes, contentType });
    }
  }
  return files;
}

export interface OurItem {
  ok: boolean;
  title: string;
  link: string;
  date: number | null;
  base: string;
}

export interface OurFeed {
  refused: string | null;
  warning: string | null;
  encoding: string;
  title: string | null;
  items: OurItem[];
}

/** The whole ingest chain, as src/feeds/ingest.ts runs it. */
export function runOurs(file: CorpusFile): OurFeed {
  const decoded = decodeFeedBytes(file.bytes, file.contentType);
  try {
    const feed = parseFeed(decoded.text, BASE_URL);
    const siteUrl = buildSiteUrl(feed, BASE_URL);
    const items = feed.items.map((item): OurItem => {
      const result = buildRelease(item, BASE_URL, NOW, siteUrl);
      const base = item.base ?? siteUrl ?? BASE_URL;
      if (!result.ok) {
        // Dropped (no usable link, or no text): still say what we read, for the feedparser cases.
        const date = parseFeedDate(item.published) ?? parseFeedDate(item.updated);
        const link = (resolveLinkUrl(item.link, base) ?? (item.guidIsPermaLink ? resolveLinkUrl(item.guid, base) : null))?.href ?? "";
        return { ok: false, title: item.title ? buildTitleText(item.title, item.titleType) : "", link, date: date ? date.getTime() : null, base };
      }
      const r = result.release;
      return { ok: true, title: r.title, link: r.link, date: r.hasFeedDate ? Date.parse(r.publishedAt) : null, base };
    });
    const warning = [decoded.warning, feed.truncated ? "truncated" : null].filter(Boolean).join("; ") || null;
    return { refused: null, warning, encoding: decoded.encoding, title: buildFeedTitle(feed.title, feed.titleType), items };
  } catch (error) {
    return { refused: error instanceof Error ? error.message : String(error), warning: decoded.warning, encoding: decoded.encoding, title: null, items: [] };
  }
}

const rssParser = new RssParser();
const utf8 = new TextDecoder("utf-8");

type TheirFeed = { items: { title?: unknown; link?: unknown; guid?: unknown; isoDate?: string }[] };

/** rss-parser as its users run it: the bytes read as UTF-8 text (it takes a string), then parseString. */
export async function runRssParser(file: CorpusFile, text = utf8.decode(file.bytes)): Promise<TheirFeed | null> {
  try {
    return (await rssParser.parseString(text)) as TheirFeed;
  } catch {
    return null;
  }
}

// Where our reading and rss-parser's differ on a real feed, after looking at
// the feed: who is right and why. Keyed by "folder/file".
export const KNOWN_DISAGREEMENTS: Record<string, string> = {
  "feedreader/Rss20ItunesSample.xml":
    "ours: item 4's date has the offset +3000, which no zone has; we leave it undated, rss-parser's Date.parse reads 30 hours",
  "node-feedparser/complexNamespaceFeed.xml": "ours: its entry is <p0:entry xmlns:p0=Atom>, an Atom entry under a prefix; rss-parser misses it",
  "feedjira/Permalinks.xml":
    'ours: item 1 has only <guid isPermaLink="false">, so no link; rss-parser\'s guid is not a link either (our comparison borrowed it)',
  "feedjira/a10.xml": "ours: the items' only links are <a10:link href> (Atom under the a10 prefix, as .NET writes it); rss-parser finds none",
};

/** rss-parser's title made comparable: what a reader should see (entities decoded once, HTML elements dropped). */
function comparableTitle(raw: unknown): string {
  if (!raw) return "";
  // xml2js hands over an object for a title with attributes or child elements.
  const title = typeof raw === "string" ? raw : String((raw as { _?: unknown })._ ?? "");
  return collapseWhitespace(stripTitleMarkup(title.includes("&") ? decodeHTML(title) : title));
}

export interface RealVerdict {
  file: string;
  status: "agree" | "known" | "wrong" | "refused" | "refused-as-expected";
  detail: string;
}

export interface CorpusReport {
  files: number;
  feeds: number;
  items: number;
  real: { files: number; wrong: RealVerdict[]; known: RealVerdict[]; agreeTitles: number; agreeLinks: number; agreeDates: number; compared: number };
  fp: { cases: number; checked: number; wrong: { file: string; detail: string; why: string | null }[] };
}

export async function checkCorpus(files: CorpusFile[]): Promise<CorpusReport> {
  const report: CorpusReport = {
    files: files.length,
    feeds: 0,
    items: 0,
    real: { files: 0, wrong: [], known: [], agreeTitles: 0, agreeLinks: 0, agreeDates: 0, compared: 0 },
    fp: { cases: 0, checked: 0, wrong: [] },
  };
  for (const file of files) {
    const ours = runOurs(file);
    const key = `${file.folder}/${file.name}`;
    if (!ours.refused) {
      report.feeds++;
      report.items += ours.items.length;
    }
    if (REAL_FOLDERS.includes(file.folder)) {
      report.real.files++;
      const verdict = await compareReal(file, ours, report);
      if (verdict.status === "wrong" || verdict.status === "refused") {
        if (KNOWN_DISAGREEMENTS[key]) report.real.known.push({ ...verdict, status: "known", detail: `${verdict.detail} — ${KNOWN_DISAGREEMENTS[key]}` });
        else report.real.wrong.push(verdict);
      }
    } else if (FP_FOLDERS.includes(file.folder)) {
      report.fp.cases++;
      const result = checkExpectation(file, ours);
      if (result === null) continue;
      report.fp.checked++;
      if (result !== true) report.fp.wrong.push({ file: key, detail: result, why: explainFpDisagreement(key, result) });
    }
  }
  return report;
}

async function compareReal(file: CorpusFile, ours: OurFeed, report: CorpusReport): Promise<RealVerdict> {
  const key = `${file.folder}/${file.name}`;
  if (file.name.endsWith(".html")) {
    return ours.refused
      ? { file: key, status: "refused-as-expected", detail: ours.refused }
      : { file: key, status: "wrong", detail: "an HTML page was read as a feed" };
  }
  // Compared on the text as we decoded it: this compares parsing; decoding is checked by the feedparser cases.
  const theirs = await runRssParser(file, decodeFeedBytes(file.bytes, file.contentType).text);
  if (ours.refused) {
    // Both refuse: not a feed (an HTML fragment, an Atom entry document, a JSON dump of RSS, a cut JSON file).
    if (!theirs || (file.name.endsWith(".json") && !/jsonfeed\.org\/version/.test(utf8.decode(file.bytes))))
      return { file: key, status: "refused-as-expected", detail: ours.refused };
    return { file: key, status: "refused", detail: ours.refused };
  }
  if (file.name.endsWith(".json")) return { file: key, status: "agree", detail: "JSON Feed (rss-parser reads XML only)" };
  if (!theirs) return { file: key, status: "agree", detail: "rss-parser refuses it; we read it" };
  if (theirs.items.length !== ours.items.length)
    return { file: key, status: "wrong", detail: `${ours.items.length} items vs rss-parser's ${theirs.items.length}` };
  const problems: string[] = [];
  for (let i = 0; i < ours.items.length; i++) {
    const a = ours.items[i]!;
    const b = theirs.items[i]!;
    report.real.compared++;
    // rss-parser does not take a permalink <guid> as the link; we do (RSS 2.0: isPermaLink defaults to true).
    const theirGuid = typeof b.guid === "string" ? b.guid : null;
    const theirLink =
      (typeof b.link === "string" ? resolveLinkUrl(b.link, a.base)?.href : undefined) ??
      (theirGuid && /^https?:/.test(theirGuid) ? resolveLinkUrl(theirGuid, a.base)?.href : undefined) ??
      "";
    const theirDate = b.isoDate ? Date.parse(b.isoDate) : null;
    const theirTitle = comparableTitle(b.title);
    // An item we drop (no usable link, no text) agrees when rss-parser has no usable link or text either.
    if (!a.ok) {
      if (theirLink === "" || theirTitle === "") {
        report.real.agreeTitles++;
        report.real.agreeLinks++;
        report.real.agreeDates++;
      } else problems.push(`#${i} dropped by us, rss-parser has ${JSON.stringify(theirTitle)} ${theirLink}`);
      continue;
    }
    // An untitled item gets its title from its summary; rss-parser leaves it empty.
    if (a.title === theirTitle || theirTitle === "" || a.title === theirTitle.slice(0, 299) + "…" || truncatedEqual(a.title, theirTitle))
      report.real.agreeTitles++;
    else problems.push(`#${i} title ${JSON.stringify(a.title)} vs ${JSON.stringify(theirTitle)}`);
    if (a.link === theirLink) report.real.agreeLinks++;
    else problems.push(`#${i} link ${a.link} vs ${theirLink || "(none)"}`);
    if (a.date === theirDate || (theirDate !== null && theirDate > NOW.getTime() + 86_400_000 && a.date === null)) report.real.agreeDates++;
    else
      problems.push(
        `#${i} date ${a.date === null ? "none" : new Date(a.date).toISOString()} vs ${theirDate === null || Number.isNaN(theirDate) ? "none" : new Date(theirDate).toISOString()}`,
      );
  }
  return problems.length
    ? { file: key, status: "wrong", detail: `${problems.length} differences, first: ${problems.slice(0, 3).join(" | ")}` }
    : { file: key, status: "agree", detail: "" };
}

function truncatedEqual(ours: string, theirs: string): boolean {
  return ours.endsWith("…") && theirs.startsWith(ours.slice(0, -1).trimEnd());
}

/** Why we read a feedparser case differently, where that is a choice (README, "Feed corpus"). */
function explainFpDisagreement(file: string, detail: string): string | null {
  if (/vs us-ascii$/.test(detail) || file.endsWith("bozo_http_i18n.xml"))
    return "feedparser follows RFC 3023 (text/xml without a charset is US-ASCII); RFC 7303 replaced that rule, so we read the declaration, else UTF-8";
  if (/entities\/(lang|rang)\.xml$/.test(file)) return "HTML 4 mapped it to U+2329/U+232A; the maintained HTML table maps it to U+27E8/U+27E9";
  if (file.endsWith("entry_title_text_plain_brackets.xml")) return 'the title says type="text/plain", so <blink> is its text, not markup';
  if (file.endsWith("bozo_double-encoded-html.xml")) return "feedparser guesses mojibake from the characters; we read what the feed says";
  return null;
}

// ---- feedparser's expectations --------------------------------------------

/** Python string literal ('…' or "…", with \x, \u, \U, \n escapes) to text. */
function pythonString(literal: string): string {
  const body = literal.replace(/^u?(['"])([\s\S]*)\1$/, "$2");
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, esc: string) => {
    if (esc[0] === "x" || esc[0] === "u" || esc[0] === "U") return String.fromCodePoint(parseInt(esc.slice(1), 16));
    return ({ n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' } as Record<string, string>)[esc] ?? `\\${esc}`;
  });
}

const CLAUSE = /^(.+?)\s*==\s*(u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*"|\([\d, ]+\))$/;

/**
 * true: every clause about a field we produce holds; a string: what differs;
 * null: the file expects nothing we produce.
 */
export function checkExpectation(file: CorpusFile, ours: OurFeed): true | string | null {
  const head = new TextDecoder("latin1").decode(file.bytes.subarray(0, 2000));
  // Expectations are ASCII; UTF-16/32 files need decoding to find them.
  const text = /Expect:/.test(head) ? head : decodeFeedBytes(file.bytes, "").text.slice(0, 2000);
  const expect = /^Expect:\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!expect) return null;
  const clauses = expect.split(/\s+and\s+/);
  let checked = false;
  const problems: string[] = [];
  for (const clause of clauses) {
    if (clause === "not bozo") {
      checked = true;
      if (ours.refused) problems.push(`refused: ${ours.refused}`);
      continue;
    }
    if (clause === "bozo") {
      checked = true;
      if (!ours.refused && !ours.warning) problems.push("read without a warning");
      continue;
    }
    const match = CLAUSE.exec(clause);
    if (!match) continue;
    const [, lhs, rhs] = match as unknown as [string, string, string];
    const first = ours.items[0];
    if (lhs === "encoding") {
      checked = true;
      const want = normaliseEncoding(pythonString(rhs));
      if (normaliseEncoding(ours.encoding) !== want) problems.push(`encoding ${ours.encoding} vs ${want}`);
    } else if (lhs === "feed['title']" || lhs === "feed['title_detail']['value']") {
      checked = true;
      const want = plainText(pythonString(rhs), true);
      if ((ours.title ?? "") !== want) problems.push(`feed title ${JSON.stringify(ours.title)} vs ${JSON.stringify(want)}`);
    } else if (lhs === "entries[0]['title']" || lhs === "entries[0]['title_detail']['value']") {
      checked = true;
      const want = plainText(pythonString(rhs), true);
      if ((first?.title ?? "") !== want) problems.push(`title ${JSON.stringify(first?.title)} vs ${JSON.stringify(want)}`);
    } else if (lhs === "entries[0]['link']") {
      checked = true;
      const want = resolveLinkUrl(pythonString(rhs), BASE_URL)?.href ?? pythonString(rhs);
      if ((first?.link ?? "") !== want) problems.push(`link ${first?.link} vs ${want}`);
    } else if (/^entries\[0\]\['(published|updated|created)_parsed'\]$/.test(lhs) && rhs.startsWith("(")) {
      checked = true;
      const [y, mo, d, h, mi, s] = rhs
        .slice(1, -1)
        .split(",")
        .map((n) => Number(n.trim()));
      const want = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
      if (first?.date !== want) problems.push(`date ${first?.date ? new Date(first.date).toISOString() : "none"} vs ${new Date(want).toISOString()}`);
    }
  }
  if (!checked) return null;
  return problems.length ? problems.join("; ") : true;
}

function normaliseEncoding(label: string): string {
  const lower = label.toLowerCase().replace(/_/g, "-");
  if (["iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252"].includes(lower)) return "windows-1252";
  if (lower === "utf-16" || lower === "utf16") return "utf-16";
  if (lower.startsWith("utf-16")) return "utf-16";
  if (lower.startsWith("utf-32")) return "utf-32";
  if (lower === "gb2312" || lower === "gb18030") return "gbk"; // GB18030 is GBK's superset
  return lower;
}

/** feedparser's value as the plain text a reader should see. */
function plainText(value: string, mayBeHtml: boolean): string {
  if (!mayBeHtml || !/[<&]/.test(value)) return collapseWhitespace(value);
  return collapseWhitespace(decodeHTML(value.replace(/<[^<>]*>/g, "")));
}
