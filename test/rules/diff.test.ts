import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import type { ConditionTrace } from "../../src/rules/conditions.js";
import { describeLeaf, diffRuleSets, questionsKey, Replay, thresholdUses, withoutDeadlines, type LoggedCase } from "../../src/rules/diff.js";
import { evaluate } from "../../src/rules/evaluate.js";
import { fixtureHistory, parseFixture, type Fixture } from "../../src/rules/fixtures.js";
import { parseRuleSet } from "../../src/rules/load.js";
import { compileText, repoPath } from "../helpers/rules.js";

const SHIPPED_TEXT = readFileSync(repoPath("rules/default.yaml"), "utf8");
const shipped = compileText(SHIPPED_TEXT, "rules/default.yaml");

// E1_repeat_referral fires when contacts_last_12m or history.referrals_in_window ≥ repeat_referrals_assessment (2).
const E1_AT_2 = "  repeat_referrals_assessment:\n    value: 2\n";
const raisedText = (): string => {
  expect(SHIPPED_TEXT).toContain(E1_AT_2);
  return SHIPPED_TEXT.replace(E1_AT_2, "  repeat_referrals_assessment:\n    value: 3\n");
};
const raised = compileText(raisedText(), "raised.yaml");

/** The same rule set written differently: list and key order reversed, comments gone, re-serialised. */
function reorderedText(): string {
  const data = YAML.parse(SHIPPED_TEXT) as Record<string, unknown>;
  const reverseKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
  for (const list of ["rules", "guards", "steps", "checks", "closure_reasons", "invariants"]) {
    data[list] = (data[list] as Record<string, unknown>[]).map(reverseKeys).reverse();
  }
  data.thresholds = reverseKeys(data.thresholds as Record<string, unknown>);
  return `# Same rules, another layout.\n${YAML.stringify(reverseKeys(data), { lineWidth: 0 })}`;
}

// Fixture 16: a GP, emotional harm, child 11–15; fires E1 (contacts 2), E11 and EM2 (floor early_help).
const FIXTURE_16 = readFileSync(repoPath("fixtures/referrals/16-repeat-two-earlier-contacts-assessment.yaml"), "utf8");
function case16(contacts: number, history?: string): Fixture {
  expect(FIXTURE_16).toContain("  contacts_last_12m: 2\n");
  let text = FIXTURE_16.replace("  contacts_last_12m: 2\n", `  contacts_last_12m: ${contacts}\n`);
  if (history) text = text.replace("\nanswers:\n", `\nhistory: ${history}\nanswers:\n`);
  const parsed = parseFixture(text, `c${contacts}.yaml`);
  if (!parsed.fixture) throw new Error(parsed.problems.join("\n"));
  return parsed.fixture;
}

describe("thresholdUses", () => {
  const uses = thresholdUses(shipped.raw);
  it("finds the rules that compare with a threshold (checked by hand in rules/default.yaml)", () => {
    expect(uses.get("repeat_referrals_assessment")).toEqual([{ kind: "rule", id: "E1_repeat_referral", where: "when" }]);
    expect(uses.get("repeat_referrals_strategy")).toEqual([{ kind: "rule", id: "M13_repeat_pattern", where: "when" }]);
    expect(uses.get("distinct_referrers_escalation")).toEqual([
      { kind: "rule", id: "E3_several_referrers", where: "when" },
      { kind: "rule", id: "E6_neglect_pattern", where: "when" },
    ]);
  });

  it("finds outcomes' response times and steps' due dates", () => {
    expect(uses.get("cp_see_child_hours")).toEqual([{ kind: "outcome", id: "strategy_discussion_s47", where: "response_times.see_child_by" }]);
    const immediate = uses.get("immediate_response_hours")!;
    expect(immediate.filter((u) => u.kind === "outcome")).toEqual([
      { kind: "outcome", id: "immediate_protection", where: "response_times.respond_by" },
      { kind: "outcome", id: "immediate_protection", where: "response_times.protective_action_by" },
    ]);
    expect(immediate.filter((u) => u.kind === "step")).toHaveLength(3);
  });

  it("lists every threshold, used or not", () => {
    expect([...uses.keys()]).toEqual(Object.keys(shipped.raw.thresholds));
    // The history window is read by the shell (src/workflow/history.ts), not by any condition.
    expect(uses.get("history_window_days")).toEqual([]);
  });
});

