// scripts/deploy.mjs without Cloudflare: a stand-in for the wrangler CLI
// that keeps an account's state (queues, secrets, deployments) in memory
// and answers as wrangler does, plus scripted answers to the questions.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploy, DeployError, deployedUrl, queueNames, type DeployIo, type RunResult } from "../../scripts/deploy.mjs";

const CONFIG = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const WORKER_URL = "https://nato-digest.operator.workers.dev";

function fakeAccount(options: { loggedIn?: boolean; queues?: string[]; secrets?: string[]; deployed?: boolean } = {}) {
  const state = {
    loggedIn: options.loggedIn ?? true,
    queues: new Set(options.queues ?? []),
    secrets: new Map<string, string>((options.secrets ?? []).map((name) => [name, "set-before"])),
    deployed: options.deployed ?? false,
    deploys: [] as { args: string[]; secrets: Record<string, string> | null }[],
    commands: [] as string[],
  };
  const files = new Map<string, string>([["wrangler.toml", CONFIG]]);
  const ok = (stdout = ""): RunResult => ({ code: 0, stdout, stderr: "" });
  const fail = (stderr: string): RunResult => ({ code: 1, stdout: "", stderr });
  const run = async (args: string[]): Promise<RunResult> => {
    state.commands.push(args.join(" "));
    if (!state.loggedIn) return fail("You are not authenticated. Please run `wrangler login`.");
    const [command, sub, name] = args;
    if (command === "whoami") return ok("You are logged in with an OAuth Token, associated with the email operator@example.org.");
    if (command === "queues" && sub === "info") return state.queues.has(name!) ? ok(`Queue Name: ${name}`) : fail(`Queue "${name}" does not exist.`);
    if (command === "queues" && sub === "create") {
      state.queues.add(name!);
      return ok(`Created queue ${name}.`);
    }
    if (command === "secret" && sub === "list") {
      if (!state.deployed) return fail("This Worker does not exist on your account. [code: 10007]");
      return ok(JSON.stringify([...state.secrets.keys()].map((n) => ({ name: n, type: "secret_text" }))));
    }
    if (command === "deploy") {
      const fileIndex = args.indexOf("--secrets-file");
      const secrets = fileIndex >= 0 ? (JSON.parse(files.get(args[fileIndex + 1]!)!) as Record<string, string>) : null;
      for (const [k, v] of Object.entries(secrets ?? {})) state.secrets.set(k, v);
      state.deployed = true;
      state.deploys.push({ args, secrets });
      return ok(`Uploaded nato-digest\nDeployed nato-digest triggers\n  ${WORKER_URL}\n  schedule: 17 * * * *`);
    }
    return fail(`unexpected command ${args.join(" ")}`);
  };
  return { state, files, run };
}

function io(account: ReturnType<typeof fakeAccount>, answers: string[], env: Record<string, string> = {}) {
  const asked: string[] = [];
  const lines: string[] = [];
  let n = 0;
  const value: DeployIo = {
    run: account.run,
    ask: async (question) => {
      asked.push(question);
      if (answers.length === 0) throw new Error(`unexpected question: ${question}`);
      return answers.shift()!;
    },
    log: (line) => lines.push(line),
    env,
    readText: (path) => account.files.get(path) ?? null,
    writeText: (path, text) => void account.files.set(path, text),
    remove: (path) => void account.files.delete(path),
    random: (bytes, encoding) => (encoding === "hex" ? "ab".repeat(bytes) : "Z".repeat(Math.ceil((bytes * 4) / 3))),
    tempPath: () => `/tmp/secrets-${++n}.json`,
  };
  return { io: value, asked, lines };
}

