// Fetches one feed politely: conditional GET (a 304 costs nothing), a
// descriptive User-Agent (NATO's site answers 403 to anonymous bots), a
// timeout, and a cap on the body size read, so a hostile or broken source
// cannot stall the run or exhaust memory. Bodies are decoded by charset.ts
// (byte patterns, header, declaration, UTF-8, Windows-1252), which says when
// it had to pass over a declared charset.
import { declaresTooLarge, readBytesCapped } from "../lib/read-body";
import { decodeFeedBytes } from "./charset";

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

export interface FetchFeedOptions {
  etag: string | null;
  lastModified: string | null;
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
}

export type FetchFeedResult =
  | { kind: "not-modified" }
  | {
      kind: "ok";
      body: string;
      /** The encoding the body was read with, and why a declared one was passed over (null: none was). */
      encoding: string;
      charsetWarning: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      contentType: string;
    };

export class FeedFetchError extends Error {
  override name = "FeedFetchError";
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export async function fetchFeed(url: string, options: FetchFeedOptions, fetcher: Fetcher): Promise<FetchFeedResult> {
  const headers = new Headers({
    "User-Agent": options.userAgent,
    Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
  });
  if (options.etag) headers.set("If-None-Match", options.etag);
  if (options.lastModified) headers.set("If-Modified-Since", options.lastModified);

  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetcher(url, { headers, signal, redirect: "follow" });
  } catch (error) {
    if (signal.aborted) throw new FeedFetchError(`no answer within ${options.timeoutMs} ms`);
    throw new FeedFetchError(`request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: "not-modified" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    const hint = response.status === 403 ? " (the site refuses this client; NATO answers 403 to some bots)" : "";
    throw new FeedFetchError(`HTTP ${response.status}${hint}`, response.status);
  }
  if (declaresTooLarge(response, options.maxBytes)) {
    await response.body?.cancel();
    throw new FeedFetchError(`the feed is ${Number(response.headers.get("Content-Length"))} bytes, over the ${options.maxBytes}-byte cap`);
  }
  let bytes: Uint8Array;
  try {
    const read = await readBytesCapped(response, options.maxBytes);
    if (!read.ok) throw new FeedFetchError(`the feed is over the ${options.maxBytes}-byte cap`);
    bytes = read.bytes;
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    if (signal.aborted) throw new FeedFetchError(`the body did not arrive within ${options.timeoutMs} ms`);
    throw new FeedFetchError(`reading the body failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const contentType = response.headers.get("Content-Type") ?? "";
  const decoded = decodeFeedBytes(bytes, contentType);
  return {
    kind: "ok",
    body: decoded.text,
    encoding: decoded.encoding,
    charsetWarning: decoded.warning,
    etag: response.headers.get("ETag"),
    lastModified: response.headers.get("Last-Modified"),
    finalUrl: response.url || url,
    contentType,
  };
}
