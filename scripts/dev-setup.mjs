// Runs before `npm start`: creates .dev.vars from .dev.vars.example on first
// use, with fresh random secrets, so a newcomer needs no account and no
// manual step. An existing .dev.vars is left untouched.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  const adminToken = randomBytes(32).toString("base64url");
  const text = readFileSync(".dev.vars.example", "utf8")
    .replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${adminToken}`)
    .replace(/^SIGNING_SECRET=.*$/m, `SIGNING_SECRET=${randomBytes(32).toString("hex")}`);
  writeFileSync(".dev.vars", text);
  console.log(`Created .dev.vars with a fresh ADMIN_TOKEN (${adminToken}) and SIGNING_SECRET.`);
  console.log("Mail goes to the local outbox: http://localhost:8787/dev/outbox");
}
