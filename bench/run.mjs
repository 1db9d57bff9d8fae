// `npm run bench`: the performance targets of DESIGN.md, measured on this machine (not timed tests).
// Builds first (npm script). Each part prints its figure beside its target; nothing here fails a build.
//   BENCH_QUICK=1          smaller sizes for a fast look (100k → 20k evaluations, 1M → 100k log)
//   BENCH_SKIP=log,diff    skip parts (startup, eval, lint, log, diff)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { compileRuleSet } from "../dist/rules/compile.js";
import { evaluate } from "../dist/rules/evaluate.js";
import { generateScenarios, inputOf, planGeneration, withoutDeadlines } from "../dist/rules/generate.js";
import { parseRuleSet } from "../dist/rules/load.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const quick = process.env.BENCH_QUICK === "1";
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const tmp = mkdtempSync(join(tmpdir(), "triage-bench-"));
const env = { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(tmp, "cache"), XDG_DATA_HOME: join(tmp, "data"), TRIAGE_USER: "bench" };
const fixture = join(root, "fixtures", "referrals", "06-arthur-like-1-grandmother-calls-edt-with-photos.yaml");
const results = [];
const report = (what, figure, target, ok) => {
  results.push({ what, figure, target, ok });
  console.log(`${ok === undefined ? " " : ok ? "✓" : "✗"} ${what.padEnd(52)} ${figure.padEnd(26)} target ${target}`);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCommand(args, runs, extraEnv = {}) {
  const times = [];
  let maxRss = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    // /usr/bin/time -f %M reports the child's peak resident memory in KiB.
    const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], { cwd: root, env: { ...env, ...extraEnv }, encoding: "utf8" });
    times.push(performance.now() - t0);
    const rss = Number(r.stderr.trim().split("\n").at(-1));
    if (Number.isFinite(rss)) maxRss = Math.max(maxRss, rss);
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  }
  return { ms: median(times), rssMb: maxRss / 1024 };
}

if (!skip.has("startup")) {
  console.log("\nStart-up (median of 15 runs, wall clock incl. process spawn)");
  const bare = timeCommand(["-e", "0"], 15);
  report("node -e 0 (bare Node)", `${bare.ms.toFixed(1)} ms`, "reference");
  const help = timeCommand(["bin/triage", "--help"], 15);
  report("triage --help", `${help.ms.toFixed(1)} ms (${(help.ms / bare.ms).toFixed(2)}×)`, "≤ 1.5× bare Node", help.ms <= 1.5 * bare.ms);
  timeCommand(["bin/triage", "new", "--answers", fixture, "--dry-run", "--json"], 1); // warm the rule-set cache
  const dry = timeCommand(["bin/triage", "new", "--answers", fixture, "--dry-run", "--json"], 15);
  report("triage new --answers … --dry-run --json", `${dry.ms.toFixed(1)} ms, ${dry.rssMb.toFixed(0)} MB RSS`, "≤ 150 ms", dry.ms <= 150);
  const rec = timeCommand(["bin/triage", "new", "--answers", fixture, "--json"], 15, { TRIAGE_DB: join(tmp, "startup.db") });
  report("triage new --answers … --json (validate, evaluate, append)", `${rec.ms.toFixed(1)} ms, ${rec.rssMb.toFixed(0)} MB RSS`, "≤ 150 ms", rec.ms <= 150);
}

if (!skip.has("eval")) {
  const n = quick ? 20_000 : 100_000;
  console.log(`\nEvaluation of the shipped rule set over ${n.toLocaleString()} generated answer sets (one core)`);
  const parsed = parseRuleSet(readFileSync(join(root, "rules", "default.yaml"), "utf8"), "rules/default.yaml");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const rs = compileRuleSet(parsed.ruleSet);
  const t0 = performance.now();
  const inputs = generateScenarios(planGeneration(rs), { samples: n, seed: 7 }).map((s) => inputOf(s));
  const genMs = performance.now() - t0;
  for (let i = 0; i < 2000; i++) evaluate(rs, inputs[i % inputs.length]); // warm-up
  const heapBefore = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  let levels = 0;
  for (const input of inputs) levels += evaluate(rs, input).computed_outcome.level;
  const evalMs = performance.now() - t1;
  const perSecond = n / (evalMs / 1000);
  report(
    "evaluations per second (full record with deadlines)",
    `${Math.round(perSecond).toLocaleString()}/s (${((evalMs * 1000) / n).toFixed(1)} µs each)`,
    "≥ 150,000/s",
    perSecond >= 150_000,
  );
  // The same evaluator without response-time arithmetic: what rules lint and rules diff replay run.
  const bare = withoutDeadlines(rs);
  const t2 = performance.now();
  for (const input of inputs) evaluate(bare, input);
  const bareMs = performance.now() - t2;
  report(
    "  without deadline arithmetic (lint/diff replay path)",
    `${Math.round(n / (bareMs / 1000)).toLocaleString()}/s (${((bareMs * 1000) / n).toFixed(1)} µs each)`,
    "—",
  );
  report("generating the answer sets", `${genMs.toFixed(0)} ms`, "—");
  report("heap growth over the run", `${((process.memoryUsage().heapUsed - heapBefore) / 1048576).toFixed(0)} MB (mean level ${(levels / n).toFixed(2)})`, "—");
}

if (!skip.has("lint")) {
  const n = quick ? 20_000 : 100_000;
  console.log(`\nrules lint over ${n.toLocaleString()} generated answer sets`);
  const lint = timeCommand(["bin/triage", "rules", "lint", "--samples", String(n)], 1);
  report(`triage rules lint --samples ${n}`, `${(lint.ms / 1000).toFixed(2)} s, ${lint.rssMb.toFixed(0)} MB RSS`, "≤ 10 s (100k)", lint.ms <= 10_000);
}

for (const [part, script, sizeVar, quickSize] of [
  ["log", "log-bench.mjs", "BENCH_LOG_N", "100000"],
  ["diff", "diff-bench.mjs", "BENCH_DIFF_N", "20000"],
]) {
  if (skip.has(part)) continue;
  console.log(`\n${part} (bench/${script})`);
  const r = spawnSync(process.execPath, [join(root, "bench", script)], {
    cwd: root,
    env: { ...env, ...(quick ? { [sizeVar]: quickSize } : {}) },
    stdio: "inherit",
  });
  if (r.status !== 0) console.log(`bench/${script} exited ${r.status}`);
}

rmSync(tmp, { recursive: true, force: true });
const missed = results.filter((r) => r.ok === false);
console.log(
  `\n${results.filter((r) => r.ok === true).length} target(s) met, ${missed.length} missed${missed.length ? `: ${missed.map((m) => m.what).join("; ")}` : ""}`,
);
