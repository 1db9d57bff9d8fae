import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileCondition, testLeaf, type Env, type ResolvedLeaf } from "../../src/rules/conditions.js";
import { OPERATORS } from "../../src/rules/operators.js";
import { NO_HISTORY } from "../../src/rules/types.js";

// The evaluator runs compiled closures; explain runs testLeaf. They must never disagree.
const token = fc.constantFrom("a", "b", "c", "unknown");
const value = fc.oneof(fc.constant(undefined), token, fc.integer({ min: -2, max: 6 }), fc.array(token, { maxLength: 3 }));
const leafArb: fc.Arbitrary<ResolvedLeaf> = fc
  .record({
    op: fc.constantFrom(...OPERATORS),
    scalar: fc.oneof(token, fc.integer({ min: -2, max: 6 })),
    set: fc.array(fc.oneof(token, fc.integer({ min: 0, max: 4 })), { maxLength: 3 }),
    flag: fc.boolean(),
    lo: fc.integer({ min: -2, max: 6 }),
    hi: fc.integer({ min: -2, max: 6 }),
  })
  .map(({ op, scalar, set, flag, lo, hi }) => {
    const v =
      op === "answered" || op === "unknown"
        ? flag
        : ["in", "not_in", "contains_any", "contains_all", "contains_none"].includes(op)
          ? new Set(set)
          : op === "between"
            ? [lo, hi]
            : scalar;
    return { kind: "leaf", subject: { type: "question", index: 0, id: "x", numericKind: "number" }, op, value: v, written: v, thresholds: [] };
  });

describe("compiled conditions", () => {
  it("agree with testLeaf on every operator, value and unknown flag", () => {
    fc.assert(
      fc.property(leafArb, value, fc.boolean(), (leaf, v, unknown) => {
        const env: Env = {
          values: [v],
          unknown: [unknown],
          history: NO_HISTORY,
          clock: { out_of_hours: false, received_out_of_hours: false },
          level: 2,
        };
        expect(compileCondition(leaf)(env)).toBe(testLeaf(leaf, env));
      }),
      { numRuns: 5000, seed: 42 },
    );
  });
});
