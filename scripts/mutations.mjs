#!/usr/bin/env node
// Mutation check for the reliability promises (issue 13): applies each
// mutation below to a COPY of the project, runs the tests that should catch
// it, and reports whether they did. A mutation the tests survive is a
// promise nothing guards. The working tree is never touched.
//
//   npm run mutations                  # every mutation (about 10 minutes)
//   npm run mutations -- timeout quota # only those whose name contains a word
//
// Stryker (npm run mutation:stryker) does the same for every operator it
// knows, across src/digest, src/mail and src/subscribers; it runs inside the
// workers pool, but a full run takes hours on a small machine. This list is
// the fast, hand-picked check: the mutations an outside review found the
// suite could not see, plus one per README promise that new tests cover.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * Each mutation: the file, a list of [exact text, replacement] edits (every
 * text must occur exactly once), and the test files (optionally a -t
 * filter) expected to fail.
 */
const MUTATIONS = [
  {
    name: "timeout: the Resend client's timeout removed",
    file: "src/mail/resend-mailer.ts",
    edits: [["const signal = AbortSignal.timeout(timeoutMs);", "const signal = undefined;"]],
    tests: ["tests/mail/resend-mailer.test.ts"],
  },
  {
    name: "timeout: RESEND_TIMEOUT_MS no longer passed to the client",
    file: "src/mail/create-mailer.ts",
    edits: [["timeoutMs: config.resendTimeoutMs,", ""]],
    tests: ["tests/queue-consumer.test.ts"],
  },
  {
    name: "ratelimit headers: learning the limit from ratelimit-* turned off",
    file: "src/mail/resend-mailer.ts",
    edits: [["    if (!headers) return;\n", "    return;\n"]],
    tests: ["tests/mail/resend-mailer.test.ts"],
  },
  {
    name: "alert: the one-alert-per-failure-episode check removed",
    file: "src/feeds/ingest.ts",
    edits: [["if (flagged && state.alertSentAt === null && deps.alert) {", "if (flagged && deps.alert) {"]],
    tests: ["tests/feeds/fetch-feed.test.ts"],
  },
  {
    name: "quota: the pause after a quota error made a year long",
    file: "src/mail/quota-store.ts",
    edits: [["now.getUTCDate() + 1", "now.getUTCDate() + 365"]],
    tests: ["tests/queue-consumer.test.ts"],
  },
  {
    name: "finish: the consumer's step that finishes the digest deleted",
    file: "src/digest/send-digest-batch.ts",
    edits: [['await finishIfComplete(deps.kv, digest, now);\n  return { status: "done", record };', '{}\n  return { status: "done", record };']],
    tests: ["tests/queue-consumer.test.ts", "tests/drills/fault-drills.test.ts"],
    filter: "finish|429 storm",
  },
  {
    name: "settled: the consumer's skip of already-settled batches removed",
    file: "src/digest/send-digest-batch.ts",
    edits: [['if (existing && existing.status !== "deferred") return { status: "duplicate" };', ""]],
    tests: ["tests/queue-consumer.test.ts", "tests/drills/fault-drills.test.ts"],
    filter: "settled|KV write failure mid-run",
  },
  {
    name: "unsubscribe: the consumer no longer drops readers who left after enqueueing",
    file: "src/digest/send-digest-batch.ts",
    edits: [['const current = message.recipients.filter((r) => statuses.get(r.id)?.status === "confirmed");', "const current = message.recipients;"]],
    tests: ["tests/drills/fault-drills.test.ts"],
    filter: "unsubscribe",
  },
  {
    name: "state: the duplicate-digest fix reverted (no state write before the record, none on the resume path)",
    file: "src/digest/run-digest.ts",
    edits: [
      [
        '  await saveDigestState(deps.kv, { lastDigestId: runId, watermark, lastRun: { at: now.toISOString(), result: "created", digestId: runId } }, cadence);\n',
        "",
      ],
      ["  if (state.lastDigestId !== existing.id) {", "  if (false) {"],
    ],
    tests: ["tests/drills/fault-drills.test.ts"],
    filter: "in turn",
  },
  {
    name: "state on resume: the resume path no longer repairs a state that does not point at the digest it meets",
    file: "src/digest/run-digest.ts",
    edits: [["  if (state.lastDigestId !== existing.id) {", "  if (false) {"]],
    tests: ["tests/digest/run-digest.test.ts"],
  },
  {
    name: "dead letter: a batch that exhausted its retries is no longer counted as failed",
    file: "src/queue-consumer.ts",
    edits: [
      [
        'if (body.kind === "digest-batch") await recordDeadBatch({ kv: deps.kv, now: deps.now }, body);',
        'if (body.kind === "digest-batch") void recordDeadBatch;',
      ],
    ],
    tests: ["tests/queue-consumer.test.ts"],
  },
  {
    name: "queue retry: a batch the mailer gave up on is acked instead of retried by the queue",
    file: "src/queue-consumer.ts",
    edits: [
      [
        'if (outcome.status === "retry") message.retry({ delaySeconds: outcome.retryAfterSeconds });\n      else {\n        if (outcome.status === "missing-digest")',
        'if (outcome.status === "retry") message.ack();\n      else {\n        if (outcome.status === "missing-digest")',
      ],
    ],
    tests: ["tests/queue-consumer.test.ts"],
  },
  {
    name: "quota on confirmations: a quota error on a confirmation email drops it",
    file: "src/queue-consumer.ts",
    edits: [
      ['else if (outcome.status === "quota") message.retry({ delaySeconds: QUOTA_RETRY_SECONDS });', 'else if (outcome.status === "quota") message.ack();'],
    ],
    tests: ["tests/queue-consumer.test.ts"],
  },
  {
    name: "monthly quota: monthly_quota_exceeded no longer treated as a quota stop",
    file: "src/mail/resend-mailer.ts",
    edits: [['new Set(["daily_quota_exceeded", "monthly_quota_exceeded"])', 'new Set(["daily_quota_exceeded"])']],
    tests: ["tests/queue-consumer.test.ts", "tests/mail/resend-mailer.test.ts"],
  },
  {
    name: "conditional GET: If-Modified-Since no longer sent",
    file: "src/feeds/fetch-feed.ts",
    edits: [['if (options.lastModified) headers.set("If-Modified-Since", options.lastModified);', ""]],
    tests: ["tests/feeds/fetch-feed.test.ts"],
  },
];

