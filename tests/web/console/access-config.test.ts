// The Access settings are read in readConfig like every other setting:
// both or neither, and the team domain must be Cloudflare's
// (https://<team>.cloudflareaccess.com); anything else is a ConfigError
// that names the setting, never its value.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigError, parseAccessConfig, readConfig } from "../../../src/config";
import { call, CONSOLE_TOKEN } from "../../support/console-client";

const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";

describe("parseAccessConfig", () => {
  it("neither setting: Access is off", () => {
    expect(parseAccessConfig(null, null)).toBeNull();
  });

  it.each(["https://acme.cloudflareaccess.com", "https://ACME.cloudflareaccess.com/"])("accepts %s", (team) => {
    expect(parseAccessConfig(team, AUD)).toEqual({ teamDomain: "https://acme.cloudflareaccess.com", audience: AUD });
  });

  it.each([
    "acme.cloudflareaccess.com",
    "http://acme.cloudflareaccess.com",
    "https://acme.cloudflareaccess.com.evil.example",
    "https://evil.example/acme.cloudflareaccess.com",
    "https://acme.cloudflareaccess.com/path",
    "https://127.0.0.1:8787",
    "https://a.b.cloudflareaccess.com",
    "https://-acme.cloudflareaccess.com",
  ])("refuses %s with an error naming ACCESS_TEAM_DOMAIN", (team) => {
    expect(() => parseAccessConfig(team, AUD)).toThrow(ConfigError);
    expect(() => parseAccessConfig(team, AUD)).toThrow(/ACCESS_TEAM_DOMAIN must be https:\/\/<team>\.cloudflareaccess\.com/);
  });

  it("half a configuration names both settings", () => {
    expect(() => parseAccessConfig("https://acme.cloudflareaccess.com", null)).toThrow(/set both ACCESS_TEAM_DOMAIN and ACCESS_AUD/);
    expect(() => parseAccessConfig(null, AUD)).toThrow(/set both ACCESS_TEAM_DOMAIN and ACCESS_AUD/);
  });
});

describe("readConfig", () => {
  it("carries Access and the confirmation interval in ms", () => {
    const config = readConfig({ ...env, ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com", ACCESS_AUD: AUD, CONFIRM_EMAIL_INTERVAL_MINUTES: "3" });
    expect(config.access).toEqual({ teamDomain: "https://acme.cloudflareaccess.com", audience: AUD });
    expect(config.confirmEmailIntervalMs).toBe(180_000);
  });

  it("a foreign team domain stops the worker with a message for the operator, not the public", async () => {
    const overrides = { ACCESS_TEAM_DOMAIN: "https://login.evil.example", ACCESS_AUD: AUD };
    const console = await call("/console", {}, overrides);
    expect(console.status).toBe(500);
    expect(await console.text()).not.toContain("evil.example");
    const admin = await call("/admin/status", { headers: { Authorization: `Bearer ${CONSOLE_TOKEN}` } }, overrides);
    expect(admin.status).toBe(500);
    const body = await admin.text();
    expect(body).toContain("ACCESS_TEAM_DOMAIN must be https://<team>.cloudflareaccess.com");
    expect(body).not.toContain("evil.example");
  });
});
