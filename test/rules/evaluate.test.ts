import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/rules/canonical.js";
import { evaluate, type EvaluateOptions } from "../../src/rules/evaluate.js";
import { NO_HISTORY, type Answers, type HistoryUsed } from "../../src/rules/types.js";
import { readFileSync } from "node:fs";
import { compileFile, compileText, repoPath } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");

// A Friday in November (GMT), in office hours; nothing of concern.
const calm: Answers = {
  received_at: "2026-11-27T10:00:00+00:00",
  child_name: "Fictional Child",
  age: "older",
  concerns: ["none"],
  contacts: 0,
  whereabouts: "safe",
  referrer: "professional",
};
const run = (answers: Partial<Record<string, unknown>>, extra: Partial<EvaluateOptions> = {}) =>
  evaluate(rs, { answers: { ...calm, ...answers } as Answers, now: "2026-11-27T10:30:00+00:00", ...extra });
const history = (facts: Partial<typeof NO_HISTORY>): HistoryUsed => ({
  referrals_in_window: 0,
  distinct_referrers: 0,
  earlier: [],
  possible_matches: [],
  facts: { ...NO_HISTORY, ...facts },
});
const ids = (d: ReturnType<typeof run>) => d.fired.map((f) => f.id).sort();

describe("evaluation phases", () => {
  it("nothing of concern: the default outcome, with deadlines one working day after receipt", () => {
    const d = run({});
    expect(d.computed_outcome).toEqual({ id: "none", level: 1, label: "No further action" });
    expect(d.outcome).toEqual(d.computed_outcome);
    expect(ids(d)).toEqual(["R7_feedback"]);
    expect(d.deadlines.decide_by).toBe("2026-11-30T10:00:00+00:00"); // Fri 10:00 + 1 WD = Mon 10:00
    expect(d.hard_floor).toBeNull();
    expect(d.guards[0]!.status).toBe("not_applicable");
  });

  it("floors: the highest floor wins and every fired rule is listed, with whether it applied", () => {
    const d = run({ age: "baby", concerns: ["injury"], injury_seen: "not_seen" });
    expect(d.computed_outcome.id).toBe("strategy");
    expect(d.hard_floor).toBe("strategy");
    const r2 = d.fired.find((f) => f.id === "R2_concern")!;
    expect(r2).toMatchObject({ effect: "floor", outcome: "help", applied: false, hard: false });
    expect(d.fired.find((f) => f.id === "R1_baby_injury")).toMatchObject({ effect: "floor", outcome: "strategy", applied: true, hard: true });
    expect(d.deadlines).toEqual({ decide_by: "2026-11-30T10:00:00+00:00", respond_by: "2026-11-27T14:00:00+00:00", see_child_by: "2026-11-28T10:00:00+00:00" });
  });

  it("raises: at most one per group, even when two rules of the group fire", () => {
    const d = run({ age: "young", concerns: ["neglect"], contacts: 3 });
    expect(ids(d)).toEqual(["R2_concern", "R3_repeat", "R4_young_neglect", "R7_feedback"]);
    expect(d.computed_outcome.id).toBe("assess"); // help + 1, not + 2
    expect(d.fired.filter((f) => f.effect === "raise" && f.applied)).toHaveLength(1);
  });

  it("raises never pass their cap", () => {
    const d = run({ age: "baby", concerns: ["injury"], injury_seen: "not_seen", contacts: 5 });
    expect(d.computed_outcome.id).toBe("strategy");
    expect(d.fired.find((f) => f.id === "R3_repeat")).toMatchObject({ effect: "raise", applied: false });
  });

  it("rules that read the outcome so far run to a fixed point after floors and raises", () => {
    // unknown age counts as young → R4 raises assess (R6 floor) to strategy → R5 sees strategy + whereabouts unknown → protect.
    const d = run({ age: "unknown", concerns: ["neglect"], whereabouts: "unknown" });
    expect(d.computed_outcome.id).toBe("protect");
    expect(d.fired.find((f) => f.id === "R5_whereabouts")).toMatchObject({ applied: true, hard: true });
    expect(d.hard_floor).toBe("protect");
  });

  it("a rule reading the outcome does not fire below its level", () => {
    const d = run({ whereabouts: "with_harmer" });
    expect(ids(d)).not.toContain("R5_whereabouts");
    expect(d.computed_outcome.id).toBe("none");
  });

  it("history facts count like the worker's own counts", () => {
    const d = run({ concerns: ["other"] }, { history: history({ referrals_in_window: 3 }) });
    expect(ids(d)).toContain("R3_repeat");
    expect(d.computed_outcome.id).toBe("assess");
  });
});

describe("unknown is not no", () => {
  it("unknown counts as its worst case for rules, stays unknown in the record, and adds a step", () => {
    const d = run({ age: "unknown", concerns: ["neglect"] });
    expect(d.unknowns).toEqual(["age"]);
    expect(d.answers.age).toBe("unknown");
    expect(ids(d)).toContain("R4_young_neglect"); // counted as young
    expect(ids(d)).toContain("R6_unknowns");
    expect(d.steps.map((s) => s.id)).toContain("resolve_unknowns");
    expect(d.computed_outcome.id).toBe("strategy"); // assess floor + 1
  });
});

