/**
 * The baseline invariants built into `triage rules lint` (src/rules/lint/baseline.ts): proved for
 * every rule set whatever its own `invariants:` say, and not weakened by a same-name file invariant.
 * Broken copies of rules/default.yaml are linted by the spawned binary; every counter-example is
 * re-evaluated with the real evaluator to prove it really lowers the outcome.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { evaluate } from "../../src/rules/evaluate.js";
import { lintRuleSet, type LintReport } from "../../src/rules/lint.js";
import type { RawRuleSet } from "../../src/rules/schema.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { compileText, repoPath } from "../helpers/rules.js";

const DEFAULT_TEXT = readFileSync(repoPath("rules/default.yaml"), "utf8");
const FAMILY = ["parent_carer", "grandparent", "aunt_uncle_other_relative", "sibling", "family_friend", "ex_partner_other_parent"];

function edited(change: (doc: RawRuleSet) => void): string {
  const doc = parse(DEFAULT_TEXT) as RawRuleSet;
  change(doc);
  return stringify(doc);
}

/** Invariants deleted, and photo/video evidence from a family referrer no longer meets M3's hard floor. */
const FAMILY_LOWERS = edited((d) => {
  d.invariants = [];
  const m3 = d.rules.find((r) => r.id === "M3_photo_video_evidence")!;
  m3.when = { all: [m3.when, { q: "referrer_type", not_in: FAMILY }] };
});

/** The neutered copy of the issue: every floor advice_or_nfa, nothing hard, no invariants. */
export const NEUTERED = edited((d) => {
  d.invariants = [];
  for (const r of d.rules) {
    if (r.floor) r.floor = "advice_or_nfa";
    if (r.hard) r.hard = false;
  }
});

