// Runs before `npm start` (scripts/start.mjs): creates .dev.vars from
// .dev.vars.example on first use, with fresh random secrets, so a newcomer
// needs no account and no manual step. An existing .dev.vars is left
// untouched. Returns what to tell the user.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Creates .dev.vars in `dir` if missing; the lines to print, with the outbox at `publicUrl`. */
export function ensureDevVars(publicUrl, dir = ".") {
  const outbox = `Mail goes to the local outbox: ${publicUrl}/dev/outbox`;
  if (existsSync(`${dir}/.dev.vars`)) return [outbox];
  const adminToken = randomBytes(32).toString("base64url");
  const text = readFileSync(`${dir}/.dev.vars.example`, "utf8")
    .replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${adminToken}`)
    .replace(/^SIGNING_SECRET=.*$/m, `SIGNING_SECRET=${randomBytes(32).toString("hex")}`);
  writeFileSync(`${dir}/.dev.vars`, text);
  return [`Created .dev.vars with a fresh ADMIN_TOKEN (${adminToken}) and SIGNING_SECRET.`, outbox];
}
