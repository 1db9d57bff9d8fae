/**
 * Only approved rule sets decide (issue 12), through the spawned binary on a real SQLite log:
 * the neutered copy of the shipped rules cannot record or be approved but can dry-run; a proper
 * change records after it is proposed by one rules lead and approved by another.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { parse, parse as parseYaml, stringify } from "yaml";
import { evaluate } from "../../src/rules/evaluate.js";
import { openLog } from "../../src/log/open.js";
import type { RawRuleSet } from "../../src/rules/schema.js";
import type { Answer, Decision } from "../../src/rules/types.js";
import type { ApprovalBody } from "../../src/workflow/rule-approval.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const box = sandbox();
afterAll(() => box.cleanup());
const LOG = join(box.dir, "log.db");
const NOW = "2026-11-27T10:30";
const BRUISED_BABY = repoPath("fixtures/referrals/03-m1-bruise-on-3-month-old-health-visitor.yaml");
const SHIPPED_TEXT = readFileSync(repoPath("rules/default.yaml"), "utf8");

function edited(change: (d: RawRuleSet) => void): string {
  const d = parse(SHIPPED_TEXT) as RawRuleSet;
  change(d);
  return stringify(d);
}
const write = (name: string, text: string): string => {
  const file = join(box.dir, name);
  writeFileSync(file, text);
  return file;
};

/** The neutered copy: every floor advice_or_nfa, nothing hard, no invariants (same version). */
const NEUTERED = write(
  "neutered.yaml",
  edited((d) => {
    d.invariants = [];
    for (const r of d.rules) {
      if (r.floor) r.floor = "advice_or_nfa";
      if (r.hard) r.hard = false;
    }
  }),
);
/** The same, with its version bumped: refused for its lint, not its version. */
const NEUTERED_BUMPED = write(
  "neutered-bumped.yaml",
  edited((d) => {
    d.invariants = [];
    d.version = "1.9.0";
    for (const r of d.rules) {
      if (r.floor) r.floor = "advice_or_nfa";
      if (r.hard) r.hard = false;
    }
  }),
);
/** A proper change: a threshold within its allowed range, version bumped. */
const PROPER = write(
  "proper.yaml",
  edited((d) => {
    d.version = "1.1.1";
    d.thresholds.strategy_discussion_hours!.value = 3;
  }),
);
/** The proper change's content under the shipped version number. */
const UNBUMPED = write(
  "unbumped.yaml",
  edited((d) => {
    d.thresholds.strategy_discussion_hours!.value = 3;
  }),
);
writeFileSync(join(box.dir, "team.yaml"), "managers: [mia.manager]\nrules_leads: [rita.rules, raj.rules]\n");

const cli = (args: string[], user = "wendy.worker") => runCli(["--db", LOG, "--user", user, "--now", NOW, ...args], { env: box.env });

async function approvals(): Promise<ApprovalBody[]> {
  const store = openLog(LOG, { readonly: true });
  try {
    return (await store.eventsOfKind("rule_set_approved")).map((e) => e.body as ApprovalBody);
  } finally {
    await store.close();
  }
}

