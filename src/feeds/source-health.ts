// When a failing source needs the operator: after 24 hours of consecutive
// failures, or at once when the site answers 403 (how NATO's site answers
// clients it blocks). Pure.
import type { SourceState } from "./source-store";

export const FLAG_AFTER_HOURS = 24;

export function flagReason(state: SourceState, now: Date): string | null {
  if (state.consecutiveFailures === 0) return null;
  if (state.lastStatus === 403) return "the site refuses this client (HTTP 403)";
  if (state.failingSince && now.getTime() - Date.parse(state.failingSince) >= FLAG_AFTER_HOURS * 3_600_000) {
    const hours = Math.floor((now.getTime() - Date.parse(state.failingSince)) / 3_600_000);
    return `failing for ${hours} hours (${state.consecutiveFailures} attempts in a row)`;
  }
  return null;
}
