/**
 * Urgent calls first through the spawned binary: `new --answers FILE --finish-later` records an
 * urgent call with the questions the file leaves out as "not known" and a step to finish them;
 * `resume REF --answers FILE` finishes them as a follow-up entry (raised when the rules now say
 * higher, never lowered); `log show` shows it; the chain verifies. Fixtures are fictional.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RawRuleSet } from "../../src/rules/schema.js";
import type { Answer, Decision } from "../../src/rules/types.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { approveInLog } from "../helpers/governance.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const box = sandbox();
const { dir, env } = box;
afterAll(() => box.cleanup());

const shipped = compileFile("rules/default.yaml");
const NOW = "2026-03-12T10:45";
const fixture = (name: string) => (parse(readFileSync(repoPath(`fixtures/referrals/${name}`), "utf8")) as { answers: Record<string, Answer> }).answers;
const M1 = fixture("03-m1-bruise-on-3-month-old-health-visitor.yaml");

/** The fixture's answers up to and including `last` (rule-set order), plus the two that cannot be "not known". */
function firstPart(answers: Record<string, Answer>, last: string): { given: Record<string, Answer>; rest: Record<string, Answer> } {
  const upTo = shipped.questions.findIndex((q) => q.id === last);
  const given: Record<string, Answer> = {};
  const rest: Record<string, Answer> = {};
  for (const [i, q] of shipped.questions.entries()) {
    const a = answers[q.id];
    if (a === undefined) continue;
    if (i <= upTo || q.id === "proposed_closure_reason" || q.id === "worker_rationale") given[q.id] = a;
    else rest[q.id] = a;
  }
  return { given, rest };
}

let n = 0;
const write = (data: unknown): string => {
  const file = join(dir, `answers-${++n}.json`);
  writeFileSync(file, JSON.stringify(data));
  return file;
};

interface Shown extends Decision {
  outcome: Decision["outcome"];
  state: { overdue: { id: string }[]; completions: unknown[] };
  entries: { seq: number; kind: string; body: Record<string, unknown> }[];
}

