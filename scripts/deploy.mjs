#!/usr/bin/env node
// npm run deploy -- [--public-url URL] [--dry-run]
// One-command deploy, after `npx wrangler login`:
//   1. the two queues (send and dead-letter) are created when missing;
//   2. SIGNING_SECRET is generated when unset; ADMIN_TOKEN (32+ characters,
//      or generated), RESEND_API_KEY and, optionally, RESEND_WEBHOOK_SECRET
//      are asked for when unset (or read from the environment);
//   3. `wrangler deploy` uploads the worker with those secrets; the KV
//      namespace has no id in wrangler.toml, so wrangler (4.45+) creates it
//      on the first deploy and reuses it after;
//   4. PUBLIC_URL: --public-url, else the URL remembered from the last
//      deploy, else the workers.dev URL of the first deploy (one more upload
//      to put it in the links of every email);
//   5. prints the console's URL.
// The logic takes its I/O (commands, questions, files) as parameters, so it
// is tested without Cloudflare (tests/scripts/deploy.test.ts).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

export class DeployError extends Error {
  name = "DeployError";
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;
const REMEMBERED = ".wrangler/nato-digest-deploy.json";
const LOOPBACK = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?$/;

/** Queue names the config uses: producers, consumers and dead-letter queues. */
export function queueNames(configText) {
  const names = [...configText.matchAll(/^\s*(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
  return [...new Set(names)];
}

export function configuredPublicUrl(configText) {
  return /^\s*PUBLIC_URL\s*=\s*"([^"]*)"/m.exec(configText)?.[1] ?? null;
}

/** The first workers.dev (or other https) URL wrangler prints after a deploy. */
export function deployedUrl(output) {
  return /https:\/\/[a-z0-9.-]+\.workers\.dev/i.exec(output)?.[0] ?? null;
}

async function askAdminToken(io) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = (
      await io.ask(`ADMIN_TOKEN is not set. Enter an admin token (${MIN_ADMIN_TOKEN_LENGTH}+ characters), or press Enter to generate one: `, { secret: true })
    ).trim();
    if (answer === "") {
      const token = io.random(32, "base64url");
      io.log(`Generated ADMIN_TOKEN: ${token}`);
      io.log("  Keep it in your password manager: it signs you in to the console and is not shown again.");
      return token;
    }
    if (answer.length >= MIN_ADMIN_TOKEN_LENGTH) return answer;
    io.log(`  That is ${answer.length} characters; the console needs at least ${MIN_ADMIN_TOKEN_LENGTH}.`);
  }
  throw new DeployError(`no admin token of ${MIN_ADMIN_TOKEN_LENGTH}+ characters given`);
}

async function askRequired(io, name, question) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = (await io.ask(question, { secret: true })).trim();
    if (answer !== "") return answer;
    io.log(`  ${name} is required.`);
  }
  throw new DeployError(`${name} is required`);
}

/**
 * io: { run(args) -> {code, stdout, stderr} (runs `wrangler <args>`), ask(question, {secret}) -> string,
 *       log(line), env (object), readText(path) -> string|null, writeText(path, text), remove(path), random(bytes, encoding) -> string, tempPath() -> string }
 * Returns { url, consoleUrl, created: {queues, secrets} }.
 */
