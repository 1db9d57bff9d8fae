/**
 * The interview loop with everything but the terminal: the scripted prompter, an in-memory draft
 * store, and fake history/recorder ports standing in for the log.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  conductInterview,
  MemoryDraftStore,
  newDraftId,
  parseDraftState,
  prepareResume,
  type DraftState,
  type HistoryPort,
  type RecordInput,
  type RecorderPort,
  type SessionDeps,
} from "../../src/cli/interview-session.js";
import { makeStyle } from "../../src/cli/render/style.js";
import { BACK, PromptInterrupted } from "../../src/interview/flow.js";
import { INTERRUPT, ScriptedPrompter, ScriptError, sequence } from "../../src/interview/scripted.js";
import { checkAnswers } from "../../src/rules/answers.js";
import type { CompiledRuleSet } from "../../src/rules/compile.js";
import { evaluate } from "../../src/rules/evaluate.js";
import { EMPTY_HISTORY, type Decision, type HistoryUsed } from "../../src/rules/types.js";
import { parseFixture } from "../../src/rules/fixtures.js";
import { compileFile, compileText, repoPath } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const NOW = new Date("2026-11-27T10:30:00Z");
const NOW_ISO = "2026-11-27T10:30:00+00:00";

const ANSWERS = {
  received_at: "2026-11-27T10:00",
  child_name: "Alex Example",
  age: "baby",
  concerns: ["neglect"],
  contacts: 0,
  whereabouts: "safe",
  referrer: "family",
  note: null,
};
const FINISH = { review: "submit", decision: "accept", analysis: "Alex is a baby; the grandmother visits daily and is worried." };

/** A draft store that keeps every saved state, to check that each answer is saved at once. */
class RecordingDrafts extends MemoryDraftStore {
  readonly snapshots: DraftState[] = [];
  override async saveDraft(draft: { id: string; createdBy: string; ruleSetSha256: string; state: unknown; at: string }): Promise<void> {
    await super.saveDraft(draft);
    this.snapshots.push(JSON.parse(JSON.stringify(draft.state)) as DraftState);
  }
}

class FakeRecorder implements RecorderPort {
  readonly logPath = "/tmp/fake.db";
  readonly inputs: RecordInput[] = [];
  constructor(
    private readonly rules: CompiledRuleSet,
    private readonly history: HistoryPort | undefined = undefined,
  ) {}
  async record(input: RecordInput): Promise<Decision> {
    this.inputs.push(input);
    const history = this.history ? await this.history.lookup(input.answers, NOW_ISO, input.choices) : EMPTY_HISTORY;
    return { ...evaluate(this.rules, { answers: input.answers, history, now: NOW_ISO }), ref: "TRG-2026-000042" };
  }
}

function deps(prompter: ScriptedPrompter, over: Partial<SessionDeps> = {}): SessionDeps {
  return { rs, prompter, drafts: new RecordingDrafts(), draftId: "DTEST001", user: "worker.one", now: () => NOW, style: makeStyle(false), ...over };
}

const expectedDecision = (answers: Record<string, unknown>, rules: CompiledRuleSet = rs): Decision => {
  const checked = checkAnswers(rules, answers);
  expect(checked.problems).toEqual([]);
  return evaluate(rules, { answers: checked.answers, now: NOW_ISO });
};

describe("a whole interview (dry run: no log)", () => {
  it("asks every visible question once, saves the draft after every answer, and decides as --answers would", async () => {
    const prompter = new ScriptedPrompter({ ...ANSWERS, ...FINISH });
    const d = deps(prompter);
    const result = await conductInterview(d);
    expect(result.kind).toBe("dry_run");
    if (result.kind !== "dry_run") return;
    expect(result.decision).toEqual(expectedDecision(ANSWERS));
    expect(result.analysis).toBe(FINISH.analysis);
    expect(prompter.asked).toEqual([
      "received_at",
      "child_name",
      "age",
      "concerns",
      "contacts",
      "whereabouts",
      "referrer",
      "note",
      "review",
      "decision",
      "analysis",
    ]);
    expect(prompter.unused()).toEqual([]);
    // One save per answer, each holding that answer (then one when the review screen is reached).
    const drafts = d.drafts as RecordingDrafts;
    expect(drafts.snapshots.slice(0, 8).map((s) => s.flow.asked.at(-1))).toEqual([
      "received_at",
      "child_name",
      "age",
      "concerns",
      "contacts",
      "whereabouts",
      "referrer",
      "note",
    ]);
    expect(drafts.snapshots[2]!.flow.answers.age).toBe("baby");
    expect(drafts.snapshots[1]!.child).toBe("Alex Example");
    expect(drafts.snapshots.at(-1)!.stage).toBe("review");
    // The card was shown before the choice.
    expect(prompter.output).toContain("Act now");
    expect(prompter.output).toContain("Review: the answers so far");
  });

  it("throws on a question the script was not told about, rather than hanging", async () => {
    const { note: _note, ...withoutNote } = ANSWERS;
    const prompter = new ScriptedPrompter({ ...withoutNote, ...FINISH });
    await expect(conductInterview(deps(prompter))).rejects.toThrow(ScriptError);
    await expect(conductInterview(deps(new ScriptedPrompter({ ...withoutNote, ...FINISH })))).rejects.toThrow(/no answer scripted for "note" \(Notes\)/);
  });
});