describe("urgent calls first (shipped rules): record now, finish after", () => {
  const db = join(dir, "urgent.db");
  const run = (args: string[], now = NOW) => runCli(["--db", db, "--now", now, ...args], { env });
  const { given, rest } = firstPart(M1, "injury_reported");
  let ref = "";

  it("records the decision at once with the rest 'not known' (the worst case) and a step to finish them, due in two hours", () => {
    const r = run(["new", "--answers", write(given), "--finish-later", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Decision;
    ref = d.ref!;
    expect(d.left_for_later!.length).toBeGreaterThan(10);
    expect(d.left_for_later).toContain("injury_sites");
    expect(d.left_for_later).not.toContain("child_mobility");
    for (const id of d.left_for_later!.filter((id) => !shipped.questions.find((q) => q.id === id)!.raw.optional)) expect(d.unknowns).toContain(id);
    expect(d.hard_floor).not.toBeNull();
    expect(shipped.outcomeLevel.get(d.hard_floor!)).toBeGreaterThanOrEqual(shipped.outcomeLevel.get("strategy_discussion_s47")!);
    expect(d.fired.map((f) => f.id)).toContain("M1_non_mobile_injury");
    expect(d.steps.find((s) => s.id === "finish_the_interview")).toMatchObject({ due_by: "2026-03-12T12:45:00+00:00", from: ["interview"] });
    // Shown in Act now, in words.
    const card = run(["log", "show", ref, "--no-pager"]);
    expect(card.stdout).toMatch(/Act now[\s\S]*Thu 12:45 +Finish the interview: \d+ questions were left for later/);
    expect(card.stdout).not.toContain("finish_the_interview");
  });

  it("refuses --finish-later when the answers given hold no hard floor at strategy discussion (exit 2), or with --dry-run", () => {
    const nfa = firstPart(fixture("01-nfa-school-information-request.yaml"), "concern_types").given;
    const r = run(["new", "--answers", write(nfa), "--finish-later"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the answers given do not hold a hard floor at Strategy discussion (s47 threshold) or above");
    const dry = run(["new", "--answers", write(given), "--finish-later", "--dry-run"]);
    expect(dry.code).toBe(2);
  });

  it("resume REF --answers asks for exactly what was left (a missing answer is named, exit 2)", () => {
    const { injury_sites: _left, ...missing } = rest;
    const r = run(["resume", ref, "--answers", write(missing)], "2026-03-12T11:30");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/question "injury_sites" is not answered/);
  });

  it("resume REF --answers records the follow-up: the answers, what the rules now say; the outcome never falls", () => {
    const r = run(["resume", ref, "--answers", write(rest), "--json"], "2026-03-12T11:30");
    expect(r.code, r.stderr).toBe(0);
    const entry = JSON.parse(r.stdout) as { kind: string; ref: string; body: Record<string, unknown> };
    expect(entry.kind).toBe("answers_completed");
    expect(entry.ref).toBe(ref);
    expect(entry.body.answers).toMatchObject({
      injury_sites: ["cheek"],
      injury_explanation: "carer_account_unverified",
      agency_checks_done: ["csc_records_local"],
    });
    // With every answer the fixture's own outcome (strategy discussion) is what the rules now give; the urgent record said more.
    expect(entry.body.computed_outcome).toMatchObject({ id: "strategy_discussion_s47" });
    const shown = JSON.parse(run(["log", "show", ref, "--json"], "2026-03-12T13:00").stdout) as Shown;
    expect(entry.body.outcome_before).toBe(shown.outcome.id);
    expect(entry.body.outcome_after).toBe(shown.outcome.id);
    expect(shown.outcome.level).toBeGreaterThanOrEqual(shipped.outcomeLevel.get("strategy_discussion_s47")!);
    expect(shown.state.completions).toHaveLength(1);
    expect(shown.state.overdue.map((o) => o.id)).not.toContain("finish_the_interview");
    const human = run(["log", "show", ref, "--no-pager"], "2026-03-12T13:00");
    expect(human.stdout).toMatch(/\(answered after the decision, #\d+\)/);
    expect(human.stdout.replace(/\s+/g, " ")).toContain("the questions left for later answered");
    expect(run(["log", "verify"]).code).toBe(0);
    // Once finished, nothing is left for later.
    const again = run(["resume", ref, "--answers", write(rest)], "2026-03-12T11:40");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`the questions ${ref} left for later were answered by`);
  });

  it("a referral recorded with every answer has nothing left for later (exit 2)", () => {
    const whole = run(["new", "--answers", write(M1), "--json"]);
    const other = (JSON.parse(whole.stdout) as Decision).ref!;
    const r = run(["resume", other, "--answers", write({})]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${other} was recorded with every question answered: there is nothing left for later`);
  });
});

describe("a follow-up that raises the outcome is recorded as the card would (test rules)", () => {
  it("adds an upward override with the follow-up; the outcome rises", async () => {
    const doc = parse(readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8")) as RawRuleSet;
    // Whereabouts "not known" does not reach protection here, so the follow-up can raise it.
    doc.rules.find((r) => r.id === "R5_whereabouts")!.when = {
      all: [
        { fact: "outcome", gte: "strategy" },
        { q: "whereabouts", in: ["with_harmer"] },
      ],
    };
    const rules = join(dir, "rising.yaml");
    writeFileSync(rules, stringify(doc));
    const db = join(dir, "rising.db");
    await approveInLog(db, rules);
    const run = (args: string[]) => runCli(["--rules", rules, "--db", db, "--now", "2026-11-27T10:30", ...args], { env });
    const made = run([
      "new",
      "--answers",
      write({ received_at: "2026-11-27T10:00", child_name: "Rising Example", age: "baby", concerns: ["injury"] }),
      "--finish-later",
      "--json",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const d = JSON.parse(made.stdout) as Decision;
    expect(d.outcome.id).toBe("strategy");
    expect(d.left_for_later).toEqual(["injury_seen", "contacts", "whereabouts", "referrer", "note"]);
    const done = run(["resume", d.ref!, "--answers", write({ injury_seen: "seen", contacts: 0, whereabouts: "with_harmer", referrer: "family" })]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("The outcome rises: Strategy discussion → Immediate protection.");
    expect(done.stdout).toMatch(/outcome raised to Immediate protection\.$/m);
    const shown = JSON.parse(run(["log", "show", d.ref!, "--json"]).stdout) as Shown;
    expect(shown.outcome.id).toBe("protect");
    const kinds = shown.entries.map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(["answers_completed", "override"]);
    expect(shown.entries.at(-1)!.body).toMatchObject({ from: "strategy", to: "protect", direction: "up", pending: false });
    expect(String(shown.entries.at(-1)!.body.reason)).toContain("R5_whereabouts");
  });
});
