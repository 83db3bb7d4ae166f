// Issue 20, items 4, 5 and 6 through the real routes: a confirm link shares
// nothing with the personal link; a fresh sign-up (after an unsubscribe or an
// erasure) revokes old personal links; a preferences save, stale or not,
// cannot undo an unsubscribe; every token has exactly one accepted spelling.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { getSubscriber, saveSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, randomIp } from "../../support/worker";
import { drainSendQueue } from "../../support/queue";
import { linkIn } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../../support/servers";
import { waitFor } from "../../support/kv";

const BASE = "https://digest.example.test";

async function call(path: string, init: RequestInit = {}, overrides: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const form = (body: string): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });

/** Signs `address` up through POST /subscribe and confirms it through the link it was mailed; the reader's personal token. */
async function signUpAndConfirm(address: string, mailsBefore = 0): Promise<{ confirmToken: string; personalToken: string }> {
  const domain = address.split("@")[1]!;
  const response = await call("/subscribe", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
    body: JSON.stringify({ email: address }),
  });
  expect(response.status).toBe(202);
  const emails = await waitFor(
    async () => ((await receivedEmails(domain)).length > mailsBefore ? receivedEmails(domain) : null),
    15_000,
    `confirmation ${mailsBefore + 1} to ${domain}`,
  );
  const confirmToken = new URL(linkIn(emails[mailsBefore]!.text, "/confirm")).searchParams.get("token")!;
  const confirmed = await call("/confirm", form(`token=${confirmToken}`));
  expect(confirmed.status).toBe(200);
  const personalToken = /\/preferences\?token=([A-Za-z0-9._-]+)/.exec(await confirmed.text())?.[1];
  expect(personalToken).toBeDefined();
  return { confirmToken, personalToken: personalToken! };
}

const status = async (address: string) => (await getSubscriber(env.KV, await subscriberIdFor(address)))?.status;

describe("confirm links and personal links (item 4)", () => {
  it("a confirm link holds no part of the personal token, and nothing in it unsubscribes", async () => {
    const address = `keep@${uniqueDomain("confirm-link")}`;
    const { confirmToken, personalToken } = await signUpAndConfirm(address);
    const personalParts = personalToken.split(".").slice(1);
    for (const part of personalParts) expect(confirmToken).not.toContain(part);
    // What a leaked confirm URL offers, tried as personal links: none works.
    const [, first, second] = confirmToken.split(".");
    for (const forged of [`p.${first}.${second}`, `p2.${first}.${second}`]) {
      expect((await call(`/unsubscribe?token=${forged}`, form("List-Unsubscribe=One-Click"))).status).toBe(400);
      expect((await call(`/preferences?token=${forged}`)).status).toBe(400);
    }
    expect(await status(address)).toBe("confirmed");
  });

  it("after an unsubscribe and a fresh sign-up, the old personal link is revoked: a clear 410, never a 500", async () => {
    const domain = uniqueDomain("revoke");
    const address = `back@${domain}`;
    const first = await signUpAndConfirm(address);
    expect((await call(`/unsubscribe?token=${first.personalToken}`, form("List-Unsubscribe=One-Click"))).status).toBe(200);
    const second = await signUpAndConfirm(address, 1);
    expect(second.personalToken).not.toBe(first.personalToken);

    for (const response of [
      await call(`/preferences?token=${first.personalToken}`),
      await call(`/unsubscribe?token=${first.personalToken}`),
      await call(`/unsubscribe?token=${first.personalToken}`, form("List-Unsubscribe=One-Click")),
      await call("/preferences", form(`token=${first.personalToken}&cadence=weekly`)),
    ]) {
      expect(response.status).toBe(410);
      expect(await response.text()).toContain("no longer valid");
    }
    expect(await status(address)).toBe("confirmed");
    expect((await call(`/preferences?token=${second.personalToken}`)).status).toBe(200);
  });

  it("after an erasure and a fresh sign-up, the old personal link is revoked too", async () => {
    const domain = uniqueDomain("erase");
    const address = `erased@${domain}`;
    const first = await signUpAndConfirm(address);
    expect((await call(`/admin/subscribers/${encodeURIComponent(address)}`, { method: "DELETE", headers: ADMIN_AUTH })).status).toBeLessThan(300);
    const second = await signUpAndConfirm(address, 1);
    expect(second.personalToken).not.toBe(first.personalToken);
    expect((await call(`/unsubscribe?token=${first.personalToken}`, form("List-Unsubscribe=One-Click"))).status).toBe(410);
    expect(await status(address)).toBe("confirmed");
  });
});

