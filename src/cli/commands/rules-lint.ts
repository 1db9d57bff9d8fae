/**
 * `triage rules lint [FILE] [--samples N] [--seed N] [--json]`: proves the rule set's safety
 * invariants over generated answer sets (src/rules/lint.ts) and prints the smallest counter-example
 * for each violation (exit 1). Warnings (unused thresholds, steps, checks; rules that never fired)
 * do not fail the command.
 *
 * Samples run in fixed chunks (the result depends only on the rule set, --samples and --seed); with
 * more than one core the chunks are shared with worker threads running this same module.
 */
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { ExitCode, TriageError } from "../../errors.js";
import { compileRuleSet } from "../../rules/compile.js";
import {
  chunksOf,
  DEFAULT_SAMPLES,
  DEFAULT_SEED,
  finishLint,
  prepareLint,
  runChunk,
  type Chunk,
  type ChunkResult,
  type InvariantSummary,
  type LintReport,
  type LintSetup,
  type Violation,
} from "../../rules/lint.js";
import type { ValidRuleSet } from "../../rules/load.js";
import type { Answer } from "../../rules/types.js";
import type { Context } from "../context.js";
import { makeStyle, type Style } from "../render/style.js";
import { loadValidRuleSet } from "../rules-loader.js";
import { inertDeep, inertLine } from "../render/inert.js";

const WORKER_KIND = "triage-rules-lint";
/** At most this many threads (the main one included). */
const MAX_THREADS = 8;

interface WorkerJob {
  kind: typeof WORKER_KIND;
  ruleSet: ValidRuleSet;
  seed: number;
  samples: number;
  chunks: Chunk[];
  /** One Int32: the next chunk to claim, shared by every thread. */
  next: SharedArrayBuffer;
}

/** Claims chunks one at a time from the shared counter until none are left. */
function drain(setup: LintSetup, job: { seed: number; samples: number; chunks: Chunk[]; next: SharedArrayBuffer }): ChunkResult[] {
  const counter = new Int32Array(job.next);
  const results: ChunkResult[] = [];
  for (let i = Atomics.add(counter, 0, 1); i < job.chunks.length; i = Atomics.add(counter, 0, 1))
    results.push(runChunk(setup, job.seed, job.chunks[i]!, job.samples));
  return results;
}

// Started as a worker thread by `runChunks` below: claim chunks, then send the results.
if (!isMainThread && (workerData as Partial<WorkerJob> | null)?.kind === WORKER_KIND) {
  const job = workerData as WorkerJob;
  // The other threads may have taken every chunk while this one was starting.
  const left = Atomics.load(new Int32Array(job.next), 0) < job.chunks.length;
  parentPort!.postMessage(left ? drain(prepareLint(compileRuleSet(job.ruleSet)), job) : []);
}

export function wholeNumber(given: string | undefined, name: string, fallback: number, min: number): number {
  if (given === undefined) return fallback;
  const text = given.trim();
  const n = Number(text);
  if (text === "" || !Number.isSafeInteger(n) || n < min)
    throw new TriageError(`${name}: expected a whole number${min > 0 ? ` ≥ ${min}` : ""}, got "${given}"`);
  return n;
}

function runInWorker(job: WorkerJob): Promise<ChunkResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    let settled = false;
    worker.once("message", (results: ChunkResult[]) => {
      settled = true;
      resolve(results);
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`rules lint: a worker thread stopped (exit code ${code}) before sending its results`));
    });
  });
}

/**
 * Runs the chunks in this thread and in `threads - 1` worker threads, each claiming the next chunk
 * from a shared counter (so a worker that starts late simply takes fewer). Which thread ran a chunk
 * never changes its result.
 */
async function runChunks(valid: ValidRuleSet, setup: LintSetup, seed: number, samples: number, threads: number): Promise<ChunkResult[]> {
  const chunks = chunksOf(samples);
  // Worker threads load the built module; under a TypeScript test runner this file is .ts.
  const canSpawn = import.meta.url.endsWith(".js");
  const n = canSpawn ? Math.max(1, Math.min(threads, chunks.length, MAX_THREADS)) : 1;
  const next = new SharedArrayBuffer(4);
  const workers = Array.from({ length: n - 1 }, () => runInWorker({ kind: WORKER_KIND, ruleSet: { ...valid }, seed, samples, chunks, next }));
  // Keep a failed worker from being reported as unhandled while this thread is busy.
  for (const p of workers) p.catch(() => undefined);
  const mine = drain(setup, { seed, samples, chunks, next });
  return [...mine, ...(await Promise.all(workers)).flat()];
}

/** Lints a validated rule set over the chunks, in this thread and worker threads (also used by `rules approve`). */
export async function lintValid(valid: ValidRuleSet, samples: number, seed: number, threads: number = availableParallelism()): Promise<LintReport> {
  const setup = prepareLint(compileRuleSet(valid));
  return finishLint(setup, await runChunks(valid, setup, seed, samples, threads), { samples, seed });
}

/** `triage rules lint [FILE] [--samples N] [--seed N]`; `threads` only from tests (default: the cores). */
export interface LintOptions {
  samples?: string;
  seed?: string;
  threads?: number;
}

