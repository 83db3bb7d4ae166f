// Vitest global setup, on the Node side: start the local feed server and the
// Resend-compatible server, and hand their URLs to the worker's bindings
// (vitest.config.ts) and to the tests (inject).
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startFeedServer } from "./feed-server";
import { startResendServer } from "./resend-server";

declare module "vitest" {
  export interface ProvidedContext {
    feedServerUrl: string;
    resendServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const specPath = fileURLToPath(new URL("../fixtures/resend-openapi.yaml", import.meta.url));
  const [feeds, resend] = await Promise.all([
    startFeedServer(),
    startResendServer(specPath, {
      // The worker's team under test (tests/node/worker-bindings.ts) and the
      // benchmark's: a raised limit, as Resend grants on request, so test files
      // sending side by side never meet each other's 429s. Every other team
      // gets Resend's default of 2 requests/s.
      teams: { re_test_key: { requestsPerSecond: 500 }, re_bench_key: { requestsPerSecond: 500 } },
    }),
  ]);
  project.provide("feedServerUrl", feeds.url);
  project.provide("resendServerUrl", resend.url);
  return async () => {
    await Promise.all([feeds.close(), resend.close()]);
  };
}
