/**
 * `triage rules approve [FILE] [--fixtures DIR] [--samples N] [--seed N]`: approves a proposed
 * rule set on this log, making it the rule set in force. Refused (exit 5) unless the approver is a
 * rules lead (team file `rules_leads:`; on the server log, the triage_rules_lead role) other than the proposer, the version is new for changed
 * content, `rules test --strict` passes and `rules lint` (at least 100,000 samples) finds nothing.
 * The `rule_set_approved` entry holds the canonical content, the test and lint summaries and the
 * `rules diff` summary against the rule set in force, replayed over this log's decisions.
 */
import { join } from "node:path";
import { ExitCode, RefusedError, TriageError } from "../../errors.js";
import { compileRuleSet, type CompiledRuleSet } from "../../rules/compile.js";
import { diffRuleSets, Replay } from "../../rules/diff.js";
import { coverage, coverageComplete, runFixture } from "../../rules/fixtures.js";
import { formatInZone } from "../../rules/time.js";
import { approvalRefusals, checkRefusals, type ApprovalBody, type DiffSummary, type LintSummary, type TestSummary } from "../../workflow/rule-approval.js";
import { PACKAGE_ROOT, type Context } from "../context.js";
import { readFixtures } from "../fixture-files.js";
import { inert } from "../render/inert.js";
import { governanceFor } from "../governance.js";
import { isServerLog, openStore, storedRuleSet } from "../record.js";
import { loadValidRuleSet } from "../rules-loader.js";
import { replayLog } from "./rules-diff.js";
import { lintValid, wholeNumber } from "./rules-lint.js";
import { loadTeam, serverTeam } from "../team.js";

/** An approval's lint runs at least this many samples (issue 12; DESIGN: 100k in ≤ 10 s). */
export const APPROVAL_SAMPLES = 100_000;

function testSummary(rs: CompiledRuleSet, dir: string): TestSummary {
  const results = readFixtures(dir).map((f) => runFixture(rs, f));
  const failed = results.filter((r) => !r.ok && !r.todo).length;
  const todo = results.filter((r) => r.todo).length;
  const complete = coverageComplete(coverage(rs, results));
  const ran = results.length - todo;
  return { ok: ran > 0 && failed === 0 && complete, fixtures_dir: dir, passed: ran - failed, failed, todo, coverage_complete: complete };
}

function diffLines(structure: ReturnType<typeof diffRuleSets>): string[] {
  const lines = [...structure.settings];
  for (const t of structure.thresholds)
    lines.push(`threshold ${t.name}: ${t.change}${t.from !== undefined || t.to !== undefined ? ` (${t.from ?? "—"} → ${t.to ?? "—"})` : ""}`);
  for (const o of structure.options) lines.push(`options of ${(o as { question?: string }).question ?? "a question"} changed`);
  for (const [section, items] of Object.entries(structure.sections)) for (const i of items) lines.push(`${section} ${i.id}: ${i.change}`);
  return lines;
}

