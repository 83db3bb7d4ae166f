// A feed server on 127.0.0.1 for tests and local runs. Tests register the
// documents they need (body, status, headers, delay) under a path of their
// own through /__control/feeds/<path>, so test files never share state.
// It honours conditional GET (ETag / Last-Modified) like a real server and
// records what each client sent.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FeedDefinition } from "../../bench/shared/servers-api";

interface Hit {
  at: number;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  userAgent: string | null;
  status: number;
}

export async function startFeedServer(): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const feeds = new Map<string, FeedDefinition>();
  const hits = new Map<string, Hit[]>();

  const server = createServer(async (req, res) => {
    // No keep-alive: a pooled connection the server closes while idle makes
    // the next request fail with "Network connection lost" in workerd.
    res.shouldKeepAlive = false;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/__control/feeds/")) {
      const path = url.pathname.slice("/__control/feeds".length);
      if (req.method === "PUT") {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        feeds.set(path, JSON.parse(Buffer.concat(chunks).toString("utf8")) as FeedDefinition);
        res.writeHead(204).end();
        return;
      }
      if (req.method === "GET") {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ hits: hits.get(path) ?? [] }));
        return;
      }
    }
    if (url.pathname === "/__turnstile/siteverify" && req.method === "POST") {
      // Stand-in for Cloudflare's siteverify, answering like its documented
      // test secrets: 1x…AA always passes, 2x…AA always fails.
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = await new Response(Buffer.concat(chunks), { headers: { "Content-Type": req.headers["content-type"] ?? "" } }).formData();
      const secret = String(form.get("secret") ?? "");
      const response = String(form.get("response") ?? "");
      const success = secret === "1x0000000000000000000000000000000AA" && response !== "";
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(success ? { success: true, "error-codes": [] } : { success: false, "error-codes": ["invalid-input-response"] }));
      return;
    }
    const feed = feeds.get(url.pathname);
    const log = hits.get(url.pathname) ?? [];
    hits.set(url.pathname, log);
    const hit: Hit = {
      at: Date.now(),
      ifNoneMatch: req.headers["if-none-match"] ?? null,
      ifModifiedSince: (req.headers["if-modified-since"] as string | undefined) ?? null,
      userAgent: req.headers["user-agent"] ?? null,
      status: 404,
    };
    log.push(hit);
    if (!feed) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("no such feed");
      return;
    }
    if (feed.delayMs) await new Promise((resolve) => setTimeout(resolve, feed.delayMs));
    const notModified = (feed.etag && hit.ifNoneMatch === feed.etag) || (!feed.etag && feed.lastModified && hit.ifModifiedSince === feed.lastModified);
    const headers: Record<string, string> = { "Content-Type": feed.contentType ?? "application/rss+xml; charset=utf-8" };
    if (feed.etag) headers.ETag = feed.etag;
    if (feed.lastModified) headers["Last-Modified"] = feed.lastModified;
    if (notModified) {
      hit.status = 304;
      res.writeHead(304, headers).end();
      return;
    }
    const body = feed.bodyBase64 !== undefined ? Buffer.from(feed.bodyBase64, "base64") : Buffer.from(feed.body ?? "", "utf8");
    hit.status = feed.status ?? 200;
    if (!feed.padBytes && !feed.omitLength) headers["Content-Length"] = String(body.length);
    res.writeHead(hit.status, headers);
    res.write(body);
    if (feed.padBytes) {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = feed.padBytes;
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) await new Promise((resolve) => res.once("drain", resolve));
      }
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
