import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { openLog } from "../../src/log/open.js";
import { collect } from "../log/helpers.js";
import { evaluate } from "../../src/rules/evaluate.js";
import type { Answer } from "../../src/rules/types.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const box = sandbox();
afterAll(() => box.cleanup());
const cli = (args: string[]) => runCli(args, { env: box.env });
const json = (args: string[]) => {
  const r = cli([...args, "--json"]);
  if ((r.code !== 0 && r.code !== 1) || !r.stdout.trim()) throw new Error(`triage ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return { code: r.code, data: JSON.parse(r.stdout) };
};

const SHIPPED = repoPath("rules/default.yaml");
const SHIPPED_TEXT = readFileSync(SHIPPED, "utf8");
const E1_AT_2 = "  repeat_referrals_assessment:\n    value: 2\n";
const RAISED = join(box.dir, "raised.yaml");
const NO_GP = join(box.dir, "no-gp.yaml");
const REORDERED = join(box.dir, "reordered.yaml");
const LOG = join(box.dir, "log.db");
const NO_FIXTURES = join(box.dir, "no-fixtures");

/** The shipped rules written differently: lists and keys reversed, comments gone. */
function reordered(): string {
  const data = YAML.parse(SHIPPED_TEXT) as Record<string, unknown>;
  const reverseKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
  for (const list of ["rules", "guards", "steps", "checks", "closure_reasons", "invariants"])
    data[list] = (data[list] as Record<string, unknown>[]).map(reverseKeys).reverse();
  return `# reordered copy\n${YAML.stringify(reverseKeys(data), { lineWidth: 0 })}`;
}

// The log, built with `triage new --answers` from fixture 16 (a GP worried about a 12-year-old's
// emotional harm; E11 and EM2 give early help, E1 assessment). By hand, under the shipped rules
// (E1 at contacts_last_12m or history.referrals_in_window ≥ 2, M13 at ≥ 4) and with E1 raised to 3:
//   ref  child  contacts  log history  shipped                  raised
//   1    A      0         0            early_help               early_help
//   2    B      1         0            early_help               early_help
//   3    C      2         0            s17_assessment (E1)      early_help        ↓
//   4    D      3         0            s17_assessment (E1)      s17_assessment
//   5    E      4         0            strategy (M13)           strategy
//   6    F      0         0            early_help               early_help
//   7    F      0         1 (ref 6)    early_help               early_help
//   8    F      0         2 (6, 7)     s17_assessment (E1)      early_help        ↓
// All received on working days in office hours (Europe/London; not 3 or 6 April 2026, bank holidays):
// out of hours, the OOH rules would hold s17_assessment whatever E1 says.
const base = (
  YAML.parse(readFileSync(repoPath("fixtures/referrals/16-repeat-two-earlier-contacts-assessment.yaml"), "utf8")) as { answers: Record<string, unknown> }
).answers;
const PLAN: { child: string; dob: string; contacts: number; received: string; outcome: string }[] = [
  { child: "Ava Testcase", dob: "2013-01-11", contacts: 0, received: "2026-04-14T10:00", outcome: "early_help" },
  { child: "Ben Testcase", dob: "2013-02-12", contacts: 1, received: "2026-04-15T10:00", outcome: "early_help" },
  { child: "Cal Testcase", dob: "2013-03-13", contacts: 2, received: "2026-04-16T10:00", outcome: "s17_assessment" },
  { child: "Dan Testcase", dob: "2013-04-14", contacts: 3, received: "2026-04-17T10:00", outcome: "s17_assessment" },
  { child: "Eve Testcase", dob: "2013-05-15", contacts: 4, received: "2026-04-20T10:00", outcome: "strategy_discussion_s47" },
  { child: "Fay Testcase", dob: "2013-06-16", contacts: 0, received: "2026-01-12T10:00", outcome: "early_help" },
  { child: "Fay Testcase", dob: "2013-06-16", contacts: 0, received: "2026-02-10T10:00", outcome: "early_help" },
  { child: "Fay Testcase", dob: "2013-06-16", contacts: 0, received: "2026-03-10T10:00", outcome: "s17_assessment" },
];
const refs: string[] = [];

beforeAll(() => {
  expect(SHIPPED_TEXT).toContain(E1_AT_2);
  writeFileSync(RAISED, SHIPPED_TEXT.replace(E1_AT_2, "  repeat_referrals_assessment:\n    value: 3\n"));
  writeFileSync(NO_GP, SHIPPED_TEXT.replace('      - { value: gp, label: "GP" }\n', ""));
  writeFileSync(REORDERED, reordered());
  mkdirSync(NO_FIXTURES);
  PLAN.forEach((p, i) => {
    const file = join(box.dir, `answers-${i + 1}.json`);
    writeFileSync(file, JSON.stringify({ ...base, child_name: p.child, child_dob: p.dob, contacts_last_12m: p.contacts, received_at: p.received }));
    const r = cli(["--db", LOG, "--now", p.received.replace("T10:00", "T10:30"), "new", "--answers", file, "--json"]);
    if (r.code !== 0) throw new Error(r.stderr);
    const d = JSON.parse(r.stdout) as { ref: string; computed_outcome: { id: string }; history: { referrals_in_window: number } };
    expect(d.computed_outcome.id, `case ${i + 1}`).toBe(p.outcome);
    refs.push(d.ref);
  });
  expect(refs).toEqual([
    "TRG-2026-000001",
    "TRG-2026-000002",
    "TRG-2026-000003",
    "TRG-2026-000004",
    "TRG-2026-000005",
    "TRG-2026-000006",
    "TRG-2026-000007",
    "TRG-2026-000008",
  ]);
}, 120_000);

describe("triage rules diff", () => {
  it("a threshold change moves exactly the logged cases computed by hand", () => {
    const { code, data } = json(["--db", LOG, "rules", "diff", SHIPPED, RAISED, "--fixtures", NO_FIXTURES]);
    expect(code).toBe(0);
    expect(data).toMatchObject({ replayed: 8, logged: 8, fixtures: 0, changed: 2, up: 0, down: 2, unchanged: 6, detail_changed: 0, not_replayable: 0 });
    expect(data.cases.map((c: { ref: string; from: string; to: string }) => [c.ref, c.from, c.to])).toEqual([
      ["TRG-2026-000003", "s17_assessment", "early_help"],
      ["TRG-2026-000008", "s17_assessment", "early_help"],
    ]);
    expect(data.cases[0].reason).toMatch(/^E1_repeat_referral no longer fires \(contacts_last_12m 2 < repeat_referrals_assessment 3\)/);
    expect(data.cases[1].reason).toMatch(/^E1_repeat_referral no longer fires \(history\.referrals_in_window 2 < repeat_referrals_assessment 3\)/);
    // E1: refs 3, 4, 5, 8 → 4, 5. EM2_early_help_plan (outcome is early help): 1, 2, 6, 7 → also 3, 8.
    expect(data.rules).toEqual([
      { id: "E1_repeat_referral", old: 4, new: 2, started: 0, stopped: 2 },
      { id: "EM2_early_help_plan", old: 4, new: 6, started: 2, stopped: 0 },
    ]);
    expect(data.changes.thresholds).toMatchObject([{ name: "repeat_referrals_assessment", from: 2, to: 3 }]);
  });

  it("text: what changed, the table, the changed cases with their reasons", () => {
    const r = cli(["--db", LOG, "rules", "diff", SHIPPED, RAISED, "--fixtures", NO_FIXTURES]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/repeat_referrals_assessment\s+2 → 3/);
    expect(r.stdout).toContain("used by rule E1_repeat_referral");
    expect(r.stdout).toContain("8 cases replayed: 2 outcomes change (0 up, 2 down), 6 unchanged");
    // Row s17_assessment: refs 3 and 8 go to early_help (L2), ref 4 stays (L3).
    expect(r.stdout).toMatch(/L3 s17_assessment\s+·\s+2\s+1\s+·\s+·/);
    expect(r.stdout).toContain("↓ TRG-2026-000003  s17_assessment → early_help");
    expect(r.stdout).toMatch(/E1_repeat_referral no longer fires \(contacts_last_12m 2 <\s+repeat_referrals_assessment 3\)/);
    expect(r.stdout).toContain("2 cases would get a LOWER outcome");
  });

  it("--fail-on-lower exits 1 when an outcome goes down, 0 when none does", () => {
    expect(cli(["--db", LOG, "rules", "diff", SHIPPED, RAISED, "--fixtures", NO_FIXTURES, "--fail-on-lower"]).code).toBe(1);
    const up = cli(["--db", LOG, "rules", "diff", RAISED, SHIPPED, "--fixtures", NO_FIXTURES, "--fail-on-lower", "--json"]);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ changed: 2, up: 2, down: 0 });
  });

  it("--since keeps only referrals received on or after the date", () => {
    expect(json(["--db", LOG, "rules", "diff", SHIPPED, RAISED, "--fixtures", NO_FIXTURES, "--since", "2026-03-05"]).data).toMatchObject({
      logged: 6,
      changed: 2,
    });
    const later = json(["--db", LOG, "rules", "diff", SHIPPED, RAISED, "--fixtures", NO_FIXTURES, "--since", "2026-03-15"]).data;
    expect(later).toMatchObject({ logged: 5, changed: 1, log: { skipped_by_since: 3 } });
    expect(later.cases.map((c: { ref: string }) => c.ref)).toEqual(["TRG-2026-000003"]);
  });

  it("identical rule sets report no change", () => {
    const { data } = json(["--db", LOG, "rules", "diff", SHIPPED, SHIPPED, "--fixtures", NO_FIXTURES]);
    expect(data).toMatchObject({ identical: true, replayed: 8, changed: 0, up: 0, down: 0, detail_changed: 0, cases: [], rules: [] });
    expect(cli(["--db", LOG, "rules", "diff", SHIPPED, SHIPPED, "--fixtures", NO_FIXTURES]).stdout).toContain(
      "No change: both files have the same canonical content",
    );
  });

  it("a reordered but equivalent file: same canonical hash, no change", () => {
    const { data } = json(["--db", LOG, "rules", "diff", SHIPPED, REORDERED]);
    expect(data.new.sha256).toBe(data.old.sha256);
    expect(data).toMatchObject({ identical: true, changed: 0, detail_changed: 0, not_replayable: 0 });
    expect(data.replayed).toBe(8 + data.fixtures);
  });

  it("without a log, replays the fixtures only and says so (by hand: fixture 16 goes down, 08 and 12 keep strategy)", () => {
    const r = cli(["--db", join(box.dir, "no-such.db"), "rules", "diff", SHIPPED, RAISED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("replayed fixtures only");
    expect(existsSync(join(box.dir, "no-such.db"))).toBe(false);
    const { data } = json(["--db", join(box.dir, "no-such.db"), "rules", "diff", SHIPPED, RAISED]);
    expect(data.log.found).toBe(false);
    expect(data.logged).toBe(0);
    // Fixtures where E1 fires at 2 but not 3: 08 and 12 (history 2, strategy by other rules) and 16 (contacts 2).
    expect(data.cases.map((c: { ref: string }) => c.ref)).toEqual(["16-repeat-two-earlier-contacts-assessment.yaml"]);
    expect(data.cases[0]).toMatchObject({ from: "s17_assessment", to: "early_help" });
    expect(data.detail_cases.map((c: { ref: string }) => c.ref)).toEqual([
      "08-arthur-like-3-school-hears-from-grandmother.yaml",
      "12-star-like-3-father-photos-of-cheek-bruise.yaml",
    ]);
  });

  it("a logged answer that is no longer an option: cannot replay under NEW, counted apart", () => {
    const r = cli(["--db", LOG, "rules", "diff", SHIPPED, NO_GP, "--fixtures", NO_FIXTURES]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain(
      '8 cases (TRG-2026-000001, TRG-2026-000002, TRG-2026-000003, TRG-2026-000004, TRG-2026-000005, TRG-2026-000006, TRG-2026-000007, TRG-2026-000008): cannot replay under NEW: question "referrer_type": "gp" is not an option',
    );
    const { data } = json(["--db", LOG, "rules", "diff", SHIPPED, NO_GP, "--fixtures", NO_FIXTURES]);
    expect(data).toMatchObject({ replayed: 0, not_replayable: 8, changed: 0 });
    expect(data.changes.options).toEqual([{ question: "referrer_type", added: [], removed: ["gp"] }]);
  });
});

describe("triage rules explain --ref", () => {
  it("reproduces every decision of the log byte for byte (same record hash, same chain hash)", () => {
    for (const ref of refs) {
      const { code, data } = json(["--db", LOG, "rules", "explain", "--ref", ref]);
      expect(code, ref).toBe(0);
      expect(data.reproduction, ref).toMatchObject({ exact: true, differences: [], entry: { matches: true } });
      expect(data.reproduction.record_sha256).toBe(data.reproduction.stored_sha256);
      expect(data.ref).toBe(ref);
    }
    const text = cli(["--db", LOG, "rules", "explain", "--ref", refs[2]!]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/TRG-2026-000003 reproduced exactly, sha256 [0-9a-f]{64}/);
  });

  it("--rules: the same case under another rule set, side by side", () => {
    const { data } = json(["--db", LOG, "rules", "explain", "--ref", "TRG-2026-000003", "--rules", RAISED]);
    expect(data.reproduction.exact).toBe(true);
    expect(data.compare).toMatchObject({
      outcome: { from: "s17_assessment", to: "early_help", direction: "down" },
      fired_removed: ["E1_repeat_referral"],
      fired_added: ["EM2_early_help_plan"],
    });
    expect(data.compare.steps_removed).toEqual(expect.arrayContaining(["chronology", "allocate_assessment"]));
    const text = cli(["--db", LOG, "rules", "explain", "--ref", "TRG-2026-000003", "--rules", RAISED]);
    expect(text.stdout).toMatch(/outcome\s+s17_assessment \(level 3\)\s+early_help \(level 2\)\s+↓ LOWER/);
    expect(text.stdout).toContain("fired rules added: EM2_early_help_plan; removed: E1_repeat_referral");
  });

  it("a record that the rules do not give is reported with its differences, exit 1", async () => {
    // Written straight through the store (a CLI never records this): the outcome was edited.
    const rs = compileFile("rules/default.yaml");
    const tampered = join(box.dir, "tampered.db");
    const store = openLog(tampered);
    const answers = { ...base, child_name: "Gus Testcase", child_dob: "2013-07-17", contacts_last_12m: 2, received_at: "2026-04-14T10:00:00+01:00" } as Record<
      string,
      Answer
    >;
    const d = evaluate(rs, { answers, now: "2026-04-14T10:30:00+01:00" });
    const ref = await store.recordDecision(
      { ...d, computed_outcome: { id: "early_help", level: 2, label: "Early help" }, decided_by: "w" },
      { actor: "w", ruleSetContent: rs.content },
    );
    await store.close();
    const r = cli(["--db", tampered, "rules", "explain", "--ref", ref]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${ref} is NOT reproduced exactly`);
    expect(r.stdout).toContain('computed_outcome.id: stored "early_help", reproduced "s17_assessment"');
    const { code, data } = json(["--db", tampered, "rules", "explain", "--ref", ref]);
    expect(code).toBe(1);
    expect(data.reproduction).toMatchObject({ exact: false, entry: { matches: false } });
    expect(data.reproduction.differences).toEqual([
      'computed_outcome.id: stored "early_help", reproduced "s17_assessment"',
      'computed_outcome.label: stored "Early help", reproduced "Child and family assessment (s17)"',
      "computed_outcome.level: stored 2, reproduced 3",
    ]);
  });

  it("an unknown reference is a usage error", () => {
    const r = cli(["--db", LOG, "rules", "explain", "--ref", "TRG-2026-999999"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("there is no referral TRG-2026-999999");
  });

  it("reproduces every decision of the demo log", async () => {
    const demo = join(box.dir, "demo.db");
    const built = cli(["--db", demo, "demo"]);
    expect(built.code, built.stderr).toBe(0);
    const store = openLog(demo, { readonly: true });
    const demoRefs = (await collect(store.allEvents())).filter((e) => e.kind === "decision").map((e) => e.ref!);
    await store.close();
    expect(demoRefs.length).toBeGreaterThan(20);
    for (const ref of demoRefs) {
      const { code, data } = json(["--db", demo, "rules", "explain", "--ref", ref]);
      expect(code, ref).toBe(0);
      expect(data.reproduction, ref).toMatchObject({ exact: true, differences: [], entry: { matches: true } });
    }
  }, 300_000);
});

describe("triage rules thresholds", () => {
  it("--json lists every threshold of the shipped set with what uses it", () => {
    const { code, data } = json(["rules", "thresholds"]);
    expect(code).toBe(0);
    const thresholds = (YAML.parse(SHIPPED_TEXT) as { thresholds: Record<string, { value: number; unit: string; allowed: { min: number; max: number } }> })
      .thresholds;
    expect(data.map((t: { name: string }) => t.name)).toEqual(Object.keys(thresholds));
    for (const t of data) {
      expect(t).toMatchObject({ value: thresholds[t.name]!.value, unit: thresholds[t.name]!.unit, allowed: thresholds[t.name]!.allowed });
      expect(t.rationale.length).toBeGreaterThan(10);
    }
    const byName = new Map(data.map((t: { name: string }) => [t.name, t]));
    // By hand from rules/default.yaml: M13 compares with repeat_referrals_strategy; E3 with
    // distinct_referrers_escalation; only strategy_discussion_s47's see_child_by uses cp_see_child_hours.
    expect(byName.get("repeat_referrals_strategy")).toMatchObject({ used_by: [{ kind: "rule", id: "M13_repeat_pattern", where: "when" }] });
    expect(byName.get("distinct_referrers_escalation")).toMatchObject({
      used_by: [
        { kind: "rule", id: "E3_several_referrers", where: "when" },
        { kind: "rule", id: "E6_neglect_pattern", where: "when" },
      ],
    });
    expect(byName.get("cp_see_child_hours")).toMatchObject({
      used_by: [{ kind: "outcome", id: "strategy_discussion_s47", where: "response_times.see_child_by" }],
    });
  });

  it("text: a table with each rationale", () => {
    const r = cli(["rules", "thresholds", SHIPPED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/repeat_referrals_assessment\s+2\s+earlier referrals in the window\s+1–3\s+rule E1_repeat_referral/);
    expect(r.stdout).toContain("start-again syndrome");
  });
});
