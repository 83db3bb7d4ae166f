#!/usr/bin/env node
// npm start [-- --port N] [other wrangler dev options]: the worker locally
// with `wrangler dev --test-scheduled`. The port given (8787 by default)
// also becomes PUBLIC_URL (`--var PUBLIC_URL:http://localhost:N`), so
// confirm and unsubscribe links, the outbox URL printed here and the sample
// feed (served by the worker at PUBLIC_URL) all stay on that port. A
// PUBLIC_URL given with --var wins.
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { ensureDevVars } from "./dev-setup.mjs";

export const DEFAULT_PORT = 8787;

/** The port asked for and the arguments for `wrangler dev`, from npm start's arguments. */
export function planStart(args) {
  let port = DEFAULT_PORT;
  let ip = "localhost";
  let publicUrlGiven = false;
  args.forEach((arg, i) => {
    const value = (name) => (arg === name ? args[i + 1] : arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined);
    const p = value("--port");
    if (p !== undefined) {
      if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new Error(`--port wants a number from 1 to 65535, got "${p}"`);
      port = Number(p);
    }
    const v = value("--var");
    if (v !== undefined && v.startsWith("PUBLIC_URL:")) publicUrlGiven = true;
    const address = value("--ip");
    if (address !== undefined && !["0.0.0.0", "::"].includes(address)) ip = address.includes(":") ? `[${address}]` : address;
  });
  const publicUrl = `http://${ip}:${port}`;
  const given = (name) => args.some((a) => a === name || a.startsWith(`${name}=`));
  // Bound to loopback unless asked otherwise: behind `--ip 0.0.0.0` the worker
  // cannot tell a neighbour's request from this machine's (see web/dev/outbox-routes.ts).
  const wranglerArgs = ["dev", "--test-scheduled", ...(given("--ip") ? [] : ["--ip", "127.0.0.1"]), ...(given("--port") ? [] : ["--port", String(port)])];
  if (!publicUrlGiven) wranglerArgs.push("--var", `PUBLIC_URL:${publicUrl}`);
  wranglerArgs.push(...args);
  return { port, publicUrl, wranglerArgs };
}

async function main() {
  const { publicUrl, wranglerArgs } = planStart(process.argv.slice(2));
  for (const line of ensureDevVars(publicUrl)) console.log(line);
  const child = spawn("wrangler", wranglerArgs, { stdio: "inherit", shell: false });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
