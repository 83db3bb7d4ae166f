#!/usr/bin/env node
// npm run bench: runs every benchmark on the real code paths and writes
// bench/results.md (Markdown tables, plus the machine's CPU and Node version).
//   1. Node side (bench/node-bench.ts, bundled with esbuild): feed parsing
//      against rss-parser and @extractus/feed-extractor; render once +
//      substitution vs a render per reader.
//   2. workerd (vitest.bench.config.ts): a digest for 1,000 and 10,000
//      readers against the local Resend-compatible server at 5 requests/s,
//      while this script samples the workerd process's memory.
//   `npm run bench -- --editions` runs only the editions bench and replaces
//   its section of bench/results.md.
//   `npm run bench -- --parsing` runs only the feed-parsing part (and the
//   corpus row) and writes bench/tmp/parsing.md instead of bench/results.md.
// Benchmarks report; they never fail a build.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { build } from "esbuild";

mkdirSync("bench/tmp", { recursive: true });

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`))));
  });
}

function marker(output, name) {
  const line = output.split("\n").find((l) => l.includes(`${name} `));
  if (!line) throw new Error(`no ${name} line in the output`);
  return JSON.parse(line.slice(line.indexOf(`${name} `) + name.length + 1));
}

/** Peak resident memory of workerd processes, sampled every 100 ms. */
function sampleWorkerdMemory() {
  let peakKb = 0;
  const timer = setInterval(() => {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("workerd")) continue;
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (rss) peakKb = Math.max(peakKb, Number(rss[1]));
      } catch {
        /* process ended */
      }
    }
  }, 100);
  return () => {
    clearInterval(timer);
    return peakKb;
  };
}

if (process.argv.includes("--corpus")) {
  // Every verdict of the corpus check, in detail (see README, "Feed corpus").
  await build({
    entryPoints: ["bench/corpus-check.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile: "bench/tmp/corpus-check.mjs",
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: "warning",
  });
  await run(process.execPath, ["bench/tmp/corpus-check.mjs"]);
  process.exit(0);
}

console.log("--- building the Node-side bench");
await build({
  entryPoints: ["bench/node-bench.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  jsx: "automatic",
  outfile: "bench/tmp/node-bench.mjs",
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: "warning",
});
const parsingOnly = process.argv.includes("--parsing");
if (parsingOnly) process.env.BENCH_ONLY = "parsing";
console.log(parsingOnly ? "--- parsing (Node)" : "--- parsing and rendering (Node)");
const nodeResults = marker(await run(process.execPath, ["bench/tmp/node-bench.mjs"]), "BENCH_NODE");
const ms = (n) => (n < 1 ? `${(n * 1000).toFixed(0)} µs` : `${n.toFixed(2)} ms`);

function parsingSection() {
  const lines = ["## Feed parsing", ""];
  lines.push('Median time per feed, all contenders in one run. "Same output" compares titles, links and (after normalising) dates with our whole path.', "");
  lines.push("| feed | parser | time per feed | speed relative to rss-parser | same output |", "|---|---|---|---|---|");
  for (const feed of [...new Set(nodeResults.parsing.map((r) => r.feed))]) {
    const rows = nodeResults.parsing.filter((r) => r.feed === feed);
    const base = rows.find((r) => r.parser.startsWith("rss-parser")).medianMs;
    for (const row of rows)
      lines.push(`| ${feed} | ${row.parser} | ${ms(row.medianMs)} | ${(base / row.medianMs).toFixed(2)}× | ${row.same ? "yes" : `no: ${row.detail}`} |`);
  }
  lines.push(
    "",
    '"Whole ingest path" is what src/feeds/ingest.ts does per document: decode the bytes (charset detection), parse, and normalise every item: ids (SHA-256 of guid or canonical link), links resolved and cleaned, titles and HTML summaries turned into capped plain text, dates parsed. rss-parser is timed on the same bytes, decoded as UTF-8 (it takes a string). "Parse step + dates" returns what rss-parser returns (title, link, parsed date). "Parse step" is XML to raw items, dates left as text.',
    "",
  );
  const c = nodeResults.corpus;
  lines.push("### The feed corpus", "");
  if (c.skipped) {
    lines.push(`Skipped: ${c.skipped} (it lives outside the project; see README, "Feed corpus").`, "");
    return lines;
  }
  lines.push(
    `${c.files} files of \`../shared/feeds-corpus\` (${c.megabytes.toFixed(1)} MB): ${c.feeds} read as feeds, ${c.items.toLocaleString("en")} items.`,
    "",
    "| measure | result |",
    "|---|---|",
    `| real-world feeds (${c.real.files}) wrong or refused | ${c.real.wrong.length}${c.real.wrong.length ? `: ${c.real.wrong.map((w) => w.file).join(", ")}` : ""} |`,
    `| agreement with rss-parser, ${c.real.compared.toLocaleString("en")} items of real feeds | titles ${((100 * c.real.agreeTitles) / c.real.compared).toFixed(1)} %, links ${((100 * c.real.agreeLinks) / c.real.compared).toFixed(1)} %, dates ${((100 * c.real.agreeDates) / c.real.compared).toFixed(1)} % |`,
    `| disagreements where we are right (verdicts in bench/feeds-corpus.ts) | ${c.real.known.length} feeds |`,
    `| feedparser's well-formed, encoding and entity cases wrong | ${c.fp.wrong.length} of ${c.fp.checked} checked (${c.fp.cases} cases) |`,
    `| time for the ${c.xmlFiles} XML files: ours, whole ingest path | ${ms(c.oursMs)} (${(c.rssParserMs / c.oursMs).toFixed(2)}× rss-parser) |`,
    `| ours, parse step alone | ${ms(c.parseMs)} (${(c.rssParserMs / c.parseMs).toFixed(2)}× rss-parser) |`,
    `| rss-parser 3.13, decode + parse | ${ms(c.rssParserMs)} |`,
    "",
  );
  if (c.fp.wrong.length) {
    lines.push('feedparser cases we read differently, and why (see README, "Feed corpus"):', "");
    for (const w of c.fp.wrong) lines.push(`- \`${w.file}\`: ${w.detail}${w.why ? `. Why: ${w.why}` : ""}`);
    lines.push("");
  }
  return lines;
}

