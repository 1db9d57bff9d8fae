/**
 * Current state of a referral, derived by replaying its log entries in order (event sourcing):
 * nothing is ever updated in place. Pure: entries in, state out.
 */
import type { Decision, GuardState, OutcomeRef } from "../rules/types.js";
import {
  FINISH_STEP,
  type AnswersCompletedBody,
  type CheckBody,
  type ClosureBody,
  type HistoryLinkBody,
  type OverrideBody,
  type ReviewBody,
  type Role,
} from "./events.js";

/** The parts of a log entry the derivation reads. */
export interface EntryLike {
  seq: number;
  kind: string;
  actor: string;
  at: string;
  body: unknown;
}

export interface RecordedCheck {
  seq: number;
  check: string;
  found: string;
  by: string;
  at: string;
  done_at: string;
}

export interface Approval {
  by: string;
  role: Role;
  at: string;
}

/**
 * pending: awaiting approvals; effective: approved (or an upward override); challenged: returned to
 * the worker by a manager; superseded: overtaken before it took effect — the outcome was raised
 * meanwhile (an upward override or an escalation), a manager escalated instead of agreeing, or the
 * referral was already closed.
 */
export type ProposalStatus = "pending" | "effective" | "challenged" | "superseded";

/** What a pending override or closure gathers as it is reviewed. */
interface Proposal {
  seq: number;
  by: string;
  at: string;
  status: ProposalStatus;
  approvals: Approval[];
  challenge?: { by: string; reason: string; at: string };
}

export interface OverrideState extends OverrideBody, Proposal {}

export interface ClosureState extends ClosureBody, Proposal {}

export interface ReviewState extends ReviewBody {
  seq: number;
  by: string;
  at: string;
}

export interface ReferralState {
  ref: string;
  decision: Decision;
  /** The outcome now: after effective overrides, escalations and closures. */
  outcome: OutcomeRef;
  checks: RecordedCheck[];
  /** Guards as they stand with the checks recorded since the decision. */
  guards: GuardState[];
  reviews: ReviewState[];
  overrides: OverrideState[];
  closure?: ClosureState;
  links: (HistoryLinkBody & { by: string; at: string })[];
  /** Follow-ups that answered the questions an urgent decision left for later (`triage resume REF`). */
  completions: (AnswersCompletedBody & { seq: number; by: string; at: string })[];
  /** A manager (not the decider) has agreed with or escalated the decision itself. */
  reviewed: boolean;
  /**
   * A manager's challenge (of the decision, or of a pending override or closure) has not yet been
   * answered: no check, override or closure by anyone since, and no later agreement or escalation of
   * the decision.
   */
  challenged: boolean;
  pending: boolean;
  closed: boolean;
}

/** Whether a reviewer of this role satisfies a required role (a senior manager may act as a manager). */
export function roleSatisfies(have: Role, need: Role): boolean {
  return have === need || (have === "senior_manager" && need === "manager");
}

/**
 * How many of the required roles distinct approvers fill. Only two roles exist and a manager can
 * never fill a senior manager's slot, so filling the senior slots first with senior managers and
 * the rest with whoever remains is a maximum matching.
 */
export function filledSlots(required: readonly Role[], approvals: readonly Approval[]): number {
  const people = new Map<string, Role>();
  for (const a of approvals) if (!people.has(a.by) || a.role === "senior_manager") people.set(a.by, a.role);
  const seniors = [...people.values()].filter((r) => r === "senior_manager").length;
  const others = people.size - seniors;
  const seniorSlots = required.filter((r) => r === "senior_manager").length;
  const managerSlots = required.length - seniorSlots;
  const seniorsUsed = Math.min(seniorSlots, seniors);
  return seniorsUsed + Math.min(managerSlots, others + (seniors - seniorsUsed));
}

/** Whether every required role is met by distinct approvers (a senior manager may fill a manager's slot). */
export function approvalsComplete(required: readonly Role[], approvals: readonly Approval[]): boolean {
  return filledSlots(required, approvals) >= required.length;
}

export function guardsWithChecks(guards: readonly GuardState[], recorded: ReadonlySet<string>): GuardState[] {
  return guards.map((g) => {
    if (g.status === "not_applicable") return g;
    const outstanding = g.outstanding.filter((c) => !recorded.has(c));
    const satisfied = [...g.satisfied, ...g.outstanding.filter((c) => recorded.has(c))];
    return { ...g, outstanding, satisfied, status: outstanding.length > 0 ? "holding" : "released" };
  });
}

/** Approvals an override needs when its entry does not say (entries written before approvals_required). */
const OVERRIDE_APPROVALS: readonly Role[] = ["manager"];

/**
 * Replays a referral's entries (any order; sorted by seq here) into its current state. Defensive:
 * the commands refuse what is not allowed, and the replay also ignores what could not have been
 * allowed — a downward override never takes effect without approvals, an agreement by the person
 * who proposed it or by the decider does not count, the same person counts once, and nothing
 * changes the outcome of a closed referral.
 */
