// Cloudflare Turnstile, on when both TURNSTILE_SITE_KEY and
// TURNSTILE_SECRET_KEY are set. The token is checked server-side with
// siteverify; an outage of siteverify refuses the sign-up (fail closed)
// with a message to try again, rather than letting bots through.
import type { Config } from "../../config";

export { isTurnstileEnabled } from "../../config";

export type TurnstileResult = { ok: true } | { ok: false; status: 400 | 503; message: string };

export async function verifyTurnstile(config: Config, token: unknown, remoteIp: string | null, fetcher: typeof fetch = fetch): Promise<TurnstileResult> {
  if (typeof token !== "string" || token === "" || token.length > 2048) {
    return { ok: false, status: 400, message: "Please complete the anti-spam check." };
  }
  const form = new FormData();
  form.set("secret", config.turnstileSecretKey ?? "");
  form.set("response", token);
  if (remoteIp) form.set("remoteip", remoteIp);
  try {
    const response = await fetcher(config.turnstileVerifyUrl, { method: "POST", body: form, signal: AbortSignal.timeout(5000) });
    if (!response.ok) return { ok: false, status: 503, message: "The anti-spam check is unavailable right now; please try again in a minute." };
    const outcome = (await response.json()) as { success?: boolean };
    return outcome.success === true ? { ok: true } : { ok: false, status: 400, message: "The anti-spam check failed; please try again." };
  } catch {
    return { ok: false, status: 503, message: "The anti-spam check is unavailable right now; please try again in a minute." };
  }
}
