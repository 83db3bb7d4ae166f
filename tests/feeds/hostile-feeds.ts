// Feed documents of a chosen size, benign and hostile, for the linear-time
// tests (DESIGN §12: no input up to FEED_MAX_BYTES takes more than about a
// second to parse and normalise). Pure string builders, usable in workerd
// and in Node.

/** A realistic RSS item: HTML summary with links and entities, an RFC 822 date. */
function benignItem(n: number): string {
  return `<item>
  <title>Allied ministers meet in Brussels, session ${n} &amp; outcomes</title>
  <link>https://www.nato.int/cps/en/natohq/news_${n}.htm?selectedLocale=en&amp;utm_source=rss</link>
  <guid isPermaLink="false">news-${n}</guid>
  <pubDate>Wed, 12 Feb 2025 15:30:00 GMT</pubDate>
  <description><![CDATA[<p>Defence ministers met at <a href="https://www.nato.int/">NATO Headquarters</a> to discuss spending, readiness and support for partners.</p><p>The Secretary General said the Alliance would &laquo;continue to adapt&raquo; and announced <strong>new plans</strong> for the coming year. ${n}</p><ul><li>Deterrence</li><li>Industry</li></ul>]]></description>
</item>
`;
}

const HEAD = `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed</title><link>https://www.nato.int/</link><language>en</language>\n`;
const TAIL = `</channel></rss>\n`;

/** An ordinary feed of about `bytes` characters. */
export function buildBenignFeed(bytes: number): string {
  const parts = [HEAD];
  let size = HEAD.length + TAIL.length;
  for (let n = 0; size < bytes; n++) {
    const item = benignItem(n);
    parts.push(item);
    size += item.length;
  }
  parts.push(TAIL);
  return parts.join("");
}

/** Deep nesting, then end tags that close nothing: quadratic for a scanner that searches its open stack. */
export function buildNestingFeed(bytes: number): string {
  const n = Math.floor(bytes / 8);
  return `<rss><channel>${"<a>".repeat(n)}${"</b>".repeat(n)}</channel></rss>`;
}

/** "<a b <a b …": quadratic for a tag expression that lets "<" into an attribute name. */
export function buildUnterminatedTags(chars: number): string {
  return "<a b ".repeat(Math.floor(chars / 5));
}

/** A comment sends it to the HTML parser; then open elements, then end tags that close none of them. */
export function buildParserNesting(chars: number): string {
  const n = Math.floor(chars / 7);
  return `<!-- -->${"<b>".repeat(n)}${"</i>".repeat(n)}`;
}

/** A link whose path is one long run of slashes before its last segment. */
export function buildSlashLink(chars: number): string {
  return `https://www.nato.int/${"/".repeat(chars)}a`;
}

/** Entity tricks: double escapes, long names with no ";", long numeric references, undeclared names. */
export function buildEntityText(chars: number): string {
  const unit = `&amp;amp;amp;lt; &${"a".repeat(40)} &#${"0".repeat(40)}65; &nosuch; &#x1F600; &lt;b &`;
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/**
 * A hostile feed of about `bytes` characters, well-formed enough to be read:
 * declared entities used to their limit, deep nesting with end tags that close
 * nothing, items whose summaries, titles, links and attribute lists are
 * each built to cost more than their size, and an unterminated comment at
 * the end.
 */
export function buildHostileFeed(bytes: number): string {
  const doctype = `<!DOCTYPE rss [<!ENTITY e "x&#65;"><!ENTITY big "${"y".repeat(60)}">]>\n`;
  const parts = [`<?xml version="1.0"?>\n${doctype}<rss version="2.0"><channel><title>${"&e;".repeat(2000)}</title>\n`];
  const budget = Math.floor(bytes / 6);
  // 1. Deep nesting and end tags that close nothing, outside any item.
  const n = Math.floor(budget / 8);
  parts.push(`<junk>${"<a>".repeat(n)}${"</b>".repeat(n)}</junk>\n`);
  // 2. Many stray end tags while 255 elements are open.
  parts.push(`<deep>${"<d>".repeat(254)}${"</z>".repeat(Math.floor(budget / 4))}${"</d>".repeat(254)}</deep>\n`);
  // 3. Items built to hurt each normalising step, until the size is reached.
  const attributes = Array.from({ length: 2000 }, (_, k) => ` a${k}="${k}"`).join("");
  const size = () => parts.reduce((sum, p) => sum + p.length, 0);
  for (let k = 0; size() < bytes - 200_000; k++) {
    parts.push(`<item${attributes}>
<title><![CDATA[${"<b ".repeat(3000)}]]></title>
<link>${buildSlashLink(20_000)}</link>
<guid>hostile-${k}</guid>
<pubDate>${" ".repeat(20_000)}Wed, 12 Feb 2025</pubDate>
<description><![CDATA[${buildUnterminatedTags(40_000)}]]></description>
<content:encoded><![CDATA[${buildParserNesting(40_000)}]]></content:encoded>
</item>
<item><title>${buildEntityText(30_000)}</title><link>https://www.nato.int/e${k}</link><description>${buildEntityText(30_000)}</description></item>
<item><title>t</title><link>https://www.nato.int/p${k}</link><description><![CDATA[${buildParserNesting(100_000)}]]></description></item>
`);
  }
  parts.push(TAIL.replace("</rss>", ""));
  parts.push(`<!-- ${"-".repeat(Math.max(0, bytes - size() - 10))}`);
  return parts.join("");
}