export async function run(ctx: Context, args: string[], options: LintOptions): Promise<void> {
  const started = performance.now();
  const samples = wholeNumber(options.samples, "--samples", DEFAULT_SAMPLES, 1);
  const seed = wholeNumber(options.seed, "--seed", DEFAULT_SEED, Number.MIN_SAFE_INTEGER);
  const file = args[0] ?? ctx.rulesPath;
  // A broken rule file is this command's finding (exit 1), as for `rules validate`.
  const valid = await loadValidRuleSet(ctx, file, ExitCode.Findings);
  const rs = compileRuleSet(valid);
  const setup = prepareLint(rs);
  // Not a command-line option: tests and tools may ask for one thread.
  const threads = options.threads ?? availableParallelism();
  const results = await runChunks(valid, setup, seed, samples, threads);
  const report = finishLint(setup, results, { samples, seed });
  const elapsedMs = Math.round(performance.now() - started);

  if (ctx.json)
    ctx.out(JSON.stringify({ ok: report.violations.length === 0 && report.conflicts.length === 0, file, ...report, elapsed_ms: elapsedMs }, null, 2));
  else ctx.out(renderReport(inertDeep(report), inertLine(file), elapsedMs, makeStyle(ctx.color)));
  if (report.violations.length > 0 || report.conflicts.length > 0) process.exitCode = ExitCode.Findings;
}

// ---------------------------------------------------------------------------------------------
// Text rendering.

const num = (n: number): string => n.toLocaleString("en-GB");
const show = (a: Answer): string => (Array.isArray(a) ? `[${a.join(", ")}]` : String(a));

function renderViolation(v: Violation, s: Style): string[] {
  const cx = v.counterexample;
  const origin = v.invariant.origin === "baseline" ? "baseline invariant " : "";
  const lines = [`${s.bad("✗")} ${origin}${s.bold(v.invariant.id)} (${v.invariant.kind}): ${v.invariant.description}`, `    ${v.message}`];
  lines.push(s.dim(`    smallest counter-example (${num(v.failing_samples)} failing sample(s), first at #${v.first_sample}; ${v.shrinks} shrink step(s)):`));
  lines.push(`      clock    ${cx.now} (${cx.clock})`);
  const facts = Object.entries(cx.history).filter(([, n]) => n !== 0);
  lines.push(`      history  ${facts.length === 0 ? "none" : facts.map(([k, n]) => `history.${k} = ${n}`).join(", ")}`);
  const differs = Object.entries(cx.differs_from_baseline);
  const plain = (k: string) => {
    const b = cx.baseline[k];
    return s.dim(b === null || b === undefined ? " (plain: not asked)" : ` (plain: ${show(b)})`);
  };
  lines.push(
    `      answers  ${differs.length === 0 ? "the plain baseline's" : `the plain baseline's, except ${differs.map(([k, a]) => `${k} = ${show(a)}${plain(k)}`).join(", ")}`}`,
  );
  const width = Math.max(...cx.sides.map((x) => x.label.length));
  for (const side of cx.sides) {
    const d = side.decision;
    lines.push(
      `      ${side.label.padEnd(width)}  → ${s.level(d.outcome.level, `${d.outcome.id} (level ${d.outcome.level})`)}${d.hard_floor ? `, hard floor ${d.hard_floor}` : ""}; fired: ${d.fired.join(", ") || "none"}`,
    );
  }
  if (cx.sides.length === 2) {
    const [a, b] = cx.sides as [(typeof cx.sides)[0], (typeof cx.sides)[0]];
    const onlyA = a.decision.fired.filter((id) => !b.decision.fired.includes(id));
    const onlyB = b.decision.fired.filter((id) => !a.decision.fired.includes(id));
    if (onlyA.length > 0) lines.push(`      fired only with ${a.label}: ${onlyA.join(", ")}`);
    if (onlyB.length > 0) lines.push(`      fired only with ${b.label}: ${onlyB.join(", ")}`);
  }
  return lines;
}

export function renderReport(report: LintReport, file: string, elapsedMs: number, s: Style): string {
  const r = report.rule_set;
  const lines = [
    s.heading(`Lint ${r.id} ${r.version}`) +
      s.dim(` (${file}, sha256 ${r.sha256.slice(0, 12)}): ${num(report.samples)} generated answer sets, seed ${report.seed}`),
    "",
  ];
  const all = [...report.baseline, ...report.invariants];
  const idWidth = Math.max(0, ...all.map((i) => i.id.length));
  const kindWidth = Math.max(0, ...all.map((i) => i.kind.length));
  const row = (inv: InvariantSummary): string => {
    const mark = inv.violated ? s.bad("✗") : inv.checked === 0 ? s.warn("?") : s.ok("✓");
    return `${mark} ${inv.id.padEnd(idWidth)}  ${s.dim(inv.kind.padEnd(kindWidth))}  ${inv.description} ${s.dim(`(${num(inv.checked)} checked${inv.violated ? `, ${num(inv.failing_samples)} failed` : ""})`)}`;
  };
  lines.push(s.bold("Baseline invariants (built into triage; no rule file can remove or weaken them)"));
  for (const inv of report.baseline) lines.push(row(inv));
  lines.push("", s.bold("This rule set's own invariants"));
  for (const inv of report.invariants) lines.push(row(inv));
  if (report.invariants.length === 0) lines.push(s.warn("none declared (the baseline above still applies; add your own under `invariants:`)"));
  for (const c of report.conflicts) lines.push("", `${s.bad("✗")} ${s.bold(c.id)}: ${c.message}`);
  for (const v of report.violations) lines.push("", ...renderViolation(v, s));
  if (report.warnings.length > 0) {
    lines.push("");
    for (const w of report.warnings) lines.push(`${s.warn("warning")} ${w.message}`);
  }
  const violated = report.violations.length + report.conflicts.length;
  lines.push(
    "",
    `${violated > 0 ? s.bad("rules lint: FAILED") : s.ok("rules lint: ok")} — ${num(report.samples)} samples, ${report.baseline.length} baseline and ${report.invariants.length} own invariant(s) checked, ${violated} violation(s), ${report.warnings.length} warning(s), ${(elapsedMs / 1000).toFixed(2)} s (${num(report.evaluations)} evaluations)`,
  );
  return lines.join("\n");
}
