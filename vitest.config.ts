import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with real local KV and queues. The local feed
// server and Resend-compatible server start in tests/node/global-setup.ts;
// their URLs reach the worker as ordinary bindings.
export default defineConfig({
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
          ADMIN_TOKEN: "test-admin-token-0123456789",
          SIGNING_SECRET: "test-signing-secret-0123456789abcdef",
          RESEND_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./tests/node/global-setup.ts"],
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/browser/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
