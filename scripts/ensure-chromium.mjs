// Runs first in `npm test`: the browser tests need Debian's Chromium. If it
// is missing and this user can install packages, install it (apt-get);
// otherwise stop with the command to run. Never skip the browser tests.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (existsSync(path)) process.exit(0);

const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
if (!canInstall) {
  console.error(
    `The browser tests need Chromium at ${path}. Install it with:\n  sudo apt-get install -y chromium\nor point CHROMIUM_PATH at a Chromium binary.`,
  );
  process.exit(1);
}
console.log("Installing Debian's chromium for the browser tests (apt-get)…");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
if (!existsSync(path)) {
  console.error(`apt-get finished but ${path} is still missing.`);
  process.exit(1);
}