const dir = mkdtempSync(join(tmpdir(), "triage-baseline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

type JsonReport = LintReport & { ok: boolean };

describe("baseline invariants", () => {
  it("hold for the shipped rule set, each checked, listed apart from the file's own", () => {
    const report = lintRuleSet(compileText(DEFAULT_TEXT, "rules/default.yaml"), { samples: 3000 });
    expect(report.violations.map((v) => `${v.invariant.id}: ${v.message}`)).toEqual([]);
    expect(report.conflicts).toEqual([]);
    expect(report.baseline.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        "baseline_referrer_type_never_lowers",
        "baseline_referrer_context_never_lowers",
        "baseline_unknown_not_lower",
        "baseline_younger_child_not_lower",
        "baseline_non_mobile_not_lower",
        "baseline_injury_not_lower",
        "baseline_disclosure_not_lower",
        "baseline_immediate_danger_not_lower",
        "baseline_hidden_adult_not_lower",
        "baseline_violence_history_not_lower",
        "baseline_no_access_not_lower",
        "baseline_floor_non_mobile_baby_injury",
        "baseline_floor_photo_video_injury",
        "baseline_floor_disclosure",
        "baseline_floor_immediate_danger",
        "baseline_out_of_hours_provisional",
        "baseline_closure_guarded",
      ]),
    );
    for (const inv of report.baseline) {
      expect(inv.origin).toBe("baseline");
      expect(inv.checked, inv.id).toBeGreaterThan(0);
    }
    expect(report.invariants.every((i) => i.origin === "file")).toBe(true);
    expect(report.invariants.map((i) => i.id)).toContain("A1_referrer_type_never_lowers");
  });

  it("a file with its invariants deleted that lets a family referrer lower a floor fails (exit 1), naming the baseline invariant and a counter-example", () => {
    const file = write("family-lowers.yaml", FAMILY_LOWERS);
    const env = sandbox();
    try {
      const text = runCli(["rules", "lint", file, "--samples", "10000"], { env: env.env });
      expect(text.code, text.stderr).toBe(1);
      expect(text.stdout).toMatch(/✗ baseline invariant baseline_referrer_type_never_lowers \(never_lower\)/);
      expect(text.stdout).toMatch(
        /referrer_type = (parent_carer|grandparent|aunt_uncle_other_relative|sibling|family_friend|ex_partner_other_parent) gives \w+ \(level \d\), lower than referrer_type = police/,
      );
      expect(text.stdout).toMatch(/smallest counter-example/);
      expect(text.stdout).toMatch(/none declared \(the baseline above still applies/);

      const json = runCli(["--json", "rules", "lint", file, "--samples", "10000"], { env: env.env });
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as JsonReport;
      expect(report.ok).toBe(false);
      expect(report.invariants).toEqual([]);
      const v = report.violations.find((x) => x.invariant.id === "baseline_referrer_type_never_lowers")!;
      expect(v.invariant.origin).toBe("baseline");
      // The counter-example really lowers the outcome: evaluate both sides again.
      const rs = compileText(FAMILY_LOWERS);
      const [police, family] = v.counterexample.sides.map((s) => evaluate(rs, { answers: s.decision.answers, now: v.counterexample.now }));
      expect(v.counterexample.sides[0]!.changed).toEqual({ question: "referrer_type", answer: "police" });
      expect(FAMILY).toContain(v.counterexample.sides[1]!.changed!.answer);
      expect(family!.computed_outcome.level).toBeLessThan(police!.computed_outcome.level);
      // Shrunk: the counter-example differs from the plain answer set in few answers.
      expect(Object.keys(v.counterexample.differs_from_baseline).length).toBeLessThanOrEqual(6);
      // The national photo/video floor is broken too.
      expect(report.violations.map((x) => x.invariant.id)).toContain("baseline_floor_photo_video_injury");
    } finally {
      env.cleanup();
    }
  }, 180_000);

  it("a file invariant with a baseline name but a weaker property is an error; one as strong is not", () => {
    const weaker = write(
      "weaker.yaml",
      edited((d) => {
        d.invariants.push({
          id: "baseline_referrer_type_never_lowers",
          kind: "never_lower",
          description: "Looks like the baseline but compares grandparents only",
          question: "referrer_type",
          baseline: "police",
          variants: ["grandparent"],
        });
      }),
    );
    const env = sandbox();
    try {
      const r = runCli(["rules", "lint", weaker, "--samples", "500"], { env: env.env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        /✗ baseline_referrer_type_never_lowers: invariant baseline_referrer_type_never_lowers takes the name of a baseline invariant but is weaker: it leaves out child_self, parent_carer/,
      );
      expect(r.stdout).toMatch(/rules lint: FAILED/);
      const json = JSON.parse(runCli(["--json", "rules", "lint", weaker, "--samples", "500"], { env: env.env }).stdout) as JsonReport;
      expect(json.conflicts.map((c) => c.id)).toEqual(["baseline_referrer_type_never_lowers"]);

      const otherKind = write(
        "other-kind.yaml",
        edited((d) => void d.invariants.push({ id: "baseline_floor_disclosure", kind: "deterministic", description: "Same name, another property" })),
      );
      const o = runCli(["rules", "lint", otherKind, "--samples", "500"], { env: env.env });
      expect(o.code).toBe(1);
      expect(o.stdout).toMatch(/baseline_floor_disclosure takes the name of a baseline invariant but is weaker: a rule file cannot state this property/);
    } finally {
      env.cleanup();
    }
    const asStrong = compileText(
      edited((d) => {
        d.invariants.push({
          id: "baseline_referrer_type_never_lowers",
          kind: "never_lower",
          description: "The baseline's property, stated in the file",
          question: "referrer_type",
          baseline: "police",
          variants: ["child_self", ...FAMILY, "neighbour_public", "anonymous"],
        });
      }),
    );
    const report = lintRuleSet(asStrong, { samples: 500 });
    expect(report.conflicts).toEqual([]);
    expect(report.invariants.filter((i) => i.id === "baseline_referrer_type_never_lowers")).toHaveLength(1);
    expect(report.baseline.filter((i) => i.id === "baseline_referrer_type_never_lowers")).toHaveLength(1);
  }, 120_000);

  it("the neutered file fails the national floors", () => {
    const report = lintRuleSet(compileText(NEUTERED), { samples: 3000 });
    const failed = report.violations.map((v) => v.invariant.id);
    expect(failed).toEqual(expect.arrayContaining(["baseline_floor_photo_video_injury", "baseline_floor_immediate_danger", "baseline_floor_disclosure"]));
    const v = report.violations.find((x) => x.invariant.id === "baseline_floor_photo_video_injury")!;
    expect(v.message).toMatch(/the national floor strategy_discussion_s47 applies, but the outcome is/);
    expect(v.counterexample.sides[0]!.decision.answers.injury_reported).toBe("yes_photo_video");
  });

  it("a guard that no longer requires police checks on every adult breaks the closure invariant", () => {
    const report = lintRuleSet(
      compileText(
        edited((d) => {
          const g = d.guards.find((x) => x.id === "G1_never_presumed_malicious")!;
          g.requires_checks = g.requires_checks.filter((c) => c !== "police_checks_all_adults");
          d.closure_reasons.find((c) => c.id === "referral_considered_malicious")!.approval = "manager";
        }),
      ),
      { samples: 300 },
    );
    const v = report.violations.find((x) => x.invariant.id === "baseline_closure_guarded")!;
    expect(v.message).toMatch(/does not require police checks on every adult/);
    expect(v.message).toMatch(/referral_considered_malicious does not need a senior manager's approval/);
  });
});