describe("a preferences save never changes a status (item 5)", () => {
  it("one-click unsubscribe, then a save from a page read before it: still unsubscribed, and no digest is sent", async () => {
    const domain = uniqueDomain("stale");
    const address = `stale@${domain}`;
    const { personalToken } = await signUpAndConfirm(address);
    const id = await subscriberIdFor(address);
    // What a KV edge that has not yet seen the unsubscribe reads (up to 60 s stale).
    const staleRead = (await getSubscriber(env.KV, id))!;

    expect((await call(`/unsubscribe?token=${personalToken}`, form("List-Unsubscribe=One-Click"))).status).toBe(200);
    // The same tab saves its choices: through the route (which sees the unsubscribe here) …
    expect((await call("/preferences", form(`token=${personalToken}&cadence=daily&topics=summit`))).status).toBe(410);
    // … and as the edge that read the record before the unsubscribe would write it back (last write wins).
    await saveSubscriber(env.KV, {
      ...staleRead,
      preferences: { cadence: "daily", topics: ["summit"], lang: "en", sources: null },
      updatedAt: new Date().toISOString(),
    });

    expect(await status(address)).toBe("unsubscribed");
    expect((await call(`/preferences?token=${personalToken}`)).status).toBe(410);

    // A digest run sends to nobody at this address.
    const others = uniqueDomain("stale-control");
    const control = await signUpAndConfirm(`control@${others}`);
    expect(control.personalToken).toBeDefined();
    const feedUrl = await serveFeed(`/${uniqueName("stale")}/news.xml`, {
      body: rss([
        {
          title: "Summit news",
          link: `https://example.test/${uniqueName("item")}`,
          description: "Summit",
          pubDate: natoDate(new Date(Date.now() - 3_600_000)),
        },
      ]),
    });
    const run = await call(
      "/admin/digest",
      { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body: "" },
      { FEED_URLS: feedUrl },
    );
    expect(run.status).toBe(200);
    await waitFor(
      async () => (await receivedEmails(others)).some((email) => email.subject !== "Confirm your NATO Digest subscription"),
      60_000,
      "the control reader's digest",
    );
    await drainSendQueue();
    expect((await receivedEmails(domain)).filter((email) => email.subject !== "Confirm your NATO Digest subscription")).toHaveLength(0);
  });
});

describe("one spelling per token (item 6)", () => {
  /** The same bytes with the last character's unused low bit flipped. */
  function respell(text: string): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return text.slice(0, -1) + alphabet[alphabet.indexOf(text[text.length - 1]!) ^ 1];
  }

  it("another spelling of a personal or confirm token is refused with 400 and changes nothing", async () => {
    const domain = uniqueDomain("spelling");
    const address = `one@${domain}`;
    const { confirmToken, personalToken } = await signUpAndConfirm(address);
    // A generation's token has no spare bits; the legacy format (readers from before generations) has four.
    const { createPersonalToken } = await import("../../../src/subscribers/tokens");
    const legacy = createPersonalToken(env.SIGNING_SECRET, await subscriberIdFor(`legacy@${domain}`));
    await saveSubscriber(env.KV, {
      ...(await getSubscriber(env.KV, await subscriberIdFor(address)))!,
      id: await subscriberIdFor(`legacy@${domain}`),
      email: `legacy@${domain}`,
      tokenGeneration: undefined,
      personalToken: legacy,
    });
    expect((await call(`/preferences?token=${legacy}`)).status).toBe(200);
    expect((await call(`/unsubscribe?token=${respell(legacy)}`, form("List-Unsubscribe=One-Click"))).status).toBe(400);
    expect((await call(`/preferences?token=${respell(legacy)}`)).status).toBe(400);
    expect(await status(`legacy@${domain}`)).toBe("confirmed");

    expect((await call(`/confirm?token=${respell(confirmToken)}`)).status).toBe(400);
    expect(personalToken).toMatch(/^p2\./);
  });
});
