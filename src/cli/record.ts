/**
 * The shell around the log for decisions: open it, find the child's history, replay a referral's
 * state, and record a decision with the worker's choices — all in one transaction.
 */
import { ExitCode, InvalidInputError, RefusedError, TriageError } from "../errors.js";
import { checkAnswerNotes } from "../rules/answers.js";
import type { LogReads, LogStore } from "../log/store.js";
import { classifyMatch, identityFromAnswers } from "../workflow/match.js";
import { canonicalJson } from "../rules/canonical.js";
import { compileRuleSet, type CompiledRuleSet } from "../rules/compile.js";
import { evaluate, outcomeRef } from "../rules/evaluate.js";
import type { RawRuleSet } from "../rules/schema.js";
import { formatInZone } from "../rules/time.js";
import type { Answer, Decision, HistoryUsed, PossibleMatch } from "../rules/types.js";
import type { AnswersCompletedBody, HistoryLinkBody, OverrideBody } from "../workflow/events.js";
import { checkReceivedAt } from "../workflow/timing.js";
import { historyFacts, type EarlierCase } from "../workflow/history.js";
import { describeHold, lowerOutcomes, subjectOfDecision } from "../workflow/floors.js";
import { deriveState, type EntryLike, type ReferralState } from "../workflow/state.js";
import { howToApprove } from "../workflow/rule-approval.js";
import type { AnswersFile } from "./answers-file.js";
import { withLeftForLater, type FollowUp } from "../interview/flow/urgent.js";
import { mayRecordWith, noApprovalOnServer, readGovernance } from "./governance.js";
import type { Context } from "./context.js";
import { inert } from "./render/inert.js";

