import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { workerTestBindings } from "./tests/node/worker-bindings";

// `npm run bench` only: the digest-at-scale benchmark inside workerd, with
// the same local servers as the tests and Resend paced at 5 requests/s.
export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: workerTestBindings(
          { feedServerUrl: inject("feedServerUrl"), resendServerUrl: inject("resendServerUrl") },
          {
            RESEND_API_KEY: "re_bench_key",
            RESEND_RATE_LIMIT: "5",
            ADMIN_TOKEN: "bench-admin-token-0123456789",
            SIGNING_SECRET: "bench-signing-secret-0123456789abcdef",
          },
        ),
      },
    })),
  ],
  test: {
    name: "bench",
    globalSetup: ["./tests/node/global-setup.ts"],
    include: ["bench/**/*.workers.ts"],
    testTimeout: 900_000,
    hookTimeout: 60_000,
  },
});
