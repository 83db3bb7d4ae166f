// Feed documents for the local feed server: an RSS 2.0 builder and NATO's
// own date style. Shared by the tests (through tests/support/feeds.ts) and
// the bench; imports nothing of src/.

export interface TestItem {
  title?: string;
  link?: string;
  description?: string;
  pubDate?: string;
  guid?: string;
}

/** An RSS 2.0 document; values are inserted as given (escape them yourself). */
export function rss(items: TestItem[], channelExtra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://example.test/</link>${channelExtra}
${items
  .map(
    (item) =>
      `<item>${item.title !== undefined ? `<title>${item.title}</title>` : ""}${item.link !== undefined ? `<link>${item.link}</link>` : ""}${
        item.guid !== undefined ? `<guid>${item.guid}</guid>` : ""
      }${item.description !== undefined ? `<description>${item.description}</description>` : ""}${item.pubDate !== undefined ? `<pubDate>${item.pubDate}</pubDate>` : ""}</item>`,
  )
  .join("\n")}
</channel></rss>`;
}

/** NATO's own date style: "12 Feb. 2025 15:30:00 GMT". */
export function natoDate(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())} ${months[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT`;
}