if (parsingOnly) {
  writeFileSync("bench/tmp/parsing.md", `${parsingSection().join("\n")}\n`);
  console.log(`\n${parsingSection().join("\n")}\nWrote bench/tmp/parsing.md`);
  process.exit(0);
}

function editionsSection(editionResults) {
  const ed = editionResults;
  const lines = [];
  const [edDaily, edWeekly] = ed.runs;
  const edCalls = edDaily.resendCalls + edWeekly.resendCalls;
  const edFloorMs = ((edDaily.batches + edWeekly.batches) / ed.rate) * 1000;
  const edWallMs = edDaily.totalMs + edWeekly.totalMs;
  const ops = (o) =>
    Object.entries(o)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
  lines.push("## Editions at scale (workerd, Resend limited to 5 requests/s)", "");
  lines.push(
    `${ed.readers.toLocaleString("en")} confirmed readers over ${ed.editionsConfigured} editions (20 topic choices × English and French; a quarter of them weekly), two feeds (English, French). Each run is the real \`runDigest\` for its cadence, then every batch goes to the real consumer function in order at 5 requests/s.`,
    "",
  );
  lines.push(
    "| run | readers | editions = React renders | Resend calls (⌈N/100⌉) | 429s | KV ops in the run | consumer KV ops (per batch) | run time | wall time | rate floor | ratio |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const run of ed.runs) {
    const floor = (run.batches / ed.rate) * 1000;
    const perBatch = Object.entries(run.consumerKv)
      .map(([k, v]) => `${(v / run.batches).toFixed(2)} ${k}`)
      .join(", ");
    lines.push(
      `| ${run.cadence} | ${run.readers.toLocaleString("en")} | ${run.editions} = ${run.renders} | ${run.resendCalls} (${Math.ceil(run.readers / 100)}) | ${run.resend429} | ${ops(run.runKv)} | ${ops(run.consumerKv)} (${perBatch}) | ${(run.runMs / 1000).toFixed(2)} s | ${(run.totalMs / 1000).toFixed(2)} s | ${(floor / 1000).toFixed(1)} s | ${(run.totalMs / floor).toFixed(3)} |`,
    );
  }
  lines.push(
    `| both | ${(edDaily.readers + edWeekly.readers).toLocaleString("en")} | ${edDaily.renders + edWeekly.renders} | ${edCalls} (${Math.ceil((edDaily.readers + edWeekly.readers) / 100)}) | ${edDaily.resend429 + edWeekly.resend429} | | | | ${(edWallMs / 1000).toFixed(2)} s | ${(edFloorMs / 1000).toFixed(1)} s | ${(edWallMs / edFloorMs).toFixed(3)} |`,
    "",
  );
  const pr = ed.perReader;
  lines.push(
    `Per reader on the send path (one batch of 100 readers of ${pr.editionsInBatch} editions, edition contents in hand): the token from the list metadata joined into the edition's parts, the headers, and the email's Resend JSON as UTF-8 chunks from the edition's parts escaped and encoded once (the real \`personaliseDigest\`), then the mailer's copy of every chunk into the request body fetch sends as is: **${pr.sendPathWithPayloadUs.toFixed(2)} µs** (payload included; target ≤ 5 µs). Of that, building the emails with their chunks takes ${pr.chunksOnlyUs.toFixed(2)} µs and copying them into the body (${(pr.bodyBytesPerEmail / 1024).toFixed(1)} KB per email) the rest. Escaping and encoding an edition's parts once: ${pr.escapeEditionUs.toFixed(0)} µs per edition, per isolate. The body is the same JSON as the SDK's for the same emails: ${pr.sameJson ? "yes" : "NO"}. Without the payload, personalising alone costs ${pr.sendPathUs.toFixed(2)} µs. Before (the SDK's serialisation): JSON of the emails, ${(pr.bodyBytesPerEmail / 1024).toFixed(1)} KB per email, ${pr.serialiseUs.toFixed(1)} µs per email, ${pr.serialiseAndEncodeUs.toFixed(1)} µs with the UTF-8 encoding. A token computed on the spot for a reader confirmed before tokens were kept ${pr.lazyTokenUs.toFixed(1)} µs; the old HMAC signature per reader per digest ${pr.oldTokenUs.toFixed(1)} µs.`,
    "",
  );
  const co = ed.consumer;
  const sdk = ed.consumerSdk;
  lines.push(
    `One consumer invocation of ${co.batches} batches of 100 (the real \`handleSendBatch\`, ${co.emails.toLocaleString("en")} emails, Resend unlimited): ${co.wallMs.toFixed(0)} ms of wall time, of which ${co.kvWaitMs.toFixed(0)} ms waiting on KV (${ops(co.kvOps)}), ${co.resendWaitMs.toFixed(0)} ms on Resend and ${co.pacingMs.toFixed(0)} ms pacing; the rest, **${co.cpuMs.toFixed(0)} ms**, is its CPU time (target ≤ 20 ms; KV's own JSON parsing is counted as waiting, and so is whatever fetch does with the body once it has it). The same invocation through the SDK's serialisation, in the same run: ${sdk.wallMs.toFixed(0)} ms of wall time, ${sdk.resendWaitMs.toFixed(0)} ms on Resend, **${sdk.cpuMs.toFixed(0)} ms** of CPU. Each path ran twice, alternating, on fresh digest runs (${ed.consumerRuns.map((r) => `${r.path} ${r.cpuMs.toFixed(0)} ms`).join(", ")}); the faster of each is shown.`,
    "",
  );
  return lines;
}

