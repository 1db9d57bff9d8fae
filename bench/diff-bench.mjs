// `rules diff` benchmark: replay of N logged decisions under the shipped rules and a copy with one
// threshold changed. Plain ESM over the built code: run `npm run build` first, then
// `node bench/diff-bench.mjs`.
//   BENCH_DIFF_N   logged decisions to replay (default 100,000)
// Target (README "Performance"): `rules diff` replaying 100k logged referrals ≤ 10 s.
//
// The log is built directly through the store: the fixture referrals are evaluated in full under
// the shipped rules with varied earlier-contact counts, history and dates (a few thousand real
// decision records), then recorded in batches, cycling through them with different child names
// (names do not change what the rules decide). The timed part is the real command, spawned as a
// user runs it: `triage --db LOG rules diff OLD NEW --json --fixtures EMPTY`.
// Everything is written under a temp folder that is removed at the end. All data is fictional.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openLog } from "../dist/log/open.js";
import { checkAnswers } from "../dist/rules/answers.js";
import { compileRuleSet } from "../dist/rules/compile.js";
import { evaluate } from "../dist/rules/evaluate.js";
import { parseFixture } from "../dist/rules/fixtures.js";
import { parseRuleSet } from "../dist/rules/load.js";
import { formatInZone, parseDateTime } from "../dist/rules/time.js";
import { NO_HISTORY } from "../dist/rules/types.js";
import { emitFigures, figure } from "./figures.mjs";
import { seededRandom } from "./random.mjs";

const N = Number(process.env.BENCH_DIFF_N ?? 100_000);
const BATCH = 5_000;
const root = fileURLToPath(new URL("..", import.meta.url));
const SHIPPED = join(root, "rules", "default.yaml");
const FIXTURES = join(root, "fixtures", "referrals");

// Seeded so runs are comparable.
const { random, pick } = seededRandom(20260417);
const FIRST = ["Ari", "Bea", "Cal", "Dov", "Eli", "Fen", "Gus", "Hal", "Ivo", "Jun", "Kai", "Lux", "Mio", "Nia", "Oto", "Pia", "Rue", "Sol", "Tal", "Uma"];
const LAST = ["Abernathy", "Brackwater", "Coldharbour", "Dunmore", "Eastleigh", "Fernsby", "Galloway", "Hartwell", "Inchmore", "Jessop"];

const shippedText = readFileSync(SHIPPED, "utf8");
const THRESHOLD = "  repeat_referrals_assessment:\n    value: 2\n";
if (!shippedText.includes(THRESHOLD)) throw new Error("the shipped rules no longer have repeat_referrals_assessment = 2; update the bench");
const changedText = shippedText.replace(THRESHOLD, "  repeat_referrals_assessment:\n    value: 3\n");
const parsed = parseRuleSet(shippedText, SHIPPED);
if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
const rs = compileRuleSet(parsed.ruleSet);
const tz = rs.officeHours.time_zone;