describe("diffRuleSets", () => {
  it("identical rule sets: no change", () => {
    const d = diffRuleSets(shipped, compileText(SHIPPED_TEXT));
    expect(d.identical).toBe(true);
    expect(d.count).toBe(0);
  });

  it("a reordered but equivalent file has the same canonical hash and no change", () => {
    const parsed = parseRuleSet(reorderedText(), "reordered.yaml");
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
    expect(parsed.ruleSet.sha256).toBe(shipped.sha256);
    const d = diffRuleSets(shipped, compileText(reorderedText()));
    expect(d).toMatchObject({ identical: true, count: 0 });
  });

  it("a threshold change: old → new value and what uses it, nothing else", () => {
    const d = diffRuleSets(shipped, raised);
    expect(d.identical).toBe(false);
    expect(d.thresholds).toEqual([
      {
        name: "repeat_referrals_assessment",
        change: "changed",
        from: 2,
        to: 3,
        details: [],
        used_by: [{ kind: "rule", id: "E1_repeat_referral", where: "when" }],
      },
    ]);
    expect(d.settings).toEqual([]);
    expect(d.count).toBe(1);
  });

  it("options, rules, steps and settings added, removed or changed", () => {
    const text = raisedText()
      .replace('version: "1.1.0"', 'version: "1.2.0"')
      .replace('      - { value: gp, label: "GP" }\n', "")
      .replace(
        "    floor: s17_assessment\n    steps: [chronology, allocate_assessment]\n    flags: [manager_review_required]\n",
        "    floor: strategy_discussion_s47\n    steps: [chronology, allocate_assessment]\n    flags: [manager_review_required]\n",
      );
    const d = diffRuleSets(shipped, compileText(text));
    expect(d.settings).toEqual(["version: 1.1.0 → 1.2.0"]);
    expect(d.options).toEqual([{ question: "referrer_type", added: [], removed: ["gp"] }]);
    expect(d.sections.questions).toEqual([{ id: "referrer_type", change: "changed", details: ["options: −gp"] }]);
    expect(d.sections.rules).toEqual([{ id: "E1_repeat_referral", change: "changed", details: ["floor: s17_assessment → strategy_discussion_s47"] }]);
    expect(d.count).toBe(4);
  });

  it("rules added and removed", () => {
    const start = SHIPPED_TEXT.indexOf("  - id: E10_avoidance_isolation\n");
    const end = SHIPPED_TEXT.indexOf("  - id: E11_possible_duplicate\n");
    const without = SHIPPED_TEXT.slice(0, start) + SHIPPED_TEXT.slice(end);
    const renamed =
      SHIPPED_TEXT.slice(0, start) + SHIPPED_TEXT.slice(start, end).replace("id: E10_avoidance_isolation", "id: E10b_avoidance") + SHIPPED_TEXT.slice(end);
    expect(diffRuleSets(shipped, compileText(without)).sections.rules).toEqual([{ id: "E10_avoidance_isolation", change: "removed", details: [] }]);
    expect(diffRuleSets(shipped, compileText(renamed)).sections.rules).toEqual([
      { id: "E10_avoidance_isolation", change: "removed", details: [] },
      { id: "E10b_avoidance", change: "added", details: [] },
    ]);
  });
});

