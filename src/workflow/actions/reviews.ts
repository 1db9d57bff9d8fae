/**
 * Reviews by a manager: agree, challenge or escalate, and who may (part of src/workflow/actions.ts).
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { roleName, type ReviewBody, type Role } from "../events.js";
import { filledSlots, type ClosureState, type OverrideState, type ReferralState } from "../state.js";
import { blank, describePending, invalid, ok, outcomeById, outcomeList, pendingOf, refused, REOPEN_HINT, type Verdict } from "./shared.js";

// ─── Team ────────────────────────────────────────────────────────────────────────────────────────

/** Who may approve: from the team file (src/cli/team.ts loads it). */
export interface Team {
  /** Where it was read from, for messages. */
  source: string;
  managers: readonly string[];
  senior_managers: readonly string[];
  /** Who may approve a rule set (`triage rules approve`); absent in team files written before approvals. */
  rules_leads?: readonly string[];
}

/** A person's role: senior_manager if listed there (a senior manager may act as a manager), else manager, else none. */
export function roleOf(team: Team, name: string): Role | undefined {
  if (team.senior_managers.includes(name)) return "senior_manager";
  if (team.managers.includes(name)) return "manager";
  return undefined;
}

/** "2026-06-01T09:40:00+01:00" → "2026-06-01 09:40": the local time as the entry recorded it. */
const when = (iso: string): string => iso.slice(0, 16).replace("T", " ");

// ─── Review ──────────────────────────────────────────────────────────────────────────────────────

export interface ReviewInput {
  action: "agree" | "challenge" | "escalate";
  /** The decision, or the seq of an override or closure; default: the oldest pending proposal, else the decision. */
  of?: "decision" | number | undefined;
  to?: string | undefined;
  reason?: string | undefined;
  actor: string;
  /** The team, or undefined when there is no team file (approvals are then refused). */
  team: Team | undefined;
  /** Where the team file was looked for (for the message when there is none). */
  teamLookedAt: string;
}

export function planReview(state: ReferralState, rs: CompiledRuleSet, input: ReviewInput): Verdict<ReviewBody> {
  const ref = state.ref;
  if (!input.team) {
    return refused(
      `refused: no team file, so no one can be recognised as a manager; looked for ${input.teamLookedAt}`,
      "create it with `managers: [names]` and `senior_managers: [names]`, or pass --team FILE (env TRIAGE_TEAM)",
    );
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
  if (decider !== undefined && decider === input.actor)
    return refused(`refused: ${input.actor} made the decision on ${ref}; a manager who did not decide it must review ${target === "decision" ? "it" : what}`);

  const of: ReviewBody["of"] = target === "decision" ? "decision" : target.seq;
  const reason = blank(input.reason) ? undefined : input.reason!.trim();
  if (input.action === "agree") {
    if (target === "decision") {
      // Agreeing twice would record the same judgement twice and could read as two reviews.
      const before = state.reviews.find((r) => r.of === "decision" && r.action === "agree" && r.by === input.actor);
      if (before) return refused(`refused: ${input.actor} already agreed on ${when(before.at)} with ${what} (review #${before.seq}); it is not recorded twice`);
    } else {
      const before = target.approvals.find((a) => a.by === input.actor);
      if (before) return refused(`refused: ${input.actor} already agreed on ${when(before.at)} to ${what}; the same person counts once`);
      const required = "rationale" in target ? target.approvals_required : (target.approvals_required ?? ["manager"]);
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
  if (state.closed && target === "decision")
    return refused(
      `refused: ${ref} is closed as ${state.closure!.reason}; it cannot be ${input.action === "challenge" ? "challenged" : "escalated"} now`,
      REOPEN_HINT,
    );
  if (input.action === "challenge") return ok({ action: "challenge", of, role, reason });
  if (input.to === undefined) return invalid("--escalate needs an outcome");
  const to = outcomeById(rs, input.to);
  if (!to) return invalid(`unknown outcome "${input.to}"; expected one of: ${outcomeList(rs)}`);
  if (to.level <= state.outcome.level)
    return invalid(
      `${to.id} is not higher than the current outcome ${state.outcome.id}; escalation only raises (a downgrade is an override: triage override ${ref} --to OUTCOME --reason TEXT)`,
    );
  return ok({ action: "escalate", of, role, reason, to: to.id });
}
