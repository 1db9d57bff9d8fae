/**
 * `triage rules lint`: generated answer sets (generate.ts) and the invariant checks (lint.ts).
 *
 * The base case is fixtures/rulesets/minimal.yaml, where "not known" age counts as `baby`, the
 * worst case. Counting it as `young` is a broken copy: a baby with an injury meets R1's hard
 * strategy floor, "not known" with an injury would only get R6's assessment floor.
 * Broken copies are built in memory from the file's text; every reported counter-example is
 * re-evaluated here with the real evaluator to prove it really violates the invariant.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { run as runLintCommand } from "../../src/cli/commands/rules-lint.js";
import type { Context } from "../../src/cli/context.js";
import { TriageError } from "../../src/errors.js";
import { checkAnswers } from "../../src/rules/answers.js";
import { canonicalJson } from "../../src/rules/canonical.js";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { evaluate } from "../../src/rules/evaluate.js";
import { baselineChoices, decode, generateScenarios, historyUsed, planGeneration, visibleAnswers } from "../../src/rules/generate.js";
import { chunksOf, finishLint, lintRuleSet, prepareLint, runChunk, type LintReport, type Violation } from "../../src/rules/lint.js";
import { parseRuleSet } from "../../src/rules/load.js";
import type { RawCondition, RawQuestion, RawRule, RawRuleSet } from "../../src/rules/schema.js";
import { UNKNOWN, type Decision } from "../../src/rules/types.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { compileText, repoPath } from "../helpers/rules.js";

const MINIMAL_TEXT = readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8");

/** A copy of rule-set text with a change made to its parsed form. */
function edited(text: string, change: (doc: RawRuleSet) => void): string {
  const doc = parse(text) as RawRuleSet;
  change(doc);
  return stringify(doc);
}
const questionOf = (doc: RawRuleSet, id: string): RawQuestion => doc.questions.find((q) => q.id === id)!;
const ruleOf = (doc: RawRuleSet, id: string): RawRule => doc.rules.find((r) => r.id === id)!;

/** minimal.yaml with "not known" age counted as the worst case (baby): all four invariants hold. */
const HOLDING_TEXT = edited(MINIMAL_TEXT, (d) => {
  questionOf(d, "age").unknown_counts_as = "baby";
});
const holding = compileText(HOLDING_TEXT, "minimal-holding.yaml");

const cache = new Map<string, LintReport>();
function lint(rs: CompiledRuleSet, samples = 2000, seed = 1): LintReport {
  const key = `${rs.sha256}:${samples}:${seed}`;
  if (!cache.has(key)) cache.set(key, lintRuleSet(rs, { samples, seed }));
  return cache.get(key)!;
}

function violation(report: LintReport, id: string): Violation {
  const v = report.violations.find((x) => x.invariant.id === id);
  if (!v) throw new Error(`expected a violation of ${id}; got ${report.violations.map((x) => x.invariant.id).join(", ") || "none"}`);
  return v;
}

/** Re-evaluates each side of a counter-example with the real evaluator, from what the report says. */
function reevaluate(rs: CompiledRuleSet, v: Violation): Decision[] {
  const cx = v.counterexample;
  return cx.sides.map((side) => {
    const d = evaluate(rs, { answers: side.decision.answers, history: historyUsed(cx.history), now: cx.now });
    // The report describes the decision faithfully.
    expect(d.computed_outcome.id).toBe(side.decision.outcome.id);
    expect(d.fired.map((f) => f.id)).toEqual(side.decision.fired);
    expect(d.answers).toEqual(side.decision.answers);
    return d;
  });
}

/** The two sides of a comparison differ in the compared question only (and questions it shows or hides). */
function expectOneAnswerApart(rs: CompiledRuleSet, v: Violation): void {
  const [a, b] = v.counterexample.sides as [Violation["counterexample"]["sides"][0], Violation["counterexample"]["sides"][0]];
  const q = a.changed!.question;
  expect(b.changed!.question).toBe(q);
  const index = rs.questionIndex.get(q)!;
  for (const [id, answer] of Object.entries(a.decision.answers)) {
    if (rs.questionIndex.get(id)! <= index || id in b.decision.answers) {
      if (id !== q) expect(b.decision.answers[id], id).toEqual(answer);
    }
  }
}