describe("replay", () => {
  // By hand, for fixture 16 with contacts_last_12m = c and no log history:
  //   c = 0, 1: no floor but EM2 → early_help under both.
  //   c = 2: E1 (2 ≥ 2) → s17_assessment; raised: 2 < 3, only EM2 → early_help. DOWN.
  //   c = 3: E1 under both (3 ≥ 2, 3 ≥ 3) → s17_assessment.
  //   c = 4, 5: M13 (≥ 4, hard) → strategy_discussion_s47 under both; E1 fires under both.
  // And c = 0 with history.referrals_in_window = 2: E1 by history → s17 → early_help. DOWN.
  const cases: [string, Fixture][] = [0, 1, 2, 3, 4, 5].map((c) => [`contacts-${c}`, case16(c)]);
  cases.push(["history-2", case16(0, "{ referrals_in_window: 2 }")]);

  it("a threshold change moves exactly the cases computed by hand, with the reason", () => {
    const replay = new Replay(shipped, raised);
    for (const [ref, f] of cases) replay.addFixture(ref, f);
    const r = replay.report();
    expect(r).toMatchObject({ replayed: 7, fixtures: 7, changed: 2, up: 0, down: 2, unchanged: 5, detail_changed: 0, not_replayable: 0 });
    expect(r.cases.map(({ ref, from, to, direction }) => ({ ref, from, to, direction }))).toEqual([
      { ref: "contacts-2", from: "s17_assessment", to: "early_help", direction: "down" },
      { ref: "history-2", from: "s17_assessment", to: "early_help", direction: "down" },
    ]);
    expect(r.cases[0]!.reason).toMatch(/^E1_repeat_referral no longer fires \(contacts_last_12m 2 < repeat_referrals_assessment 3\)/);
    expect(r.cases[1]!.reason).toMatch(/^E1_repeat_referral no longer fires \(history\.referrals_in_window 2 < repeat_referrals_assessment 3\)/);
    // E1 fired for c = 2, 3, 4, 5 and history 2 (5 cases); raised: c = 3, 4, 5 (3 cases).
    // EM2_early_help_plan fires whenever the outcome is early_help: c = 0, 1; raised: also c = 2 and history 2.
    expect(r.rules).toEqual([
      { id: "E1_repeat_referral", old: 5, new: 3, started: 0, stopped: 2 },
      { id: "EM2_early_help_plan", old: 2, new: 4, started: 2, stopped: 0 },
    ]);
    expect(r.table).toContainEqual({ from: "s17_assessment", to: "early_help", count: 2 });
    expect(r.table).toContainEqual({ from: "early_help", to: "early_help", count: 2 });
    expect(r.table).toContainEqual({ from: "s17_assessment", to: "s17_assessment", count: 1 });
    expect(r.table).toContainEqual({ from: "strategy_discussion_s47", to: "strategy_discussion_s47", count: 2 });
  });

  it("the reverse change moves the same cases up", () => {
    const replay = new Replay(raised, shipped);
    for (const [ref, f] of cases) replay.addFixture(ref, f);
    const r = replay.report();
    expect(r).toMatchObject({ changed: 2, up: 2, down: 0 });
    expect(r.cases[0]!.reason).toMatch(/^E1_repeat_referral now fires \(contacts_last_12m 2 ≥ repeat_referrals_assessment 2\)/);
  });

  it("identical rule sets: nothing changes", () => {
    const replay = new Replay(shipped, compileText(reorderedText()));
    for (const [ref, f] of cases) replay.addFixture(ref, f);
    const r = replay.report();
    expect(r).toMatchObject({ replayed: 7, changed: 0, up: 0, down: 0, unchanged: 7, detail_changed: 0, rules: [], guards: [], cases: [] });
  });

  it("a logged answer that is not an option any more cannot be replayed under NEW, and is counted apart", () => {
    const noGp = compileText(SHIPPED_TEXT.replace('      - { value: gp, label: "GP" }\n', ""));
    const replay = new Replay(shipped, noGp);
    replay.addFixture("gp", case16(2));
    const r = replay.report();
    expect(r).toMatchObject({ replayed: 0, not_replayable: 1 });
    expect(r.not_replayed[0]).toMatchObject({ ref: "gp", under: "new" });
    expect(r.not_replayed[0]!.problems.join()).toContain('"gp" is not an option');
  });

  it("a logged record made under OLD is OLD's decision: same report as evaluating it again", () => {
    const logged = (f: Fixture): LoggedCase => {
      const input = { answers: f.answers as LoggedCase["answers"], history: fixtureHistory(f), now: "2026-03-20T12:30:00+00:00" };
      const decision = { ...evaluate(shipped, input), ref: "X", decided_by: "w" };
      return { answers: decision.answers, history: decision.history, decided_at: decision.decided_at, decision };
    };
    const fast = new Replay(shipped, raised);
    const slow = new Replay(shipped, raised, { useLogged: false });
    for (const [ref, f] of cases) {
      fast.addLogged(ref, logged(f), questionsKey(shipped.raw));
      slow.addLogged(ref, logged(f));
    }
    expect(fast.report()).toEqual(slow.report());
    expect(fast.report()).toMatchObject({ logged: 7, changed: 2, down: 2 });
  });

  it("replay ignores deadlines only: the decision without them has the same outcome, rules, guards, steps and flags", () => {
    const view = withoutDeadlines(shipped);
    for (const [, f] of cases) {
      const input = { answers: f.answers as LoggedCase["answers"], now: "2026-03-20T12:30:00+00:00" };
      const full = evaluate(shipped, input);
      const light = evaluate(view, input);
      expect(light.deadlines).toEqual({});
      const pick = (d: typeof full) => ({
        outcome: d.computed_outcome,
        fired: d.fired,
        guards: d.guards,
        // Steps are ordered by due time (issue 13 d); without deadlines only the set can be compared.
        steps: d.steps.map((s) => [s.id, s.from]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        flags: d.flags,
        hard: d.hard_floor,
      });
      expect(pick(light)).toEqual(pick(full));
    }
  });
});

describe("describeLeaf", () => {
  // `thresholds: null` builds a leaf without thresholds (an operator that compares with none).
  const leaf = ({
    thresholds = [{ name: "t", value: 3 }],
    ...over
  }: Omit<Partial<ConditionTrace>, "thresholds"> & { thresholds?: ConditionTrace["thresholds"] | null }): ConditionTrace => ({
    kind: "leaf",
    result: false,
    subject: "contacts_last_12m",
    actual: 2,
    op: "gte",
    expected: { threshold: "t" },
    ...(thresholds !== null && { thresholds }),
    ...over,
  });
  it("states the comparison as it came out", () => {
    expect(describeLeaf(leaf({}))).toBe("contacts_last_12m 2 < t 3");
    expect(describeLeaf(leaf({ result: true, actual: 4 }))).toBe("contacts_last_12m 4 ≥ t 3");
    expect(describeLeaf(leaf({ op: "in", expected: ["a", "b", "c", "d"], thresholds: null, actual: "x" }))).toBe("contacts_last_12m x not in [a, b, c, …]");
    expect(describeLeaf(leaf({ op: "unknown", expected: true, result: true, thresholds: null }))).toBe("contacts_last_12m not known");
    expect(describeLeaf(leaf({ actual_unknown: true, result: true }))).toBe("contacts_last_12m not known ≥ t 3");
  });
});
