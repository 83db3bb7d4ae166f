// What every browser test shares: Debian's Chromium launched headless (never
// a downloaded browser), the screenshot folder, and the axe-core check.
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";

export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

/** Runs axe-core in the page; returns its serious and critical violations, one line each. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated over the debugging protocol, so a page's CSP (no inline script) stays on.
  await page.evaluate(axe.source);
  const result = (await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run;
    return run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } });
  })) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** A full-page screenshot under `name`, then the page must be axe-clean. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  expect(await accessibilityProblems(page), name).toEqual([]);
}

/** Tabs (keyboard only, like a person without a mouse) until the element matching `selector` has focus, at most `maxTabs` times. */
export async function tabTo(page: Page, selector: string, maxTabs = 40): Promise<void> {
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`could not reach ${selector} with Tab`);
}
