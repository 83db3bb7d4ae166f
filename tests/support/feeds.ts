// Feed documents for tests: NATO's real feed as a fixture, and the RSS
// builder shared with the bench (bench/shared/feed-documents.ts).
import natoNews from "../fixtures/nato-news.xml?raw";

export { natoNews };
export { natoDate, rss, type TestItem } from "../../bench/shared/feed-documents";
