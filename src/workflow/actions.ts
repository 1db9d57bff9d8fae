/**
 * What may be done to a referral after its decision, decided purely: given the derived state, the
 * rule set it was decided under, who is acting (and, for reviews, their role in the team), each
 * function returns either the body of the entry to append or a refusal with its message. The
 * command files only load, call, append and render (DESIGN: functional core, imperative shell).
 *
 * Refusals are of two kinds: `invalid` (bad input — exit 2) and `refused` (a safety rule or the
 * workflow forbids it — exit 5).
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import { outcomeRef } from "../rules/evaluate.js";
import { formatInZone, isOutOfHours } from "../rules/time.js";
import type { Decision, GuardState, OutcomeRef } from "../rules/types.js";
import type { CheckBody, ClosureBody, OverrideBody, ReviewBody, Role } from "./events.js";
import { mergeReadings, readGuards, type GuardBearing } from "./guards.js";
import { filledSlots, overdue, type ClosureState, type OverrideState, type RecordedCheck, type ReferralState } from "./state.js";

export interface Refusal {
  kind: "invalid" | "refused";
  message: string;
  hint?: string;
}

export type Verdict<T> = { ok: true; body: T } | { ok: false; refusal: Refusal };

const ok = <T>(body: T): Verdict<T> => ({ ok: true, body });
const invalid = <T>(message: string, hint?: string): Verdict<T> => ({ ok: false, refusal: hint ? { kind: "invalid", message, hint } : { kind: "invalid", message } });
const refused = <T>(message: string, hint?: string): Verdict<T> => ({ ok: false, refusal: hint ? { kind: "refused", message, hint } : { kind: "refused", message } });

const blank = (s: string | undefined): boolean => s === undefined || s.trim() === "";
const bullets = (items: readonly string[]): string => items.map((i) => `\n  - ${i}`).join("");

// ─── Team ────────────────────────────────────────────────────────────────────────────────────────

/** Who may approve: from the team file (src/cli/team.ts loads it). */
export interface Team {
  /** Where it was read from, for messages. */
  source: string;
  managers: readonly string[];
  senior_managers: readonly string[];
}

/** A person's role: senior_manager if listed there (a senior manager may act as a manager), else manager, else none. */
export function roleOf(team: Team, name: string): Role | undefined {
  if (team.senior_managers.includes(name)) return "senior_manager";
  if (team.managers.includes(name)) return "manager";
  return undefined;
}

// ─── Shared facts ────────────────────────────────────────────────────────────────────────────────

function outcomeById(rs: CompiledRuleSet, id: string): OutcomeRef | undefined {
  const level = rs.outcomeLevel.get(id);
  return level === undefined ? undefined : outcomeRef(rs, level);
}

const outcomeList = (rs: CompiledRuleSet): string => rs.outcomes.map((o) => o.id).join(", ");

/** The hard rules that set the decision's hard floor (for messages). */
function hardFloorRules(rs: CompiledRuleSet, decision: Decision): string[] {
  const hard = decision.hard_floor ? rs.outcomeLevel.get(decision.hard_floor) : undefined;
  return decision.fired.filter((f) => f.hard && f.effect === "floor" && f.outcome !== undefined && rs.outcomeLevel.get(f.outcome) === hard).map((f) => f.id);
}

const checkText = (rs: CompiledRuleSet, id: string): string => {
  const text = rs.checks.get(id)?.raw.text ?? rs.steps.get(id)?.text;
  return text ? `${id}: ${text.replace(/\s+/g, " ").trim()}` : id;
};

const recordHint = (ref: string) => `record each with: triage checks ${ref} --record CHECK --found "what was found" [--at WHEN]`;

/** The flag that marks an out-of-hours provisional decision (the rule set's invariant names it). */
export function provisionalFlag(rs: CompiledRuleSet): string {
  for (const inv of rs.raw.invariants) if (inv.kind === "out_of_hours_provisional") return inv.flag;
  return "ooh_provisional";
}

/** A later decision about the same child (found by the shell: its history counts this referral). */
export interface LaterDecision {
  ref: string;
  decided_at: string;
}

export interface Rescreen {
  /** The decision was made out of hours and is provisional. */
  required: boolean;
  done: boolean;
  /** What re-screened it: "review #12 by mia.manager" or "TRG-2026-000031". */
  by?: string;
}

/**
 * Out-of-hours decisions are provisional until the day team re-screens them (brief §g): a manager's
 * agreement with or escalation of the decision made in office hours, or a later decision about the
 * same child made in office hours. A challenge is not a re-screen.
 */
