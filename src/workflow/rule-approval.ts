/**
 * Rule-set governance, the pure core: which rule sets are approved on a log, which one is in force,
 * and whether a proposed approval may be made (docs/rule-format.md "The life of a rule change").
 *
 * Only an approved rule set decides. A change is proposed (`rule_set_proposed`) and approved
 * (`rule_set_approved`) by a different person who is a rules lead: four eyes on every rule change.
 * The latest approval on the log is the rule set in force. The shipped rule set is approved
 * implicitly when a log first needs one (basis "shipped"), so the record says which rule set was in
 * force from the start. Decisions recorded before a log had any approval were "recorded before
 * approvals existed".
 *
 * Plain data in, plain data out; the shell (src/cli/governance.ts) reads the log, runs the checks
 * and appends the entries.
 */
import type { Team } from "./actions.js";

export interface RuleSetIdentity {
  id: string;
  version: string;
  sha256: string;
}

/** `rules test --strict` as recorded with an approval. */
export interface TestSummary {
  ok: boolean;
  fixtures_dir: string;
  passed: number;
  failed: number;
  todo: number;
  coverage_complete: boolean;
}

/** `rules lint` as recorded with an approval. */
export interface LintSummary {
  ok: boolean;
  samples: number;
  seed: number;
  baseline_invariants: number;
  own_invariants: number;
  violations: string[];
  conflicts: string[];
  warnings: number;
}

/** `rules diff` against the rule set in force, replayed over this log's decisions. */
export interface DiffSummary {
  against: RuleSetIdentity;
  decisions: number;
  up: number;
  down: number;
  same: number;
  /** What changed in the rule set itself, one line each. */
  changes: string[];
}

export interface ProposalBody extends RuleSetIdentity {
  proposed_by: string;
  note?: string;
}

export type ApprovalBasis = "four_eyes" | "shipped";

export interface ApprovalBody extends RuleSetIdentity {
  /** The canonical content (JSON) whose SHA-256 is `sha256`. */
  content: unknown;
  basis: ApprovalBasis;
  approved_by: string;
  /** The proposal this approves (four eyes); null for the shipped rule set. */
  proposed_by: string | null;
  proposal_seq: number | null;
  /** The rule set this replaces as the one in force; null for the first. */
  previous: RuleSetIdentity | null;
  test: TestSummary | null;
  lint: LintSummary | null;
  diff: DiffSummary | null;
}

/** What the governance core needs of a log entry. */
export interface GovernanceEntry {
  seq: number;
  at: string;
  actor: string;
  body: unknown;
}

export interface Proposal extends ProposalBody {
  seq: number;
  at: string;
}

export interface Approval extends Omit<ApprovalBody, "content"> {
  seq: number;
  at: string;
}

export interface Governance {
  proposals: Proposal[];
  /** Every approval, oldest first; the last is the rule set in force. */
  approvals: Approval[];
  current: Approval | undefined;
  /** The first approval's entry number: decisions before it were recorded before approvals existed. */
  firstApprovalSeq: number | undefined;
}

export function governance(proposals: readonly GovernanceEntry[], approvals: readonly GovernanceEntry[]): Governance {
  const p = proposals.map((e) => ({ ...(e.body as ProposalBody), seq: e.seq, at: e.at }));
  const a = approvals.map((e) => {
    const { content: _content, ...rest } = e.body as ApprovalBody;
    return { ...rest, seq: e.seq, at: e.at };
  });
  return { proposals: p, approvals: a, current: a.at(-1), firstApprovalSeq: a[0]?.seq };
}

/** The approval a decision was made under: the latest approval of its rule set at or before it. */
export function approvalOf(g: Governance, sha256: string, decisionSeq: number): Approval | "before_approvals" | undefined {
  if (g.firstApprovalSeq === undefined || decisionSeq < g.firstApprovalSeq) return "before_approvals";
  let found: Approval | undefined;
  for (const a of g.approvals) if (a.sha256 === sha256 && a.seq < decisionSeq) found = a;
  return found;
}

export function isApproved(g: Governance, sha256: string): boolean {
  return g.approvals.some((a) => a.sha256 === sha256);
}

const isRulesLead = (team: Team | undefined, name: string): boolean => (team?.rules_leads ?? []).includes(name);

/** Why this rule set may not be proposed (an empty list: it may). */
export function proposalRefusals(g: Governance, candidate: RuleSetIdentity): string[] {
  const out: string[] = [];
  if (g.current?.sha256 === candidate.sha256) out.push(`${candidate.id} ${candidate.version} is already the rule set in force on this log`);
  out.push(...versionRefusals(g, candidate));
  return out;
}

