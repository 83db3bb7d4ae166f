import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects:
// - "workers": tests inside workerd with real local KV, queues and rate
//   limits. The local feed server and Resend-compatible server start in
//   tests/node/global-setup.ts; their URLs reach the worker as bindings.
// - "browser": the sign-up flow in Debian's Chromium against `wrangler dev`.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                FEED_URLS: `${inject("feedServerUrl")}/default/news.xml`,
                PUBLIC_URL: "https://digest.example.test",
                EMAIL_FROM: "NATO Digest <digest@example.test>",
                RESEND_API_KEY: "re_test_key",
                RESEND_BASE_URL: inject("resendServerUrl"),
                RESEND_RATE_LIMIT: "50",
                RESEND_TIMEOUT_MS: "3000",
                ADMIN_TOKEN: "test-admin-token-0123456789",
                SIGNING_SECRET: "test-signing-secret-0123456789abcdef",
                RESEND_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          globalSetup: ["./tests/node/global-setup.ts"],
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/browser/**", "node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["tests/browser/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