export function rescreenStatus(state: ReferralState, rs: CompiledRuleSet, later: readonly LaterDecision[] = []): Rescreen {
  const required = state.decision.flags.includes(provisionalFlag(rs));
  if (!required) return { required, done: false };
  const inHours = (iso: string) => !isOutOfHours(new Date(iso), rs.officeHours);
  const review = state.reviews.find((r) => r.of === "decision" && r.action !== "challenge" && r.by !== state.decision.decided_by && inHours(r.at));
  if (review) return { required, done: true, by: `review #${review.seq} by ${review.by}` };
  const decided = Date.parse(state.decision.decided_at);
  const next = later.find((d) => d.ref !== state.ref && Date.parse(d.decided_at) > decided && inHours(d.decided_at));
  if (next) return { required, done: true, by: next.ref };
  return { required, done: false };
}

function rescreenRefusal<T>(state: ReferralState, what: string): Verdict<T> {
  return refused(
    `refused: ${state.ref} was decided out of hours and is provisional until the day team re-screens it; it cannot be ${what} before then`,
    `re-screen it first: a manager's review in office hours (triage review ${state.ref} --agree, or --escalate), or a new decision about the child by the day team (triage new)`,
  );
}

const pendingOf = (state: ReferralState): (OverrideState | ClosureState)[] =>
  [...state.overrides.filter((o) => o.status === "pending"), ...(state.closure?.status === "pending" ? [state.closure] : [])].sort((a, b) => a.seq - b.seq);

function describePending(p: OverrideState | ClosureState): string {
  return "rationale" in p ? `closure #${p.seq} as ${p.reason} by ${p.by}` : `override #${p.seq} to ${(p as OverrideState).to} by ${p.by}`;
}

const uniqueRoles = (roles: readonly Role[]): Role[] => {
  const set = new Set(roles);
  // Senior manager first: the order people read them in.
  return (["senior_manager", "manager"] as const).filter((r) => set.has(r));
};

const roleName = (r: Role): string => (r === "senior_manager" ? "senior manager" : "manager");

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
    return invalid(`"${input.check}" is not a check of rule set ${rs.id} ${rs.version} nor a step of ${state.ref}; valid ids:\n  checks: ${ids.checks.join(", ")}\n  steps of ${state.ref}: ${ids.steps.join(", ") || "(none)"}`);
  }
  if (blank(input.found)) return invalid(`--found is required: say what the check found (e.g. --found "GP: no concerns, last seen 3 May")`);
  if (Number.isNaN(input.doneAt.getTime())) return invalid("--at is not a date-time");
  if (input.doneAt.getTime() > input.now.getTime()) return invalid(`--at ${formatInZone(input.doneAt, rs.officeHours.time_zone)} is in the future (now is ${formatInZone(input.now, rs.officeHours.time_zone)})`);
  if (input.doneAt.getTime() < Date.parse(state.decision.received_at)) return invalid(`--at ${formatInZone(input.doneAt, rs.officeHours.time_zone)} is before the referral was received (${state.decision.received_at})`);
  return ok({ check: input.check, found: input.found!.trim(), done_at: formatInZone(input.doneAt, rs.officeHours.time_zone) });
}

// ─── Closure requirements ────────────────────────────────────────────────────────────────────────

export interface ClosureRequirement {
  reason: string;
  label: string;
  /** Guards that govern this closure for this referral. */
  governed_by: string[];
  /** Checks still outstanding before it may be proposed. */
  outstanding: string[];
  /** Why it can never be closed this way at the front door (hard floor or hard stop), if so. */
  refused_outright?: string;
  /** Other guards holding a floor above the lowest outcome (a closure is a downgrade). */
  floors: { guard: string; floor: string; outstanding: string[] }[];
  approvals: Role[];
  evidence_required: boolean;
}

interface ClosureAnalysis extends ClosureRequirement {
  bearings: GuardBearing[];
  governing: GuardBearing[];
}