export function deriveState(
  ref: string,
  decision: Decision,
  entries: readonly EntryLike[],
  outcomeOf: (id: string) => OutcomeRef,
  lowest: OutcomeRef,
): ReferralState {
  let outcome: OutcomeRef = decision.outcome;
  const checks: RecordedCheck[] = [];
  const reviews: ReviewState[] = [];
  const overrides: OverrideState[] = [];
  const links: ReferralState["links"] = [];
  const completions: ReferralState["completions"] = [];
  let closure: ClosureState | undefined;
  let closed = false;
  // A challenge (of the decision or of a proposal) is open until the worker answers it with a new
  // entry, or a manager later agrees with or escalates the decision.
  let challengeOpen = false;
  const decider = decision.decided_by;

  /** The outcome went up: proposals made against the old outcome can no longer take effect. */
  const supersedePending = (except?: number) => {
    for (const o of overrides) if (o.status === "pending" && o.seq !== except) o.status = "superseded";
    if (closure?.status === "pending" && closure.seq !== except) closure.status = "superseded";
  };
  const raiseTo = (id: string) => {
    const next = outcomeOf(id);
    if (next.level <= outcome.level) return false;
    outcome = next;
    return true;
  };

  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (e.kind === "check") {
      const b = e.body as CheckBody;
      checks.push({ seq: e.seq, check: b.check, found: b.found, by: e.actor, at: e.at, done_at: b.done_at });
      challengeOpen = false;
    } else if (e.kind === "override") {
      const b = e.body as OverrideBody;
      // A downgrade always waits for approval, whatever its `pending` says.
      const waits = b.direction === "down" || b.pending;
      const o: OverrideState = { ...b, seq: e.seq, by: e.actor, at: e.at, status: closed ? "superseded" : waits ? "pending" : "effective", approvals: [] };
      overrides.push(o);
      if (o.status === "effective" && raiseTo(b.to)) supersedePending(o.seq);
      challengeOpen = false;
    } else if (e.kind === "closure") {
      if (closed) continue;
      const b = e.body as ClosureBody;
      if (closure?.status === "pending") closure.status = "superseded";
      closure = { ...b, seq: e.seq, by: e.actor, at: e.at, status: "pending", approvals: [] };
      challengeOpen = false;
    } else if (e.kind === "answers_completed") {
      const b = e.body as AnswersCompletedBody;
      completions.push({ ...b, seq: e.seq, by: e.actor, at: e.at });
      // The follow-up is what the decision's finish step asks for: it counts as that step done. (A
      // rise in outcome is its own upward override entry, written with it.)
      const n = Object.keys(b.answers).length;
      checks.push({
        seq: e.seq,
        check: FINISH_STEP,
        found: `${n} answer${n === 1 ? "" : "s"} completed (entry #${e.seq})`,
        by: e.actor,
        at: e.at,
        done_at: e.at,
      });
      challengeOpen = false;
    } else if (e.kind === "history_link") {
      links.push({ ...(e.body as HistoryLinkBody), by: e.actor, at: e.at });
    } else if (e.kind === "review") {
      const b = e.body as ReviewBody;
      const r: ReviewState = { ...b, seq: e.seq, by: e.actor, at: e.at };
      reviews.push(r);
      if (decider !== undefined && e.actor === decider) continue;
      if (b.of === "decision") {
        if (b.action === "challenge") {
          if (!closed) challengeOpen = true;
          continue;
        }
        challengeOpen = false;
        if (b.action === "escalate" && b.to && !closed && raiseTo(b.to)) supersedePending();
        continue;
      }
      const target: OverrideState | ClosureState | undefined = overrides.find((o) => o.seq === b.of) ?? (closure?.seq === b.of ? closure : undefined);
      if (!target || target.status !== "pending" || target.by === e.actor) continue;
      if (b.action === "challenge") {
        target.status = "challenged";
        target.challenge = { by: e.actor, reason: b.reason ?? "", at: e.at };
        challengeOpen = true;
      } else if (b.action === "escalate") {
        target.status = "superseded";
        if (b.to && raiseTo(b.to)) supersedePending();
      } else if (b.action === "agree") {
        if (target.approvals.some((a) => a.by === e.actor)) continue;
        target.approvals.push({ by: e.actor, role: b.role, at: e.at });
        const isClosure = target === closure;
        const required: readonly Role[] = isClosure ? target.approvals_required : ((target as OverrideState).approvals_required ?? OVERRIDE_APPROVALS);
        if (!approvalsComplete(required, target.approvals)) continue;
        if (isClosure) {
          target.status = "effective";
          outcome = lowest;
          closed = true;
          supersedePending(target.seq);
        } else {
          const o = target as OverrideState;
          // A downgrade proposed against an outcome that has since changed cannot take effect.
          if (o.from !== outcome.id || outcomeOf(o.to).level >= outcome.level) {
            o.status = "superseded";
            continue;
          }
          o.status = "effective";
          outcome = outcomeOf(o.to);
          supersedePending(o.seq);
        }
      }
    }
  }

  const recorded = new Set(checks.map((c) => c.check));
  const pending = overrides.some((o) => o.status === "pending") || closure?.status === "pending";
  return {
    ref,
    decision,
    outcome,
    checks,
    guards: guardsWithChecks(decision.guards, recorded),
    reviews,
    overrides,
    ...(closure && { closure }),
    links,
    completions,
    reviewed: reviews.some((r) => r.of === "decision" && r.action !== "challenge" && r.by !== decider),
    challenged: challengeOpen && !closed,
    pending,
    closed,
  };
}

/** Steps and deadlines past due at `now` with nothing recorded for them (a step is recorded as a check of its id). */
export function overdue(state: ReferralState, now: Date): { id: string; due_by: string }[] {
  if (state.closed) return [];
  const recorded = new Set(state.checks.map((c) => c.check));
  const late = state.decision.steps
    .filter((s) => s.due_by !== undefined && Date.parse(s.due_by) < now.getTime() && !recorded.has(s.id))
    .map((s) => ({ id: s.id, due_by: s.due_by! }));
  const decideBy = state.decision.deadlines.decide_by;
  const holding = state.guards.some((g) => g.status === "holding");
  if (decideBy && holding && Date.parse(decideBy) < now.getTime()) late.push({ id: "guard_checks", due_by: decideBy });
  return late;
}
