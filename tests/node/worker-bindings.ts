// The worker's bindings under test: the local servers' URLs (from the global
// setup) plus fixed secrets. Shared by vitest.config.ts and the benchmark's
// vitest.bench.config.ts.

/** The secrets the tests' worker runs with, defined once (tests/support/worker.ts hands them to tests). */
export const TEST_SECRETS = {
  ADMIN_TOKEN: "test-admin-token-0123456789",
  SIGNING_SECRET: "test-signing-secret-0123456789abcdef",
  RESEND_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
} as const;

export function workerTestBindings(
  servers: { feedServerUrl: string; resendServerUrl: string },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    FEED_URLS: `${servers.feedServerUrl}/default/news.xml`,
    PUBLIC_URL: "https://digest.example.test",
    EMAIL_FROM: "NATO Digest <digest@example.test>",
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: servers.resendServerUrl,
    RESEND_RATE_LIMIT: "50",
    RESEND_TIMEOUT_MS: "3000",
    ...TEST_SECRETS,
    // A test file signs up more addresses in a minute than a deployment's
    // hour allows; the tests of the caps (tests/web/public/signup-caps.test.ts) set their own.
    SIGNUP_MAX_MAILS_PER_HOUR: "10000",
    SIGNUP_MAX_MAILS_PER_DAY: "100000",
    ...overrides,
  };
}
