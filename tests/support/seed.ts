// Readers written straight into KV (as an import or a confirmation would),
// for tests that need a list without going through the sign-up routes.
import { env } from "cloudflare:test";
import type { Preferences } from "../../src/subscribers/preferences";
import { newSubscriber, type Subscriber } from "../../src/subscribers/subscriber";
import { saveSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { createPersonalToken } from "../../src/subscribers/tokens";

/** Writes `count` subscribers made by `make` straight into KV, 50 at a time, as `${prefix}${index}@${domain}`. */
async function seedEach(
  domain: string,
  prefix: string,
  count: number,
  make: (email: string, index: number, now: Date) => Promise<Subscriber>,
): Promise<string[]> {
  const addresses: string[] = [];
  const now = new Date();
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, async (_, offset) => {
        const email = `${prefix}${start + offset}@${domain}`;
        addresses.push(email);
        await saveSubscriber(env.KV, await make(email, start + offset, now));
      }),
    );
  }
  return addresses;
}

/** Writes subscribers straight into KV (as an import would), `count` of them at `domain`. */
export function seedSubscribers(domain: string, count: number, status: Subscriber["status"] = "confirmed", prefix = "reader"): Promise<string[]> {
  return seedEach(domain, prefix, count, async (email, _, now) => {
    const base = newSubscriber({ id: await subscriberIdFor(email), email: status === "unsubscribed" ? "" : email, source: "import", status }, now);
    return {
      ...base,
      consentAt: status === "confirmed" ? base.createdAt : null,
      consentSource: status === "confirmed" ? "import" : null,
      unsubscribedAt: status === "unsubscribed" ? base.createdAt : null,
      suppressedAt: status === "suppressed" ? base.createdAt : null,
      suppressedReason: status === "suppressed" ? "bounced" : null,
    };
  });
}

/**
 * Writes confirmed readers with the given choices straight into KV (as a
 * confirmation would), `count` of them at `domain`. `withToken` says which
 * carry a personal token (by their index); the others predate personal
 * tokens, and theirs is computed at send time.
 */
export function seedReaders(
  domain: string,
  prefix: string,
  count: number,
  preferences: Preferences | null,
  withToken: boolean | ((index: number) => boolean) = true,
): Promise<string[]> {
  return seedEach(domain, prefix, count, async (email, index, now) => {
    const id = await subscriberIdFor(email);
    const tokened = typeof withToken === "function" ? withToken(index) : withToken;
    return {
      ...newSubscriber({ id, email, source: "import", status: "confirmed" }, now),
      consentAt: now.toISOString(),
      consentSource: "import",
      ...(preferences ? { preferences } : {}),
      ...(tokened ? { personalToken: createPersonalToken(env.SIGNING_SECRET, id) } : {}),
    };
  });
}