describe("npm run deploy", () => {
  it("reads queue names and the deployed URL the way wrangler writes them", () => {
    expect(queueNames(CONFIG)).toEqual(["nato-digest-send", "nato-digest-send-dlq"]);
    expect(deployedUrl("Deployed nato-digest triggers (1.2 sec)\n  https://nato-digest.x-y.workers.dev\n")).toBe("https://nato-digest.x-y.workers.dev");
    // The KV namespace has no id: wrangler provisions it.
    expect(CONFIG).toMatch(/\[\[kv_namespaces\]\]\nbinding = "KV"\n(#.*\n)*\n/);
    expect(CONFIG.match(/name = "SIGNUP_LIMITER"/g)).toHaveLength(1);
  });

  it("on a fresh account: creates both queues, generates SIGNING_SECRET, asks for the rest, deploys, sets PUBLIC_URL and prints the console URL", async () => {
    const account = fakeAccount();
    const { io: deployIo, asked, lines } = io(account, ["too-short", "", "re_live_key", ""]);
    const result = await deploy(deployIo);
    expect([...account.state.queues]).toEqual(["nato-digest-send", "nato-digest-send-dlq"]);
    expect(asked).toHaveLength(4); // token (too short), token (generate), Resend key, webhook secret (skipped)
    expect(lines).toContain("  That is 9 characters; the console needs at least 32.");
    const first = account.state.deploys[0]!;
    expect(first.secrets).toEqual({ SIGNING_SECRET: "ab".repeat(32), ADMIN_TOKEN: "Z".repeat(43), RESEND_API_KEY: "re_live_key" });
    expect(first.args).not.toContain("--var");
    // The first deploy tells the URL; the second puts it in PUBLIC_URL, without re-sending secrets.
    expect(account.state.deploys[1]!.args).toEqual(["deploy", "--var", `PUBLIC_URL:${WORKER_URL}`]);
    expect([...account.files.keys()].filter((path) => path.startsWith("/tmp/"))).toEqual([]); // secrets file removed
    expect(result.consoleUrl).toBe(`${WORKER_URL}/console`);
    expect(lines).toContain(`Deployed. The console: ${WORKER_URL}/console`);
  });

  it("on the next run: asks nothing, creates nothing, deploys once with the remembered PUBLIC_URL", async () => {
    const account = fakeAccount({
      queues: ["nato-digest-send", "nato-digest-send-dlq"],
      secrets: ["SIGNING_SECRET", "ADMIN_TOKEN", "RESEND_API_KEY", "RESEND_WEBHOOK_SECRET"],
      deployed: true,
    });
    account.files.set(".wrangler/nato-digest-deploy.json", JSON.stringify({ publicUrl: WORKER_URL }));
    const { io: deployIo, asked } = io(account, []);
    const result = await deploy(deployIo);
    expect(asked).toEqual([]);
    expect(account.state.commands.filter((c) => c.startsWith("queues create"))).toEqual([]);
    expect(account.state.deploys).toEqual([{ args: ["deploy", "--var", `PUBLIC_URL:${WORKER_URL}`], secrets: null }]);
    expect(result.created).toEqual({ queues: [], secrets: [] });
  });

  it("takes secrets from the environment (CI) and --public-url, and refuses a short ADMIN_TOKEN there", async () => {
    const account = fakeAccount({ queues: ["nato-digest-send"] });
    const env = { ADMIN_TOKEN: "x".repeat(40), RESEND_API_KEY: "re_ci", RESEND_WEBHOOK_SECRET: "whsec_ci" };
    const { io: deployIo, asked } = io(account, [], env);
    await deploy(deployIo, { publicUrl: "https://digest.example.org" });
    expect(asked).toEqual([]);
    expect([...account.state.queues]).toContain("nato-digest-send-dlq");
    expect(account.state.deploys).toHaveLength(1);
    expect(account.state.deploys[0]!.args.slice(-2)).toEqual(["--var", "PUBLIC_URL:https://digest.example.org"]);
    expect(account.state.deploys[0]!.secrets).toMatchObject({ ADMIN_TOKEN: "x".repeat(40), RESEND_WEBHOOK_SECRET: "whsec_ci" });

    const short = io(fakeAccount(), [], { ADMIN_TOKEN: "short" });
    await expect(deploy(short.io)).rejects.toThrow(/shorter than 32/);
  });

  it("stops before changing anything when wrangler is not logged in", async () => {
    const account = fakeAccount({ loggedIn: false });
    await expect(deploy(io(account, []).io)).rejects.toThrow(DeployError);
    await expect(deploy(io(account, []).io)).rejects.toThrow(/npx wrangler login/);
    expect(account.state.commands.every((c) => c === "whoami")).toBe(true);
  });

  it("--dry-run reports the plan and creates, asks and deploys nothing", async () => {
    const account = fakeAccount();
    const { io: deployIo, lines, asked } = io(account, []);
    const result = await deploy(deployIo, { dryRun: true });
    expect(result.created).toEqual({ queues: ["nato-digest-send", "nato-digest-send-dlq"], secrets: ["SIGNING_SECRET", "ADMIN_TOKEN", "RESEND_API_KEY"] });
    expect(asked).toEqual([]);
    expect(account.state.queues.size).toBe(0);
    expect(account.state.deploys).toEqual([]);
    expect(lines.some((l) => l.startsWith("[dry run] would run: wrangler deploy --secrets-file"))).toBe(true);
  });
});

describe("the real terminal prompt", () => {
  // util-linux `script` gives the prompt a real terminal (a pty), as an operator's shell would.
  it.skipIf(!existsSync("/usr/bin/script"))("does not echo a secret as it is typed", async () => {
    const moduleUrl = new URL("../../scripts/deploy.mjs", import.meta.url).href;
    const program = `import { createNodeIo } from ${JSON.stringify(moduleUrl)};
const io = createNodeIo();
const first = await io.ask("First secret: ", { secret: true });
const second = await io.ask("Second secret: ", { secret: true });
console.log("ANSWERS " + (first === "re_typed-secret-one" && second === "typed-secret-two-0123456789abcdef" ? "ok" : "wrong"));`;
    const file = join(mkdtempSync(join(tmpdir(), "deploy-prompt-")), "prompt.mjs");
    writeFileSync(file, program);
    const child = spawn("/usr/bin/script", ["-qfec", `'${process.execPath}' '${file}'`, "/dev/null"]);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 100 && !output.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      if (!output.includes(text)) throw new Error(`the prompt never printed "${text}" in 5 s; output so far: ${output}`);
    };
    await waitFor("First secret:");
    child.stdin.write("re_typed-secret-one\r");
    await waitFor("Second secret:");
    child.stdin.end("typed-secret-two-0123456789abcdef\r");
    const timer = setTimeout(() => child.kill(), 10_000);
    await new Promise((resolve) => child.on("exit", resolve));
    clearTimeout(timer);
    await waitFor("ANSWERS");
    expect(output).toContain("ANSWERS ok");
    expect(output).not.toContain("typed-secret");
  });
});
