import { describe, expect, it } from "vitest";
import { buildLinkLanguage, buildStoryKey } from "../../src/releases/story";

const AT = "2025-02-12T15:30:00.000Z";

describe("buildStoryKey", () => {
  it("pairs NATO's /cps/en/ and /cps/fr/ pages by their numeric id, whatever the query or the date", () => {
    const en = buildStoryKey("https://www.nato.int/cps/en/natohq/news_283162.htm?selectedLocale=en", AT);
    const fr = buildStoryKey("https://www.nato.int/cps/fr/natohq/news_283162.htm?selectedLocale=fr", "2025-02-12T18:00:00Z");
    expect(en).toBe("nato:283162");
    expect(fr).toBe(en);
    expect(buildStoryKey("https://www.nato.int/cps/en/natohq/news_283163.htm", AT)).not.toBe(en);
    expect(buildStoryKey("https://www.nato.int/cps/fr/natohq/opinions_283162.htm", AT)).toBe(en);
  });

  it("pairs /en/news-and-events/… and /fr/news-and-events/… by the path after the language", () => {
    const en = buildStoryKey("https://www.nato.int/en/news-and-events/articles/news/2025/09/19/allies-meet", AT);
    const fr = buildStoryKey("https://www.nato.int/fr/news-and-events/articles/news/2025/09/19/allies-meet/", "2025-09-19T20:00:00Z");
    expect(fr).toBe(en);
    expect(en).toBe("path:nato.int/news-and-events/articles/news/2025/09/19/allies-meet");
    expect(buildStoryKey("https://www.nato.int/en/news-and-events/articles/news/2025/09/19/other", AT)).not.toBe(en);
  });

  it("falls back to the host and the publication minute", () => {
    expect(buildStoryKey("https://example.org/a", "2025-02-12T15:30:59Z")).toBe(buildStoryKey("https://example.org/b", "2025-02-12T15:30:00Z"));
    expect(buildStoryKey("https://example.org/a", "2025-02-12T15:31:00Z")).not.toBe(buildStoryKey("https://example.org/b", "2025-02-12T15:30:00Z"));
    expect(buildStoryKey("https://other.org/a", AT)).not.toBe(buildStoryKey("https://example.org/a", AT));
    expect(buildStoryKey("not a link", "garbage")).toBe("minute:?:garbage");
  });

  it("reads the language a NATO link names", () => {
    expect(buildLinkLanguage("https://www.nato.int/cps/fr/natohq/news_1234.htm")).toBe("fr");
    expect(buildLinkLanguage("https://www.nato.int/en/news-and-events/x")).toBe("en");
    expect(buildLinkLanguage("https://example.org/fr/x")).toBeNull();
  });
});
