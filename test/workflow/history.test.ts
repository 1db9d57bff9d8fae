import { describe, expect, it } from "vitest";
import { historyFacts, type EarlierCase } from "../../src/workflow/history.js";
import { compileFile } from "../helpers/rules.js";

const rs = compileFile("rules/default.yaml");
const earlier = (ref: string, received_at: string, level = 2): EarlierCase => ({ ref, received_at, outcome: "early_help", level, referrer_type: "school" });

describe("historyFacts", () => {
  it("lists earlier referrals newest first by the instant received, whatever order the log gave them in", () => {
    const cases = [
      earlier("R-1", "2026-03-01T10:00:00+00:00"),
      earlier("R-3", "2026-10-25T01:10:00+00:00"), // after the clocks went back: 01:10 GMT
      earlier("R-2", "2026-10-25T01:30:00+01:00"), // before: 01:30 BST = 00:30 GMT, so earlier than R-3
      earlier("R-4", "2026-11-20T09:00:00+00:00"),
    ];
    for (const order of [cases, [...cases].reverse(), [cases[2]!, cases[0]!, cases[3]!, cases[1]!]]) {
      const used = historyFacts(rs, "2026-11-27T10:00:00+00:00", "school", order);
      expect(used.earlier.map((e) => e.ref)).toEqual(["R-4", "R-3", "R-2", "R-1"]);
      expect(used.facts.referrals_in_window).toBe(4);
    }
  });

  it("keeps a stable order for two referrals received at the same instant written differently", () => {
    const a = earlier("R-a", "2026-06-01T10:00:00+01:00");
    const b = earlier("R-b", "2026-06-01T09:00:00+00:00");
    const one = historyFacts(rs, "2026-11-27T10:00:00+00:00", "school", [a, b]).earlier.map((e) => e.ref);
    const other = historyFacts(rs, "2026-11-27T10:00:00+00:00", "school", [b, a]).earlier.map((e) => e.ref);
    expect(one).toEqual(other);
  });
});

// Cumulative harm (issue 13, class 4), on the minimal rule set (its guard governs "unsubstantiated").
const minimal = compileFile("fixtures/rulesets/minimal.yaml");
const received = "2026-11-20T10:00:00+00:00";
const earlierByDays = (ref: string, days: number, level: number, extra: Partial<EarlierCase> = {}): EarlierCase => ({
  ref,
  received_at: new Date(Date.parse(received) - days * 86_400_000).toISOString(),
  outcome: `level${level}`,
  level,
  ...extra,
});

describe("history facts: cumulative harm", () => {
  it("counts earlier referrals that reported an injury, within the window only", () => {
    const h = historyFacts(minimal, received, "police", [
      earlierByDays("A", 10, 3, { injury: true }),
      earlierByDays("B", 40, 2),
      earlierByDays("C", 400, 4, { injury: true }),
    ]);
    expect(h.facts.earlier_injuries).toBe(1);
    expect(h.facts.highest_earlier_level).toBe(4);
    // The internal injury mark is not part of the record's list of earlier referrals.
    expect(h.earlier.every((e) => !("injury" in e))).toBe(true);
  });

  it("counts advice/NFA outcomes and closures no guard governs, received within 30 days (the default), as recent closures", () => {
    const h = historyFacts(minimal, received, "police", [
      earlierByDays("A", 5, 1),
      earlierByDays("B", 20, 3, { closed_as: "information_only" }),
      // A closure the guard governs is E2's to re-examine, not counted here.
      earlierByDays("E", 10, 1, { closed_as: "unsubstantiated" }),
      earlierByDays("C", 29, 2),
      earlierByDays("D", 31, 1),
    ]);
    expect(h.facts.recent_nfa_closures).toBe(2);
  });
});