describe("rules lint: minimal rule set", () => {
  it("finds no violation when every invariant holds, and checks each of them", () => {
    const report = lint(holding);
    expect(report.violations).toEqual([]);
    expect(report.samples).toBe(2000);
    for (const inv of report.invariants) expect(inv.checked, inv.id).toBeGreaterThan(0);
    // Everything in the minimal set is used and every rule fires somewhere in 2,000 samples.
    expect(report.warnings.filter((w) => w.kind !== "baseline_skipped")).toEqual([]);
    // The minimal set speaks its own vocabulary (age, concerns…): the baseline says what it could not check.
    const skipped = report.warnings.filter((w) => w.kind === "baseline_skipped");
    expect(skipped.find((w) => w.id === "baseline_referrer_type_never_lowers")?.message).toMatch(/referrer_type: this rule set has no such question/);
    expect(skipped.find((w) => w.id === "baseline_out_of_hours_provisional")?.message).toMatch(/no question received_out_of_hours/);
  });

  it("is reproducible: the same seed gives the same report, and chunks can run in any order", () => {
    const a = lintRuleSet(holding, { samples: 2500, seed: 7 });
    const b = lintRuleSet(holding, { samples: 2500, seed: 7 });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    // As worker threads do: chunks run separately (here backwards), merged by finishLint.
    const setup = prepareLint(holding);
    const results = chunksOf(2500)
      .reverse()
      .map((c) => runChunk(setup, 7, c, 2500));
    expect(canonicalJson(finishLint(setup, results, { samples: 2500, seed: 7 }))).toBe(canonicalJson(a));
    const other = lintRuleSet(holding, { samples: 2500, seed: 8 });
    expect(other.violations).toEqual([]);
    expect(canonicalJson(other)).not.toBe(canonicalJson(a));
  });

  it("the same seed gives the same counter-example for a broken rule set", () => {
    const broken = compileText(edited(HOLDING_TEXT, (d) => void (questionOf(d, "age").unknown_counts_as = "older")));
    expect(canonicalJson(lintRuleSet(broken, { samples: 1500, seed: 3 }))).toBe(canonicalJson(lintRuleSet(broken, { samples: 1500, seed: 3 })));
  });
});

