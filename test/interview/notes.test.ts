/**
 * A note per answer (what was actually said): the pure parts (withNote, effectiveNotes, checkNote,
 * checkAnswerNotes) and the interview loop with the scripted prompter (Tab = NOTE, then the note).
 */
import { describe, expect, it } from "vitest";
import { conductInterview, MemoryDraftStore, parseDraftState, type RecordInput, type RecorderPort } from "../../src/cli/interview-session.js";
import { makeStyle } from "../../src/cli/render/style.js";
import { answerQuestion, effectiveNotes, FlowError, NOTE, parseFlowState, startFlow, withNote } from "../../src/interview/flow.js";
import { ScriptedPrompter, sequence } from "../../src/interview/scripted.js";
import { checkAnswerNotes, checkNote, FREE_TEXT_MAX_CHARS } from "../../src/rules/answers.js";
import { evaluate } from "../../src/rules/evaluate.js";
import type { Decision } from "../../src/rules/types.js";
import { compileFile } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const NOW = new Date("2026-11-27T10:30:00Z");
const NOW_ISO = "2026-11-27T10:30:00+00:00";

describe("notes in the flow", () => {
  it("a note is set, changed and removed by empty text; it travels with the state and survives answering", () => {
    let s = answerQuestion(rs, startFlow(), "received_at", "2026-11-27T10:00");
    s = withNote(rs, s, "received_at", "  Grandmother rang at 18:40, very upset  ");
    expect(s.notes).toEqual({ received_at: "Grandmother rang at 18:40, very upset" });
    s = answerQuestion(rs, s, "child_name", "Alex Example");
    expect(s.notes).toEqual({ received_at: "Grandmother rang at 18:40, very upset" });
    s = withNote(rs, s, "received_at", "");
    expect(s.notes).toBeUndefined();
    // A draft keeps its notes.
    const saved = withNote(rs, s, "child_name", "Mum calls him Al");
    expect(parseFlowState(JSON.parse(JSON.stringify(saved)))?.notes).toEqual({ child_name: "Mum calls him Al" });
  });

  it("refuses a note over the free-text limit; the record keeps notes only on answers the rules see", () => {
    expect(() => withNote(rs, startFlow(), "child_name", "x".repeat(FREE_TEXT_MAX_CHARS + 1))).toThrow(FlowError);
    expect(checkNote("x".repeat(FREE_TEXT_MAX_CHARS))).toEqual({ ok: true, note: "x".repeat(FREE_TEXT_MAX_CHARS) });
    expect(checkNote("   ")).toEqual({ ok: true, note: undefined });
    let s = answerQuestion(rs, startFlow(), "received_at", "2026-11-27T10:00");
    s = answerQuestion(rs, s, "child_name", "Alex Example");
    s = answerQuestion(rs, s, "age", "baby");
    s = answerQuestion(rs, s, "concerns", ["injury"]);
    s = answerQuestion(rs, s, "injury_seen", "seen");
    s = withNote(rs, s, "injury_seen", "The health visitor saw it on Tuesday");
    s = withNote(rs, s, "age", "About four months, mum thinks");
    expect(effectiveNotes(rs, s)).toEqual({ age: "About four months, mum thinks", injury_seen: "The health visitor saw it on Tuesday" });
    // The injury question hidden again: its note is kept in the draft, not recorded.
    s = answerQuestion(rs, s, "concerns", ["neglect"]);
    expect(effectiveNotes(rs, s)).toEqual({ age: "About four months, mum thinks" });
    expect(s.notes?.injury_seen).toBe("The health visitor saw it on Tuesday");
  });

  it("checkAnswerNotes: notes only on answered questions, by their ids, within the limit", () => {
    const answers = { child_name: "Alex Example", age: "baby" };
    expect(checkAnswerNotes(rs, answers, { age: " mum said 'about 4 months' ", child_name: "" })).toEqual({
      notes: { age: "mum said 'about 4 months'" },
      problems: [],
    });
    const bad = checkAnswerNotes(rs, answers, { agee: "x", whereabouts: "y", age: 3 });
    expect(bad.problems.map((p) => p.message)).toEqual([
      'a note on "agee", which is not a question; did you mean "age"?',
      'a note on "whereabouts", which is not answered (or not asked) for this referral',
      'note on "age": a note is text, not 3',
    ]);
    expect(checkAnswerNotes(rs, answers, ["x"]).problems).toHaveLength(1);
    expect(checkAnswerNotes(rs, answers, undefined)).toEqual({ notes: {}, problems: [] });
  });
});

class FakeRecorder implements RecorderPort {
  readonly logPath = "/tmp/fake.db";
  readonly inputs: RecordInput[] = [];
  async record(input: RecordInput): Promise<Decision> {
    this.inputs.push(input);
    return { ...evaluate(rs, { answers: input.answers, now: NOW_ISO }), ref: "TRG-2026-000042" };
  }
}

describe("notes in the interview (scripted)", () => {
  it("Tab at a question asks for the note, then the same question again; the record gets the notes; nothing extra is asked otherwise", async () => {
    const prompter = new ScriptedPrompter({
      received_at: "2026-11-27T10:00",
      child_name: sequence(NOTE, "Alex Example"),
      "note:child_name": "Grandmother says mum calls him 'Al'",
      age: "young",
      concerns: ["neglect"],
      contacts: 0,
      whereabouts: sequence(NOTE, NOTE, "safe"),
      "note:whereabouts": sequence("At nan's \u001b[31mtonight", ""),
      referrer: "family",
      note: null,
      review: "submit",
      decision: "accept",
      analysis: "Alex is three and at nursery most days.",
    });
    const recorder = new FakeRecorder();
    const drafts = new MemoryDraftStore();
    const result = await conductInterview({ rs, prompter, drafts, draftId: "DNOTE001", user: "worker.one", now: () => NOW, style: makeStyle(false), recorder });
    expect(result.kind).toBe("recorded");
    // The second note on whereabouts was empty: removed.
    expect(recorder.inputs[0]!.notes).toEqual({ child_name: "Grandmother says mum calls him 'Al'" });
    expect(prompter.asked.filter((k) => k.startsWith("note:"))).toEqual(["note:child_name", "note:whereabouts", "note:whereabouts"]);
    // The question is asked again after its note.
    expect(prompter.events.filter((e) => e.key === "child_name")).toHaveLength(2);
    expect(prompter.unused()).toEqual([]);
  });

  it("the draft keeps the note as it is written (saved at once)", async () => {
    const prompter = new ScriptedPrompter({
      received_at: "2026-11-27T10:00",
      child_name: sequence(NOTE, "Alex Example"),
      "note:child_name": "Spelt 'Alix' on the school's list",
      age: "young",
      concerns: ["neglect"],
      contacts: 0,
      whereabouts: "safe",
      referrer: "family",
      note: null,
      review: "save",
    });
    const drafts = new MemoryDraftStore();
    const result = await conductInterview({
      rs,
      prompter,
      drafts,
      draftId: "DNOTE002",
      user: "worker.one",
      now: () => NOW,
      style: makeStyle(false),
      recorder: new FakeRecorder(),
    });
    expect(result.kind).toBe("saved");
    const state = parseDraftState((await drafts.getDraft("DNOTE002"))!.state)!;
    expect(state.flow.notes).toEqual({ child_name: "Spelt 'Alix' on the school's list" });
  });
});