describe("only approved rule sets decide", () => {
  it("a new log approves the shipped rule set implicitly, as an entry, and records with it", async () => {
    const r = cli(["new", "--answers", BRUISED_BABY, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Decision;
    const [first] = await approvals();
    expect(first).toMatchObject({ id: "front-door-default", basis: "shipped", approved_by: "shipped with triage", sha256: d.rule_set.sha256 });
    expect(d.computed_outcome.id).toBe("strategy_discussion_s47");
  });

  it("the neutered file cannot record (exit 5, saying how to get it approved) but can dry-run", async () => {
    const r = cli(["--rules", NEUTERED, "new", "--answers", BRUISED_BABY]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/refused: rule set front-door-default 1\.1\.0 \(sha256 [0-9a-f]{12}\) from .*neutered\.yaml is not approved on the log/);
    // Named as the user can run it (triage on PATH, else node bin/triage: src/cli/invocation.ts).
    expect(r.stderr).toMatch(/`(?:node bin\/)?triage rules propose .*neutered\.yaml.*then `(?:node bin\/)?triage rules approve/);
    const dry = cli(["--rules", NEUTERED, "new", "--answers", BRUISED_BABY, "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as Decision).computed_outcome.level).toBeLessThan(4);
    // TRIAGE_RULES is the same as --rules.
    const env = runCli(["--db", LOG, "--now", NOW, "new", "--answers", BRUISED_BABY], { env: { ...box.env, TRIAGE_RULES: NEUTERED } });
    expect(env.code).toBe(5);
  });

  it("changed content under an approved version is refused: bump the version", async () => {
    const r = cli(["rules", "propose", UNBUMPED], "rita.rules");
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/front-door-default 1\.1\.0 was approved .* with different content .*bump `version:`/);
  });

  it("the neutered file, even with a new version, cannot be approved: its lint fails", async () => {
    expect(cli(["rules", "propose", NEUTERED_BUMPED], "rita.rules").code).toBe(0);
    const r = cli(["rules", "approve", NEUTERED_BUMPED], "raj.rules");
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/cannot be approved: .*rules lint failed: .*baseline_floor_photo_video_injury violated/);
    expect(await approvals()).toHaveLength(1);
    expect(cli(["--rules", NEUTERED_BUMPED, "new", "--answers", BRUISED_BABY]).code).toBe(5);
  }, 180_000);

  it("a proper change records after proposal by one rules lead and approval by another", async () => {
    const p = cli(["rules", "propose", PROPER, "--note", "strategy discussion within 3 hours"], "rita.rules");
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/Proposed front-door-default 1\.1\.1/);
    // Not before approval.
    expect(cli(["--rules", PROPER, "new", "--answers", BRUISED_BABY]).code).toBe(5);
    // Four eyes: not by the proposer; only a rules lead.
    const self = cli(["rules", "approve", PROPER], "rita.rules");
    expect(self.code).toBe(5);
    expect(self.stderr).toMatch(/rita\.rules proposed this rule set; another rules lead must approve it/);
    const manager = cli(["rules", "approve", PROPER], "mia.manager");
    expect(manager.code).toBe(5);
    expect(manager.stderr).toMatch(/mia\.manager is not listed under rules_leads: in the team file/);

    const a = cli(["--json", "rules", "approve", PROPER], "raj.rules");
    expect(a.code, a.stderr).toBe(0);
    const approved = (JSON.parse(a.stdout) as { approved: ApprovalBody }).approved;
    expect(approved).toMatchObject({ version: "1.1.1", basis: "four_eyes", approved_by: "raj.rules", proposed_by: "rita.rules" });
    expect(approved.test).toMatchObject({ ok: true, failed: 0, coverage_complete: true });
    expect(approved.lint).toMatchObject({ ok: true, samples: 100_000, violations: [], conflicts: [] });
    expect(approved.lint!.baseline_invariants).toBeGreaterThanOrEqual(17);
    expect(approved.diff).toMatchObject({ against: { version: "1.1.0" }, decisions: 1, down: 0 });
    expect(approved.diff!.changes).toContain("threshold strategy_discussion_hours: changed (4 → 3)");
    // The entry holds the canonical content, hashing to its sha256.
    const stored = (await approvals()).at(-1)!;
    expect(stored.content).toMatchObject({ id: "front-door-default", version: "1.1.1" });

    // In force: recording without --rules now uses it; with --rules it is accepted.
    const byDefault = cli(["new", "--answers", BRUISED_BABY, "--json"]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect((JSON.parse(byDefault.stdout) as Decision).rule_set).toMatchObject({ version: "1.1.1", sha256: approved.sha256 });
    const explicit = cli(["--rules", PROPER, "new", "--answers", BRUISED_BABY, "--json"]);
    expect(explicit.code, explicit.stderr).toBe(0);

    // Approving it again is refused: it is already in force.
    expect(cli(["rules", "approve", PROPER], "raj.rules").stderr).toMatch(/already the rule set in force/);
    expect(cli(["log", "verify"]).code).toBe(0);
  }, 180_000);

  it("rules history lists the approved sets with who approved them and their diffs", async () => {
    const r = cli(["rules", "history"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/front-door-default 1\.1\.1 sha256 [0-9a-f]{12} .* — in force/);
    expect(r.stdout).toMatch(/proposed by rita\.rules \(#\d+\), approved by raj\.rules/);
    expect(r.stdout).toMatch(/threshold strategy_discussion_hours: changed \(4 → 3\)/);
    expect(r.stdout).toMatch(/front-door-default 1\.1\.0 .*\n {2}approved implicitly: the rule set shipped with triage/);
    expect(r.stdout).toMatch(/Proposed, not yet approved\n {2}front-door-default 1\.9\.0/);
    const json = JSON.parse(cli(["--json", "rules", "history"]).stdout) as { approvals: { version: string }[]; current: { version: string } };
    expect(json.approvals.map((a) => a.version)).toEqual(["1.1.1", "1.1.0"]);
    expect(json.current.version).toBe("1.1.1");
  });

  it("log show names the rule set and its approval; log list --rules and stats break decisions down by rule set", async () => {
    const rows = JSON.parse(cli(["log", "list", "--rules", "1.1.1", "--json"]).stdout) as { ref: string; rule_set_sha256: string }[];
    expect(rows).toHaveLength(2);
    const [sha101] = new Set(rows.map((r) => r.rule_set_sha256));
    expect(sha101).toBe((await approvals()).at(-1)!.sha256);
    const first = JSON.parse(cli(["log", "list", "--rules", "1.1.0", "--json"]).stdout) as { ref: string }[];
    expect(first).toHaveLength(1);
    const shown = cli(["log", "show", rows[0]!.ref]);
    expect(shown.stdout).toMatch(/Rule set {2}front-door-default 1\.1\.1 \(sha256 [0-9a-f]{12}\): approved by raj\.rules on \S+ \(proposed by rita\.rules\)/);
    const json = JSON.parse(cli(["--json", "log", "show", first[0]!.ref]).stdout) as { rule_set_in_force: { version: string; approval: string } };
    expect(json.rule_set_in_force).toMatchObject({ version: "1.1.0", approval: expect.stringMatching(/^approved implicitly/) });
    // The global --rules FILE still works alongside.
    expect(cli(["--rules", PROPER, "log", "list", "--rules", "1.1.0"]).stdout).toContain(first[0]!.ref);
    const stats = cli(["stats"]).stdout;
    expect(stats).toMatch(
      /Decisions by rule set\n {2}front-door-default 1\.1\.0 sha256 [0-9a-f]{12}: 1 decision\(s\) — strategy_discussion_s47 1\n {4}approved implicitly/,
    );
    expect(stats).toMatch(/front-door-default 1\.1\.1 sha256 [0-9a-f]{12}: 2 decision\(s\) — strategy_discussion_s47 2\n {4}approved by raj\.rules/);
  });

  it("without a team file no one may approve", async () => {
    mkdirSync(join(box.dir, "other"));
    const other = join(box.dir, "other", "log.db");
    const r = runCli(["--db", other, "--user", "raj.rules", "--now", NOW, "rules", "approve", PROPER], { env: box.env });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/there is no team file \(looked at .*team\.yaml\); only a rules lead/);
  });
});

describe("a log made before approvals existed (schema 1)", () => {
  it("migrates and keeps working: earlier decisions show they were recorded before approvals existed", async () => {
    const old = join(box.dir, "old.db");
    // What an earlier triage wrote: decisions and their rule set, no approvals, schema version 1.
    const rs = compileFile("rules/default.yaml");
    const answers = parseYaml(readFileSync(BRUISED_BABY, "utf8")) as { answers: Record<string, Answer> };
    const store = openLog(old);
    const ref = await store.recordDecision(
      { ...evaluate(rs, { answers: answers.answers, now: "2026-03-12T11:00:00+00:00" }), decided_by: "wendy.worker" },
      { actor: "wendy.worker", ruleSetContent: rs.content },
    );
    await store.close();
    const raw = new Database(old);
    raw.exec("DROP INDEX events_unattached_by_kind");
    raw.unsafeMode(true);
    raw.pragma("writable_schema = ON");
    raw
      .prepare("UPDATE sqlite_schema SET sql = replace(sql, ?, '') WHERE type = 'table' AND name = 'events'")
      .run(",'rule_set_proposed','rule_set_approved','answers_completed'");
    raw.pragma("writable_schema = OFF");
    raw.pragma("user_version = 1");
    raw.close();

    const run = (args: string[]) => runCli(["--db", old, "--now", NOW, ...args], { env: box.env });
    // Read-only commands ask for the upgrade (open.ts); the next recording upgrades the file.
    expect(run(["log", "show", ref]).stderr).toMatch(/older schema \(1\).*\n.*run any command that records something/);
    // Recording migrates it, approves the shipped rule set implicitly and goes on.
    const next = run(["new", "--answers", BRUISED_BABY, "--json"]);
    expect(next.code, next.stderr).toBe(0);
    const nextRef = (JSON.parse(next.stdout) as Decision).ref!;
    const shown = run(["log", "show", ref]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Rule set {2}front-door-default 1\.1\.0 \(sha256 [0-9a-f]{12}\): recorded before approvals existed/);
    expect(run(["log", "show", nextRef]).stdout).toMatch(/approved implicitly \(the rule set shipped with triage\)/);
    const stats = JSON.parse(run(["--json", "stats"]).stdout) as { by_rule_set: { version: string; decisions: number; approval: string }[] };
    expect(stats.by_rule_set).toEqual([expect.objectContaining({ version: "1.1.0", decisions: 2, approval: "recorded before approvals existed" })]);
    expect(run(["log", "list", "--rules", "1.1.0", "--json"]).stdout).toContain(nextRef);
    expect(JSON.parse(run(["log", "list", "--rules", "1.1.1", "--json"]).stdout)).toEqual([]);
    expect(run(["log", "verify"]).code).toBe(0);
  });
});
