// Issue 20, item 2: global caps on sign-up confirmation mail, and the
// per-client limit keyed on an IPv6 client's /64. Through the real routes.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { getSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { awayFromWindowEdge } from "../../support/time";
import { drainSendQueue } from "../../support/queue";
import { randomIp } from "../../support/worker";
import { receivedEmails, uniqueDomain } from "../../support/servers";
import { seedSubscribers } from "../../support/seed";
import { waitFor } from "../../support/kv";

/** POST /subscribe through the worker with these settings; waits for the work after the answer. */
async function signUp(email: string, settings: Record<string, string>, json = true) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request("https://digest.example.test/subscribe", {
      method: "POST",
      headers: { "Content-Type": json ? "application/json" : "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() },
      body: json ? JSON.stringify({ email }) : new URLSearchParams({ email }).toString(),
    }),
    { ...env, ...settings } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, retryAfter: response.headers.get("Retry-After"), body: await response.text() };
}

describe("global caps on confirmation mail", () => {
  it("over the hourly cap: 503 with Retry-After, the same for new, pending and confirmed addresses, storing and sending nothing", async () => {
    const caps = { SIGNUP_MAX_MAILS_PER_HOUR: "2", SIGNUP_MAX_MAILS_PER_DAY: "100" };
    const domain = uniqueDomain("capped");
    expect((await signUp(`one@${domain}`, caps)).status).toBe(202);
    expect((await signUp(`two@${domain}`, caps)).status).toBe(202);
    await waitFor(async () => (await receivedEmails(domain)).length === 2, 15_000, "the two confirmations under the cap");

    const [confirmed] = await seedSubscribers(uniqueDomain("confirmed"), 1, "confirmed");
    const answers = [await signUp(`three@${domain}`, caps), await signUp(`one@${domain}`, caps), await signUp(confirmed!, caps)];
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(3500);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(3600);
    }
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers[0]!.body).toMatch(/try again later/);

    // The form gets a page with the same status and header.
    const form = await signUp(`four@${domain}`, caps, false);
    expect(form.status).toBe(503);
    expect(form.retryAfter).not.toBeNull();
    expect(form.body).toContain("Sign-ups are paused");

    await drainSendQueue();
    expect(await receivedEmails(domain)).toHaveLength(2);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`three@${domain}`))).toBeNull();
    expect(await getSubscriber(env.KV, await subscriberIdFor(`four@${domain}`))).toBeNull();
  });

  it("over the daily cap: 503 with a Retry-After beyond the hour", async () => {
    // The first test's two confirmations are in this file's ledger.
    const answer = await signUp(`five@${uniqueDomain("daily")}`, { SIGNUP_MAX_MAILS_PER_HOUR: "100", SIGNUP_MAX_MAILS_PER_DAY: "2" });
    expect(answer.status).toBe(503);
    expect(Number(answer.retryAfter)).toBeGreaterThan(3600);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(86_400);
  });

  it("a cap of 0 takes no sign-up", async () => {
    const domain = uniqueDomain("closed");
    expect((await signUp(`a@${domain}`, { SIGNUP_MAX_MAILS_PER_HOUR: "0" })).status).toBe(503);
    await drainSendQueue();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });
});

describe("the per-client limit", () => {
  it("counts every address of one IPv6 /64, in any spelling, as one client", async () => {
    await awayFromWindowEdge(60);
    const domain = uniqueDomain("v6");
    const spellings = (i: number) => [`2001:db8:77:1::${i + 1}`, `2001:0db8:0077:0001:0:0:${i + 1}:1`, `2001:DB8:77:1:abcd::${i + 1}`][i % 3]!;
    const post = (i: number) =>
      SELF.fetch("https://digest.example.test/subscribe", {
        method: "POST",
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": spellings(i) },
        body: JSON.stringify({ email: `r${i}@${domain}` }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post(i)).status);
    expect(statuses.slice(0, 10).every((status) => status === 202)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another /64 is another client.
    const other = await SELF.fetch("https://digest.example.test/subscribe", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": "2001:db8:77:2::1" },
      body: JSON.stringify({ email: `other@${domain}` }),
    });
    expect(other.status).toBe(202);
  });
});