if (process.argv.includes("--editions")) {
  // Only the editions bench (bench/editions.workers.ts): its section replaces
  // the one in bench/results.md, with a note saying when it was re-measured.
  console.log("--- editions at scale (workerd)");
  const output = await run("npx", ["vitest", "run", "--config", "vitest.bench.config.ts", "bench/editions.workers.ts"]);
  const section = editionsSection(marker(output, "BENCH_EDITIONS"));
  section.splice(
    2,
    0,
    `Re-measured alone ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench -- --editions\` on ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}; the other sections are from the full run dated above.`,
    "",
  );
  const results = readFileSync("bench/results.md", "utf8");
  const from = results.indexOf("## Editions at scale");
  const to = results.indexOf("\n## ", from + 1);
  if (from === -1) throw new Error("no editions section in bench/results.md");
  writeFileSync("bench/results.md", `${results.slice(0, from)}${section.join("\n")}${to === -1 ? "\n" : results.slice(to)}`);
  console.log(`\n${section.join("\n")}\nUpdated the editions section of bench/results.md`);
  process.exit(0);
}

console.log("--- digest at scale (workerd)");
const stopSampling = sampleWorkerdMemory();
const workerdOutput = await run("npx", ["vitest", "run", "--config", "vitest.bench.config.ts"]);
const digestResults = marker(workerdOutput, "BENCH_DIGEST");
const importResults = marker(workerdOutput, "BENCH_IMPORT");
const editionResults = marker(workerdOutput, "BENCH_EDITIONS");
const peakWorkerdMb = stopSampling() / 1024;

const lines = [];
lines.push("# Benchmarks", "");
lines.push(
  `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench\` on ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB), Node ${process.version}. Every figure comes from the project's real code paths.`,
  "",
);

lines.push(...parsingSection());

