// `npm start -- --port N`: the port becomes PUBLIC_URL, so links, the outbox
// URL printed at start and the sample feed all stay on port N.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDevVars } from "../../scripts/dev-setup.mjs";
import { planStart } from "../../scripts/start.mjs";

/**
 * The vars the worker gets, as `wrangler dev` builds them: wrangler.toml's
 * PUBLIC_URL, then each --var KEY:VALUE (split at the first colon, as
 * wrangler does). The sample feed's URL is PUBLIC_URL plus its path
 * (tests/feeds/sample-feed.test.ts).
 */
function varsFor(wranglerArgs: string[]): Record<string, string> {
  const vars: Record<string, string> = { PUBLIC_URL: "http://localhost:8787" };
  wranglerArgs.forEach((arg, i) => {
    if (arg !== "--var") return;
    const [key, ...value] = wranglerArgs[i + 1]!.split(":");
    vars[key!] = value.join(":");
  });
  return vars;
}

describe("npm start", () => {
  it("by default: port 8787, and PUBLIC_URL on it", () => {
    const { port, publicUrl, wranglerArgs } = planStart([]);
    expect(port).toBe(8787);
    expect(publicUrl).toBe("http://localhost:8787");
    expect(wranglerArgs).toEqual(["dev", "--test-scheduled", "--ip", "127.0.0.1", "--port", "8787", "--var", "PUBLIC_URL:http://localhost:8787"]);
  });

  it.each([[["--port", "9123"]], [["--port=9123"]]])("%j: wrangler listens on 9123 and links, the sample feed and the outbox stay there", (args) => {
    const { publicUrl, wranglerArgs } = planStart(args);
    expect(publicUrl).toBe("http://localhost:9123");
    expect(wranglerArgs.filter((a) => a.startsWith("--port"))).toHaveLength(1);
    expect(wranglerArgs).toContain("PUBLIC_URL:http://localhost:9123");
    expect(varsFor(wranglerArgs).PUBLIC_URL).toBe("http://localhost:9123");
  });

  it("a PUBLIC_URL given with --var wins", () => {
    const { wranglerArgs } = planStart(["--port", "9123", "--var", "PUBLIC_URL:https://tunnel.example.org"]);
    expect(wranglerArgs.filter((a) => a.startsWith("PUBLIC_URL:"))).toEqual(["PUBLIC_URL:https://tunnel.example.org"]);
    expect(varsFor(wranglerArgs).PUBLIC_URL).toBe("https://tunnel.example.org");
  });

  it("a port that is not a number is refused with a clear message", () => {
    expect(() => planStart(["--port", "eighty"])).toThrow(/--port wants a number/);
    expect(() => planStart(["--port", "70000"])).toThrow(/--port wants a number/);
  });

  it("prints the outbox on the chosen port, and writes .dev.vars only once", () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-setup-"));
    copyFileSync(".dev.vars.example", join(dir, ".dev.vars.example"));
    const first = ensureDevVars("http://localhost:9123", dir);
    expect(first[0]).toMatch(/^Created \.dev\.vars/);
    expect(first).toContain("Mail goes to the local outbox: http://localhost:9123/dev/outbox");
    const written = readFileSync(join(dir, ".dev.vars"), "utf8");
    expect(written).toMatch(/^ADMIN_TOKEN=[A-Za-z0-9_-]{43}$/m);
    expect(ensureDevVars("http://localhost:9123", dir)).toEqual(["Mail goes to the local outbox: http://localhost:9123/dev/outbox"]);
    expect(readFileSync(join(dir, ".dev.vars"), "utf8")).toBe(written);
  });
});
