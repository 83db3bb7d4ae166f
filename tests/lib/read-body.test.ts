// Bodies are counted while they are read and reading stops at the cap, with
// or without Content-Length (issue 11, item 3).
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { MAX_CSV_LINE_CHARS, parseCsvImport } from "../../src/subscribers/import-parse";
import { MAX_BODY_BYTES } from "../../src/lib/read-body";
import { ADMIN_AUTH, randomIp } from "../support/worker";

const CHUNK = 1024;

/** An endless chunked body: counts what the reader pulled. */
function endlessBody(fill = "x") {
  const stats = { pulls: 0, bytes: 0, cancelled: false };
  const chunk = new TextEncoder().encode(fill.repeat(CHUNK));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        stats.pulls++;
        stats.bytes += chunk.byteLength;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        stats.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

async function post(path: string, body: ReadableStream<Uint8Array> | string, headers: Record<string, string>) {
  const ctx = createExecutionContext();
  const request = new Request(`https://digest.example.test${path}`, { method: "POST", headers, body, duplex: "half" } as RequestInit);
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("chunked bodies over the cap", () => {
  it.each([
    ["/subscribe", "application/json", MAX_BODY_BYTES],
    ["/subscribe", "application/x-www-form-urlencoded", MAX_BODY_BYTES],
    ["/confirm", "application/x-www-form-urlencoded", MAX_BODY_BYTES],
    ["/unsubscribe", "application/x-www-form-urlencoded", MAX_BODY_BYTES],
    ["/webhooks/resend", "application/json", 256 * 1024],
  ])("POST %s (%s) without Content-Length: 413 and reading stops near the cap", async (path, type, cap) => {
    const { stream, stats } = endlessBody();
    const response = await post(path, stream, { "Content-Type": type, "CF-Connecting-IP": randomIp() });
    if (path === "/confirm" || path === "/unsubscribe") {
      // These answer a page about the missing token; what matters is that the body was not read past the cap.
      expect([400, 413]).toContain(response.status);
    } else expect(response.status).toBe(413);
    expect(stats.bytes).toBeLessThanOrEqual(cap + 2 * CHUNK);
    expect(stats.cancelled).toBe(true);
  });

  it("the admin import stops reading a chunked CSV at its 20 MB cap", async () => {
    const header = new TextEncoder().encode("email\n");
    const row = new TextEncoder().encode("a@example.org\n".repeat(64)); // 896 bytes a chunk
    const stats = { bytes: 0 };
    const stream = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          controller.enqueue(header);
        },
        pull(controller) {
          stats.bytes += row.byteLength;
          controller.enqueue(row.slice());
        },
      },
      { highWaterMark: 0 },
    );
    const response = await post("/admin/subscribers/import", stream, { "Content-Type": "text/csv", ...ADMIN_AUTH });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/over 20 MB/) });
    expect(stats.bytes).toBeLessThan(20 * 1024 * 1024 + 64 * 1024);
  });

  it("POST /admin/digest options are capped at 16 KB too", async () => {
    const { stream, stats } = endlessBody(" ");
    const response = await post("/admin/digest", stream, { "Content-Type": "application/json", ...ADMIN_AUTH });
    expect(response.status).toBe(413);
    expect(stats.bytes).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * CHUNK);
  });

  it("the admin JSON import is capped the same way", async () => {
    const { stream, stats } = endlessBody(" ");
    const response = await post("/admin/subscribers/import", stream, { "Content-Type": "application/json", ...ADMIN_AUTH });
    expect(response.status).toBe(413);
    expect(stats.bytes).toBeLessThanOrEqual(20 * 1024 * 1024 + 2 * CHUNK);
  });

  it("through the HTTP stack (SELF), a chunked body over the cap gets 413 too", async () => {
    const { stream, stats } = endlessBody();
    const response = await SELF.fetch("https://digest.example.test/subscribe", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    // The transport may read ahead a little; it never reads the endless stream to its end.
    expect(stats.bytes).toBeLessThan(1024 * 1024);
  });

  it("a declared Content-Length over the cap is refused before reading, on the webhook too", async () => {
    const { stream, stats } = endlessBody();
    const response = await post("/webhooks/resend", stream, { "Content-Type": "application/json", "Content-Length": String(10 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(stats.bytes).toBe(0);
  });

  it("the console's sign-in form (no session needed) stops reading a chunked body at its 64 KB cap", async () => {
    const { stream, stats } = endlessBody();
    const ctx = createExecutionContext();
    const request = new Request("https://digest.example.test/console/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const response = await worker.fetch(request, { ...env, ADMIN_TOKEN: "console-strength-admin-token-0123456789" } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(413);
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024 + 2 * CHUNK);
    expect(stats.cancelled).toBe(true);
  });

  it("a body under the cap still works, chunked", async () => {
    const text = JSON.stringify({ email: "not-an-address" });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        controller.enqueue(bytes.slice(0, 5));
        controller.enqueue(bytes.slice(5));
        controller.close();
      },
    });
    const response = await post("/subscribe", stream, { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/exactly one @/) });
  });
});

describe("CSV line buffer", () => {
  it("reports an over-long line as one bad row and goes on, without holding it", async () => {
    const long = "x".repeat(3 * MAX_CSV_LINE_CHARS);
    const csv = `email,name\nfirst@example.org,A\n${long}@example.org,B\nsecond@example.org,C\n`;
    const parsed = await parseCsvImport(new Blob([csv]).stream());
    expect(parsed.addresses).toEqual(["first@example.org", "second@example.org"]);
    expect(parsed.invalidRows).toEqual([{ line: 3, value: "x".repeat(100), reason: expect.stringMatching(/longer than 16 KB/) }]);
  });

  it("an over-long header line is a format error", async () => {
    await expect(parseCsvImport(new Blob(["e".repeat(MAX_CSV_LINE_CHARS + 10)]).stream())).rejects.toThrow(/header line is longer/);
  });
});