// A few thousand real decision records: every fixture, with 0–5 earlier contacts, some log history,
// and its clock moved by whole weeks (so out-of-hours and working days keep their meaning).
function templates() {
  const out = [];
  const fixtures = readdirSync(FIXTURES)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => parseFixture(readFileSync(join(FIXTURES, n), "utf8"), n).fixture)
    .filter(Boolean);
  const WEEK = 7 * 86_400_000;
  for (const f of fixtures) {
    const base = parseDateTime(f.now, tz);
    for (let contacts = 0; contacts <= 5; contacts++) {
      for (const weeks of [-40, -20, -8, 0, 6, 12]) {
        const shift = (iso) => formatInZone(new Date(parseDateTime(iso, tz).getTime() + weeks * WEEK), tz);
        const answers = { ...f.answers };
        if ("contacts_last_12m" in answers) answers.contacts_last_12m = contacts;
        if (typeof answers.received_at === "string") answers.received_at = shift(answers.received_at);
        const checked = checkAnswers(rs, answers);
        if (checked.problems.length > 0) continue;
        const inWindow = Math.floor(random() * 4);
        const facts = { ...NO_HISTORY, ...f.history, referrals_in_window: Math.max(f.history.referrals_in_window ?? 0, inWindow) };
        const history = {
          referrals_in_window: facts.referrals_in_window,
          distinct_referrers: facts.distinct_referrers,
          earlier: [],
          possible_matches: [],
          facts,
        };
        out.push(
          evaluate(rs, { answers: checked.answers, history, now: formatInZone(new Date(base.getTime() + weeks * WEEK), tz), warnings: checked.warnings }),
        );
      }
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "triage-diff-bench-"));
try {
  const oldFile = join(dir, "old.yaml");
  const newFile = join(dir, "new.yaml");
  const noFixtures = join(dir, "no-fixtures");
  writeFileSync(oldFile, shippedText);
  writeFileSync(newFile, changedText);
  mkdirSync(noFixtures);

  let t = performance.now();
  const records = templates();
  process.stderr.write(`  ${records.length} distinct decision records evaluated in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  t = performance.now();
  const db = join(dir, "log.db");
  const store = openLog(db);
  for (let done = 0; done < N; done += BATCH) {
    await store.batch(async (tx) => {
      for (let i = done; i < Math.min(N, done + BATCH); i++) {
        const d = records[i % records.length];
        // Only a known name is replaced: "unknown" is what rule U3 reads, so the record stays the
        // exact decision for its answers (as `rules explain --ref` would reproduce it).
        const known = typeof d.answers.child_name === "string" && d.answers.child_name !== "unknown";
        const answers = known ? { ...d.answers, child_name: `${pick(FIRST)} ${pick(LAST)}` } : d.answers;
        await tx.recordDecision({ ...d, answers }, { actor: `worker${String(1 + (i % 20)).padStart(2, "0")}`, ruleSetContent: rs.content });
      }
    });
  }
  await store.close();
  const size = ["", "-wal"].reduce((sum, s) => sum + (statSync(`${db}${s}`, { throwIfNoEntry: false })?.size ?? 0), 0);
  process.stderr.write(
    `  log of ${N.toLocaleString("en-GB")} decisions built in ${((performance.now() - t) / 1000).toFixed(1)} s (${(size / 1e6).toFixed(0)} MB)\n`,
  );

  const env = { ...process.env, HOME: dir, XDG_CACHE_HOME: join(dir, "cache"), XDG_DATA_HOME: join(dir, "data"), NO_COLOR: "1", TRIAGE_USER: "bench" };
  const run = () => {
    const started = performance.now();
    const r = spawnSync(process.execPath, [join(root, "bin", "triage"), "--db", db, "rules", "diff", oldFile, newFile, "--fixtures", noFixtures, "--json"], {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    const ms = performance.now() - started;
    if (r.status !== 0) throw new Error(`rules diff exited ${r.status}:\n${r.stderr}`);
    return { ms, report: JSON.parse(r.stdout) };
  };
  run(); // warm the rule-set cache and the page cache, as a second run by a user would be
  const runs = [run(), run(), run()];
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const { report } = runs[0];
  const median = ms[1];
  console.log(`\nrules diff, N = ${N.toLocaleString("en-GB")} logged decisions, node ${process.version}, ${availableParallelism()} cores`);
  console.log(
    `  replayed ${report.replayed.toLocaleString("en-GB")} (logged ${report.logged.toLocaleString("en-GB")}): ${report.changed} changed (${report.up} up, ${report.down} down), ${report.detail_changed} same outcome with different rules, ${report.not_replayable} not replayable`,
  );
  console.log(
    `  rules diff wall time (spawned, 3 runs): median ${(median / 1000).toFixed(2)} s, min ${(ms[0] / 1000).toFixed(2)} s, max ${(ms[2] / 1000).toFixed(2)} s; in-process ${(runs[1].report.elapsed_ms / 1000).toFixed(2)} s`,
  );
  console.log(
    `  rate ${Math.round(report.logged / (median / 1000)).toLocaleString("en-GB")} logged decisions/s   target: 100,000 in ≤ 10 s   ${median <= 10_000 * (N / 100_000) ? "MET" : "NOT MET"}`,
  );
  // Scaled to 100k logged decisions when N differs (BENCH_QUICK): replay time grows linearly with N.
  emitFigures([
    figure("diff_100k_s", (median / 1000) * (100_000 / N), { logged: N, runs: 3, ...(N !== 100_000 ? { extrapolated_from: N } : {}) }),
    figure("diff_in_process_s", runs[1].report.elapsed_ms / 1000, { unit: "s", target: null, logged: N }),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
