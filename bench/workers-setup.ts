// What the workerd benchmarks share that touches src/: the config from the
// bench's bindings, and confirmed readers written straight into KV (as an
// import would). The local servers' clients are in bench/shared/.
import { env } from "cloudflare:test";
import { readConfig, type Config } from "../src/config";
import type { Preferences } from "../src/subscribers/preferences";
import { newSubscriber } from "../src/subscribers/subscriber";
import { saveSubscriber, subscriberIdFor } from "../src/subscribers/subscriber-store";
import { createPersonalToken } from "../src/subscribers/tokens";

/** The worker's config from the bench bindings plus `overrides`. */
export function benchConfig(overrides: Record<string, string> = {}): Config {
  return readConfig({ ...env, ...overrides });
}

/**
 * Writes `count` confirmed readers `reader<n>@<domain>` into KV, 100 at a
 * time; `choose(n)` gives reader n's choices (none: the defaults) and
 * whether they carry a personal token.
 */
export async function seedConfirmedReaders(
  domain: string,
  count: number,
  choose: (n: number) => { preferences?: Preferences; withToken?: boolean } = () => ({}),
): Promise<void> {
  const now = new Date();
  const secret = benchConfig().signingSecret;
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, async (_, offset) => {
        const n = start + offset;
        const email = `reader${n}@${domain}`;
        const id = await subscriberIdFor(email);
        const { preferences, withToken = false } = choose(n);
        await saveSubscriber(env.KV, {
          ...newSubscriber({ id, email, source: "import", status: "confirmed" }, now),
          consentAt: now.toISOString(),
          consentSource: "import",
          ...(preferences ? { preferences } : {}),
          ...(withToken ? { personalToken: createPersonalToken(secret, id) } : {}),
        });
      }),
    );
  }
}