describe("rules lint: broken copies are caught, with a counter-example that really violates", () => {
  it("never_lower: a rule that gives a higher floor only when the referrer is a professional", () => {
    const text = edited(HOLDING_TEXT, (d) => {
      d.rules.push({
        id: "R9_professional_neglect",
        title: "Neglect reported by a professional",
        when: {
          all: [
            { q: "referrer", eq: "professional" },
            { q: "concerns", contains_any: ["neglect"] },
          ],
        },
        floor: "strategy",
        because: "A broken rule: it believes professionals only.",
      });
    });
    const rs = compileText(text);
    const report = lint(rs);
    expect(report.violations.map((v) => v.invariant.id)).toEqual(["INV1_referrer"]);
    const v = violation(report, "INV1_referrer");
    expect(v.invariant.kind).toBe("never_lower");
    const [baseline, variant] = reevaluate(rs, v);
    expect(v.counterexample.sides[0]!.changed).toEqual({ question: "referrer", answer: "professional" });
    expect(["family", "anonymous"]).toContain(v.counterexample.sides[1]!.changed!.answer);
    expect(variant!.computed_outcome.level).toBeLessThan(baseline!.computed_outcome.level);
    expect(baseline!.fired.map((f) => f.id)).toContain("R9_professional_neglect");
    expect(variant!.fired.map((f) => f.id)).not.toContain("R9_professional_neglect");
    expectOneAnswerApart(rs, v);
    // Shrunk: only the neglect differs from the plain answer set; no history, the baseline clock.
    expect(v.counterexample.differs_from_baseline).toEqual({ concerns: ["neglect"] });
    expect(v.counterexample.baseline).toEqual({ concerns: ["none"] });
    expect(Object.values(v.counterexample.history).every((n) => n === 0)).toBe(true);
    expect(v.counterexample.now).toBe(prepareLint(rs).plan.clocks[0]!.now);
    expect(v.message).toMatch(/^referrer = (family|anonymous) gives \w+ \(level \d\), lower than referrer = professional, which gives strategy \(level 4\)$/);
  });

  it("never_lower: a rule that stops firing for family referrers", () => {
    const rs = compileText(
      edited(HOLDING_TEXT, (d) => {
        const r2 = ruleOf(d, "R2_concern");
        r2.when = { all: [r2.when, { q: "referrer", ne: "family" }] };
      }),
    );
    const v = violation(lint(rs), "INV1_referrer");
    const [baseline, family] = reevaluate(rs, v);
    expect(v.counterexample.sides[1]!.changed).toEqual({ question: "referrer", answer: "family" });
    expect(family!.computed_outcome.level).toBeLessThan(baseline!.computed_outcome.level);
    expect(family!.fired.map((f) => f.id)).not.toContain("R2_concern");
    expect(Object.keys(v.counterexample.differs_from_baseline).length).toBeLessThanOrEqual(2);
  });

  it.each([
    ["older", "a reassuring answer"],
    ["young", "not the worst case: baby is"],
  ])('unknown_not_lower: "not known" age counted as %s (%s)', (countsAs) => {
    const rs = compileText(edited(HOLDING_TEXT, (d) => void (questionOf(d, "age").unknown_counts_as = countsAs)));
    const report = lint(rs);
    expect(report.violations.map((v) => v.invariant.id)).toEqual(["INV2_unknown"]);
    const v = violation(report, "INV2_unknown");
    const [known, unknown] = reevaluate(rs, v);
    expect(v.counterexample.sides[1]!.changed).toEqual({ question: "age", answer: UNKNOWN });
    expect(unknown!.unknowns).toContain("age");
    expect(unknown!.computed_outcome.level).toBeLessThan(known!.computed_outcome.level);
    expectOneAnswerApart(rs, v);
  });

  it("unknown_not_lower: a rule that fires only when the age is known", () => {
    const rs = compileText(
      edited(HOLDING_TEXT, (d) => {
        d.rules.push({
          id: "R10_known_age_other",
          title: "Other concern, age known",
          when: {
            all: [
              { q: "age", unknown: false },
              { q: "concerns", contains_any: ["other"] },
            ],
          },
          floor: "strategy",
          because: "A broken rule: it relies on knowing the age.",
        });
      }),
    );
    const v = violation(lint(rs), "INV2_unknown");
    const [known, unknown] = reevaluate(rs, v);
    expect(known!.fired.map((f) => f.id)).toContain("R10_known_age_other");
    expect(unknown!.computed_outcome.level).toBeLessThan(known!.computed_outcome.level);
    expect(v.counterexample.differs_from_baseline).toEqual({ concerns: ["other"] });
  });

  it('unknown_not_lower: "not known" must always add the step to find out', () => {
    const rs = compileText(edited(HOLDING_TEXT, (d) => void delete ruleOf(d, "R6_unknowns").steps));
    const v = violation(lint(rs), "INV2_unknown");
    expect(v.message).toMatch(/^(age|whereabouts) = unknown, but the decision does not ask for step resolve_unknowns$/);
    const [d] = reevaluate(rs, v);
    expect(d!.unknowns.length).toBeGreaterThan(0);
    expect(d!.steps.map((s) => s.id)).not.toContain("resolve_unknowns");
  });

  const withInvariants = (extra: RawRuleSet["invariants"], change: (d: RawRuleSet) => void = () => undefined) =>
    compileText(
      edited(HOLDING_TEXT, (d) => {
        d.invariants.push(...extra);
        change(d);
      }),
    );
  const ooh = (when: RawCondition): RawRuleSet["invariants"][number] => ({
    id: "INV5_ooh",
    description: "Out-of-hours decisions are provisional",
    kind: "out_of_hours_provisional",
    when,
    flag: "ooh_provisional",
    never_final: ["none", "help"],
  });

  it("out_of_hours_provisional and hard_stop_not_closable hold on the minimal set", () => {
    const report = lint(
      withInvariants([ooh({ fact: "clock.out_of_hours", eq: true }), { id: "INV6_hard_stop", description: "Hard stops", kind: "hard_stop_not_closable" }]),
    );
    expect(report.violations).toEqual([]);
    expect(report.invariants.find((i) => i.id === "INV5_ooh")!.checked).toBe(2000);
  });

  it("out_of_hours_provisional: an out-of-hours floor lowered to early help", () => {
    const rs = withInvariants([ooh({ fact: "clock.out_of_hours", eq: true })], (d) => void (ruleOf(d, "R8_ooh").floor = "help"));
    const v = violation(lint(rs), "INV5_ooh");
    const [d] = reevaluate(rs, v);
    expect(d!.clock.out_of_hours).toBe(true);
    expect(["none", "help"]).toContain(d!.computed_outcome.id);
    expect(v.message).toMatch(/has outcome (none|help), one of never_final/);
  });

  it("out_of_hours_provisional: a referral received out of hours but decided in hours lacks the flag", () => {
    const rs = withInvariants([ooh({ fact: "clock.received_out_of_hours", eq: true })]);
    const v = violation(lint(rs), "INV5_ooh");
    const [d] = reevaluate(rs, v);
    expect(d!.clock).toMatchObject({ out_of_hours: false, received_out_of_hours: true });
    expect(d!.flags).not.toContain("ooh_provisional");
  });
});

