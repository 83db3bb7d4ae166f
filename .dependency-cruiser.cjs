// The folder rules of docs/architecture.md, checked by `npm run deps:check`
// (part of `npm test`). `allowed` lists every arrow between our folders that
// may exist; an import matching none of them fails. `forbidden` adds what an
// allowed arrow could still let through: cycles, Hono outside web/, tests
// imported by src/ or bench/. Type-only imports count like any other.

/** Our own modules (npm packages and Node built-ins are not ours). */
const OURS = "^(src|emails|tests|bench|scripts)/";
/** Any of our modules except the ones in `folders` (regex alternatives under src/). */
const src = (...folders) => `^src/(${folders.join("|")})`;

const FEATURE = ["digest/", "subscribers/", "feeds/", "mail/", "releases/", "i18n/", "lib/"];
const LEAVES = ["config\\.ts$", "queue-messages\\.ts$", "node-crypto\\.d\\.ts$"];

/** `from` may import its own folder and `to` (paths under src/, plus emails/ when asked). */
function arrow(comment, from, to, { emails = false } = {}) {
  const targets = [src(...to)];
  if (emails) targets.push("^emails/");
  return { comment, from: { path: from }, to: { path: targets } };
}

module.exports = {
  allowed: [
    // Anything that is not ours (packages, node:*) is allowed here; the
    // forbidden rules below restrict Hono.
    { comment: "packages and built-ins", from: {}, to: { pathNot: OURS } },
    arrow("a module's own folder", "^src/([^/]+)/", ["$1/"]),
    { comment: "entry points: anything", from: { path: src("index\\.ts$", "queue-consumer\\.ts$", "env\\.d\\.ts$") }, to: { path: ["^src/", "^emails/"] } },
    arrow("web → operator, features, config", src("web/"), ["web/", "operator/", ...FEATURE, ...LEAVES], { emails: true }),
    arrow("operator → digest, feeds, subscribers, releases, mail, i18n, lib, config", src("operator/"), [
      "operator/",
      "digest/",
      "feeds/",
      "subscribers/",
      "releases/",
      "mail/",
      "i18n/",
      "lib/",
      ...LEAVES,
    ]),
    arrow(
      "digest → subscribers, feeds, releases, mail, i18n, lib, config, queue-messages, emails",
      src("digest/"),
      ["digest/", "subscribers/", "feeds/", "releases/", "mail/", "i18n/", "lib/", ...LEAVES],
      { emails: true },
    ),
    arrow(
      "subscribers → feeds (source-store only), mail, i18n, lib, config, queue-messages, emails",
      src("subscribers/"),
      ["subscribers/", "feeds/source-store\\.ts$", "mail/", "i18n/", "lib/", ...LEAVES],
      { emails: true },
    ),
    arrow("feeds → releases, mail, i18n, lib, config, emails", src("feeds/"), ["feeds/", "releases/", "mail/", "i18n/", "lib/", "config\\.ts$"], {
      emails: true,
    }),
    arrow("mail → emails, i18n, lib, config", src("mail/"), ["mail/", "i18n/", "lib/", "config\\.ts$"], { emails: true }),
    arrow("releases → lib", src("releases/"), ["releases/", "lib/"]),
    arrow("i18n imports nothing of ours", src("i18n/"), ["i18n/"]),
    arrow("lib imports nothing of ours", src("lib/"), ["lib/"]),
    arrow("config → i18n, lib (leaves)", src("config\\.ts$"), ["i18n/", "lib/"]),
    arrow("queue-messages → i18n (types)", src("queue-messages\\.ts$"), ["i18n/"]),
    { comment: "emails → emails, src/i18n", from: { path: "^emails/" }, to: { path: ["^emails/", "^src/i18n/"] } },
    // Outside src: tests and scripts use src freely; bench uses src and its own files.
    { comment: "tests → anything of ours", from: { path: "^tests/" }, to: { path: OURS } },
    { comment: "scripts → scripts, src", from: { path: "^scripts/" }, to: { path: ["^scripts/", "^src/", "^emails/"] } },
    { comment: "bench → bench, src, emails", from: { path: "^bench/" }, to: { path: ["^bench/", "^src/", "^emails/"] } },
  ],
  allowedSeverity: "error",
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No module reaches itself back (a folder cycle shows as a module cycle once the arrows above hold).",
      from: { path: "^(src|emails)/" },
      to: { circular: true },
    },
    {
      name: "hono-only-in-web",
      severity: "error",
      comment: "Only src/web/ and src/index.ts import Hono.",
      from: { path: "^(src|emails)/", pathNot: "^src/(web/|index\\.ts$)" },
      to: { path: "node_modules/hono/" },
    },
    {
      name: "src-not-tests",
      severity: "error",
      comment: "No src module imports tests/ or bench/.",
      from: { path: "^(src|emails)/" },
      to: { path: "^(tests|bench)/" },
    },
    {
      name: "bench-not-tests",
      severity: "error",
      comment: "bench/ does not import tests/.",
      from: { path: "^bench/" },
      to: { path: "^tests/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing is a broken import.",
      from: { path: "^(src|emails|bench)/" },
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.wrangler|test-results|bench/tmp)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