export async function deploy(io, options = {}) {
  const dryRun = options.dryRun === true;
  const configText = io.readText("wrangler.toml");
  if (configText === null) throw new DeployError("wrangler.toml not found: run this from the project folder");

  const whoami = await io.run(["whoami"]);
  if (whoami.code !== 0 || /not authenticated|not logged in/i.test(whoami.stdout + whoami.stderr)) {
    throw new DeployError("wrangler is not logged in: run `npx wrangler login` first");
  }

  // 1. Queues.
  const createdQueues = [];
  for (const queue of queueNames(configText)) {
    if ((await io.run(["queues", "info", queue])).code === 0) continue;
    if (dryRun) {
      io.log(`[dry run] would create queue ${queue}`);
      createdQueues.push(queue);
      continue;
    }
    const created = await io.run(["queues", "create", queue]);
    if (created.code !== 0) throw new DeployError(`could not create queue ${queue}: ${(created.stderr || created.stdout).trim()}`);
    io.log(`Created queue ${queue}`);
    createdQueues.push(queue);
  }

  // 2. Secrets: what is set already (none before the first deploy).
  const listed = await io.run(["secret", "list", "--format", "json"]);
  let existing = new Set();
  if (listed.code === 0) {
    try {
      existing = new Set(JSON.parse(listed.stdout).map((s) => s.name));
    } catch {
      throw new DeployError(`could not read \`wrangler secret list\`: ${listed.stdout.slice(0, 200)}`);
    }
  }
  const secrets = {};
  const fromEnv = (name) => (typeof io.env[name] === "string" && io.env[name].trim() !== "" ? io.env[name].trim() : null);
  if (!existing.has("SIGNING_SECRET")) {
    secrets.SIGNING_SECRET = fromEnv("SIGNING_SECRET") ?? io.random(32, "hex");
    io.log("SIGNING_SECRET is not set: generated a new one.");
  }
  if (!existing.has("ADMIN_TOKEN")) {
    const token = fromEnv("ADMIN_TOKEN");
    if (token !== null && token.length < MIN_ADMIN_TOKEN_LENGTH)
      throw new DeployError(`ADMIN_TOKEN from the environment is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`);
    secrets.ADMIN_TOKEN = token ?? (dryRun ? "(asked)" : await askAdminToken(io));
  }
  if (!existing.has("RESEND_API_KEY")) {
    secrets.RESEND_API_KEY =
      fromEnv("RESEND_API_KEY") ??
      (dryRun ? "(asked)" : await askRequired(io, "RESEND_API_KEY", "RESEND_API_KEY is not set. Paste your Resend API key (re_...): "));
  }
  if (!existing.has("RESEND_WEBHOOK_SECRET")) {
    const webhook =
      fromEnv("RESEND_WEBHOOK_SECRET") ??
      (dryRun
        ? ""
        : (await io.ask("Optional: Resend webhook signing secret (whsec_...) for bounces and complaints; press Enter to skip: ", { secret: true })).trim());
    if (webhook) secrets.RESEND_WEBHOOK_SECRET = webhook;
  }

  // 3. PUBLIC_URL for the links in emails.
  let remembered = null;
  try {
    remembered = JSON.parse(io.readText(REMEMBERED) ?? "null")?.publicUrl ?? null;
  } catch {
    remembered = null;
  }
  const configured = configuredPublicUrl(configText);
  let publicUrl = options.publicUrl ?? remembered ?? (configured && !LOOPBACK.test(configured) ? configured : null);

  if (dryRun) {
    io.log(`[dry run] would set secrets: ${Object.keys(secrets).join(", ") || "none"}`);
    io.log(
      `[dry run] would run: wrangler deploy${Object.keys(secrets).length ? " --secrets-file <temporary file>" : ""}${publicUrl ? ` --var PUBLIC_URL:${publicUrl}` : ""}`,
    );
    return { url: publicUrl, consoleUrl: publicUrl ? `${publicUrl}/console` : null, created: { queues: createdQueues, secrets: Object.keys(secrets) } };
  }

  // 4. Deploy, with the new secrets in a temporary file readable by us only.
  const deployOnce = async (url, withSecrets) => {
    const args = ["deploy"];
    let secretsFile = null;
    if (withSecrets && Object.keys(secrets).length) {
      secretsFile = io.tempPath();
      io.writeText(secretsFile, JSON.stringify(secrets));
      args.push("--secrets-file", secretsFile);
    }
    if (url) args.push("--var", `PUBLIC_URL:${url}`);
    try {
      const result = await io.run(args, { stream: true });
      if (result.code !== 0) throw new DeployError(`wrangler deploy failed: ${(result.stderr || result.stdout).trim().slice(-500)}`);
      return result.stdout + result.stderr;
    } finally {
      if (secretsFile) io.remove(secretsFile);
    }
  };
  const output = await deployOnce(publicUrl, true);
  const url = deployedUrl(output);
  if (!publicUrl) {
    if (!url) throw new DeployError("deployed, but wrangler printed no workers.dev URL: set PUBLIC_URL with --public-url and deploy again");
    io.log(`Setting PUBLIC_URL to ${url} (the links in every email) and deploying once more…`);
    await deployOnce(url, false);
    publicUrl = url;
  }
  io.writeText(REMEMBERED, JSON.stringify({ publicUrl }, null, 2));
  const consoleUrl = `${publicUrl.replace(/\/+$/, "")}/console`;
  io.log("");
  io.log(`Deployed. The console: ${consoleUrl}`);
  io.log("Next: verify your sending domain in Resend and set EMAIL_FROM; see the README's deploy section.");
  return { url: publicUrl, consoleUrl, created: { queues: createdQueues, secrets: Object.keys(secrets) } };
}

/** The real I/O: wrangler through npx, questions on the terminal, files on disk. */
export function createNodeIo() {
  let rl = null;
  return {
    env: process.env,
    log: (line) => console.log(line),
    readText: (path) => (existsSync(path) ? readFileSync(path, "utf8") : null),
    writeText: (path, text) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, { mode: 0o600 });
    },
    remove: (path) => rmSync(path, { force: true }),
    random: (bytes, encoding) => randomBytes(bytes).toString(encoding),
    tempPath: () => join(tmpdir(), `nato-digest-secrets-${randomBytes(8).toString("hex")}.json`),
    run: (args, { stream = false } = {}) =>
      new Promise((resolve) => {
        const child = spawn("npx", ["wrangler", ...args], { stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          if (stream) process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
          if (stream) process.stderr.write(chunk);
        });
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      }),
    ask: async (question, { secret = false } = {}) => {
      if (!process.stdin.isTTY) throw new DeployError(`${question.split(".")[0]}; set it in the environment when running without a terminal`);
      // One interface per question. A secret is read through a terminal
      // interface whose output goes nowhere, so what is typed is not echoed
      // (no key on screen, in scrollback or in a screen recording).
      const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
      rl = createInterface({ input: process.stdin, output: secret ? muted : process.stdout, terminal: true });
      try {
        if (!secret) return await rl.question(question);
        process.stdout.write(question);
        const answer = await rl.question("");
        process.stdout.write("\n");
        return answer;
      } finally {
        rl.close();
        rl = null;
      }
    },
    close: () => rl?.close(),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { "public-url": { type: "string" }, "dry-run": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    console.log(`Usage: npm run deploy -- [--public-url URL] [--dry-run]

After \`npx wrangler login\`: creates the queues when missing, sets the secrets
(generates SIGNING_SECRET, asks for ADMIN_TOKEN and RESEND_API_KEY unless they
are in the environment), deploys, and prints the console's URL.`);
    process.exit(0);
  }
  const io = createNodeIo();
  try {
    await deploy(io, { publicUrl: values["public-url"]?.replace(/\/+$/, ""), dryRun: values["dry-run"] });
  } catch (error) {
    console.error(error instanceof DeployError ? `Deploy stopped: ${error.message}` : error);
    process.exitCode = 1;
  } finally {
    io.close();
  }
}