describe("steps, flags and deadlines", () => {
  it("steps are deduplicated and say which rules asked for them, with due times", () => {
    const d = run({ age: "baby", concerns: ["injury"], injury_seen: "seen", whereabouts: "unknown" });
    const locate = d.steps.find((s) => s.id === "locate_child")!;
    expect(locate.from).toEqual(["R5_whereabouts"]);
    expect(locate.due_by).toBe(d.deadlines.respond_by);
    expect(d.deadlines.respond_by).toBe("2026-11-27T12:00:00+00:00"); // protect: 2 hours
    expect(new Set(d.steps.map((s) => s.id)).size).toBe(d.steps.length);
    expect(d.flags).toEqual(["feedback_due"]);
  });

  it("out of hours (by the clock) floors the outcome and flags it provisional; deadlines start at the next opening", () => {
    const d = run({ received_at: "2026-11-28T11:00:00+00:00" }, { now: "2026-11-28T11:30:00+00:00" });
    expect(d.clock).toMatchObject({ out_of_hours: true, received_out_of_hours: true });
    expect(d.flags).toContain("ooh_provisional");
    expect(d.computed_outcome.id).toBe("assess");
    expect(d.deadlines.decide_by).toBe("2026-12-01T09:00:00+00:00"); // Sat → counting from Mon 09:00 → Tue 09:00
  });

  it("working days skip bank holidays", () => {
    const d = run({ received_at: "2026-12-24T10:00:00+00:00" }, { now: "2026-12-24T10:05:00+00:00" });
    expect(d.deadlines.decide_by).toBe("2026-12-29T10:00:00+00:00"); // 25th and 28th are bank holidays
  });

  it("working days keep the local time across the spring clock change", () => {
    const d = run({ received_at: "2026-03-27T10:00:00+00:00" }, { now: "2026-03-27T10:05:00+00:00" });
    expect(d.deadlines.decide_by).toBe("2026-03-30T10:00:00+01:00");
  });
});

describe("guards", () => {
  const neglectFromFamily = { concerns: ["neglect"], referrer: "family" };

  it("holds a floor while required checks are outstanding", () => {
    const d = run(neglectFromFamily);
    expect(d.guards[0]).toMatchObject({
      status: "holding",
      floor: "assess",
      outstanding: ["referrer_spoken", "police_check", "school_check"],
      satisfied: [],
      hard_stop: false,
    });
    expect(d.computed_outcome.id).toBe("assess"); // rules alone: help
  });

  it("answers can satisfy checks, and a check not required is not outstanding", () => {
    const d = run({ concerns: ["neglect"], referrer: "anonymous", age: "young" });
    // young + neglect raises to assess, so the guard (outcome <= help) no longer applies
    expect(d.guards[0]!.status).toBe("not_applicable");
    const e = run({ concerns: ["neglect"], referrer: "anonymous" }, { recordedChecks: ["police_check"] });
    expect(e.guards[0]).toMatchObject({ status: "holding", satisfied: ["referrer_spoken", "police_check"], outstanding: ["school_check"] });
  });

  it("releases when every required check is recorded, and the floor no longer holds", () => {
    const d = run(neglectFromFamily, { recordedChecks: ["referrer_spoken", "police_check", "school_check"] });
    expect(d.guards[0]!.status).toBe("released");
    expect(d.computed_outcome.id).toBe("help");
  });

  it("a hard stop is reported when the guard's hard_stop_when holds", () => {
    const d = run({ concerns: ["injury"], injury_seen: "seen", referrer: "family" });
    expect(d.guards[0]).toMatchObject({ status: "holding", hard_stop: true });
  });
});

describe("determinism and identity", () => {
  it("the same input gives the same record, byte for byte", () => {
    const input = {
      answers: { ...calm, age: "unknown", concerns: ["neglect", "injury"], injury_seen: "not_seen" } as Answers,
      now: "2026-11-27T10:30:00+00:00",
    };
    expect(canonicalJson(evaluate(rs, input))).toBe(canonicalJson(evaluate(rs, input)));
  });

  it("every record carries the rule set's id, version and content hash", () => {
    expect(run({}).rule_set).toEqual({ id: "minimal", version: "1", sha256: rs.sha256 });
  });

  it("answers to hidden questions are not used", () => {
    const d = run({ concerns: ["neglect"], injury_seen: "seen" });
    expect(d.answers).not.toHaveProperty("injury_seen");
    expect(d.guards[0]!.hard_stop).toBe(false);
  });
});

describe("hard raises", () => {
  const hardRaise = compileText(
    readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8").replace(
      "    raise: 1\n    cap: strategy\n    group: escalation\n    steps: [chronology]",
      "    raise: 1\n    hard: true\n    cap: strategy\n    group: escalation\n    steps: [chronology]",
    ),
  );
  const at = (answers: Partial<Record<string, unknown>>) =>
    evaluate(hardRaise, { answers: { ...calm, ...answers } as Answers, now: "2026-11-27T10:30:00+00:00" });

  it("a hard raise that applies is hard at the level it reached", () => {
    const d = at({ concerns: ["other"], contacts: 3 }); // help + 1 = assess
    expect(d.computed_outcome.id).toBe("assess");
    expect(d.hard_floor).toBe("assess");
    expect(d.fired.find((f) => f.id === "R3_repeat")).toMatchObject({ effect: "raise", hard: true, applied: true });
  });

  it("a hard raise that lost its group to another raise sets no hard floor", () => {
    // Same amounts: the first in canonical order (R3) wins the group, so a hard R4 does not apply.
    const r4Hard = compileText(
      readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8").replace(
        "    because: Young children are most vulnerable to neglect.",
        "    hard: true\n    because: Young children are most vulnerable to neglect.",
      ),
    );
    const d = evaluate(r4Hard, { answers: { ...calm, age: "young", concerns: ["neglect"], contacts: 3 }, now: "2026-11-27T10:30:00+00:00" });
    expect(d.fired.find((f) => f.id === "R4_young_neglect")).toMatchObject({ effect: "raise", hard: true, applied: false });
    expect(d.computed_outcome.id).toBe("assess");
    expect(d.hard_floor).toBeNull();
  });
});
