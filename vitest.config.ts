import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { workerTestBindings } from "./tests/node/worker-bindings";

// Two projects:
// - "workers": tests inside workerd with real local KV, queues and rate
//   limits. The local feed server and Resend-compatible server start in
//   tests/node/global-setup.ts; their URLs reach the worker as bindings.
// - "browser": on the Node side, the sign-up flow in Debian's Chromium and the
//   whole digest loop, both against `wrangler dev`; plus *.node.test.ts files
//   that need local programs (SpamAssassin).
export default defineConfig({
  test: {
    // Two test files at a time on CI's two cores: most of a file's time is
    // waiting (queues, local servers, wrangler dev), so this halves the wall
    // time (815 s → 540 s measured) without changing a result.
    maxWorkers: 2,
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: workerTestBindings({ feedServerUrl: inject("feedServerUrl"), resendServerUrl: inject("resendServerUrl") }),
            },
          })),
        ],
        test: {
          name: "workers",
          globalSetup: ["./tests/node/global-setup.ts"],
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/browser/**", "tests/scripts/**", "tests/**/*.node.test.ts", "node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["tests/browser/**/*.test.ts", "tests/scripts/**/*.test.ts", "tests/**/*.node.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