function analyseClosure(state: ReferralState, rs: CompiledRuleSet, reason: string): ClosureAnalysis {
  const cr = rs.raw.closure_reasons.find((c) => c.id === reason)!;
  const recorded = new Set(state.checks.map((c) => c.check));
  const bearings = mergeReadings(rs, [state.guards, readGuards(rs, state.decision, { level: 1, closureReason: reason, recorded })]);
  const governing = bearings.filter((b) => b.applies && b.governsClosures.includes(reason));
  const outstanding = [...new Set(governing.flatMap((g) => g.outstanding))];
  const governs = bearings.filter((b) => b.governsClosures.includes(reason));
  const outright: string[] = [];
  if (state.decision.hard_floor) outright.push(`it has a hard floor (${state.decision.hard_floor}, set by ${hardFloorRules(rs, state.decision).join(", ")})`);
  const stops = governs.filter((b) => b.hardStopWhen);
  if (stops.length > 0) outright.push(`guard ${stops.map((s) => s.id).join(", ")} reports a hard stop (photos or video of an injury, or a disclosure)`);
  // Any other hard stop a guard reports (a rule set's own kind) still refuses.
  if (outright.length === 0 && governs.some((b) => b.hardStop)) outright.push(`guard ${governs.filter((b) => b.hardStop).map((s) => s.id).join(", ")} reports a hard stop`);
  const refusedOutright = outright.length > 0 ? outright.join("; and ") : undefined;
  const floors = bearings
    .filter((b) => b.applies && b.outstanding.length > 0 && b.floorLevel > 1 && !governing.includes(b))
    .map((b) => ({ guard: b.id, floor: b.floor, outstanding: b.outstanding }));
  const approvals = uniqueRoles([cr.approval, ...governing.flatMap((g) => g.approvals)]);
  return {
    reason,
    label: cr.label,
    governed_by: governing.map((g) => g.id),
    outstanding,
    ...(refusedOutright ? { refused_outright: refusedOutright } : {}),
    floors,
    approvals,
    evidence_required: cr.requires_evidence_statement === true,
    bearings,
    governing,
  };
}

/** What closing this referral as each of the rule set's reasons would need now. */
export function closureRequirements(state: ReferralState, rs: CompiledRuleSet): ClosureRequirement[] {
  return rs.raw.closure_reasons.map((c) => {
    const { bearings: _b, governing: _g, ...req } = analyseClosure(state, rs, c.id);
    return req;
  });
}

// ─── Closure ─────────────────────────────────────────────────────────────────────────────────────

export interface ClosureInput {
  reason: string;
  rationale: string | undefined;
  evidence?: string;
  rescreen: Rescreen;
}

export function planClosure(state: ReferralState, rs: CompiledRuleSet, input: ClosureInput): Verdict<ClosureBody> {
  const ref = state.ref;
  const reasons = rs.raw.closure_reasons;
  if (!reasons.some((c) => c.id === input.reason)) {
    return invalid(`"${input.reason}" is not a closure reason of rule set ${rs.id} ${rs.version}; expected one of:${bullets(reasons.map((c) => `${c.id} — ${c.label}`))}`);
  }
  if (blank(input.rationale)) return invalid("--rationale is required: why the referral can be closed");
  if (state.closed) return refused(`refused: ${ref} is already closed as ${state.closure!.reason}`, "a new referral about the child re-opens the question (rule E2)");
  const pending = pendingOf(state);
  if (pending.length > 0) return refused(`refused: ${ref} already has ${describePending(pending[0]!)} waiting for approval; one proposal at a time`, `a manager agrees or challenges it first: triage review ${ref} --agree | --challenge --reason TEXT`);
  if (input.rescreen.required && !input.rescreen.done) return rescreenRefusal(state, "closed");

  const a = analyseClosure(state, rs, input.reason);
  if (a.refused_outright) {
    return refused(`refused: ${ref} cannot be closed as ${input.reason} at the front door: ${a.refused_outright}. It must go to a strategy discussion.`, "no one at the front door may close it this way; record the strategy discussion's decision instead");
  }
  if (a.outstanding.length > 0) {
    return refused(`refused: closing ${ref} as ${input.reason} is governed by guard ${a.governed_by.join(", ")}, and ${a.outstanding.length} of its checks are outstanding:${bullets(a.outstanding.map((c) => checkText(rs, c)))}`, recordHint(ref));
  }
  const floor = a.floors[0];
  if (floor) {
    return refused(`refused: a closure takes ${ref} to ${rs.outcomes[0]!.id}, below ${floor.floor}, where guard ${floor.guard} holds it until these checks are recorded:${bullets(floor.outstanding.map((c) => checkText(rs, c)))}`, recordHint(ref));
  }
  if (a.evidence_required && blank(input.evidence)) {
    return refused(
      `refused: closing ${ref} as ${input.reason} needs --evidence: a statement of the positive evidence that the referrer knowingly gave false information. Motive alone — a custody dispute, an estrangement, a family conflict — is not evidence.`,
      `triage close ${ref} --as ${input.reason} --rationale TEXT --evidence TEXT`,
    );
  }
  const guards = a.governing.map((g) => ({ id: g.id, checks: g.checks }));
  const body: ClosureBody = {
    reason: input.reason,
    rationale: input.rationale!.trim(),
    ...(blank(input.evidence) ? {} : { evidence: input.evidence!.trim() }),
    approvals_required: a.approvals,
    ...(guards[0] ? { guard: guards[0] } : {}),
    ...(guards.length > 1 ? { guards } : {}),
  };
  return ok(body);
}

