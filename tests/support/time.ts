// Wall-clock windows: miniflare's rate limiter counts in windows aligned to
// the clock (every key rolls over at the same instant).

/**
 * A test that needs N requests inside one window waits, when the current
 * window has less than `marginMs` left, for the next one to start: then all
 * its requests land in one window. The wait is for a clock edge (at most
 * `marginMs`), not a guess at how long something takes.
 */
export async function awayFromWindowEdge(periodSeconds: number, marginMs = 15_000): Promise<void> {
  const periodMs = periodSeconds * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