describe("back, change on review, escalation", () => {
  it("goes back with the previous answer pre-filled, changes an answer from review, escalates with a reason, and records it", async () => {
    const prompter = new ScriptedPrompter({
      ...ANSWERS,
      concerns: sequence(["injury"], ["injury", "neglect"]),
      injury_seen: sequence(BACK, "not_seen"),
      contacts: sequence(0, 3),
      review: sequence("change", "submit"),
      change: "contacts",
      decision: "escalate",
      escalate_to: "protect",
      escalate_reason: "The father is due home tonight.",
      analysis: FINISH.analysis,
      // A baby's injury holds a hard floor at strategy: the record-now offer is made; carry on.
      urgent: "continue",
    });
    const recorder = new FakeRecorder(rs);
    const d = deps(prompter, { recorder });
    const result = await conductInterview(d);
    expect(result.kind).toBe("recorded");

    const asks = prompter.events.filter((e) => e.kind === "ask");
    expect(asks.map((e) => e.key)).toEqual([
      "received_at",
      "child_name",
      "age",
      "concerns",
      "injury_seen",
      "concerns",
      "injury_seen",
      "contacts",
      "whereabouts",
      "referrer",
      "note",
      "contacts",
    ]);
    expect(asks[5]!.previous).toEqual(["injury"]); // back: pre-filled
    expect(asks[11]!.previous).toBe(0); // changed from review: pre-filled

    const final = { ...ANSWERS, concerns: ["injury", "neglect"], injury_seen: "not_seen", contacts: 3 };
    expect(recorder.inputs).toHaveLength(1);
    const input = recorder.inputs[0]!;
    expect(input.answers).toEqual(checkAnswers(rs, final).answers);
    expect(input.escalation).toEqual({ to: "protect", reason: "The father is due home tonight." });
    expect(input.downgrade).toBeUndefined();
    expect(input.analysis).toBe(FINISH.analysis);
    expect(input.draftId).toBe("DTEST001");
    // Escalation offers only higher outcomes.
    const computed = expectedDecision(final);
    expect(computed.outcome.id).toBe("strategy");
    expect(prompter.events.find((e) => e.key === "escalate_to")!.choices).toEqual(["protect"]);
  });

  it("Back from the decision returns to review; Back from the analysis returns to the choice", async () => {
    const prompter = new ScriptedPrompter({
      ...ANSWERS,
      review: sequence("submit", "submit"),
      decision: sequence(BACK, "escalate", "accept", "accept"),
      escalate_to: "strategy",
      escalate_reason: BACK,
      analysis: sequence(BACK, FINISH.analysis),
    });
    const result = await conductInterview(deps(prompter));
    expect(result.kind === "dry_run" && result.escalation).toBeUndefined();
    expect(prompter.asked.slice(8)).toEqual([
      "review",
      "decision",
      "review",
      "decision",
      "escalate_to",
      "escalate_reason",
      "decision",
      "analysis",
      "decision",
      "analysis",
    ]);
  });
});