function copyProject() {
  const dir = mkdtempSync(join(tmpdir(), "nato-digest-mutations-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT }).toString().split("\0").filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(ROOT, file), join(dir, file), { recursive: true });
    } catch {
      /* deleted in the working tree */
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function runTests(dir, tests, filter) {
  const args = ["vitest", "run", "--project", "workers", "--reporter=dot", ...tests, ...(filter ? ["-t", filter] : [])];
  const started = Date.now();
  const result = spawnSync("npx", args, { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true", NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
  const summary = /Tests\s+(.*)/.exec(result.stdout ?? "")?.[1]?.trim() ?? "no summary";
  const failures = (result.stdout ?? "").split("\n").filter((line) => /^\s*(FAIL|×)|AssertionError|Error:/.test(line));
  return { failed: result.status !== 0, summary, failures, seconds: Math.round((Date.now() - started) / 1000) };
}

const words = process.argv.slice(2);
const selected = words.length ? MUTATIONS.filter((m) => words.some((w) => m.name.includes(w))) : MUTATIONS;
const dir = copyProject();
const rows = [];
try {
  // The unmutated copy must pass the same tests, or a "caught" would mean nothing.
  const allTests = [...new Set(selected.flatMap((m) => m.tests))];
  const baseline = runTests(dir, allTests);
  console.log(`baseline (no mutation): ${baseline.failed ? "FAILS" : "passes"}: ${baseline.summary} (${baseline.seconds} s)`);
  if (baseline.failed) {
    console.log(baseline.failures.slice(0, 40).join("\n"));
    process.exit(2);
  }

  for (const mutation of selected) {
    const path = join(dir, mutation.file);
    const original = readFileSync(path, "utf8");
    let mutated = original;
    for (const [from, to] of mutation.edits) {
      const count = mutated.split(from).length - 1;
      if (count !== 1) throw new Error(`${mutation.name}: expected the text once in ${mutation.file}, found it ${count} times: ${from}`);
      mutated = mutated.replace(from, to);
    }
    writeFileSync(path, mutated);
    const outcome = runTests(dir, mutation.tests, mutation.filter);
    writeFileSync(path, original);
    rows.push({ name: mutation.name, caught: outcome.failed, summary: outcome.summary, seconds: outcome.seconds });
    console.log(`${outcome.failed ? "caught  " : "SURVIVED"} ${mutation.name}: ${outcome.summary} (${outcome.seconds} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const survived = rows.filter((r) => !r.caught);
console.log(
  `\n${rows.length - survived.length} of ${rows.length} mutations caught${survived.length ? `; survived: ${survived.map((r) => r.name).join("; ")}` : ""}`,
);
process.exit(survived.length ? 1 : 0);
