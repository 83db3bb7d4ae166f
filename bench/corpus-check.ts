// Prints the corpus check in detail: `node bench/run.mjs --corpus`
// (or `npm run bench -- --corpus`).
import { checkCorpus, loadCorpus } from "./feeds-corpus";

const files = loadCorpus();
if (!files) {
  console.log("corpus skipped: ../shared/feeds-corpus does not exist");
} else {
  const report = await checkCorpus(files);
  const r = report.real;
  console.log(`files ${report.files}, feeds read ${report.feeds}, items ${report.items}`);
  console.log(
    `real feeds: ${r.files}, wrong or refused ${r.wrong.length}, known disagreements ${r.known.length}; items compared ${r.compared}: titles ${r.agreeTitles}, links ${r.agreeLinks}, dates ${r.agreeDates}`,
  );
  for (const v of r.wrong) console.log(`  WRONG ${v.file} [${v.status}] ${v.detail}`);
  for (const v of r.known) console.log(`  known ${v.file} ${v.detail}`);
  console.log(`feedparser cases: ${report.fp.cases}, checked ${report.fp.checked}, wrong ${report.fp.wrong.length}`);
  for (const w of report.fp.wrong) console.log(`  FP ${w.file}: ${w.detail}${w.why ? ` (why: ${w.why})` : ""}`);
}
