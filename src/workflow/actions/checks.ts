/**
 * Recording a check or step, and the checks report (part of src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { formatInZone } from "../../rules/time.js";
import type { GuardState } from "../../rules/types.js";
import { FINISH_STEP, type CheckBody } from "../events.js";
import { overdue, type RecordedCheck, type ReferralState } from "../state.js";
import { subjectOfState, whatHolds, type ClosureRequirement, type LowerOutcome } from "../floors.js";
import { blank, invalid, ok, type Verdict } from "./shared.js";

// ─── Checks ──────────────────────────────────────────────────────────────────────────────────────

export interface CheckInput {
  check: string;
  found: string | undefined;
  /** When the check was done. */
  doneAt: Date;
  now: Date;
}

/** Ids that may be recorded for this referral: every check of the rule set, and this decision's steps. */
export function recordableIds(state: ReferralState, rs: CompiledRuleSet): { checks: string[]; steps: string[] } {
  return { checks: [...rs.checks.keys()], steps: state.decision.steps.map((s) => s.id) };
}

export function planCheck(state: ReferralState, rs: CompiledRuleSet, input: CheckInput): Verdict<CheckBody> {
  const ids = recordableIds(state, rs);
  if (!ids.checks.includes(input.check) && !ids.steps.includes(input.check)) {
    return invalid(
      `"${input.check}" is not a check of rule set ${rs.id} ${rs.version} nor a step of ${state.ref}; valid ids:\n  checks: ${ids.checks.join(", ")}\n  steps of ${state.ref}: ${ids.steps.join(", ") || "(none)"}`,
    );
  }
  // The questions left for later are finished by answering them (an answers_completed entry), not by saying so.
  if (input.check === FINISH_STEP)
    return invalid(`"${FINISH_STEP}" is done by answering the questions left for later: \`triage resume ${state.ref}\` (or --answers FILE)`);
  if (blank(input.found)) return invalid(`--found is required: say what the check found (e.g. --found "GP: no concerns, last seen 3 May")`);
  if (Number.isNaN(input.doneAt.getTime())) return invalid("--at is not a date-time");
  if (input.doneAt.getTime() > input.now.getTime())
    return invalid(
      `--at ${formatInZone(input.doneAt, rs.officeHours.time_zone)} is in the future (now is ${formatInZone(input.now, rs.officeHours.time_zone)})`,
    );
  if (input.doneAt.getTime() < Date.parse(state.decision.received_at))
    return invalid(`--at ${formatInZone(input.doneAt, rs.officeHours.time_zone)} is before the referral was received (${state.decision.received_at})`);
  return ok({ check: input.check, found: input.found!.trim(), done_at: formatInZone(input.doneAt, rs.officeHours.time_zone) });
}

// ─── The checks report ───────────────────────────────────────────────────────────────────────────

export interface StepStatus {
  id: string;
  text: string;
  due_by?: string;
  done: boolean;
  overdue: boolean;
}

export interface ChecksReport {
  ref: string;
  recorded: RecordedCheck[];
  /** Checks that holding guards still require: to keep the decision, and before any lower outcome or closure. */
  outstanding: string[];
  guards: GuardState[];
  steps: StepStatus[];
  /** Each lower outcome (highest first) and what holds it: the same answer `override` gives. */
  lower: LowerOutcome[];
  /** What closing as each reason would need now: the same answer `close` gives. */
  closures: ClosureRequirement[];
}

export function checksReport(state: ReferralState, rs: CompiledRuleSet, now: Date): ChecksReport {
  const recorded = new Set(state.checks.map((c) => c.check));
  const late = new Set(overdue(state, now).map((l) => l.id));
  // One core answer (floors.ts) for what holds every lower outcome and closure, as override and close see it.
  const holds = state.closed ? { lower: [], closures: [], outstanding: [] } : whatHolds(rs, subjectOfState(state), state.outcome.level);
  return {
    ref: state.ref,
    recorded: state.checks,
    outstanding: [...new Set([...state.guards.filter((g) => g.status === "holding").flatMap((g) => g.outstanding), ...holds.outstanding])],
    guards: state.guards,
    steps: state.decision.steps.map((s) => ({
      id: s.id,
      text: s.text,
      ...(s.due_by ? { due_by: s.due_by } : {}),
      done: recorded.has(s.id),
      overdue: late.has(s.id),
    })),
    lower: holds.lower,
    closures: holds.closures,
  };
}