export async function openStore(ctx: Context, options: { readonly?: boolean } = {}): Promise<LogStore> {
  // An anchor folder that is not there (a share not mounted) is refused before the log is even created.
  if (ctx.anchorDir !== undefined && !options.readonly) (await import("./anchor-dir.js")).checkAnchorDir(ctx.anchorDir);
  if (isServerLog(ctx)) {
    const { openPgLog } = await import("../log/pg-open.js");
    const store = await openPgLog(ctx.dbPath, { readonly: options.readonly === true, clock: () => ctx.clock() });
    try {
      actAsServerUser(ctx, store.identity.user);
      if (!options.readonly) await anchorWrites(ctx, store);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  const { openLog } = await import("../log/open.js");
  const store = openLog(ctx.dbPath, {
    readonly: options.readonly === true,
    notice: (message: string) => ctx.err(message),
    clock: () => ctx.clock(),
    ...(ctx.osUser !== undefined && { osUser: ctx.osUser }),
  });
  if (store.isNew && !options.readonly)
    ctx.err(`Created the decision log at ${ctx.dbPath} (owner-only). Keep it backed up; \`triage log verify\` proves it intact.`);
  if (!options.readonly) {
    // A log with no approved rule set yet gets the shipped one, approved implicitly, before anything else.
    const { governanceFor } = await import("./governance.js");
    try {
      await anchorWrites(ctx, store);
      await governanceFor(ctx, store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/**
 * With an anchor folder: checked before anything is written (the log must still hold what its anchor
 * records), and the new head written there when the store is closed — every command closes it.
 */
async function anchorWrites(ctx: Context, store: LogStore): Promise<void> {
  if (ctx.anchorDir === undefined) return;
  const { guardWrites } = await import("./anchor-dir.js");
  const afterWrites = await guardWrites(ctx, ctx.anchorDir, store);
  const close = store.close.bind(store);
  store.close = async () => {
    try {
      await afterWrites();
    } finally {
      await close();
    }
  };
}

/** Whether --db / TRIAGE_DB names a PostgreSQL server log rather than a file. */
export function isServerLog(ctx: Pick<Context, "dbPath">): boolean {
  return /^postgres(ql)?:\/\//i.test(ctx.dbPath);
}

/**
 * On the server log the database says who is acting (session_user), never the client: --user is
 * refused, and TRIAGE_USER must agree with the login if it is set at all.
 */
export function actAsServerUser(ctx: Context, user: string): void {
  if (ctx.userFrom === "flag") {
    throw new TriageError(
      `--user is refused with the server log: you act as the database user you log in as (${user})`,
      ExitCode.Usage,
      "log in as yourself (PGUSER, the user in --db, ~/.pgpass) and drop --user",
    );
  }
  if (ctx.userFrom === "env" && ctx.user !== user) {
    throw new TriageError(
      `TRIAGE_USER is ${ctx.user}, but the server log knows you as ${user}; with the server log you act as the database user you log in as`,
      ExitCode.Usage,
      "unset TRIAGE_USER",
    );
  }
  ctx.user = user;
}

/** The rule set a logged decision was made under, compiled from the content the log keeps. */
export async function storedRuleSet(store: LogReads, sha256: string, cache = new Map<string, CompiledRuleSet>()): Promise<CompiledRuleSet> {
  const hit = cache.get(sha256);
  if (hit) return hit;
  const content = await store.getRuleSetContent(sha256);
  if (content === undefined) throw new TriageError(`the log has no rule set with hash ${sha256.slice(0, 12)}`, ExitCode.Log);
  const raw = (typeof content === "string" ? JSON.parse(content) : content) as RawRuleSet;
  const compiled = compileRuleSet({ file: `log:${sha256.slice(0, 12)}`, raw, content: canonicalJson(raw), sha256 });
  cache.set(sha256, compiled);
  return compiled;
}

/** A referral's decision and everything since, replayed. Unknown reference → exit 2 with a hint. */
export async function loadReferral(store: LogReads, ref: string, cache?: Map<string, CompiledRuleSet>): Promise<{ state: ReferralState; rs: CompiledRuleSet }> {
  // One read: the decision is the first of the referral's entries.
  const all = await store.eventsFor(ref);
  const decision = all.find((e) => e.kind === "decision")?.body as Decision | undefined;
  if (!decision) throw new TriageError(`there is no referral ${ref} in the log ${store.path}`, ExitCode.Usage, "`triage log list` shows the references");
  const rs = await storedRuleSet(store, decision.rule_set.sha256, cache);
  const entries = all.filter((e) => e.kind !== "decision");
  return { state: replayState(rs, ref, decision, entries), rs };
}

/** A referral's state replayed from its decision and later entries, under the rule set it was decided with. */
export function replayState(rs: CompiledRuleSet, ref: string, decision: Decision, entries: readonly EntryLike[]): ReferralState {
  const outcomeOf = (id: string) => {
    const level = rs.outcomeLevel.get(id);
    if (level === undefined) throw new TriageError(`outcome ${id} is not in rule set ${rs.id} ${rs.version}`);
    return outcomeRef(rs, level);
  };
  return deriveState(ref, decision, entries, outcomeOf, outcomeRef(rs, 1));
}

export interface LinkChoices {
  confirm: ReadonlySet<string>;
  reject: ReadonlySet<string>;
}

/** Finds earlier referrals about this child: exact matches and confirmed links count; possible ones are offered. */
export async function lookupHistory(
  store: LogReads,
  rs: CompiledRuleSet,
  answers: Readonly<Record<string, Answer>>,
  receivedAt: string,
  choices: LinkChoices,
): Promise<HistoryUsed> {
  const identity = identityFromAnswers(rs, answers);
  const counted = new Map<string, string>();
  const possible: PossibleMatch[] = [];
  const hasIdentity = Object.keys(identity).length > 0;
  for (const c of hasIdentity ? await store.findCandidates(identity) : []) {
    const m = classifyMatch(identity, c.identity);
    if (m.kind === "exact" && !choices.reject.has(c.ref)) counted.set(c.ref, m.why);
    else if (m.kind === "exact" || m.kind === "possible") {
      const confirmed = choices.confirm.has(c.ref) ? true : choices.reject.has(c.ref) ? false : undefined;
      possible.push(confirmed === undefined ? { ref: c.ref, why: m.why } : { ref: c.ref, why: m.why, confirmed });
      if (confirmed) counted.set(c.ref, m.why);
    }
  }
  for (const ref of choices.confirm) {
    if (counted.has(ref)) continue;
    if (!(await store.getDecision(ref))) throw new TriageError(`--link ${ref}: there is no referral ${ref} in the log`);
    counted.set(ref, "linked by the worker");
    possible.push({ ref, why: "linked by the worker", confirmed: true });
  }
  // Earlier referrals made under this same rule set need no second compile.
  const cache = new Map<string, CompiledRuleSet>([[rs.sha256, rs]]);
  const earlier: EarlierCase[] = [];
  for (const ref of counted.keys()) {
    const { state } = await loadReferral(store, ref, cache);
    const referrer = state.decision.answers.referrer_type;
    // Cumulative harm (issue 13, class 4): an earlier referral that reported an injury (vocabulary id).
    const injury = state.decision.answers.injury_reported;
    earlier.push({
      ...(injury !== undefined && injury !== "none" ? { injury: true } : {}),
      ref,
      received_at: state.decision.received_at,
      outcome: state.outcome.id,
      level: state.outcome.level,
      ...(typeof referrer === "string" && { referrer_type: referrer }),
      ...(state.closed && state.closure ? { closed_as: state.closure.reason, closure_passed_guard: true } : {}),
    });
  }
  const currentReferrer = answers.referrer_type;
  return historyFacts(rs, receivedAt, typeof currentReferrer === "string" ? currentReferrer : undefined, earlier, possible);
}

/**
 * A dry run's history: read-only from the log when it exists, so a dry run never decides lower than
 * the recording would (issue 13 a). Returns the history (if any) and a line saying what was read.
 */
export async function dryRunHistory(
  ctx: Context,
  rs: CompiledRuleSet,
  answers: Readonly<Record<string, Answer>>,
  now: Date,
  choices: LinkChoices,
): Promise<{ history?: HistoryUsed; note: string }> {
  const { existsSync } = await import("node:fs");
  // A server address (postgres://…) is always opened; a file only when it exists (a dry run creates nothing).
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(ctx.dbPath) && !existsSync(ctx.dbPath))
    return { note: `Dry run: no decision log at ${ctx.dbPath}, so earlier referrals are not counted; nothing is recorded.` };
  const store = await openStore(ctx, { readonly: true });
  try {
    const nowIso = formatInZone(now, rs.officeHours.time_zone);
    const receivedAt = typeof answers.received_at === "string" && answers.received_at !== "unknown" ? answers.received_at : nowIso;
    const history = await lookupHistory(store, rs, answers, receivedAt, choices);
    return { history, note: `Dry run: earlier referrals read from ${store.path} (read-only); nothing is recorded.` };
  } finally {
    await store.close();
  }
}

export interface RecordRequest {
  answers: Record<string, Answer>;
  warnings: string[];
  now: Date;
  choices: LinkChoices;
  escalation?: { to: string; reason: string } | undefined;
  downgrade?: { to: string; reason: string } | undefined;
  /** The worker's analysis; defaults to the answer to `worker_rationale` where the rule set asks it. */
  analysis?: string | undefined;
  /** The draft this interview was saved as, removed when the decision is recorded. */
  draftId?: string | undefined;
  /** An urgent call recorded before its interview was finished: the questions left for later (answered "not known"). */
  leftForLater?: string[] | undefined;
  /** Notes on answers (what was actually said), by question id; checked: answered questions only, free-text limit. */
  notes?: Record<string, string>;
}

/** Evaluates with the child's history and records decision, links and any escalation atomically. */
export async function recordDecision(ctx: Context, rs: CompiledRuleSet, store: LogStore, req: RecordRequest): Promise<Decision> {
  // Only an approved rule set records (docs/rule-format.md "The life of a rule change").
  const g = await readGovernance(store);
  if (!g.current && store.backend === "postgres") throw noApprovalOnServer(store);
  if (!mayRecordWith(g, rs.sha256))
    throw new RefusedError(
      `refused: rule set ${rs.id} ${rs.version} (sha256 ${rs.sha256.slice(0, 12)}) is not approved on the log ${store.path}`,
      howToApprove(ctx.rulesPath),
    );
  const tz = rs.officeHours.time_zone;
  const nowIso = formatInZone(req.now, tz);
  const receivedAt = typeof req.answers.received_at === "string" && req.answers.received_at !== "unknown" ? req.answers.received_at : nowIso;
  const timing = checkReceivedAt(receivedAt, req.now, nowIso);
  if (timing.refusal) throw new TriageError(timing.refusal, ExitCode.Usage);
  const history = await lookupHistory(store, rs, req.answers, receivedAt, req.choices);
  const unresolved = history.possible_matches.filter((m) => m.confirmed === undefined);
  const warnings = [...req.warnings, ...(timing.warning ? [timing.warning] : [])];
  if (unresolved.length > 0)
    warnings.push(
      `possible earlier referral(s) about this child not confirmed or rejected: ${unresolved.map((m) => m.ref).join(", ")} (use --link REF or --no-link REF)`,
    );
  const rationale = req.answers.worker_rationale;
  const analysis = req.analysis ?? (typeof rationale === "string" && rationale !== "unknown" ? rationale : undefined);
  const noted = checkAnswerNotes(rs, req.answers, req.notes);
  if (noted.problems.length > 0)
    throw new InvalidInputError(
      `${noted.problems.length} problem(s) in the notes`,
      noted.problems.map((p) => p.message),
    );
  const evaluated = evaluate(rs, { answers: req.answers, history, now: nowIso, warnings });
  const decision: Decision = {
    ...(req.leftForLater && req.leftForLater.length > 0 ? withLeftForLater(rs, evaluated, req.leftForLater) : evaluated),
    decided_by: ctx.user,
    ...(analysis ? { analysis } : {}),
    ...(Object.keys(noted.notes).length > 0 ? { answer_notes: noted.notes } : {}),
  };
  const override = (to: string, reason: string, direction: "up" | "down"): OverrideBody => {
    const level = rs.outcomeLevel.get(to);
    if (level === undefined) throw new TriageError(`unknown outcome "${to}"; expected one of: ${rs.outcomes.map((o) => o.id).join(", ")}`);
    if (!reason.trim()) throw new TriageError(`a reason is required to ${direction === "up" ? "escalate" : "propose a downgrade"}`);
    if (direction === "up" && level <= decision.outcome.level) throw new TriageError(`${to} is not higher than the computed outcome ${decision.outcome.id}`);
    if (direction === "down") {
      if (level >= decision.outcome.level) throw new TriageError(`${to} is not lower than the computed outcome ${decision.outcome.id}`);
      // How low it may go is decided in src/workflow/floors.ts alone; the refusal names what holds it.
      const held = lowerOutcomes(rs, subjectOfDecision(decision), decision.outcome.level).find((l) => l.level === level)!;
      if (held.holds.length > 0) throw new RefusedError(`refused: ${to} is below ${held.holds.map(describeHold).join("; and ")}`);
      return {
        from: decision.outcome.id,
        to,
        direction,
        reason,
        pending: true,
        approvals_required: held.approvals,
        ...(held.governing.length > 0 ? { guards: held.governing } : {}),
      };
    }
    return { from: decision.outcome.id, to, direction, reason, pending: false };
  };
  const extra = [
    req.escalation && override(req.escalation.to, req.escalation.reason, "up"),
    req.downgrade && override(req.downgrade.to, req.downgrade.reason, "down"),
  ].filter((x): x is OverrideBody => x !== undefined);

  const ref = await store.batch(async (tx) => {
    const newRef = await tx.recordDecision(decision, { actor: ctx.user, ruleSetContent: rs.content, draftId: req.draftId });
    for (const m of history.possible_matches.filter((p) => p.confirmed !== undefined)) {
      const body: HistoryLinkBody = { other_ref: m.ref, confirmed: m.confirmed!, why: m.why };
      await tx.append({ kind: "history_link", ref: newRef, actor: ctx.user, at: nowIso, body });
    }
    for (const body of extra) await tx.append({ kind: "override", ref: newRef, actor: ctx.user, at: nowIso, body });
    return newRef;
  });
  const recorded = { ...decision, ref };
  if (req.escalation) recorded.outcome = outcomeRef(rs, rs.outcomeLevel.get(req.escalation.to)!);
  return recorded;
}

/** The options of `new --answers` that recording reads (src/cli/program.ts declares them). */
export interface AnswersOptions {
  link?: string[];
  rejectLink?: string[];
  escalate?: string;
  reason?: string;
  analysis?: string;
}

export async function recordFromAnswers(
  ctx: Context,
  rs: CompiledRuleSet,
  input: AnswersFile,
  now: Date,
  options: AnswersOptions,
  leftForLater?: string[],
): Promise<void> {
  const escalateTo = options.escalate;
  if (escalateTo && options.reason === undefined) throw new TriageError("--escalate needs --reason");
  const store = await openStore(ctx);
  try {
    const decision = await recordDecision(ctx, rs, store, {
      answers: input.answers,
      warnings: input.warnings,
      now,
      choices: { confirm: new Set(options.link), reject: new Set(options.rejectLink) },
      escalation: escalateTo && options.reason !== undefined ? { to: escalateTo, reason: options.reason } : undefined,
      analysis: options.analysis,
      ...(leftForLater ? { leftForLater } : {}),
      ...(input.notes ? { notes: input.notes } : {}),
    });
    if (ctx.json) ctx.out(JSON.stringify(decision, null, 2));
    else {
      await ctx.page(await renderCard(ctx, decision, rs));
      ctx.out(`\n${inert(`Recorded as ${decision.ref} in ${store.path}`)}`);
      if (leftForLater && leftForLater.length > 0)
        ctx.out(inert(`${leftForLater.length} question(s) left for later: finish them with ${ctx.self()} resume ${decision.ref}`));
    }
  } finally {
    await store.close();
  }
}

/** The decision card as text; chalk and the renderers load only when text is wanted (not for --json). */
export async function renderCard(ctx: Context, decision: Decision, rs: CompiledRuleSet): Promise<string> {
  const [{ renderDecision }, { makeStyle }] = await Promise.all([import("./render/decision.js"), import("./render/style.js")]);
  return renderDecision(decision, makeStyle(ctx.color), rs);
}

/**
 * Records the follow-up to an urgent decision (`triage resume REF`): one `answers_completed` entry
 * with the answers and what the rules now make of them and, when the outcome rises, an upward
 * override with it, in one transaction. An outcome is never lowered here.
 */
export async function recordCompletion(
  ctx: Context,
  store: LogStore,
  rs: CompiledRuleSet,
  ref: string,
  followUp: FollowUp,
  now: Date,
  notes: unknown = {},
): Promise<{ seq: number }> {
  const tz = rs.officeHours.time_zone;
  const at = formatInZone(now, tz);
  const d = followUp.decision;
  // Notes sit beside the answers given in the follow-up.
  const noted = checkAnswerNotes(rs, followUp.answers, notes);
  if (noted.problems.length > 0)
    throw new InvalidInputError(
      `${noted.problems.length} problem(s) in the notes`,
      noted.problems.map((p) => p.message),
    );
  const body: AnswersCompletedBody = {
    answers: followUp.answers,
    ...(Object.keys(noted.notes).length > 0 ? { answer_notes: noted.notes } : {}),
    computed_outcome: d.computed_outcome,
    hard_floor: d.hard_floor,
    outcome_before: followUp.before.id,
    outcome_after: followUp.after.id,
    ...(followUp.lower ? { lower_not_applied: followUp.lower.id } : {}),
    steps_added: followUp.stepsAdded.map((s) => ({ id: s.id, text: s.text, ...(s.due_by ? { due_by: s.due_by } : {}) })),
    still_unknown: followUp.stillUnknown,
  };
  return store.batch(async (tx) => {
    const seq = (await tx.append({ kind: "answers_completed", ref, actor: ctx.user, at, body })).seq;
    if (followUp.after.level > followUp.before.level) {
      const raised: OverrideBody = {
        from: followUp.before.id,
        to: followUp.after.id,
        direction: "up",
        reason: `The answers completed after the urgent decision (entry #${seq}) raise the outcome: ${d.fired
          .filter((f) => f.effect !== "note" && f.outcome === d.computed_outcome.id)
          .map((f) => f.id)
          .join(", ")}`,
        pending: false,
      };
      await tx.append({ kind: "override", ref, actor: ctx.user, at, body: raised });
    }
    return { seq };
  });
}
