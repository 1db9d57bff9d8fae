/**
 * Notes on answers through the spawned binary: an answers file's `notes:` map (beside `answers:`, or
 * at the top of a plain map) is recorded with the decision as `answer_notes`, kept exact in `--json`,
 * shown under its answer in `log show` with hostile text inert; notes on unanswered or unknown
 * questions, or over the free-text limit, are refused (exit 2) naming the place in the file.
 * `resume REF --answers` takes notes the same way. Fixtures are fictional.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { Answer, Decision } from "../../src/rules/types.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

const box = sandbox();
const { dir, env } = box;
afterAll(() => box.cleanup());

const NOW = "2026-03-12T10:45";
const M1 = (parse(readFileSync(repoPath("fixtures/referrals/03-m1-bruise-on-3-month-old-health-visitor.yaml"), "utf8")) as { answers: Record<string, Answer> })
  .answers;
const db = join(dir, "notes.db");
const run = (args: string[], now = NOW) => runCli(["--db", db, "--now", now, ...args], { env });
let n = 0;
const write = (data: unknown, yaml = false): string => {
  const file = join(dir, `notes-${++n}.${yaml ? "yaml" : "json"}`);
  writeFileSync(file, yaml ? stringify(data) : JSON.stringify(data));
  return file;
};

const HOSTILE = "Mum said \u001b[2J\u001b[31m'it was the bouncer'\u0007 — \u202eevil";

describe("notes on answers (answers files)", () => {
  let ref = "";

  it("a fixture-style file's notes: map is recorded exact with the decision and shown under its answer, inert", () => {
    const r = run([
      "new",
      "--answers",
      write({ answers: M1, notes: { injury_explanation: HOSTILE, child_name: "  Grandmother spells it Noa  " } }, true),
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Decision;
    ref = d.ref!;
    expect(d.answer_notes).toEqual({ child_name: "Grandmother spells it Noa", injury_explanation: HOSTILE.trim() });
    const shown = JSON.parse(run(["log", "show", ref, "--json"]).stdout) as Decision & {
      case: { sections: { answers: { id: string; note?: string }[] }[] };
    };
    expect(shown.answer_notes).toEqual(d.answer_notes);
    const explanation = shown.case.sections.flatMap((s) => s.answers).find((a) => a.id === "injury_explanation")!;
    expect(explanation.note).toBe(HOSTILE);
    const human = run(["log", "show", ref, "--no-pager"]);
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    // Under its answer, the control sequences shown as text (\e, \a, \u202e), never acted on.
    expect(human.stdout.replace(/\s+/g, " ")).toContain(
      "What explanation has been given for the injury? — The carer's account, not verified note: Mum said \\e[2J\\e[31m'it was the bouncer'\\a — \\u202eevil",
    );
    expect(human.stdout).toMatch(/note: Grandmother spells it Noa/);
  });

  it("a plain map takes a top-level notes: map too", () => {
    const r = run(["new", "--answers", write({ ...M1, notes: { referrer_type: "Called from her car outside the clinic" } }), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Decision).answer_notes).toEqual({ referrer_type: "Called from her car outside the clinic" });
  });

  it("refuses a note on a question not answered or not a question, or over the free-text limit (exit 2, placed in the file)", () => {
    const { injury_sites: _sites, ...noSites } = M1;
    const unanswered = run(["new", "--answers", write({ answers: { ...noSites, injury_sites: "unknown" }, notes: { gestation_weeks: "not pregnant" } }, true)]);
    expect(unanswered.code).toBe(2);
    expect(unanswered.stderr).toMatch(
      /notes-\d+\.yaml:\d+:\d+: a note on "gestation_weeks", which is not answered \(or not asked\) for this referral \(at notes\.gestation_weeks\)/,
    );
    const typo = run(["new", "--answers", write({ answers: M1, notes: { child_nme: "x" } }, true)]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean "child_name"?');
    const long = run(["new", "--answers", write({ answers: M1, notes: { child_name: "x".repeat(20_001) } }, true)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("over the limit of 20000 characters for free text");
    expect(run(["log", "list", "--json"]).stdout).not.toContain("child_nme");
  });

  it("resume REF --answers takes notes on the answers given then", () => {
    const given: Record<string, Answer> = {};
    const rest: Record<string, Answer> = {};
    let before = true;
    for (const [id, a] of Object.entries(M1)) {
      (before || id === "proposed_closure_reason" || id === "worker_rationale" ? given : rest)[id] = a;
      if (id === "injury_reported") before = false;
    }
    const made = run(["new", "--answers", write(given), "--finish-later", "--json"]);
    expect(made.code, made.stderr).toBe(0);
    const urgent = (JSON.parse(made.stdout) as Decision).ref!;
    const bad = run(["resume", urgent, "--answers", write({ ...rest, notes: { child_name: "a note on an answer given before" } })], "2026-03-12T11:30");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a note on "child_name", which is not answered');
    const done = run(["resume", urgent, "--answers", write({ ...rest, notes: { injury_sites: "Only the cheek, the HV said" } }), "--json"], "2026-03-12T11:30");
    expect(done.code, done.stderr).toBe(0);
    expect((JSON.parse(done.stdout) as { body: { answer_notes: unknown } }).body.answer_notes).toEqual({ injury_sites: "Only the cheek, the HV said" });
    expect(run(["log", "show", urgent, "--no-pager"]).stdout.replace(/\s+/g, " ")).toMatch(
      /Where on the body is the injury\? \(choose all that apply\) — Cheek \(answered after the decision, #\d+\) note: Only the cheek, the HV said/,
    );
  });
});