// ─── Override ────────────────────────────────────────────────────────────────────────────────────

export interface OverrideInput {
  to: string;
  reason: string | undefined;
  rescreen: Rescreen;
}

/** The guards that bear on a downgrade to `level`: as recorded, as the downgrade would leave it, and as a closure would. */
export function downgradeBearings(state: ReferralState, rs: CompiledRuleSet, level: number): GuardBearing[] {
  const recorded = new Set(state.checks.map((c) => c.check));
  return mergeReadings(rs, [state.guards, readGuards(rs, state.decision, { level, recorded }), readGuards(rs, state.decision, { level: 1, recorded })]).map((b) => ({
    ...b,
    // A guard that does not govern downgrades still holds its floor if it held at decision time.
    applies: b.applies && (b.governsDowngrades || state.guards.some((g: GuardState) => g.id === b.id && g.status !== "not_applicable")),
  }));
}

export function planOverride(state: ReferralState, rs: CompiledRuleSet, input: OverrideInput): Verdict<OverrideBody> {
  const ref = state.ref;
  const to = outcomeById(rs, input.to);
  if (!to) return invalid(`unknown outcome "${input.to}"; expected one of: ${outcomeList(rs)}`);
  if (blank(input.reason)) return invalid("--reason is required: why the outcome should change");
  if (state.closed) return refused(`refused: ${ref} is closed as ${state.closure!.reason}; a closed referral cannot be overridden`, "a new referral about the child re-opens the question (rule E2)");
  const from = state.outcome;
  if (to.level === from.level) return invalid(`${ref} is already at ${from.id}; an override must change the outcome`);
  const reason = input.reason!.trim();
  if (to.level > from.level) return ok({ from: from.id, to: to.id, direction: "up", reason, pending: false });

  const pending = pendingOf(state);
  if (pending.length > 0) return refused(`refused: ${ref} already has ${describePending(pending[0]!)} waiting for approval; one proposal at a time`, `a manager agrees or challenges it first: triage review ${ref} --agree | --challenge --reason TEXT`);
  if (input.rescreen.required && !input.rescreen.done) return rescreenRefusal(state, "downgraded");
  const hard = state.decision.hard_floor ? rs.outcomeLevel.get(state.decision.hard_floor)! : 0;
  if (to.level < hard) {
    return refused(`refused: ${to.id} is below the hard floor ${state.decision.hard_floor} set by ${hardFloorRules(rs, state.decision).join(", ")}; no one at the front door may go below it`);
  }
  const bearings = downgradeBearings(state, rs, to.level).filter((b) => b.applies);
  const holding = bearings.find((b) => b.outstanding.length > 0 && to.level < b.floorLevel);
  if (holding) {
    return refused(`refused: guard ${holding.id} holds ${ref} at ${holding.floor} or above until these checks are recorded:${bullets(holding.outstanding.map((c) => checkText(rs, c)))}`, recordHint(ref));
  }
  const governing = bearings.filter((b) => b.governsDowngrades);
  const approvals = uniqueRoles(["manager", ...governing.flatMap((g) => g.approvals)]);
  return ok({
    from: from.id,
    to: to.id,
    direction: "down",
    reason,
    pending: true,
    approvals_required: approvals,
    ...(governing.length > 0 ? { guards: governing.map((g) => ({ id: g.id, checks: g.checks })) } : {}),
  });
}

// ─── Review ──────────────────────────────────────────────────────────────────────────────────────

export interface ReviewInput {
  action: "agree" | "challenge" | "escalate";
  /** The decision, or the seq of an override or closure; default: the oldest pending proposal, else the decision. */
  of?: "decision" | number;
  to?: string;
  reason?: string;
  actor: string;
  /** The team, or undefined when there is no team file (approvals are then refused). */
  team: Team | undefined;
  /** Where the team file was looked for (for the message when there is none). */
  teamLookedAt: string;
}

