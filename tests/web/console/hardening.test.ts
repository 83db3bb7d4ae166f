// Console hardening (issue 20): the session cookie is Secure on every
// deployment, plain-http local runs included (browsers accept Secure
// cookies from http://localhost); the overview warns when live mail meets
// a sign-up form without Turnstile.
import { describe, expect, it } from "vitest";
import { ConsoleClient } from "../../support/console-client";

describe("console session cookie", () => {
  it.each(["http://localhost:8787", "https://digest.example.test"])("is Secure with PUBLIC_URL %s, and signing out clears it as Secure too", async (url) => {
    const client = new ConsoleClient({ PUBLIC_URL: url });
    const response = await client.signIn();
    expect(response.status).toBe(303);
    expect(response.headers.get("Set-Cookie")).toMatch(/^console_session=[^;]+;.*; Secure/);
    const out = await client.post("/console/logout", {});
    expect(out.status).toBe(200);
    const cleared = out.headers.get("Set-Cookie") ?? "";
    expect(cleared).toMatch(/^console_session=;/);
    expect(cleared).toMatch(/; Secure/);
  });
});

describe("overview warning: live mail without Turnstile", () => {
  const WARNING = "Mail is live but the sign-up form has no bot check.";
  // The overview only reads the settings: no mail is sent here.
  const live = { RESEND_API_KEY: "re_test_overview_warning" };

  it("appears when RESEND_API_KEY is set and Turnstile is off", async () => {
    const client = new ConsoleClient({ ...live, TURNSTILE_SITE_KEY: "", TURNSTILE_SECRET_KEY: "" });
    await client.signIn();
    const page = await client.page("/console");
    expect(page).toContain(WARNING);
    expect(page).toContain("Set TURNSTILE_SITE_KEY");
  });

  it("is absent once Turnstile is on, and in outbox mode", async () => {
    const guarded = new ConsoleClient({ ...live, TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" });
    await guarded.signIn();
    expect(await guarded.page("/console")).not.toContain(WARNING);
    const outbox = new ConsoleClient({ RESEND_API_KEY: "", TURNSTILE_SITE_KEY: "", TURNSTILE_SECRET_KEY: "" });
    await outbox.signIn();
    const page = await outbox.page("/console");
    expect(page).toContain("<h1>Overview</h1>");
    expect(page).not.toContain(WARNING);
  });
});
