// Starts `wrangler dev` on free loopback ports with its own state directory
// and its own env file (so a developer's .dev.vars never leaks into a test),
// and waits until the worker answers. A free port is only free until someone
// binds it: when wrangler finds its port taken, it starts again on new ones.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface WranglerDev {
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
}

type WranglerDevOptions = { vars: Record<string, string>; secrets: Record<string, string>; cwd?: string };

/** A port found free may be taken by another process before wrangler binds it: then start again on new ports. */
class PortTaken extends Error {}

export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 5) throw error;
    }
  }
}

async function startOnce(options: WranglerDevOptions): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "nato-digest-dev-"));
  const envFile = join(dir, "secrets.env");
  writeFileSync(
    envFile,
    Object.entries(options.secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    join(dir, "state"),
    "--env-file",
    envFile,
    "--show-interactive-dev-session=false",
    "--test-scheduled",
    "--var",
    `PUBLIC_URL:${url}`,
    // As `npm start` sets it in .dev.vars: /dev/outbox open to loopback.
    "--var",
    "DEV_OUTBOX_OPEN:true",
    ...Object.entries(options.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  let output = "";
  const child: ChildProcess = spawn("npx", args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            /* gone */
          }
          resolve(undefined);
        }, 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      if (/EADDRINUSE|address already in use/i.test(output)) throw new PortTaken(`port ${port} or ${inspectorPort} was taken:\n${output}`);
      throw new Error(`wrangler dev exited early:\n${output}`);
    }
    // Only once wrangler says it bound the port: until then, whatever answers
    // there (a server that took the port first) is not our worker.
    if (/Ready on/i.test(output)) {
      try {
        const response = await fetch(`${url}/healthz`);
        if (response.ok) break;
      } catch {
        /* not up yet */
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start in 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, logs: () => output, stop };
}
