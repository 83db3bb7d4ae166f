// Runs first in `npm test`, after ensure-chromium: the spam-score tests need
// Debian's SpamAssassin (only its local rules run: no network tests). If it
// is missing and this user can install packages, install it (apt-get);
// otherwise stop with the command to run. Never skip the spam tests.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.SPAMASSASSIN_PATH ?? "/usr/bin/spamassassin";
if (existsSync(path)) process.exit(0);

const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
if (!canInstall) {
  console.error(
    `The spam-score tests need SpamAssassin at ${path}. Install it with:\n  sudo apt-get install -y spamassassin\nor point SPAMASSASSIN_PATH at a spamassassin binary.`,
  );
  process.exit(1);
}
console.log("Installing Debian's spamassassin for the spam-score tests (apt-get)…");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "spamassassin"], { stdio: "inherit", env });
if (!existsSync(path)) {
  console.error(`apt-get finished but ${path} is still missing.`);
  process.exit(1);
}
