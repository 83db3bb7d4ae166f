import { createExecutionContext, env, SELF } from "cloudflare:test";
import worker from "../../src/index";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, randomIp, RESEND_WEBHOOK_SECRET as SECRET } from "../support/worker";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { seedSubscribers } from "../support/seed";
import { drainSendQueue } from "../support/queue";

function event(type: string, to: string[], bounceType = "Permanent") {
  return JSON.stringify({
    type,
    created_at: new Date().toISOString(),
    data: {
      email_id: crypto.randomUUID(),
      from: "NATO Digest <digest@example.test>",
      to,
      subject: "NATO digest",
      created_at: new Date().toISOString(),
      ...(type === "email.bounced"
        ? { bounce: { type: bounceType, subType: "NoEmail", message: "550 5.1.1 user unknown", diagnosticCode: ["smtp; 550 5.1.1 user unknown"] } }
        : {}),
    },
  });
}

function signed(payload: string, options: { secret?: string; at?: Date; id?: string } = {}) {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(options.secret ?? SECRET).sign(id, at, payload);
  return { "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature, "Content-Type": "application/json" };
}

function post(payload: string, headers: Record<string, string>) {
  return SELF.fetch("https://digest.example.test/webhooks/resend", { method: "POST", headers, body: payload });
}

describe("POST /webhooks/resend", () => {
  it("a permanent bounce suppresses the address; it is never mailed again, even after signing up again", async () => {
    const domain = uniqueDomain("bounce");
    const [address] = await seedSubscribers(domain, 1);
    const payload = event("email.bounced", [address!]);
    const response = await post(payload, signed(payload));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ action: "suppressed", changed: 1 });
    const id = await subscriberIdFor(address!);
    expect(await getSubscriber(env.KV, id)).toMatchObject({ status: "suppressed", suppressedReason: "bounced (NoEmail)" });

    const again = await SELF.fetch("https://digest.example.test/subscribe", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ email: address }),
    });
    expect(again.status).toBe(202); // the same answer as for anyone
    await drainSendQueue(); // the queue handled the sign-up: had it enqueued a mail, it would be at the server
    expect(await receivedEmails(domain)).toHaveLength(0);
    expect((await getSubscriber(env.KV, id))!.status).toBe("suppressed");
  });

  it("a complaint suppresses; a replayed event changes nothing; a transient bounce is ignored", async () => {
    const domain = uniqueDomain("complaint");
    const [first, second] = await seedSubscribers(domain, 2);
    const payload = event("email.complained", [first!]);
    const headers = signed(payload);
    expect(await (await post(payload, headers)).json()).toMatchObject({ changed: 1 });
    expect(await (await post(payload, headers)).json()).toMatchObject({ changed: 0 });
    const transient = event("email.bounced", [second!], "Transient");
    expect(await (await post(transient, signed(transient))).json()).toMatchObject({ action: "none" });
    expect((await getSubscriber(env.KV, await subscriberIdFor(second!)))!.status).toBe("confirmed");
    const delivered = event("email.delivered", [second!]);
    expect(await (await post(delivered, signed(delivered))).json()).toMatchObject({ action: "none" });
  });

  it("remembers a bounced address that had no record", async () => {
    const address = `stranger@${uniqueDomain("stranger")}`;
    const payload = event("email.bounced", [address]);
    await post(payload, signed(payload));
    expect(await getSubscriber(env.KV, await subscriberIdFor(address))).toMatchObject({ status: "suppressed", email: address });
  });

  it.each([
    ["no signature headers", (p: string) => ({ "Content-Type": "application/json" }), /missing/],
    ["a wrong secret", (p: string) => signed(p, { secret: "whsec_dGhpcyBpcyBub3QgdGhlIHJpZ2h0IGtleQ==" }), /signature/],
    ["a timestamp 10 minutes old", (p: string) => signed(p, { at: new Date(Date.now() - 10 * 60_000) }), /too old/i],
    ["a timestamp 10 minutes ahead", (p: string) => signed(p, { at: new Date(Date.now() + 10 * 60_000) }), /too new/i],
  ])("refuses %s with 401 and changes nothing", async (_, headersFor, reason) => {
    const domain = uniqueDomain("forged");
    const [address] = await seedSubscribers(domain, 1);
    const payload = event("email.bounced", [address!]);
    const response = await post(payload, headersFor(payload) as Record<string, string>);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(reason);
    expect((await getSubscriber(env.KV, await subscriberIdFor(address!)))!.status).toBe("confirmed");
  });

  it("refuses a tampered body", async () => {
    const domain = uniqueDomain("tamper");
    const [address] = await seedSubscribers(domain, 1);
    const payload = event("email.delivered", [address!]);
    const headers = signed(payload);
    const response = await post(payload.replace("email.delivered", "email.complained"), headers);
    expect(response.status).toBe(401);
    expect((await getSubscriber(env.KV, await subscriberIdFor(address!)))!.status).toBe("confirmed");
  });

  it("an admin can lift a suppression; the address then needs a fresh opt-in", async () => {
    const domain = uniqueDomain("lift");
    const [address] = await seedSubscribers(domain, 1);
    const payload = event("email.complained", [address!]);
    await post(payload, signed(payload));
    const lift = await SELF.fetch(`https://digest.example.test/admin/subscribers/${encodeURIComponent(address!)}/unsuppress`, {
      method: "POST",
      headers: ADMIN_AUTH,
    });
    expect(await lift.json()).toEqual({ result: "cleared" });
    expect((await getSubscriber(env.KV, await subscriberIdFor(address!)))!.status).toBe("unsubscribed");
    const again = await SELF.fetch(`https://digest.example.test/admin/subscribers/${encodeURIComponent(address!)}/unsuppress`, {
      method: "POST",
      headers: ADMIN_AUTH,
    });
    expect(await again.json()).toEqual({ result: "not-suppressed" });
  });

  it("refuses everything when RESEND_WEBHOOK_SECRET is not configured", async () => {
    const payload = event("email.complained", ["a@example.test"]);
    const request = new Request("https://digest.example.test/webhooks/resend", { method: "POST", headers: signed(payload), body: payload });
    const response = await worker.fetch(request, { ...env, RESEND_WEBHOOK_SECRET: "" } as Env, createExecutionContext());
    expect(response.status).toBe(403);
  });
});
