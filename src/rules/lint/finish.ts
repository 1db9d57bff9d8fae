/**
 * Finishing: the chunks' results merged, each violation shrunk, warnings added; and the whole run
 * in one thread.
 */
import type { CompiledRuleSet } from "../compile.js";
import { chunksOf, runChunk, type ChunkResult, type FirstFailure } from "./chunks.js";
import type { InvariantSummary, LintReport, Violation } from "./report.js";
import { prepareLint, type LintSetup, type Prepared } from "./setup.js";
import { counterExample, shrinkViolation } from "./shrink.js";
import { warnings } from "./warnings.js";

export const DEFAULT_SAMPLES = 10_000;
export const DEFAULT_SEED = 1;

export interface LintOptions {
  samples?: number;
  seed?: number;
}

export function finishLint(setup: LintSetup, results: readonly ChunkResult[], options: { samples: number; seed: number }): LintReport {
  const sorted = [...results].sort((a, b) => a.chunk - b.chunk);
  const fired = new Map<string, number>();
  const levels = new Map<number, number>();
  const checked = new Map<string, number>();
  const failed = new Map<string, number>();
  const first = new Map<string, FirstFailure>();
  let evaluations = 0;
  let samples = 0;
  for (const r of sorted) {
    evaluations += r.evaluations;
    samples += r.samples;
    for (const [id, n] of Object.entries(r.fired)) fired.set(id, (fired.get(id) ?? 0) + n);
    for (const [level, n] of Object.entries(r.levels)) levels.set(Number(level), (levels.get(Number(level)) ?? 0) + n);
    for (const [id, s] of Object.entries(r.invariants)) {
      checked.set(id, (checked.get(id) ?? 0) + s.checked);
      failed.set(id, (failed.get(id) ?? 0) + s.failed);
      if (s.first && !first.has(id)) first.set(id, s.first);
    }
  }
  const violations: Violation[] = [];
  for (const inv of setup.invariants) {
    const f = first.get(inv.key);
    if (!f) continue;
    const shrunk = shrinkViolation(setup, { invariant: inv.key, ...f }, options.seed);
    violations.push({
      invariant: { id: inv.raw.id, kind: inv.raw.kind, description: inv.raw.description, origin: inv.origin },
      message: shrunk.finding.message,
      counterexample: counterExample(setup, shrunk.scenario, shrunk.finding),
      failing_samples: failed.get(inv.key) ?? 0,
      first_sample: f.sample,
      shrinks: shrunk.shrinks,
    });
  }
  const summary = (inv: Prepared): InvariantSummary => ({
    id: inv.raw.id,
    kind: inv.raw.kind,
    origin: inv.origin,
    description: inv.raw.description,
    checked: checked.get(inv.key) ?? 0,
    failing_samples: failed.get(inv.key) ?? 0,
    violated: first.has(inv.key),
  });
  const rs = setup.rs;
  return {
    rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
    samples,
    seed: options.seed,
    evaluations,
    baseline: setup.invariants.filter((inv) => inv.origin === "baseline").map(summary),
    invariants: setup.invariants.filter((inv) => inv.origin === "file").map(summary),
    conflicts: setup.conflicts,
    violations,
    warnings: warnings(setup, { samples, evaluations, fired, levels, checked }),
  };
}

export function resolveLintOptions(options: LintOptions): { samples: number; seed: number } {
  return { samples: options.samples ?? DEFAULT_SAMPLES, seed: options.seed ?? DEFAULT_SEED };
}

/** Lints a compiled rule set in this thread. */
export function lintRuleSet(rs: CompiledRuleSet, options: LintOptions = {}, setup: LintSetup = prepareLint(rs)): LintReport {
  const o = resolveLintOptions(options);
  return finishLint(
    setup,
    chunksOf(o.samples).map((c) => runChunk(setup, o.seed, c, o.samples)),
    o,
  );
}
