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
  const [feeds, resend] = await Promise.all([startFeedServer(), startResendServer(specPath)]);
  project.provide("feedServerUrl", feeds.url);
  project.provide("resendServerUrl", resend.url);
  return async () => {
    await Promise.all([feeds.close(), resend.close()]);
  };
}