const r = nodeResults.rendering;
lines.push("## Rendering a digest", "");
lines.push(`${r.releases} releases (${(r.htmlBytes / 1024).toFixed(1)} KB of HTML), ${r.readers} readers.`, "");
lines.push("| approach | per reader | total for 1,000 |", "|---|---|---|");
lines.push(
  `| render once (${r.renderOnceMs.toFixed(1)} ms) + join each reader's token (read from the list metadata) into the parts | ${r.substitutionUsPerReader.toFixed(2)} µs | ${(r.renderOnceMs + (r.substitutionUsPerReader * r.readers) / 1000).toFixed(1)} ms |`,
);
lines.push(
  `| before: signing each reader's token per digest (HMAC-SHA256, Web Crypto) | ${r.tokenUsPerReader.toFixed(1)} µs | ${((r.tokenUsPerReader * r.readers) / 1000).toFixed(1)} ms |`,
);
lines.push(
  `| a personal token computed on the spot (readers confirmed before tokens were kept; two synchronous HMACs) | ${r.personalTokenUsPerReader.toFixed(1)} µs | ${((r.personalTokenUsPerReader * r.readers) / 1000).toFixed(1)} ms |`,
);
lines.push(`| a React render per reader | ${(r.renderPerReaderUs / 1000).toFixed(2)} ms | ${((r.renderPerReaderUs * r.readers) / 1e6).toFixed(2)} s |`);
lines.push("", `Substitution is ${Math.round(r.ratio).toLocaleString("en")}× faster than a render per reader.`, "");
lines.push(
  `A long digest (${r.long.releases} releases, ${(r.long.htmlChars / 1024).toFixed(1)} KB of HTML) personalised for ${r.long.readers.toLocaleString("en")} readers: **${r.long.usPerReader.toFixed(2)} µs per reader** (target < 5 µs${r.long.usPerReader < 5 ? "" : ": MISSED"}).`,
  "",
);

lines.push("## A digest at scale (workerd, Resend limited to 5 requests/s)", "");
lines.push(
  "| readers | Resend calls (minimum ⌈N/100⌉) | 429s | React renders | KV list calls in the run (subscriber pages + release days) | consumer KV ops | wall time | rate floor ⌈N/100⌉/5 s | ratio |",
  "|---|---|---|---|---|---|---|---|---|",
);
for (const d of digestResults.results) {
  const consumerOps = Object.entries(d.sendKv)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
  const subscriberPages = Math.ceil(d.readers / 1000);
  lines.push(
    `| ${d.readers.toLocaleString("en")} | ${d.resendCalls} (${d.resendCallsMinimum}) | ${d.resend429} | ${d.renders} | ${d.listCalls} (${subscriberPages} + ${d.listCalls - subscriberPages}) | ${consumerOps} | ${(d.totalMs / 1000).toFixed(2)} s | ${(d.floorMs / 1000).toFixed(1)} s | ${(d.totalMs / d.floorMs).toFixed(3)} |`,
  );
}
const q = digestResults.queued;
lines.push(
  "",
  `Through the real Cloudflare queue (miniflare) for ${q.readers.toLocaleString("en")} readers: ${q.resendCalls} Resend calls, ${q.resend429} 429s, every email delivered in ${(q.totalMs / 1000).toFixed(2)} s (floor ${(q.floorMs / 1000).toFixed(1)} s).`,
  "",
);
lines.push(
  `Peak resident memory of the workerd process during these runs: ${peakWorkerdMb.toFixed(0)} MB (the whole local runtime, KV storage included; not only the worker's isolate).`,
  "",
);
lines.push(
  "How it is measured: the digest run is the real `runDigest` with a KV wrapper that counts operations and a queue that records the messages; each message then goes to the real consumer function `sendDigestBatch` in order, as the queue does with `max_concurrency = 1`, with the real Resend mailer at 5 requests/s against the local Resend-compatible server. The release-day lists are one per UTC day since the last digest (at most 8); a first digest looks back the whole 7-day window. Consumer KV operations per batch: the settled-batch check and the quota pause (2 gets), one bulk read of the batch's subscribers (1 getWithMetadata), the batch record (1 put); the digest itself is read once per isolate.",
  "",
);
lines.push(...editionsSection(editionResults));
const im = importResults;
lines.push("## Importing a list", "");
lines.push(
  `A ${(im.csvBytes / 2 ** 20).toFixed(1)} MB CSV of ${im.rows.toLocaleString("en")} rows through \`POST /admin/subscribers/import\` and the real queue: the upload was parsed, validated and enqueued as ${im.chunks.toLocaleString("en")} chunks of 50 in ${(im.acceptedMs / 1000).toFixed(1)} s (the 202 answer); all ${im.added.toLocaleString("en")} readers were written in ${(im.totalMs / 1000).toFixed(0)} s. Each consumer invocation handles at most 10 chunks: at most 10 bulk reads and 510 writes, inside Workers' 1,000 KV operations per invocation.`,
  "",
);
writeFileSync("bench/results.md", `${lines.join("\n")}\n`);
console.log("\nWrote bench/results.md");
