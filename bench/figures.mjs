// The machine-readable figures of `npm run bench` (BENCH_JSON=FILE): one shape for every part.
//
// A figure is { id, value, unit, target, compare, ok } (plus optional fields such as reason, runs,
// samples, extrapolated_from): `value` is a number, or null when the part did not run (then `ok` is
// false and `reason` says why); `target` is a number in the same unit and `compare` says which side
// of it meets it ("<=" or ">="); `ok` is true only when value meets target.
//
// Sub-benchmarks (bench/log-bench.mjs, bench/diff-bench.mjs, bench/pg-bench.mjs) are separate
// processes: when BENCH_FIGURES_FILE is set they write their figures there as a JSON array
// (emitFigures), and bench/run.mjs merges them. A part that cannot run (no PostgreSQL, say) may
// write its ids with value null and a reason.
import { writeFileSync } from "node:fs";

/** Every id the JSON must carry (issue 17's contract), with unit and target. */
export const REQUIRED = [
  { id: "help_ratio", unit: "x bare node", target: 1.5, compare: "<=" },
  { id: "record_ms", unit: "ms", target: 150, compare: "<=" },
  { id: "record_ratio", unit: "x bare node", target: 2.5, compare: "<=" },
  { id: "dry_run_ms", unit: "ms", target: 150, compare: "<=" },
  { id: "eval_per_s", unit: "evaluations/s", target: 150_000, compare: ">=" },
  { id: "lint_100k_s", unit: "s", target: 10, compare: "<=" },
  { id: "diff_100k_s", unit: "s", target: 10, compare: "<=" },
  { id: "verify_mb_s", unit: "MB/s", target: 300, compare: ">=" },
  { id: "append_per_s", unit: "decisions/s", target: 2_000, compare: ">=" },
  { id: "pg_append_8_writers_per_s", unit: "appends/s", target: 1_000, compare: ">=" },
  { id: "pg_list_ms", unit: "ms", target: 50, compare: "<=" },
  { id: "pg_verify_mb_s", unit: "MB/s", target: 200, compare: ">=" },
];
const SPEC = new Map(REQUIRED.map((s) => [s.id, s]));

export function meets(value, target, compare) {
  if (typeof value !== "number" || !Number.isFinite(value) || typeof target !== "number") return false;
  return compare === ">=" ? value >= target : value <= target;
}

/**
 * A figure. For a required id, unit, target and compare come from REQUIRED unless given; other ids
 * must give them (target null: a reference figure with no target, ok null).
 */
export function figure(id, value, extra = {}) {
  const spec = SPEC.get(id) ?? {};
  const unit = extra.unit ?? spec.unit;
  const target = extra.target !== undefined ? extra.target : (spec.target ?? null);
  const compare = extra.compare ?? spec.compare ?? null;
  if (unit === undefined) throw new Error(`bench figure ${id}: no unit`);
  const v = typeof value === "number" && Number.isFinite(value) ? value : null;
  const { unit: _u, target: _t, compare: _c, ...rest } = extra;
  return { id, value: v, unit, target, compare, ok: target === null ? null : meets(v, target, compare), ...rest };
}

/** A figure that could not be measured: null value, ok false, and why. */
export function missing(id, reason, extra = {}) {
  return figure(id, null, { ...extra, reason });
}

/**
 * The final array: figures in the order given, later figures replacing earlier ones with the same
 * id, every required id present (a missing one is added as null with `reason`), and values rounded
 * for reading (three significant decimals are plenty for a benchmark).
 */
export function shapeFigures(figures, reasonForMissing = "not measured") {
  const byId = new Map();
  for (const f of figures) {
    if (!f || typeof f.id !== "string") throw new Error(`bench figure without an id: ${JSON.stringify(f)}`);
    byId.set(f.id, f);
  }
  for (const spec of REQUIRED) if (!byId.has(spec.id)) byId.set(spec.id, missing(spec.id, reasonForMissing));
  return [...byId.values()].map((f) => {
    const value = typeof f.value === "number" && Number.isFinite(f.value) ? round(f.value) : null;
    const spec = SPEC.get(f.id);
    const target = f.target ?? spec?.target ?? null;
    const compare = f.compare ?? spec?.compare ?? null;
    const shaped = { ...f, id: f.id, value, unit: f.unit ?? spec?.unit, target, compare, ok: target === null ? null : meets(value, target, compare) };
    if (value === null && !shaped.reason) shaped.reason = reasonForMissing;
    return shaped;
  });
}

function round(x) {
  if (Math.abs(x) >= 100) return Math.round(x * 10) / 10;
  return Math.round(x * 1000) / 1000;
}

/** Sub-benchmarks: write figures where bench/run.mjs asked (BENCH_FIGURES_FILE), if it did. */
export function emitFigures(figures) {
  const file = process.env.BENCH_FIGURES_FILE;
  if (file) writeFileSync(file, JSON.stringify(figures));
}
