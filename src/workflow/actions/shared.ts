/**
 * What the action families share (src/workflow/actions.ts describes them): the verdict and its
 * refusals, and the facts their messages are made of.
 */
import type { CompiledRuleSet } from "../../rules/compile.js";
import { outcomeRef } from "../../rules/evaluate.js";
import type { OutcomeRef } from "../../rules/types.js";
import type { ClosureState, OverrideState, ReferralState } from "../state.js";

export interface Refusal {
  kind: "invalid" | "refused";
  message: string;
  hint?: string;
}

export type Verdict<T> = { ok: true; body: T } | { ok: false; refusal: Refusal };

export const ok = <T>(body: T): Verdict<T> => ({ ok: true, body });
export const invalid = <T>(message: string, hint?: string): Verdict<T> => ({
  ok: false,
  refusal: hint ? { kind: "invalid", message, hint } : { kind: "invalid", message },
});
export const refused = <T>(message: string, hint?: string): Verdict<T> => ({
  ok: false,
  refusal: hint ? { kind: "refused", message, hint } : { kind: "refused", message },
});

export const blank = (s: string | undefined): boolean => s === undefined || s.trim() === "";
export const bullets = (items: readonly string[]): string => items.map((i) => `\n  - ${i}`).join("");

// ─── Shared facts ────────────────────────────────────────────────────────────────────────────────

export function outcomeById(rs: CompiledRuleSet, id: string): OutcomeRef | undefined {
  const level = rs.outcomeLevel.get(id);
  return level === undefined ? undefined : outcomeRef(rs, level);
}

export const outcomeList = (rs: CompiledRuleSet): string => rs.outcomes.map((o) => o.id).join(", ");

export const checkText = (rs: CompiledRuleSet, id: string): string => {
  const text = rs.checks.get(id)?.raw.text ?? rs.steps.get(id)?.text;
  return text ? `${id}: ${text.replace(/\s+/g, " ").trim()}` : id;
};

export const recordHint = (ref: string) => `record each with: triage checks ${ref} --record CHECK --found "what was found" [--at WHEN]`;

/** The hint on every refusal that a closed referral cannot be acted on. */
export const REOPEN_HINT = "a new referral about the child re-opens the question (rule E2)";

export const pendingOf = (state: ReferralState): (OverrideState | ClosureState)[] =>
  [...state.overrides.filter((o) => o.status === "pending"), ...(state.closure?.status === "pending" ? [state.closure] : [])].sort((a, b) => a.seq - b.seq);

export function describePending(p: OverrideState | ClosureState): string {
  return "rationale" in p ? `closure #${p.seq} as ${p.reason} by ${p.by}` : `override #${p.seq} to ${p.to} by ${p.by}`;
}

/** Refuses a second proposal (a closure or a downgrade) while one waits for approval; undefined when none does. */
export function proposalPendingRefusal<T>(state: ReferralState): Verdict<T> | undefined {
  const pending = pendingOf(state);
  if (pending.length > 0)
    return refused(
      `refused: ${state.ref} already has ${describePending(pending[0]!)} waiting for approval; one proposal at a time`,
      `a manager agrees or challenges it first: triage review ${state.ref} --agree | --challenge --reason TEXT`,
    );
  return undefined;
}