export async function run(ctx: Context, args: string[], options: { fixtures?: string; samples?: string; seed?: string }): Promise<void> {
  const file = args[0] ?? ctx.rulesPath;
  const samples = wholeNumber(options.samples, "--samples", APPROVAL_SAMPLES, 1);
  if (samples < APPROVAL_SAMPLES)
    throw new TriageError(`--samples: an approval's lint needs at least ${APPROVAL_SAMPLES.toLocaleString("en-GB")} samples`, ExitCode.Usage);
  const seed = wholeNumber(options.seed, "--seed", 1, Number.MIN_SAFE_INTEGER);
  const fixturesDir = options.fixtures ?? join(PACKAGE_ROOT, "fixtures", "referrals");
  const valid = await loadValidRuleSet(ctx, file);
  const rs = compileRuleSet(valid);
  const candidate = { id: rs.id, version: rs.version, sha256: rs.sha256 };
  const store = await openStore(ctx);
  try {
    const g = await governanceFor(ctx, store);
    // Who is a rules lead: the team file on a local log, the database's roles on the server log.
    const { team, lookedAt } = isServerLog(ctx) ? serverTeam(store) : await loadTeam(ctx);
    // The cheap refusals first: no one waits for a lint they may not use.
    const pre = approvalRefusals(g, candidate, ctx.user, team, lookedAt);
    if (pre.refusals.length > 0) throw new RefusedError(`refused: ${pre.refusals.join("; ")}`);
    const proposal = pre.proposal!;

    const test = testSummary(rs, fixturesDir);
    const report = await lintValid(valid, samples, seed);
    const lint: LintSummary = {
      ok: report.violations.length === 0 && report.conflicts.length === 0,
      samples: report.samples,
      seed: report.seed,
      baseline_invariants: report.baseline.length,
      own_invariants: report.invariants.length,
      violations: report.violations.map((v) => v.invariant.id),
      conflicts: report.conflicts.map((c) => c.id),
      warnings: report.warnings.length,
    };
    let diff: DiffSummary | null = null;
    const current = g.current!;
    const old = await storedRuleSet(store, current.sha256);
    const structure = diffRuleSets(old, rs);
    const replay = new Replay(old, rs, { structure });
    await replayLog(store, replay, undefined);
    const r = replay.report();
    diff = {
      against: { id: current.id, version: current.version, sha256: current.sha256 },
      decisions: r.logged,
      up: r.up,
      down: r.down,
      same: r.unchanged + r.same_level,
      changes: diffLines(structure),
    };
    const failed = checkRefusals(test, lint, APPROVAL_SAMPLES);
    if (failed.length > 0)
      throw new RefusedError(
        `refused: ${rs.id} ${rs.version} cannot be approved: ${failed.join("; ")}`,
        `see \`triage rules test --strict --rules ${file}\` and \`triage rules lint ${file} --samples ${APPROVAL_SAMPLES}\``,
      );

    const tz = rs.officeHours.time_zone;
    const at = formatInZone(ctx.now(tz), tz);
    const body: ApprovalBody = {
      ...candidate,
      content: JSON.parse(valid.content) as unknown,
      basis: "four_eyes",
      approved_by: ctx.user,
      proposed_by: proposal.proposed_by,
      proposal_seq: proposal.seq,
      previous: { id: current.id, version: current.version, sha256: current.sha256 },
      test,
      lint,
      diff,
    };
    const seq = await store.batch(async (tx) => {
      await tx.registerRuleSet({ ...candidate, content: valid.content }, { actor: ctx.user, at });
      return (await tx.append({ kind: "rule_set_approved", actor: ctx.user, at, body })).seq;
    });
    if (ctx.json) {
      const { content: _content, ...shown } = body;
      ctx.out(JSON.stringify({ approved: { ...shown, seq, at }, log: store.path }, null, 2));
      return;
    }
    ctx.out(
      inert(
        [
          `Approved ${rs.id} ${rs.version} (sha256 ${rs.sha256.slice(0, 12)}) as entry #${seq} of ${store.path}: it is now the rule set in force.`,
          `  proposed by ${proposal.proposed_by} (entry #${proposal.seq}), approved by ${ctx.user}`,
          `  rules test --strict: ${test.passed} passed, ${test.failed} failed, coverage complete`,
          `  rules lint: ${lint.samples.toLocaleString("en-GB")} samples, ${lint.baseline_invariants} baseline and ${lint.own_invariants} own invariant(s), no violation`,
          `  rules diff against ${current.id} ${current.version}: ${diff.decisions} logged decision(s) replayed — ${diff.up} up, ${diff.down} down, ${diff.same} same; ${diff.changes.length} change(s) to the rule set`,
          ...diff.changes.slice(0, 20).map((c) => `    ${c}`),
        ].join("\n"),
      ),
    );
  } finally {
    await store.close();
  }
}
