import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { IMPORT_CHUNK } from "../../src/subscribers/import";
import { parseCsvImport, splitCsvLine } from "../../src/subscribers/import-parse";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH } from "../support/worker";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";

function upload(body: string, type: string, query = "") {
  return SELF.fetch(`https://digest.example.test/admin/subscribers/import${query}`, { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": type }, body });
}

async function waitForImport(id: string) {
  return waitFor(
    async () => {
      const progress = (await (await SELF.fetch(`https://digest.example.test/admin/imports/${id}`, { headers: ADMIN_AUTH })).json()) as {
        pending: number;
        totals: Record<string, number>;
      };
      return progress.pending === 0 ? progress : null;
    },
    60_000,
    `import ${id}`,
  );
}

function stream(text: string, chunkSize = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe("CSV parsing", () => {
  it("splits quoted cells", () => {
    expect(splitCsvLine('"Smith, Anna",anna@example.org,"say ""hi"""')).toEqual(["Smith, Anna", "anna@example.org", 'say "hi"']);
    expect(splitCsvLine('"unbalanced,a@b.org')).toBeNull();
  });

  it("streams 100,000 rows, reports bad ones by line and merges duplicates", async () => {
    const lines = ["email,name"];
    for (let i = 0; i < 100_000; i++) lines.push(i % 1000 === 999 ? `broken-${i},x` : `reader${i % 99_000}@bulk.example.test,Reader ${i}`);
    const started = performance.now();
    const parsed = await parseCsvImport(stream(lines.join("\r\n"), 64 * 1024));
    const ms = performance.now() - started;
    console.log(`parsed 100,000 CSV rows in ${ms.toFixed(0)} ms`);
    expect(parsed.rows).toBe(100_000);
    expect(parsed.invalid).toBe(100);
    expect(parsed.invalidRows[0]).toMatchObject({ line: 1001, value: "broken-999" });
    expect(parsed.addresses.length + parsed.duplicates + parsed.invalid).toBe(100_000);
    expect(parsed.addresses).toHaveLength(99_000 - 99); // reader0..98999 minus the 99 that only ever appeared on broken lines
  });
});

describe("POST /admin/subscribers/import", () => {
  it("imports CSV: new and pending become confirmed (source import), duplicates merge, bad rows are reported, suppressed and unsubscribed stay", async () => {
    const domain = uniqueDomain("import");
    const [suppressed] = await seedSubscribers(domain, 1, "suppressed", "bounced");
    const [unsubscribed] = await seedSubscribers(domain, 1, "unsubscribed", "left");
    const [pending] = await seedSubscribers(domain, 1, "unconfirmed", "pending");
    const [already] = await seedSubscribers(domain, 1, "confirmed", "already");
    const csv = [
      "Name,Email,Joined",
      `"Smith, Anna",anna@${domain},2024-01-01`,
      `Bob,BOB@${domain.toUpperCase()},2024-01-02`,
      `Bob again,bob@${domain},2024-01-03`,
      "Nobody,not-an-address,2024-01-04",
      "",
      `Bounced,${suppressed},`,
      `Left,${unsubscribed},`,
      `Pending,${pending},`,
      `Already,${already},`,
      '"Broken,broken@example.org,',
    ].join("\n");
    const response = await upload(csv, "text/csv");
    expect(response.status).toBe(202);
    const job = (await response.json()) as {
      id: string;
      rows: number;
      valid: number;
      duplicates: number;
      invalid: number;
      invalidRows: { line: number; reason: string }[];
    };
    expect(job).toMatchObject({ rows: 9, valid: 6, duplicates: 1, invalid: 2 });
    expect(job.invalidRows.map((r) => r.line)).toEqual([5, 11]);
    expect(job.invalidRows[0]!.reason).toMatch(/exactly one @/);

    const progress = await waitForImport(job.id);
    expect(progress.totals).toEqual({ added: 2, confirmed: 1, alreadySubscribed: 1, keptUnsubscribed: 1, keptSuppressed: 1, optInSent: 0 });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`anna@${domain}`))).toMatchObject({
      status: "confirmed",
      consentSource: "import",
      email: `anna@${domain}`,
    });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`bob@${domain}`))).toMatchObject({ status: "confirmed", email: `BOB@${domain}` });
    expect(await getSubscriber(env.KV, await subscriberIdFor(pending!))).toMatchObject({ status: "confirmed", consentSource: "import" });
    expect((await getSubscriber(env.KV, await subscriberIdFor(suppressed!)))!.status).toBe("suppressed");
    expect(await getSubscriber(env.KV, await subscriberIdFor(unsubscribed!))).toMatchObject({ status: "unsubscribed", email: "" });
    // Importing again changes nothing.
    const again = (await (await upload(csv, "text/csv")).json()) as { id: string };
    expect((await waitForImport(again.id)).totals).toMatchObject({ added: 0, confirmed: 0, alreadySubscribed: 4 });
  });

  it("imports a JSON array; with ?optin=1 sends the double opt-in email instead", async () => {
    const domain = uniqueDomain("optin");
    const addresses = Array.from({ length: 120 }, (_, i) => `opt${i}@${domain}`);
    const response = await upload(JSON.stringify([...addresses, "junk", 42]), "application/json", "?optin=1");
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string; valid: number; invalid: number; chunks: number };
    expect(job).toMatchObject({ valid: 120, invalid: 2, chunks: Math.ceil(120 / IMPORT_CHUNK) });
    const progress = await waitForImport(job.id);
    expect(progress.totals.optInSent).toBe(120);
    expect(await getSubscriber(env.KV, await subscriberIdFor(addresses[5]!))).toMatchObject({ status: "unconfirmed", source: "import" });
    const mails = await waitFor(
      async () => {
        const received = await receivedEmails(domain);
        return received.length >= 120 ? received : null;
      },
      60_000,
      "120 confirmation emails",
    );
    expect(mails.every((m) => m.subject === "Confirm your NATO Digest subscription")).toBe(true);
  });

  it(`imports 5,000 rows through the queue in chunks of ${IMPORT_CHUNK}`, async () => {
    const domain = uniqueDomain("bulk");
    const csv = ["email", ...Array.from({ length: 5000 }, (_, i) => `bulk${i}@${domain}`)].join("\n");
    const started = Date.now();
    const job = (await (await upload(csv, "text/csv")).json()) as { id: string; chunks: number };
    expect(job.chunks).toBe(5000 / IMPORT_CHUNK);
    const progress = await waitForImport(job.id);
    console.log(`imported 5,000 rows in ${Date.now() - started} ms`);
    expect(progress.totals.added).toBe(5000);
    expect((await getSubscriber(env.KV, await subscriberIdFor(`bulk4999@${domain}`)))!.status).toBe("confirmed");
  });

  it.each([
    ["a CSV without an email column", "name,phone\nx,1", "text/csv", 400, /email/],
    ["an empty CSV", "", "text/csv", 400, /empty/],
    ["broken JSON", "[", "application/json", 400, /not valid JSON/],
    ["a JSON object", '{"email":"a@b.org"}', "application/json", 400, /array/],
    ["another content type", "a@b.org", "application/xml", 415, /text\/csv/],
  ])("refuses %s", async (_, body, type, status, message) => {
    const response = await upload(body, type);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it("requires the admin token", async () => {
    const response = await SELF.fetch("https://digest.example.test/admin/subscribers/import", {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: "email\na@b.org",
    });
    expect(response.status).toBe(401);
  });
});