describe("rules lint: warnings", () => {
  it("names unused thresholds, steps and checks, rules that never fired and outcomes nothing produces", () => {
    const rs = compileText(
      edited(HOLDING_TEXT, (d) => {
        d.thresholds.spare = { value: 5, unit: "days", allowed: { min: 1, max: 9 }, rationale: "not used" };
        d.steps.push({ id: "unused_step", text: "Nobody asks for this" });
        d.checks.push({ id: "unused_check", text: "No guard requires this" });
        d.outcomes.push({ id: "beyond", label: "Nothing produces this", response_times: { decide_by: { hours: 1 }, respond_by: { hours: 1 } } });
        d.rules.push({
          id: "R11_impossible",
          title: "Never",
          when: {
            all: [
              { q: "age", eq: "baby" },
              { q: "age", eq: "older" },
            ],
          },
          floor: "help",
          because: "Contradictory.",
        });
      }),
    );
    const report = lint(rs, 1000);
    expect(report.violations).toEqual([]);
    expect(
      report.warnings
        .filter((w) => w.kind !== "baseline_skipped")
        .map((w) => `${w.kind}:${w.id}`)
        .sort(),
    ).toEqual([
      "check_unused:unused_check",
      "outcome_never_produced:beyond",
      "rule_never_fired:R11_impossible",
      "step_unused:unused_step",
      "threshold_unused:spare",
    ]);
  });

  it("warns when an invariant was never checked", () => {
    const rs = compileText(
      edited(HOLDING_TEXT, (d) => {
        const q = questionOf(d, "injury_seen");
        d.invariants.push({
          id: "INV7_never_asked",
          description: "About a question that is never asked",
          kind: "never_lower",
          question: "injury_seen",
          variants: ["not_seen"],
          baseline: "seen",
        });
        q.when = {
          all: [
            { q: "concerns", contains_any: ["injury"] },
            { q: "concerns", contains_any: ["none"] },
          ],
        };
      }),
    );
    const report = lint(rs, 500);
    expect(report.warnings.find((w) => w.kind === "invariant_not_exercised")?.id).toBe("INV7_never_asked");
  });
});