describe("downgrades", () => {
  it("are not offered below a hard floor", async () => {
    const prompter = new ScriptedPrompter({ ...ANSWERS, concerns: ["injury"], injury_seen: "seen", ...FINISH });
    const result = await conductInterview(deps(prompter));
    expect(result.kind === "dry_run" && result.decision.hard_floor).toBe("strategy");
    expect(prompter.events.find((e) => e.key === "decision")!.choices).toEqual(["accept", "escalate"]);
    expect(prompter.output).toMatch(/A lower outcome cannot be proposed: hard floor Strategy discussion \(Injury to a baby\)/);
  });

  it("offer only outcomes at or above every floor, need a reason, and go to the recorder as a proposal", async () => {
    const prompter = new ScriptedPrompter({
      ...ANSWERS,
      age: "older",
      concerns: ["other"],
      contacts: 5,
      review: "submit",
      decision: "downgrade",
      downgrade_to: "help",
      downgrade_reason: "Already open to early help; contacts were about housing.",
      analysis: FINISH.analysis,
    });
    const recorder = new FakeRecorder(rs);
    await conductInterview(deps(prompter, { recorder }));
    expect(prompter.events.find((e) => e.key === "downgrade_to")!.choices).toEqual(["help", "none"]);
    expect(recorder.inputs[0]!.downgrade).toEqual({ to: "help", reason: "Already open to early help; contacts were about housing." });
    expect(prompter.output).toMatch(/pending a manager's agreement/);
  });
});

describe("identity first: earlier referrals", () => {
  const lookups: { answered: string[]; confirm: string[] }[] = [];
  const history: HistoryPort = {
    async lookup(answers, _receivedAt, choices) {
      lookups.push({ answered: Object.keys(answers), confirm: [...choices.confirm] });
      const confirmed = choices.confirm.has("TRG-2026-000007") ? true : choices.reject.has("TRG-2026-000007") ? false : undefined;
      const earlier = [{ ref: "TRG-2026-000003", received_at: "2026-10-01T09:00:00+01:00", outcome: "help" }];
      if (confirmed) earlier.push({ ref: "TRG-2026-000007", received_at: "2026-11-01T09:00:00+00:00", outcome: "assess" });
      const used: HistoryUsed = {
        referrals_in_window: earlier.length,
        distinct_referrers: 1,
        earlier,
        possible_matches: [
          confirmed === undefined ? { ref: "TRG-2026-000007", why: "similar name" } : { ref: "TRG-2026-000007", why: "similar name", confirmed },
        ],
        facts: { ...EMPTY_HISTORY.facts, referrals_in_window: earlier.length },
      };
      return used;
    },
  };

  it("looks them up right after the child's name, asks about each possible match once, and keeps the choice in the draft", async () => {
    lookups.length = 0;
    const prompter = new ScriptedPrompter({ ...ANSWERS, "match:TRG-2026-000007": true, ...FINISH });
    const recorder = new FakeRecorder(rs, history);
    const d = deps(prompter, { history, recorder });
    await conductInterview(d);
    expect(prompter.asked.slice(0, 4)).toEqual(["received_at", "child_name", "match:TRG-2026-000007", "age"]);
    expect(prompter.asked.filter((k) => k.startsWith("match:"))).toHaveLength(1);
    expect(lookups[0]!.answered).toEqual(["received_at", "child_name"]);
    expect(prompter.output).toContain("Earlier referrals about this child");
    expect(prompter.output).toMatch(/TRG-2026-000003 {2}received Thu 1 Oct 2026 09:00 {2}Early help/);
    const saved = (d.drafts as RecordingDrafts).snapshots.find((s) => Object.keys(s.links).length > 0);
    expect(saved?.links).toEqual({ "TRG-2026-000007": true });
    expect([...recorder.inputs[0]!.choices.confirm]).toEqual(["TRG-2026-000007"]);
  });

  it("Back from a match question returns to the name", async () => {
    const prompter = new ScriptedPrompter({
      ...ANSWERS,
      child_name: sequence("Alex Exampel", "Alex Example"),
      "match:TRG-2026-000007": sequence(BACK, false),
      ...FINISH,
    });
    await conductInterview(deps(prompter, { history }));
    expect(prompter.asked.slice(0, 6)).toEqual(["received_at", "child_name", "match:TRG-2026-000007", "child_name", "match:TRG-2026-000007", "age"]);
  });
});

describe("interrupted and resumed", () => {
  it("Ctrl-C leaves a draft with every answer so far; resuming asks only the rest and decides the same", async () => {
    const drafts = new RecordingDrafts();
    const first = new ScriptedPrompter({ ...ANSWERS, contacts: INTERRUPT });
    await expect(conductInterview(deps(first, { drafts }))).rejects.toThrow(PromptInterrupted);
    const draft = (await drafts.getDraft("DTEST001"))!;
    expect(draft.createdBy).toBe("worker.one");
    const state = parseDraftState(draft.state)!;
    expect(state.flow.asked).toEqual(["received_at", "child_name", "age", "concerns"]);
    expect(state.progress).toEqual({ answered: 4, total: 8 });
    expect(state.child).toBe("Alex Example");

    const { state: resumed, notes } = prepareResume(rs, draft);
    expect(notes).toEqual([]);
    // The script knows only the questions after the interruption: asking any earlier one throws.
    const second = new ScriptedPrompter({ contacts: 0, whereabouts: "safe", referrer: "family", note: null, ...FINISH });
    const recorder = new FakeRecorder(rs);
    const result = await conductInterview(deps(second, { drafts, recorder }), resumed);
    expect(second.asked[0]).toBe("contacts");
    expect(result.kind === "recorded" && result.decision.computed_outcome).toEqual(expectedDecision(ANSWERS).computed_outcome);
    expect(recorder.inputs[0]!.answers).toEqual(checkAnswers(rs, ANSWERS).answers);
  });

  it("'Save draft and exit' on the review screen keeps the draft at review", async () => {
    const drafts = new RecordingDrafts();
    const result = await conductInterview(deps(new ScriptedPrompter({ ...ANSWERS, review: "save" }), { drafts }));
    expect(result).toEqual({ kind: "saved", draftId: "DTEST001" });
    expect(parseDraftState((await drafts.getDraft("DTEST001"))!.state)!.stage).toBe("review");
    const { state } = prepareResume(rs, (await drafts.getDraft("DTEST001"))!);
    const again = new ScriptedPrompter({ ...FINISH });
    await conductInterview(deps(again, { drafts }), state);
    expect(again.asked).toEqual(["review", "decision", "analysis"]);
  });

  it("a draft made under an older rule set is re-validated, and the worker is told what changed", async () => {
    const drafts = new RecordingDrafts();
    await expect(conductInterview(deps(new ScriptedPrompter({ ...ANSWERS, age: "older", contacts: INTERRUPT }), { drafts }))).rejects.toThrow(
      PromptInterrupted,
    );
    const text = readFileSync(repoPath("fixtures/rulesets/minimal.yaml"), "utf8");
    const v2 = compileText(
      text
        .replace('version: "1"', 'version: "2"')
        .replace("options: [baby, young, older, unknown]", "options: [baby, young, teen, unknown]")
        .replace("in: [older]", "in: [teen]"),
    );
    const { state, notes } = prepareResume(v2, (await drafts.getDraft("DTEST001"))!);
    expect(notes[0]).toMatch(/started under rules minimal 1 \(.{12}\); the current rules are minimal 2/);
    expect(notes.join("\n")).toMatch(/The answer to "Age band" no longer fits/);
    const second = new ScriptedPrompter({ age: "teen", contacts: 0, whereabouts: "safe", referrer: "family", note: null, ...FINISH });
    const result = await conductInterview(deps(second, { rs: v2, drafts }), state);
    expect(second.asked[0]).toBe("age");
    expect(result.kind === "dry_run" && result.decision.rule_set.version).toBe("2");
  });

  it("draft ids are short, typeable and unique in the store", async () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = await newDraftId((x) => taken.has(x));
      expect(id).toMatch(/^D[A-Z2-9]{7}$/);
      taken.add(id);
    }
  });
});

