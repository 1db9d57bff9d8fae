/**
 * The guided interview in a real pseudo-terminal: the built binary runs inside a detached tmux
 * session (its own server socket, so parallel runs never meet), driven with `send-keys` and read
 * with `capture-pane`. Every wait polls the pane with a deadline; nothing sleeps a fixed time.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openLog } from "../../src/log/open.js";
import type { Decision } from "../../src/rules/types.js";
import { IN_CI } from "../helpers/ci.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { approveInLog } from "../helpers/governance.js";
import { repoPath } from "../helpers/rules.js";
import { HAVE_TMUX, Pane as TmuxPane, type PaneOptions } from "../helpers/tmux.js";

// Outside CI a machine without tmux skips these; under CI=true they run and fail, never vanish.
if (!HAVE_TMUX && !IN_CI) console.warn("test/interview/pty.test.ts: skipping the pseudo-terminal tests: tmux is not installed (apt-get install tmux)");

const MINIMAL = "fixtures/rulesets/minimal.yaml";
const NOW = "2026-11-27T10:30";

const box = sandbox();
const { dir, env } = box;
afterAll(() => box.cleanup());

const panes: TmuxPane[] = [];
const Pane = {
  start(triageArgs: string[], options?: PaneOptions): TmuxPane {
    const pane = TmuxPane.start(triageArgs, env, options);
    panes.push(pane);
    return pane;
  },
};

afterEach(() => {
  for (const pane of panes.splice(0)) pane.kill();
});

let counter = 0;

/** The dry-run decision for an answers file, as `triage new --answers … --json` gives it. */
function viaAnswersFile(answers: Record<string, unknown>): Decision {
  const file = join(dir, `answers-${++counter}.json`);
  writeFileSync(file, JSON.stringify(answers));
  const r = runCli(["--rules", MINIMAL, "--now", NOW, "new", "--answers", file, "--dry-run", "--json"], { env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Decision;
}

const SAME = ["rule_set", "received_at", "computed_outcome", "hard_floor", "deadlines", "fired", "steps", "guards", "flags", "unknowns", "answers"] as const;

beforeAll(() => {
  // The global setup builds dist/ (skipped only with TRIAGE_TEST_NO_BUILD=1, after building yourself).
  expect(existsSync(repoPath("dist/cli/interview-session.js")), "build first: npm run build").toBe(true);
});

describe.skipIf(!HAVE_TMUX && !IN_CI)("the guided interview in a real terminal (tmux)", () => {
  it("has tmux to drive the terminal", () => {
    expect(HAVE_TMUX, "tmux is not installed (apt-get install tmux); CI must have it").toBe(true);
  });

  it("a whole referral: back, a change on review, an escalation with a reason, recorded as --answers would decide it", async () => {
    const db = join(dir, "whole.db");
    await approveInLog(db, repoPath(MINIMAL)); // the test rule set records only once approved on the log
    const t = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "new"]);

    await t.waitFor("? When was the referral received? 2026-11-27 10:30"); // defaults to now
    expect(t.text()).toContain("Contact — section 1 of 5 · question 1 of about 8");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.type("Alex Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    expect(t.text()).toContain("No earlier referrals about this child in the log.");
    t.keys("Enter"); // baby
    await t.waitFor("? Concerns");
    t.keys("Space", "Down", "Space", "Enter"); // injury, neglect
    await t.waitFor("? Record the decision now?"); // a baby's injury: a hard floor at strategy discussion
    t.keys("Enter"); // Carry on with the questions
    await t.waitFor("? Was the injury seen by a professional?");
    t.keys("Down", "Down", "Down", "Enter"); // ← Back
    await t.waitFor(/\? Concerns\n(?:.*\n)*?.*◉ injury\n.*◉ neglect/);
    t.keys("Enter");
    await t.waitFor("? Was the injury seen by a professional?");
    t.keys("Down", "Enter"); // not seen
    await t.waitFor("? Contacts in the last 12 months");
    t.type("1");
    t.keys("Enter");
    await t.waitFor("? Where is the child?");
    t.keys("Enter"); // safe
    await t.waitFor("? Who referred?");
    t.keys("Enter"); // family
    await t.waitFor("? Notes");
    t.keys("Enter"); // left blank

    await t.waitFor("? Check the answers. What next?");
    expect(t.text()).toMatch(/Review: the answers so far[\s\S]*Concerns — injury, neglect[\s\S]*Contacts in the last 12 months — 1/);
    t.keys("Down", "Enter"); // Change an answer…
    await t.waitFor("? Which answer do you want to change?");
    for (let i = 0; i < 7; i++) t.keys("Down");
    await t.waitFor("❯ History · Contacts in the last 12 months — 1");
    t.keys("Enter");
    await t.waitFor("? Contacts in the last 12 months 1"); // pre-filled
    t.keys("BSpace");
    t.type("3");
    t.keys("Enter");
    await t.waitFor("? Check the answers. What next?");
    t.keys("Enter"); // Submit

    await t.waitFor("? What do you want to do with this outcome?");
    const card = t.text();
    expect(card).toMatch(/STRATEGY DISCUSSION\s+level 4 of 5 · hard floor\nWhy \(a hard floor: no one at the front door may go below it\): Injury to a baby/);
    expect(card).not.toContain("R1_baby_injury"); // labels, not ids
    // The first screen sits right above the question: outcome, Act now and deadlines.
    expect(t.tail(30)).toMatch(/STRATEGY DISCUSSION[\s\S]*Act now[\s\S]*Deadlines[\s\S]*What do you want to do with this outcome/);
    expect(card).toMatch(/A lower outcome cannot be proposed: hard floor Strategy discussion/);
    t.keys("Down", "Enter"); // Escalate
    await t.waitFor("? Escalate to which outcome?");
    t.keys("Enter"); // Immediate protection
    await t.waitFor("? Why escalate?");
    t.type("The father is due home tonight.");
    t.keys("Enter");
    await t.waitFor("? What is life like for this child? (your analysis)");
    t.type("Alex is six weeks old; grandmother visits daily and saw the marks.");
    t.keys("Enter");

    const done = await t.waitFor(/Recorded as (TRG-2026-\d{6}) \(outcome: [^)]+\) in (\S+)\n\[exit 0\]/);
    const ref = done[1]!;
    expect(done[2]).toBe(db);

    const expected = viaAnswersFile({
      received_at: "2026-11-27T10:30",
      child_name: "Alex Example",
      age: "baby",
      concerns: ["injury", "neglect"],
      injury_seen: "not_seen",
      contacts: 3,
      whereabouts: "safe",
      referrer: "family",
    });
    const store = openLog(db, { readonly: true });
    try {
      const recorded = (await store.getDecision(ref))!;
      for (const key of SAME) expect(recorded[key], key).toEqual(expected[key]);
      const override = (await store.eventsFor(ref)).find((e) => e.kind === "override");
      expect(override?.body).toMatchObject({ to: "protect", direction: "up", reason: "The father is due home tonight." });
      expect(await store.listDrafts()).toEqual([]); // the draft goes when the decision is recorded
    } finally {
      await store.close();
    }
  });

  it("Ctrl-C half-way keeps the draft; `triage resume` lists it and finishes it with the same answers", async () => {
    const db = join(dir, "resume.db");
    await approveInLog(db, repoPath(MINIMAL)); // the test rule set records only once approved on the log
    const t = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "new"]);
    await t.waitFor("? When was the referral received?");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.type("Sam Sample");
    t.keys("Enter");
    await t.waitFor("? Age band");
    t.keys("Down", "Enter"); // young
    await t.waitFor("? Concerns");
    t.keys("C-c");
    // triage is not on this PATH: the message names the command that works here.
    const stopped = await t.waitFor(/Draft (D[A-Z0-9]+) saved; continue with: node bin\/triage resume (D[A-Z0-9]+)\n\[exit 130\]/);
    const id = stopped[1]!;
    expect(stopped[2]).toBe(id);

    const list = runCli(["--rules", MINIMAL, "--db", db, "--now", NOW, "resume"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id} +worker\\.one +Fri 27 Nov 2026 10:30 +Sam Sample +3 of 8 answered`));
    const json = JSON.parse(runCli(["--rules", MINIMAL, "--db", db, "--json", "resume"], { env }).stdout) as { id: string; answered: number; child: string }[];
    expect(json).toMatchObject([{ id, answered: 3, child: "Sam Sample", stage: "questions" }]);

    t.kill();
    const r = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "resume", id]);
    await r.waitFor("? Concerns");
    expect(r.text()).toContain(`Continuing draft ${id} (Sam Sample), started by worker.one`);
    expect(r.text()).not.toContain("? Age band"); // answered before the interruption
    r.keys("Down", "Space", "Enter"); // neglect
    await r.waitFor("? Contacts in the last 12 months");
    r.type("0");
    r.keys("Enter");
    await r.waitFor("? Where is the child?");
    r.keys("Enter");
    await r.waitFor("? Who referred?");
    r.keys("Down", "Enter"); // professional
    await r.waitFor("? Notes");
    r.type("Called from the school office.");
    r.keys("Enter");
    await r.waitFor("? Check the answers. What next?");
    expect(r.text()).toMatch(/Child's name — Sam Sample[\s\S]*Age band — young/);
    r.keys("Enter");
    await r.waitFor("? What do you want to do with this outcome?");
    r.keys("Enter"); // accept
    await r.waitFor("? What is life like for this child?");
    r.type("Sam is four and at nursery most days.");
    r.keys("Enter");
    const done = await r.waitFor(/Recorded as (TRG-2026-\d{6})[^\n]*\n\[exit 0\]/);

    const expected = viaAnswersFile({
      received_at: "2026-11-27T10:30",
      child_name: "Sam Sample",
      age: "young",
      concerns: ["neglect"],
      contacts: 0,
      whereabouts: "safe",
      referrer: "professional",
      note: "Called from the school office.",
    });
    const store = openLog(db, { readonly: true });
    try {
      const recorded = (await store.getDecision(done[1]!))!;
      for (const key of SAME) expect(recorded[key], key).toEqual(expected[key]);
    } finally {
      await store.close();
    }
    expect(runCli(["--rules", MINIMAL, "--db", db, "resume"], { env }).stdout).toContain("No unfinished interviews");
  });

  it("Esc on a typed answer goes back; a dry run records nothing and Ctrl-C says so", async () => {
    const db = join(dir, "dry.db");
    const t = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "new", "--dry-run"]);
    await t.waitFor("? When was the referral received?");
    expect(t.text()).toContain("Dry run: nothing will be recorded or saved.");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.keys("Escape");
    await t.waitFor("? When was the referral received? 2026-11-27 10:30"); // back, pre-filled
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.keys("C-c");
    await t.waitFor(/Interrupted \(dry run: nothing was saved\)\n\[exit 130\]/);
    expect(existsSync(db)).toBe(false);
  });
});

describe.skipIf(!HAVE_TMUX && !IN_CI)("keys that keep up with a phone call (tmux, 80×24)", () => {
  const small = { width: 80, height: 24 };

  it("Esc goes back on a list (select and checkbox), as on typed answers", async () => {
    await approveInLog(join(dir, "esc.db"), repoPath(MINIMAL));
    const t = Pane.start(["--rules", MINIMAL, "--db", join(dir, "esc.db"), "--now", NOW, "new"], small);
    await t.waitFor("? When was the referral received?");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.type("Esc Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    t.keys("Escape"); // a select: back to the name
    await t.waitFor(/\? Child's name Esc Example/);
    t.keys("Enter");
    await t.waitFor("? Age band");
    t.keys("Enter");
    await t.waitFor("? Concerns");
    t.keys("Space", "Escape"); // a checkbox, with a box ticked: back, never "Choose at least one"
    await t.waitFor(/\? Age band/);
    expect(t.text()).not.toContain("Choose at least one");
  });

  it("a pre-filled value is replaced by what is typed; Enter keeps it", async () => {
    await approveInLog(join(dir, "prefill.db"), repoPath(MINIMAL));
    const t = Pane.start(["--rules", MINIMAL, "--db", join(dir, "prefill.db"), "--now", NOW, "new"], small);
    await t.waitFor("? When was the referral received? 2026-11-27 10:30");
    t.type("2026-11-26 18:40");
    await t.waitFor(/\? When was the referral received\? 2026-11-26 18:40\n/);
    expect(t.text()).not.toContain("10:302026");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    expect(t.text()).toContain("✔ When was the referral received: 2026-11-26 18:40");
    t.type("Kept Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    t.keys("Escape");
    await t.waitFor("? Child's name Kept Example");
    t.keys("Enter"); // Enter keeps the pre-filled name
    await t.waitFor("? Age band");
    expect(t.screen()).toMatch(/✔ Child's name: Kept Example\n/);
  });

  it("each answered question collapses to one line and its help goes; progress counts sections over the whole rule set", async () => {
    await approveInLog(join(dir, "collapse.db"), repoPath(MINIMAL));
    const t = Pane.start(["--rules", MINIMAL, "--db", join(dir, "collapse.db"), "--now", NOW, "new"], small);
    await t.waitFor("? When was the referral received?");
    expect(t.text()).toContain("Contact — section 1 of 5 · question 1 of about 8");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.type("Line Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    expect(t.text()).toContain("Child — section 2 of 5 · question 3 of about 8");
    t.keys("Enter");
    await t.waitFor("? Concerns");
    t.keys("Space", "Enter"); // injury reveals a question: the total moves, the section count does not
    await t.waitFor("? Record the decision now?"); // a baby's injury: a hard floor at strategy discussion
    t.keys("Enter"); // Carry on with the questions
    await t.waitFor("? Was the injury seen by a professional?");
    expect(t.text()).toContain("Concern — section 3 of 5 · question 5 of about 9");
    const screen = t.screen();
    // Answered questions: one line each, no progress line or help left behind.
    expect(screen).toMatch(/✔ When was the referral received: 2026-11-27 10:30\n✔ Child's name: Line Example\n/);
    expect(screen).toMatch(/✔ Age band: baby\n✔ Concerns: injury\n/);
    expect(screen.match(/section \d of 5/g)).toHaveLength(1);
    expect(screen.match(/No earlier referrals about this child/g)).toHaveLength(1);
  });

  it("help is shown while a question is asked, wrapped at word boundaries, and goes once it is answered (shipped rules)", async () => {
    const t = Pane.start(["--db", join(dir, "help.db"), "--now", NOW, "new"], small);
    await t.waitFor("? What is the child's name?");
    const asking = t.screen();
    expect(asking).toContain("As the referrer gives it;");
    // Every line of the help fits the 80 columns and ends at a word boundary (no word cut by the terminal).
    for (const line of asking.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    const words = "As the referrer gives it; add other spellings or nicknames in the rationale".split(" ");
    const flat = asking.replace(/\s+/g, " ");
    for (const w of words) expect(flat).toContain(` ${w}`);
    t.type("Help Example");
    t.keys("Enter");
    await t.waitFor("? Child's date of birth");
    expect(t.screen()).toContain("✔ What is the child's name: Help Example");
    expect(t.screen()).not.toContain("As the referrer gives it");
  });

  it("colour only with meaning: the help's body is not dim; NO_COLOR gives no colour at all", async () => {
    const coloured = Pane.start(["--db", join(dir, "colour.db"), "--now", NOW, "new"], { ...small, prefix: "env -u NO_COLOR FORCE_COLOR=1" });
    await coloured.waitFor("? What is the child's name?");
    const withEscapes = coloured.tmux("capture-pane", "-p", "-e", "-t", "t");
    const helpLine = withEscapes.split("\n").find((l) => l.includes("As the referrer gives it"))!;
    expect(helpLine).toBeDefined();
    expect(helpLine).not.toContain("\u001b[2m"); // dim
    expect(withEscapes).toContain("\u001b[1m"); // the question is bold
    const plain = Pane.start(["--db", join(dir, "nocolour.db"), "--now", NOW, "new"], small); // the sandbox sets NO_COLOR=1
    await plain.waitFor("? What is the child's name?");
    expect(plain.tmux("capture-pane", "-p", "-e", "-t", "t")).not.toMatch(/\u001b\[[0-9;]*m/);
  });
});

describe.skipIf(!HAVE_TMUX && !IN_CI)("a note per answer (tmux)", () => {
  it("Tab at a question asks for a note, then the question again; the note is recorded with the answer and shown in log show", async () => {
    const db = join(dir, "notes.db");
    await approveInLog(db, repoPath(MINIMAL));
    const t = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "new"], { width: 80, height: 24 });
    await t.waitFor("? When was the referral received?");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    expect(t.tail()).toContain("Tab: add a note");
    t.keys("Tab");
    await t.waitFor(`? Note on "Child's name"`);
    t.type("Nan calls him Al; school has him as Alfie");
    t.keys("Enter");
    await t.waitFor(/\? Child's name\s*\n(?:.*\n)*?.*Tab: change the note/);
    t.type("Alfie Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    expect(t.screen()).toMatch(/✔ Child's name: Alfie Example\n +note: Nan calls him Al; school has him as Alfie\n/);
    t.keys("Down", "Enter"); // young
    await t.waitFor("? Concerns");
    t.keys("Down", "Space", "Enter"); // neglect
    await t.waitFor("? Contacts in the last 12 months");
    t.type("0");
    t.keys("Enter");
    await t.waitFor("? Where is the child?");
    t.keys("Enter");
    await t.waitFor("? Who referred?");
    t.keys("Enter");
    await t.waitFor("? Notes");
    t.keys("Enter");
    await t.waitFor("? Check the answers. What next?");
    expect(t.text()).toMatch(/Child's name — Alfie Example\n +note: Nan calls him Al; school has him as Alfie/);
    t.keys("Enter");
    await t.waitFor("? What do you want to do with this outcome?");
    t.keys("Enter");
    await t.waitFor("? What is life like for this child?");
    t.type("Alfie is three; nan worries about the house.");
    t.keys("Enter");
    const done = await t.waitFor(/Recorded as (TRG-2026-\d{6})[^\n]*\n\[exit 0\]/);
    const shown = JSON.parse(runCli(["--db", db, "log", "show", done[1]!, "--json"], { env }).stdout) as Decision;
    expect(shown.answer_notes).toEqual({ child_name: "Nan calls him Al; school has him as Alfie" });
  });
});

describe.skipIf(!HAVE_TMUX && !IN_CI)("urgent calls first (tmux)", () => {
  it("records at once when the answers hold a hard floor, with the rest 'not known' and a step to finish them; resume REF asks only those and records a follow-up", async () => {
    const db = join(dir, "urgent.db");
    await approveInLog(db, repoPath(MINIMAL));
    const t = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "new"], { width: 80, height: 24 });
    await t.waitFor("? When was the referral received?");
    t.keys("Enter");
    await t.waitFor("? Child's name");
    t.type("Urgent Example");
    t.keys("Enter");
    await t.waitFor("? Age band");
    t.keys("Enter"); // baby
    await t.waitFor("? Concerns");
    t.keys("Space", "Enter"); // injury
    await t.waitFor("? Record the decision now?");
    expect(t.text().replace(/\s+/g, " ")).toContain("Urgent: the answers so far already hold a hard floor at Strategy discussion (Injury to a baby).");
    t.keys("Down", "Enter"); // Record the decision now, finish the rest after
    await t.waitFor("? What do you want to do with this outcome?");
    // The rest counted as the worst case: where the child is not known lifts it to protection; finishing is due in Act now.
    const first = t.tail(24);
    expect(first).toMatch(/IMMEDIATE PROTECTION\s+level 5 of 5 · hard floor/);
    expect(first).toMatch(/Act now[\s\S]*Fri 12:30 +Finish the interview: 5 questions were left for later/);
    expect(t.text()).not.toContain("? Was the injury seen by a professional?");
    t.keys("Enter"); // accept
    await t.waitFor("? What is life like for this child? (your analysis)");
    t.type("Alex has a bruise; grandmother on the phone, child's whereabouts not yet known.");
    t.keys("Enter");
    const done = await t.waitFor(
      /Recorded as (TRG-2026-\d{6}) \(outcome: Immediate protection\)[^\n]*\n5 question\(s\) left for later, due by Fri 27 Nov 2026 12:30: finish them with node bin\/triage resume (TRG-2026-\d{6})\n\[exit 0\]/,
    );
    const ref = done[1]!;
    expect(done[2]).toBe(ref);

    const shown = JSON.parse(runCli(["--db", db, "--now", NOW, "log", "show", ref, "--json"], { env }).stdout) as Decision & {
      state: { overdue: { id: string }[] };
    };
    expect(shown.left_for_later).toEqual(["injury_seen", "contacts", "whereabouts", "referrer", "note"]);
    expect(shown.answers).toMatchObject({ age: "baby", concerns: ["injury"], injury_seen: "unknown", whereabouts: "unknown" });
    expect(shown.steps.find((x) => x.id === "finish_the_interview")).toMatchObject({ due_by: "2026-11-27T12:30:00+00:00" });
    // Past its due time and not done, the step is overdue.
    const late = JSON.parse(runCli(["--db", db, "--now", "2026-11-27T13:00", "log", "show", ref, "--json"], { env }).stdout) as typeof shown;
    expect(late.state.overdue.map((o) => o.id)).toContain("finish_the_interview");
    t.kill();

    const r = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "resume", ref], { width: 80, height: 24 });
    await r.waitFor("? Was the injury seen by a professional?");
    expect(r.text()).toContain(`Finishing ${ref}: 5 question(s) left for later`);
    expect(r.text()).not.toContain("? Age band"); // answered at the decision
    r.keys("Enter"); // seen
    await r.waitFor("? Contacts in the last 12 months");
    r.type("0");
    r.keys("Enter");
    await r.waitFor("? Where is the child?");
    r.keys("Enter"); // safe
    await r.waitFor("? Who referred?");
    r.keys("Enter"); // family
    await r.waitFor("? Notes");
    r.keys("Enter"); // blank
    await r.waitFor("? Record these answers?");
    // Lower now, but never silently: it says so and the outcome stays.
    expect(r.text().replace(/\s+/g, " ")).toContain(
      "With these answers the rules would now give Strategy discussion, lower than Immediate protection. The outcome stays Immediate protection",
    );
    r.keys("Enter");
    const recorded = await r.waitFor(
      /Recorded the answers left for later as entry #(\d+) about (TRG-2026-\d{6}); outcome stays Immediate protection\.\n\[exit 0\]/,
    );
    expect(recorded[2]).toBe(ref);

    const after = JSON.parse(runCli(["--db", db, "--now", "2026-11-27T13:00", "log", "show", ref, "--json"], { env }).stdout) as typeof shown & {
      entries: { seq: number; kind: string; body: Record<string, unknown> }[];
      outcome: { id: string };
    };
    const entry = after.entries.find((e) => e.kind === "answers_completed")!;
    expect(entry.seq).toBe(Number(recorded[1]));
    expect(entry.body).toMatchObject({
      answers: { injury_seen: "seen", contacts: 0, whereabouts: "safe", referrer: "family" },
      computed_outcome: { id: "strategy" },
      outcome_before: "protect",
      outcome_after: "protect",
      lower_not_applied: "strategy",
    });
    expect(after.outcome.id).toBe("protect");
    expect(after.state.overdue.map((o) => o.id)).not.toContain("finish_the_interview"); // the follow-up did the step
    const human = runCli(["--db", db, "--now", NOW, "log", "show", ref, "--no-pager"], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Where is the child\? — safe \(answered after the decision, #\d+\)/);
    expect(human.stdout.replace(/\s+/g, " ")).toContain(
      "the questions left for later answered (4 answers); outcome stays Immediate protection (the rules would now give Strategy discussion",
    );
    expect(human.stdout).not.toContain("answers_completed");
    expect(runCli(["--db", db, "log", "verify"], { env }).code).toBe(0);
    r.kill();
    // Once finished, there is nothing left for later.
    const again = Pane.start(["--rules", MINIMAL, "--db", db, "--now", NOW, "resume", ref]);
    await again.waitFor(/were answered by worker\.one[^\n]*\(entry #\d+\)[\s\S]*\[exit 2\]/);
  });
});

describe("without a terminal", () => {
  it("`triage new` without --answers fails at once with exit 2, and never waits for input", () => {
    const started = Date.now();
    const r = runCli(["--rules", MINIMAL, "--db", join(dir, "none.db"), "new"], { env, input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/triage new needs a terminal for the guided interview; without one, pass --answers FILE/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("`triage resume REF` (finishing an urgent call's questions) needs a terminal too (exit 2)", () => {
    const r = runCli(["--rules", MINIMAL, "--db", join(dir, "none.db"), "resume", "TRG-2026-000001"], { env, input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("triage resume needs a terminal");
  });

  it("`triage resume DRAFT` needs a terminal too (exit 2); the listing does not", () => {
    const r = runCli(["--rules", MINIMAL, "--db", join(dir, "none.db"), "resume", "DABCDEFG"], { env, input: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("needs a terminal");
    const list = runCli(["--rules", MINIMAL, "--db", join(dir, "none.db"), "resume"], { env, input: "" });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("No unfinished interviews");
  });
});