describe("answer-set generation", () => {
  const plan = planGeneration(holding);

  it("gives valid answers to exactly the questions that are asked", () => {
    const scenarios = generateScenarios(plan, { samples: 400, seed: 5 });
    for (const s of scenarios) {
      const visible = visibleAnswers(plan, s);
      const checked = checkAnswers(holding, visible);
      expect(checked.problems).toEqual([]);
      expect(checked.warnings).toEqual([]);
      expect(evaluate(holding, { answers: visible, now: s.now }).answers).toEqual(visible);
      const concerns = visible.concerns as string[];
      if (concerns.includes("none")) expect(concerns).toEqual(["none"]);
      if (typeof visible.received_at === "string") expect(Date.parse(visible.received_at)).toBeLessThanOrEqual(Date.parse(s.now));
    }
    // Every question and option shows up, and the answers are spread (not just the baseline).
    const seen = (id: string) => new Set(scenarios.map((s) => JSON.stringify(visibleAnswers(plan, s)[id])));
    expect(seen("age")).toEqual(new Set(['"baby"', '"young"', '"older"', '"unknown"']));
    expect(seen("injury_seen").size).toBe(4); // seen, not_seen, unknown, and not asked
    expect([...seen("concerns")].some((c) => JSON.parse(c).length > 1)).toBe(true);
  });

  it("puts numbers and history facts on both sides of every threshold, and clocks on office-hours edges", () => {
    const contacts = plan.questions.find((q) => q.id === "contacts")!.domain.map((c) => (c.kind === "value" ? c.value : null));
    expect(contacts).toEqual(expect.arrayContaining([0, 2, 3, 4]));
    expect(contacts[0]).toBe(0); // the plain answer
    expect(plan.history.find((h) => h.name === "referrals_in_window")!.values).toEqual(expect.arrayContaining([0, 2, 3, 4]));
    const clocks = plan.clocks;
    expect(clocks[0]!.outOfHours).toBe(false);
    expect(clocks.some((c) => c.outOfHours)).toBe(true);
    expect(clocks.map((c) => c.now)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/T08:59:00\+00:00$/),
        expect.stringMatching(/T09:00:00\+00:00$/),
        expect.stringMatching(/T16:59:00\+00:00$/),
        expect.stringMatching(/T17:00:00\+00:00$/),
        expect.stringMatching(/^2026-12-25T/),
      ]),
    );
  });

  it("has a plain baseline: the lowest outcome, fewest rules fired", () => {
    const base = decode(plan, baselineChoices(plan));
    expect(base).toEqual(plan.baseline);
    expect(visibleAnswers(plan, base)).toMatchObject({ age: "older", concerns: ["none"], contacts: 0, whereabouts: "safe" });
    const d = evaluate(holding, { answers: visibleAnswers(plan, base), now: base.now });
    expect(d.computed_outcome.id).toBe("none");
    expect(d.fired.map((f) => f.id)).toEqual(["R7_feedback"]);
  });
});