export function planReview(state: ReferralState, rs: CompiledRuleSet, input: ReviewInput): Verdict<ReviewBody> {
  const ref = state.ref;
  if (!input.team) {
    return refused(`refused: no team file, so no one can be recognised as a manager; looked for ${input.teamLookedAt}`, "create it with `managers: [names]` and `senior_managers: [names]`, or pass --team FILE (env TRIAGE_TEAM)");
  }
  const role = roleOf(input.team, input.actor);
  if (!role) return refused(`refused: ${input.actor} is not listed as a manager or senior manager in the team file ${input.team.source}; only they may review`);

  let target: "decision" | OverrideState | ClosureState;
  if (input.of === undefined) target = pendingOf(state)[0] ?? "decision";
  else if (input.of === "decision") target = "decision";
  else {
    const seq = input.of;
    const found = state.overrides.find((o) => o.seq === seq) ?? (state.closure?.seq === seq ? state.closure : undefined);
    if (!found) return invalid(`--of ${seq}: entry #${seq} is not an override or closure of ${ref} (triage log show ${ref} lists its entries)`);
    if (found.status !== "pending") return invalid(`--of ${seq}: ${describePending(found)} is ${found.status}, not pending; there is nothing to review`);
    target = found;
  }

  const decider = state.decision.decided_by;
  const what = target === "decision" ? `the decision on ${ref}` : describePending(target);
  if (target !== "decision" && target.by === input.actor) return refused(`refused: ${input.actor} proposed ${what}; a different manager must review it`);
  if (decider !== undefined && decider === input.actor) return refused(`refused: ${input.actor} made the decision on ${ref}; a manager who did not decide it must review ${target === "decision" ? "it" : what}`);

  const of: ReviewBody["of"] = target === "decision" ? "decision" : target.seq;
  const reason = blank(input.reason) ? undefined : input.reason!.trim();
  if (input.action === "agree") {
    if (target !== "decision") {
      if (target.approvals.some((a) => a.by === input.actor)) return refused(`refused: ${input.actor} has already agreed to ${what}; the same person counts once`);
      const required = "rationale" in target ? (target as ClosureState).approvals_required : ((target as OverrideState).approvals_required ?? ["manager"]);
      const mine = { by: input.actor, role, at: "" };
      if (filledSlots(required, [...target.approvals, mine]) <= filledSlots(required, target.approvals)) {
        const seniorsNeeded = required.filter((r) => r === "senior_manager").length;
        const seniorsHave = new Set(target.approvals.filter((a) => a.role === "senior_manager").map((a) => a.by)).size;
        const missing: Role = seniorsHave < seniorsNeeded ? "senior_manager" : "manager";
        return refused(
          `refused: ${what} needs the agreement of ${required.map((r) => `a ${roleName(r)}`).join(" and ")} (different people); it has ${target.approvals.map((a) => `${a.by} (${roleName(a.role)})`).join(", ")}, and still needs a ${roleName(missing)} — ${input.actor}'s agreement as ${roleName(role)} cannot fill that`,
        );
      }
    }
    return ok({ action: "agree", of, role, ...(reason ? { reason } : {}) });
  }
  if (!reason) return invalid(`--${input.action} needs --reason: say why`);
  if (state.closed && target === "decision") return refused(`refused: ${ref} is closed as ${state.closure!.reason}; it cannot be ${input.action === "challenge" ? "challenged" : "escalated"} now`, "a new referral about the child re-opens the question (rule E2)");
  if (input.action === "challenge") return ok({ action: "challenge", of, role, reason });
  if (input.to === undefined) return invalid("--escalate needs an outcome");
  const to = outcomeById(rs, input.to);
  if (!to) return invalid(`unknown outcome "${input.to}"; expected one of: ${outcomeList(rs)}`);
  if (to.level <= state.outcome.level) return invalid(`${to.id} is not higher than the current outcome ${state.outcome.id}; escalation only raises (a downgrade is an override: triage override ${ref} --to OUTCOME --reason TEXT)`);
  return ok({ action: "escalate", of, role, reason, to: to.id });
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
  /** Checks that holding guards still require. */
  outstanding: string[];
  guards: GuardState[];
  steps: StepStatus[];
  /** What closing as each reason would need now. */
  closures: ClosureRequirement[];
}

export function checksReport(state: ReferralState, rs: CompiledRuleSet, now: Date): ChecksReport {
  const recorded = new Set(state.checks.map((c) => c.check));
  const late = new Set(overdue(state, now).map((l) => l.id));
  return {
    ref: state.ref,
    recorded: state.checks,
    outstanding: [...new Set(state.guards.filter((g) => g.status === "holding").flatMap((g) => g.outstanding))],
    guards: state.guards,
    steps: state.decision.steps.map((s) => ({ id: s.id, text: s.text, ...(s.due_by ? { due_by: s.due_by } : {}), done: recorded.has(s.id), overdue: late.has(s.id) })),
    closures: state.closed ? [] : closureRequirements(state, rs),
  };
}
