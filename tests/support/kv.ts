// Waiting on state instead of sleeping: poll until a condition holds or a
// KV key appears, bounded, failing with a message that names what never came.
import { env } from "cloudflare:test";
import { waitFor } from "../../bench/shared/local-servers";

export { waitFor };

/** Polls KV until `key` holds a value (and `accept` takes it); returns it. */
export function waitForKey(key: string, what: string, accept: (value: string) => boolean = () => true, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    async () => {
      const value = await env.KV.get(key);
      return value !== null && accept(value) ? value : null;
    },
    timeoutMs,
    `${what} (KV key ${key})`,
  );
}