describe("triage rules lint (command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "triage-lint-"));
  const output: string[] = [];
  const ctx = (json: boolean): Context => ({
    rulesPath: join(dir, "none.yaml"),
    rulesExplicit: false,
    dbPath: "",
    dbIsDefault: true,
    teamPath: undefined,
    cacheDir: join(dir, "cache"),
    user: "tester",
    now: () => new Date(),
    nowIsFixed: false,
    clock: () => new Date(),
    json,
    color: false,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    out: (t) => void output.push(t),
    err: (t) => void output.push(t),
    page: async (t) => void output.push(t),
    self: () => "triage",
  });
  afterEach(() => {
    output.length = 0;
    process.exitCode = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints each invariant and a one-line summary; exit 0 when all hold", async () => {
    const file = join(dir, "holding.yaml");
    writeFileSync(file, HOLDING_TEXT);
    await runLintCommand(ctx(false), [file], { samples: "400", seed: "2" });
    const text = output.join("\n");
    expect(text).toMatch(/✓ INV1_referrer/);
    expect(text).toMatch(/rules lint: ok — 400 samples, \d+ baseline and 4 own invariant\(s\) checked, 0 violation\(s\), \d+ warning\(s\), \d+\.\d\d s/);
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("exit 1 with the counter-example on a violation; --json gives the report", async () => {
    const file = join(dir, "broken.yaml");
    writeFileSync(
      file,
      edited(HOLDING_TEXT, (d) => void (questionOf(d, "age").unknown_counts_as = "older")),
    );
    await runLintCommand(ctx(true), [file], { samples: "1500" });
    expect(process.exitCode).toBe(1);
    const report = JSON.parse(output.join("\n")) as LintReport & { ok: boolean; elapsed_ms: number };
    expect(report.ok).toBe(false);
    expect(report.seed).toBe(1);
    expect(report.violations[0]!.invariant.id).toBe("INV2_unknown");
    expect(report.violations[0]!.counterexample.sides).toHaveLength(2);
    output.length = 0;
    await runLintCommand(ctx(false), [file], { samples: "1500" });
    const text = output.join("\n");
    expect(text).toMatch(/✗ INV2_unknown \(unknown_not_lower\): Not known is never reassuring/);
    expect(text).toMatch(/age = unknown gives \w+ \(level \d\), lower than age = \w+/);
    expect(text).toMatch(/rules lint: FAILED — 1,500 samples, \d+ baseline and 4 own invariant\(s\) checked, 1 violation\(s\)/);
  });

  it("refuses a bad --samples or --seed", async () => {
    await expect(runLintCommand(ctx(false), [repoPath("fixtures/rulesets/minimal.yaml")], { samples: "0" })).rejects.toThrow(TriageError);
    await expect(runLintCommand(ctx(false), [repoPath("fixtures/rulesets/minimal.yaml")], { seed: "x" })).rejects.toThrow(/--seed/);
  });

  // The built binary shares the chunks with worker threads: same report as one thread.
  it("the built command (worker threads) gives the same report as one thread", () => {
    const file = join(dir, "threads.yaml");
    writeFileSync(
      file,
      edited(HOLDING_TEXT, (d) => void (questionOf(d, "age").unknown_counts_as = "older")),
    );
    const env = sandbox();
    try {
      const r = runCli(["--rules", file, "--json", "rules", "lint", "--samples", "4500", "--seed", "9"], { env: env.env });
      expect(r.code, r.stderr).toBe(1);
      const { ok, file: _file, elapsed_ms, ...report } = JSON.parse(r.stdout) as LintReport & { ok: boolean; file: string; elapsed_ms: number };
      expect(ok).toBe(false);
      expect(elapsed_ms).toBeGreaterThan(0);
      expect(canonicalJson(report)).toBe(canonicalJson(lintRuleSet(compileText(readFileSync(file, "utf8")), { samples: 4500, seed: 9 })));
    } finally {
      env.cleanup();
    }
  });
});

// The shipped rule set.
const defaultText = readFileSync(repoPath("rules/default.yaml"), "utf8");

describe("rules lint: rules/default.yaml", () => {
  it("validates", () => {
    const parsed = parseRuleSet(defaultText, "rules/default.yaml");
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });

  const raw = () => parse(defaultText) as RawRuleSet;
  const top = () => {
    const outcomes = raw().outcomes;
    return outcomes[outcomes.length - 2]!.id; // the highest outcome below the top one
  };

  it("finds no violation over 2,000 samples", () => {
    const report = lint(compileText(defaultText, "rules/default.yaml"));
    expect(report.violations.map((v) => `${v.invariant.id}: ${v.message}`)).toEqual([]);
    for (const inv of report.invariants) expect(inv.checked, inv.id).toBeGreaterThan(0);
  });

  it("catches a broken copy where a referrer answer stops a rule from firing", () => {
    const inv = raw().invariants.find((i) => i.kind === "never_lower");
    if (!inv || inv.kind !== "never_lower") return;
    const rs = compileText(
      edited(defaultText, (d) => {
        const q = questionOf(d, inv.question);
        const leaf: RawCondition = q.type === "multiselect" ? { q: q.id, contains_any: [inv.baseline].flat() } : { q: q.id, eq: [inv.baseline].flat()[0]! };
        d.rules.push({
          id: "Z1_broken_baseline_only",
          title: "Broken: only for the baseline answer",
          when: leaf,
          floor: top(),
          because: "A broken rule for the lint test.",
        });
      }),
    );
    const v = violation(lint(rs), inv.id);
    const [baseline, variant] = reevaluate(rs, v);
    expect(variant!.computed_outcome.level).toBeLessThan(baseline!.computed_outcome.level);
  });

  it("catches a broken copy where a rule fires only when a critical answer is known", () => {
    const d0 = raw();
    const inv = d0.invariants.find((i) => i.kind === "unknown_not_lower");
    if (!inv || inv.kind !== "unknown_not_lower") return;
    const ids = inv.questions ?? d0.questions.filter((q) => q.critical).map((q) => q.id);
    const target = ids.find((id) => !questionOf(d0, id).when) ?? ids[0]!;
    const rs = compileText(
      edited(defaultText, (d) => {
        d.rules.push({
          id: "Z2_broken_known_only",
          title: "Broken: only when known",
          when: { q: target, unknown: false },
          floor: top(),
          because: "A broken rule for the lint test.",
        });
      }),
    );
    const v = violation(lint(rs), inv.id);
    const [known, unknown] = reevaluate(rs, v);
    expect(unknown!.computed_outcome.level).toBeLessThan(known!.computed_outcome.level);
  });
});
