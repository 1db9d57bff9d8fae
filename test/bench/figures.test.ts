// The contract of `BENCH_JSON=FILE npm run bench` (issue 17): every required id, in one shape.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { figure, missing, REQUIRED, shapeFigures, type Figure } from "../../bench/figures.mjs";
import { repoPath } from "../helpers/rules.js";

const CONTRACT_IDS = [
  "help_ratio",
  "record_ms",
  "record_ratio",
  "dry_run_ms",
  "eval_per_s",
  "lint_100k_s",
  "diff_100k_s",
  "verify_mb_s",
  "append_per_s",
  "pg_append_8_writers_per_s",
  "pg_list_ms",
  "pg_verify_mb_s",
];

function expectWellShaped(figures: Figure[]): void {
  for (const f of figures) {
    expect(Object.keys(f)).toEqual(expect.arrayContaining(["id", "value", "unit", "target", "ok"]));
    expect(typeof f.unit).toBe("string");
    if (f.value === null) {
      expect(f.ok === false || f.ok === null).toBe(true);
      expect(typeof f.reason).toBe("string");
    } else expect(Number.isFinite(f.value)).toBe(true);
    if (f.target !== null && f.value !== null) expect(f.ok).toBe(f.compare === ">=" ? f.value >= f.target : f.value <= f.target);
  }
  expect(new Set(figures.map((f) => f.id)).size).toBe(figures.length);
}

describe("bench figures: JSON shaping", () => {
  it("requires exactly the contract's ids (and more may follow)", () => {
    expect(REQUIRED.map((r) => r.id)).toEqual(CONTRACT_IDS);
  });

  it("judges each figure against its target on the right side", () => {
    expect(figure("eval_per_s", 150_000).ok).toBe(true);
    expect(figure("eval_per_s", 149_999).ok).toBe(false);
    expect(figure("record_ms", 150).ok).toBe(true);
    expect(figure("record_ms", 150.5).ok).toBe(false);
    expect(figure("record_ratio", 2.6).ok).toBe(false);
    expect(figure("bare_node_ms", 50, { unit: "ms", target: null }).ok).toBeNull();
    expect(() => figure("no_unit", 1)).toThrow(/no unit/);
  });

  it("fills every missing required id with null, ok false and a reason; later figures win", () => {
    const shaped = shapeFigures([figure("eval_per_s", 100_000), figure("eval_per_s", 200_000), missing("pg_list_ms", "no database")], "not measured here");
    expect(shaped.map((f) => f.id).sort()).toEqual([...CONTRACT_IDS].sort());
    expect(shaped.find((f) => f.id === "eval_per_s")).toMatchObject({ value: 200_000, ok: true, unit: "evaluations/s", target: 150_000, compare: ">=" });
    expect(shaped.find((f) => f.id === "pg_list_ms")).toMatchObject({ value: null, ok: false, reason: "no database" });
    expect(shaped.find((f) => f.id === "verify_mb_s")).toMatchObject({ value: null, ok: false, reason: "not measured here" });
    expectWellShaped(shaped);
  });

  it("turns a non-number into null and recomputes ok rather than trusting a sub-bench", () => {
    const [f] = shapeFigures([{ id: "append_per_s", value: Number.NaN, unit: "decisions/s", target: 2000, compare: ">=", ok: true }]);
    expect(f).toMatchObject({ id: "append_per_s", value: null, ok: false, reason: "not measured" });
  });
});

describe("npm run bench with BENCH_JSON (quick, tiny sizes)", () => {
  it("writes every contract id, measuring evaluation and the log, naming why the rest is absent", () => {
    const dir = mkdtempSync(join(tmpdir(), "triage-bench-test-"));
    try {
      const out = join(dir, "figures.json");
      const r = spawnSync(process.execPath, [repoPath("bench/run.mjs")], {
        cwd: repoPath("."),
        env: {
          ...process.env,
          BENCH_QUICK: "1",
          BENCH_SKIP: "startup,lint,diff,pg",
          BENCH_EVAL_N: "300",
          BENCH_LOG_N: "200",
          BENCH_LOG_APPENDS: "20",
          BENCH_JSON: out,
          INIT_CWD: dir,
        },
        encoding: "utf8",
        timeout: 110_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const figures = JSON.parse(readFileSync(out, "utf8")) as Figure[];
      expectWellShaped(figures);
      const byId = new Map(figures.map((f) => [f.id, f]));
      for (const id of CONTRACT_IDS) expect(byId.has(id), id).toBe(true);
      for (const id of ["eval_per_s", "verify_mb_s", "append_per_s"]) expect(byId.get(id)!.value, id).toBeGreaterThan(0);
      expect(byId.get("append_per_s")).toMatchObject({ log_decisions: 200, appends: 20 });
      for (const id of ["help_ratio", "record_ms", "lint_100k_s", "diff_100k_s", "pg_list_ms"])
        expect(byId.get(id)).toMatchObject({ value: null, ok: false, reason: expect.stringContaining("skipped") });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
