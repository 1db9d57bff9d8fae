import { describe, expect, it } from "vitest";
import { testLeaf, type Env, type ResolvedLeaf } from "../../src/rules/conditions.js";
import { NO_HISTORY } from "../../src/rules/types.js";

// One question at index 0 of each kind; values set per case.
const env = (value: unknown, unknown = false, level = 3): Env => ({
  values: [value as never],
  unknown: [unknown],
  history: { ...NO_HISTORY, referrals_in_window: 2 },
  clock: { out_of_hours: true, received_out_of_hours: false },
  level,
});
const q = (op: ResolvedLeaf["op"], value: unknown, numericKind: "number" | "date" | "datetime" | null = null): ResolvedLeaf => ({
  kind: "leaf",
  subject: { type: "question", index: 0, id: "x", numericKind },
  op,
  value,
  written: value,
  thresholds: [],
});
const set = (...xs: unknown[]) => new Set(xs);

describe("leaf operators", () => {
  const table: [string, ResolvedLeaf, unknown, boolean][] = [
    ["eq matches", q("eq", "a"), "a", true],
    ["eq differs", q("eq", "a"), "b", false],
    ["ne differs", q("ne", "a"), "b", true],
    ["in member", q("in", set("a", "b")), "b", true],
    ["in non-member", q("in", set("a")), "c", false],
    ["not_in non-member", q("not_in", set("a")), "c", true],
    ["not_in member", q("not_in", set("a")), "a", false],
    ["contains_any overlap", q("contains_any", set("a", "z")), ["a", "b"], true],
    ["contains_any none", q("contains_any", set("z")), ["a", "b"], false],
    ["contains_all all", q("contains_all", set("a", "b")), ["a", "b", "c"], true],
    ["contains_all some", q("contains_all", set("a", "z")), ["a", "b"], false],
    ["contains_none none", q("contains_none", set("z")), ["a"], true],
    ["contains_none some", q("contains_none", set("a")), ["a"], false],
    ["gte equal", q("gte", 3, "number"), 3, true],
    ["gte below", q("gte", 3, "number"), 2, false],
    ["gt equal", q("gt", 3, "number"), 3, false],
    ["lte equal", q("lte", 3, "number"), 3, true],
    ["lt equal", q("lt", 3, "number"), 3, false],
    ["between inclusive low", q("between", [2, 4], "number"), 2, true],
    ["between inclusive high", q("between", [2, 4], "number"), 4, true],
    ["between outside", q("between", [2, 4], "number"), 5, false],
    ["date gte", q("gte", Date.parse("2026-01-01T00:00:00Z"), "date"), "2026-06-01", true],
    ["date lt", q("lt", Date.parse("2026-01-01T00:00:00Z"), "date"), "2026-06-01", false],
    ["datetime across offsets", q("gte", Date.parse("2026-07-01T09:00:00Z"), "datetime"), "2026-07-01T10:30:00+01:00", true],
    ["answered true", q("answered", true), "a", true],
  ];
  it.each(table)("%s", (_name, leaf, value, expected) => {
    expect(testLeaf(leaf, env(value))).toBe(expected);
  });
});

describe('"not known" and unanswered', () => {
  it("an unknown answer is the token unknown: in [x] is false, not_in [x] is true, numeric comparisons are false", () => {
    expect(testLeaf(q("in", set("a")), env("unknown", true))).toBe(false);
    expect(testLeaf(q("not_in", set("a")), env("unknown", true))).toBe(true);
    expect(testLeaf(q("in", set("unknown")), env("unknown", true))).toBe(true);
    expect(testLeaf(q("gte", 0, "number"), env("unknown", true))).toBe(false);
    expect(testLeaf(q("lt", 99, "number"), env("unknown", true))).toBe(false);
  });

  it("the unknown operator sees the truth, even after unknown_counts_as replaced the value", () => {
    expect(testLeaf(q("unknown", true), env("young", true))).toBe(true);
    expect(testLeaf(q("unknown", true), env("young", false))).toBe(false);
    expect(testLeaf(q("unknown", false), env("young", false))).toBe(true);
  });

  it("a hidden or unanswered question makes every leaf false except answered: false and unknown: false", () => {
    for (const leaf of [
      q("eq", "a"),
      q("ne", "a"),
      q("in", set("a")),
      q("not_in", set("a")),
      q("contains_none", set("a")),
      q("gte", 0, "number"),
      q("answered", true),
      q("unknown", true),
    ]) {
      expect(testLeaf(leaf, env(undefined)), leaf.op).toBe(false);
    }
    expect(testLeaf(q("answered", false), env(undefined))).toBe(true);
    expect(testLeaf(q("unknown", false), env(undefined))).toBe(true);
  });
});

describe("facts", () => {
  it("history, clock and the outcome so far", () => {
    const e = env("x");
    expect(testLeaf({ kind: "leaf", subject: { type: "history", name: "referrals_in_window" }, op: "gte", value: 2, written: 2, thresholds: [] }, e)).toBe(
      true,
    );
    expect(testLeaf({ kind: "leaf", subject: { type: "clock", name: "out_of_hours" }, op: "eq", value: true, written: true, thresholds: [] }, e)).toBe(true);
    expect(testLeaf({ kind: "leaf", subject: { type: "clock", name: "received_out_of_hours" }, op: "eq", value: true, written: true, thresholds: [] }, e)).toBe(
      false,
    );
    expect(testLeaf({ kind: "leaf", subject: { type: "outcome" }, op: "gte", value: 4, written: "strategy", thresholds: [] }, e)).toBe(false);
    expect(testLeaf({ kind: "leaf", subject: { type: "outcome" }, op: "lte", value: 3, written: "assess", thresholds: [] }, e)).toBe(true);
  });
});