describe("asking less (shipped rules, fixture 06)", () => {
  const shipped = compileFile("rules/default.yaml");
  const path = "fixtures/referrals/06-arthur-like-1-grandmother-calls-edt-with-photos.yaml";
  const fixture = parseFixture(readFileSync(repoPath(path), "utf8"), path).fixture!;
  const { child_age_band: band, worker_rationale: _rationale, ...rest } = fixture.answers;
  const analysis = "Grandmother saw bruises on his back; a new boyfriend nobody has met.";
  // Optional questions the fixture leaves out are left blank.
  const blanks = Object.fromEntries(shipped.questions.filter((q) => q.raw.optional && !(q.id in rest)).map((q) => [q.id, null]));

  it("the age band follows from the date of birth and the analysis is asked once, after the outcome", async () => {
    const prompter = new ScriptedPrompter({ ...blanks, ...rest, review: "submit", decision: "accept", analysis, urgent: "continue" });
    const recorder = new FakeRecorder(shipped);
    const result = await conductInterview(deps(prompter, { rs: shipped, recorder }));
    expect(result.kind).toBe("recorded");
    expect(prompter.asked).not.toContain("child_age_band");
    expect(prompter.asked).not.toContain("worker_rationale");
    expect(prompter.asked.filter((k) => k === "analysis")).toHaveLength(1);
    expect(prompter.shown.join("\n")).toMatch(/How old is the child: 5–10 years \(from the date of birth\)/);
    const recorded = recorder.inputs[0]!.answers;
    expect(recorded.child_age_band).toBe(band);
    expect(recorded.worker_rationale).toBe(analysis);
  });

  it("Back from the question after a derived answer goes to the question before it", async () => {
    const first = new ScriptedPrompter({ ...blanks, ...rest, review: "submit", decision: "accept", analysis, urgent: "continue" });
    await conductInterview(deps(first, { rs: shipped, recorder: new FakeRecorder(shipped) }));
    const order = shipped.questions.map((q) => q.id);
    const at = order.indexOf("child_age_band");
    const after = first.asked.find((k) => order.indexOf(k) > at)!;
    const before = [...first.asked].reverse().find((k) => order.includes(k) && order.indexOf(k) < at)!;
    const prompter = new ScriptedPrompter({
      ...blanks,
      ...rest,
      [after]: sequence(BACK, rest[after]),
      [before]: sequence(rest[before], rest[before]),
      review: "submit",
      decision: "accept",
      analysis,
      urgent: "continue",
    });
    await conductInterview(deps(prompter, { rs: shipped, recorder: new FakeRecorder(shipped) }));
    const i = prompter.asked.indexOf(after);
    expect(prompter.asked[i + 1]).toBe(before);
  });
});