function versionRefusals(g: Governance, candidate: RuleSetIdentity): string[] {
  const clash = g.approvals.find((a) => a.id === candidate.id && a.version === candidate.version && a.sha256 !== candidate.sha256);
  return clash
    ? [
        `${candidate.id} ${candidate.version} was approved on ${clash.at} with different content (sha256 ${clash.sha256.slice(0, 12)}); a changed rule set needs a new version: bump \`version:\``,
      ]
    : [];
}

/**
 * Why `approver` may not approve this rule set now (an empty list: they may), before the tests and
 * lint run. The proposal approved is the latest proposal of exactly this content.
 */
export function approvalRefusals(
  g: Governance,
  candidate: RuleSetIdentity,
  approver: string,
  team: Team | undefined,
  teamLookedAt: string,
): { refusals: string[]; proposal: Proposal | undefined } {
  const refusals: string[] = [];
  if (!team) refusals.push(`there is no team file (looked at ${teamLookedAt}); only a rules lead listed under rules_leads: may approve a rule set`);
  else if (!isRulesLead(team, approver))
    refusals.push(`${approver} is not listed under rules_leads: in the team file ${team.source}; only a rules lead may approve a rule set`);
  if (g.current?.sha256 === candidate.sha256) refusals.push(`${candidate.id} ${candidate.version} is already the rule set in force on this log`);
  refusals.push(...versionRefusals(g, candidate));
  const proposal = [...g.proposals].reverse().find((p) => p.sha256 === candidate.sha256);
  if (!proposal)
    refusals.push(
      `${candidate.id} ${candidate.version} (sha256 ${candidate.sha256.slice(0, 12)}) has not been proposed on this log: \`triage rules propose FILE\` first`,
    );
  else if (proposal.proposed_by === approver)
    refusals.push(`${approver} proposed this rule set; another rules lead must approve it (four eyes on every rule change)`);
  return { refusals, proposal };
}

/** Why the checks recorded with an approval do not allow it (an empty list: they do). */
export function checkRefusals(test: TestSummary, lint: LintSummary, minSamples: number): string[] {
  const out: string[] = [];
  if (!test.ok)
    out.push(
      `rules test --strict failed: ${test.failed} fixture(s) failed${test.coverage_complete ? "" : ", coverage incomplete"} (fixtures: ${test.fixtures_dir})`,
    );
  if (lint.samples < minSamples) out.push(`rules lint ran ${lint.samples} samples; an approval needs at least ${minSamples}`);
  if (!lint.ok) out.push(`rules lint failed: ${[...lint.violations.map((v) => `${v} violated`), ...lint.conflicts.map((c) => `${c} weakened`)].join(", ")}`);
  return out;
}

/** How to get a rule file approved on this log, for the refusal to record with it. */
export function howToApprove(file: string): string {
  return (
    `to record with it, get it approved on this log: \`triage rules propose ${file}\` (the author), then \`triage rules approve ${file}\` ` +
    `(another rules lead); \`--dry-run\` and every \`rules …\` command accept any file`
  );
}

/** How a decision's rule set came to be in force, in a sentence. */
export function describeApproval(a: Approval | "before_approvals" | undefined): string {
  if (a === "before_approvals") return "recorded before approvals existed";
  if (!a) return "NOT approved on this log";
  if (a.basis === "shipped") return `approved implicitly (the rule set shipped with triage) on ${a.at}`;
  return `approved by ${a.approved_by} on ${a.at} (proposed by ${a.proposed_by ?? "—"})`;
}

export interface RuleSetTally extends RuleSetIdentity {
  decisions: number;
  /** Decisions by outcome recorded at decision time. */
  outcomes: Record<string, number>;
  /** How the rule set came to be in force for the first of these decisions. */
  approval: string;
}

/** Decisions broken down by the rule set they were made under, in order of first use. */
export function byRuleSet(decisions: readonly { seq: number; rule_set: RuleSetIdentity; outcome: string }[], g: Governance): RuleSetTally[] {
  const out = new Map<string, RuleSetTally>();
  for (const d of decisions) {
    let t = out.get(d.rule_set.sha256);
    if (!t) {
      t = { ...d.rule_set, decisions: 0, outcomes: {}, approval: describeApproval(approvalOf(g, d.rule_set.sha256, d.seq)) };
      out.set(d.rule_set.sha256, t);
    }
    t.decisions++;
    t.outcomes[d.outcome] = (t.outcomes[d.outcome] ?? 0) + 1;
  }
  return [...out.values()];
}
