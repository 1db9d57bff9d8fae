/**
 * The guided interview's imperative shell: `triage new` in a terminal and `triage resume`.
 *
 * The pure flow (src/interview/flow.ts) says what to ask; this loop asks it through a Prompter,
 * saves the draft after every answer (DESIGN principle 6), looks up earlier referrals once the
 * child's name and date of birth are known (principle 4), shows the review screen and the decision
 * card, takes the worker's accept / escalate / downgrade and analysis, and records. Ctrl-C, SIGHUP
 * and SIGTERM leave the draft and exit 130 with the command that continues it.
 *
 * `conductInterview` is the loop with every dependency passed in (tests drive it with the scripted
 * prompter and an in-memory draft store); `runInterview` and `resumeInterview` wire it to the
 * terminal, the rule file and the log.
 */
import { randomBytes } from "node:crypto";
import { ExitCode, TriageError } from "../errors.js";
import {
  adjustments,
  answerQuestion,
  BACK,
  editAnswer,
  effectiveAnswers,
  FlowError,
  goBack,
  howFar,
  identityAnswers,
  identityOf,
  identityReady,
  localDateTime,
  nextStep,
  parseFlowState,
  PromptInterrupted,
  reviewSections,
  revalidate,
  startFlow,
  submit,
  type Choice,
  type FlowState,
  type Prompter,
} from "../interview/flow.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import { evaluate, outcomeRef } from "../rules/evaluate.js";
import { formatInZone } from "../rules/time.js";
import { EMPTY_HISTORY, NO_HISTORY, UNKNOWN, type Answer, type Decision, type HistoryUsed } from "../rules/types.js";
import type { Context } from "./context.js";
import { renderDecision } from "./render/decision.js";
import { makeStyle, type Style } from "./render/style.js";
import { localTime, wrap } from "./render/text.js";

// ---------------------------------------------------------------------------------------------
// Drafts

export const DRAFT_FORMAT = "triage-draft/1";

/** What a draft holds: the flow state plus what the shell needs to continue and to list it. */
export interface DraftState {
  format: typeof DRAFT_FORMAT;
  flow: FlowState;
  ruleSet: { id: string; version: string };
  /** Possible earlier referrals the worker confirmed (true) or rejected (false) as this child. */
  links: Record<string, boolean>;
  /** Where the worker was: answering questions, or on the review screen. */
  stage: "questions" | "review";
  /** For listings: the child's name as given, and how far the interview got. */
  child?: string;
  progress: { answered: number; total: number };
}

export interface DraftRecord {
  id: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  ruleSetSha256: string;
  state: unknown;
}

/** The drafts part of the log store (LogStore fits it); MemoryDraftStore for --dry-run and tests. */
export interface DraftStore {
  saveDraft(draft: { id: string; createdBy: string; ruleSetSha256: string; state: unknown; at: string }): void;
  getDraft(id: string): DraftRecord | undefined;
  listDrafts(): DraftRecord[];
  deleteDraft(id: string): boolean;
}

export class MemoryDraftStore implements DraftStore {
  readonly #drafts = new Map<string, DraftRecord>();
  /** How many times a draft was saved (tests check "after every answer"). */
  saves = 0;

  saveDraft(draft: { id: string; createdBy: string; ruleSetSha256: string; state: unknown; at: string }): void {
    const old = this.#drafts.get(draft.id);
    // Stored as JSON, as the log stores it, so nothing shares structure with the caller.
    const state: unknown = JSON.parse(JSON.stringify(draft.state));
    this.#drafts.set(draft.id, { id: draft.id, createdBy: old?.createdBy ?? draft.createdBy, createdAt: old?.createdAt ?? draft.at, updatedAt: draft.at, ruleSetSha256: draft.ruleSetSha256, state });
    this.saves++;
  }
  getDraft(id: string): DraftRecord | undefined {
    return this.#drafts.get(id);
  }
  listDrafts(): DraftRecord[] {
    return [...this.#drafts.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
  }
  deleteDraft(id: string): boolean {
    return this.#drafts.delete(id);
  }
}

/** A short id a worker can type: "D" and 7 letters/digits without look-alikes. */
export function newDraftId(exists: (id: string) => boolean = () => false): string {
  const alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
  for (;;) {
    const id = `D${[...randomBytes(7)].map((b) => alphabet[b % alphabet.length]).join("")}`;
    if (!exists(id)) return id;
  }
}

/** Reads a draft's state; undefined when it is not an interview draft this version understands. */
export function parseDraftState(raw: unknown): DraftState | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  if (r.format !== DRAFT_FORMAT) return undefined;
  const flow = parseFlowState(r.flow);
  if (!flow) return undefined;
  const ruleSet = (r.ruleSet ?? {}) as Record<string, unknown>;
  const links: Record<string, boolean> = {};
  for (const [k, v] of Object.entries((r.links ?? {}) as Record<string, unknown>)) if (typeof v === "boolean") links[k] = v;
  const progress = (r.progress ?? {}) as Record<string, unknown>;
  return {
    format: DRAFT_FORMAT,
    flow,
    ruleSet: { id: String(ruleSet.id ?? "?"), version: String(ruleSet.version ?? "?") },
    links,
    stage: r.stage === "review" ? "review" : "questions",
    ...(typeof r.child === "string" ? { child: r.child } : {}),
    progress: { answered: Number(progress.answered ?? 0), total: Number(progress.total ?? 0) },
  };
}

// ---------------------------------------------------------------------------------------------
// The seams to the log (absent with --dry-run)

export interface LinkChoices {
  confirm: ReadonlySet<string>;
  reject: ReadonlySet<string>;
}

export interface HistoryPort {
  /** The child's history as the rules will use it, given the answers so far and the worker's link choices. */
  lookup(answers: Record<string, Answer>, receivedAt: string, choices: LinkChoices): HistoryUsed;
}

export interface RecordInput {
  answers: Record<string, Answer>;
  now: Date;
  choices: LinkChoices;
  escalation?: { to: string; reason: string };
  downgrade?: { to: string; reason: string };
  analysis: string;
  draftId: string;
}

export interface RecorderPort {
  /** Evaluates with the history and records the decision with the worker's choices; returns it with its ref. */
  record(input: RecordInput): Decision;
  readonly logPath: string;
}

// ---------------------------------------------------------------------------------------------
// The loop

export interface SessionDeps {
  rs: CompiledRuleSet;
  prompter: Prompter;
  drafts: DraftStore;
  draftId: string;
  user: string;
  now: () => Date;
  style: Style;
  history?: HistoryPort;
  recorder?: RecorderPort;
}

export type SessionResult =
  | { kind: "recorded"; decision: Decision; logPath: string; draftId: string }
  | { kind: "dry_run"; decision: Decision; escalation?: { to: string; reason: string }; downgrade?: { to: string; reason: string }; analysis: string }
  | { kind: "saved"; draftId: string };

/** Raised when the worker is interrupted; says whether a draft holds their answers. */
export class InterviewInterrupted extends Error {
  readonly draftId: string;
  readonly saved: boolean;
  constructor(draftId: string, saved: boolean) {
    super(saved ? `Draft ${draftId} saved; continue with: triage resume ${draftId}` : "Interrupted before any answer; nothing to save");
    this.name = "InterviewInterrupted";
    this.draftId = draftId;
    this.saved = saved;
  }
}

export function newDraftState(rs: CompiledRuleSet): DraftState {
  return { format: DRAFT_FORMAT, flow: startFlow(), ruleSet: { id: rs.id, version: rs.version }, links: {}, stage: "questions", progress: { answered: 0, total: 0 } };
}

const choicesOf = (links: Record<string, boolean>): LinkChoices => ({
  confirm: new Set(Object.keys(links).filter((k) => links[k] === true)),
  reject: new Set(Object.keys(links).filter((k) => links[k] === false)),
});

export async function conductInterview(deps: SessionDeps, initial: DraftState = newDraftState(deps.rs)): Promise<SessionResult> {
  const { rs, prompter, style } = deps;
  const tz = rs.officeHours.time_zone;
  const draft: DraftState = { ...initial, links: { ...initial.links } };
  let history: HistoryUsed = EMPTY_HISTORY;
  let lookedUpFor: string | undefined;
  const nowIso = () => formatInZone(deps.now(), tz);
  const facts = () => history.facts ?? NO_HISTORY;

  const save = (): void => {
    const far = howFar(rs, draft.flow, facts());
    draft.progress = { answered: far.answered, total: far.total };
    const name = identityOf(rs, draft.flow, facts()).name;
    if (name !== undefined) draft.child = name;
    else delete draft.child;
    deps.drafts.saveDraft({ id: deps.draftId, createdBy: deps.user, ruleSetSha256: rs.sha256, state: draft, at: nowIso() });
  };

  const receivedAt = (answers: Record<string, Answer>): string => {
    const r = answers.received_at;
    return typeof r === "string" && r !== UNKNOWN ? r : nowIso();
  };

  const showEarlier = (): void => {
    if (history.earlier.length === 0) return;
    const lines = [style.bold("Earlier referrals about this child")];
    for (const e of history.earlier) {
      const level = rs.outcomeLevel.get(e.outcome);
      const outcome = level === undefined ? e.outcome.replace(/_/g, " ") : outcomeRef(rs, level).label;
      lines.push(`  ${e.ref}  received ${localTime(e.received_at)}  ${outcome}${e.closed_as ? `  closed as ${e.closed_as.replace(/_/g, " ")}` : ""}`);
    }
    prompter.show(lines.join("\n"));
  };

  /**
   * Looks up earlier referrals and asks about each possible match not yet confirmed or rejected.
   * `quiet` (at submission, when the worker has seen them already) shows only what needs a choice.
   * Returns false when the worker went back.
   */
  const identityStep = async (answers: Record<string, Answer>, quiet: boolean): Promise<boolean> => {
    if (!deps.history) return true;
    history = deps.history.lookup(answers, receivedAt(answers), choicesOf(draft.links));
    const open = history.possible_matches.filter((m) => m.confirmed === undefined);
    if (!quiet) {
      showEarlier();
      if (history.earlier.length === 0 && open.length === 0) prompter.show(style.dim("No earlier referrals about this child in the log."));
    }
    for (const m of open) {
      const choice = await prompter.choose(
        `match:${m.ref}`,
        `Possible earlier referral ${m.ref}: ${m.why}. Is it about this child?`,
        [
          { value: true, label: "Yes — the same child (it counts as history)" },
          { value: false, label: "No — a different child" },
        ],
        { canGoBack: true },
      );
      if (choice === BACK) return false;
      draft.links[m.ref] = choice;
      save();
    }
    if (open.length > 0) {
      history = deps.history.lookup(answers, receivedAt(answers), choicesOf(draft.links));
      if (Object.values(draft.links).some(Boolean)) showEarlier();
    }
    return true;
  };

  // The review screen and the decision may send the worker back, so the phases are a loop.
  for (;;) {
    // 1. Questions (and the identity checkpoint) until the review screen is submitted.
    const submitted = await questionsAndReview();
    if (submitted === "saved") return { kind: "saved", draftId: deps.draftId };

    // 2. History with every answer (the referrer counts), then the decision.
    const answers = effectiveAnswers(rs, draft.flow, facts());
    if (deps.history && !(await identityStep(answers, true))) {
      draft.flow = { ...draft.flow, submitted: false };
      continue;
    }
    const now = deps.now();
    const decision = evaluate(rs, { answers, history, now: formatInZone(now, tz) });
    prompter.show(`\n${renderDecision(decision, style, rs.outcomes.length, deps.recorder ? "(not recorded yet)" : undefined)}\n`);

    const choice = await decide(decision);
    if (choice === BACK) {
      draft.flow = { ...draft.flow, submitted: false };
      continue;
    }
    if (!deps.recorder) {
      const result: SessionResult = { kind: "dry_run", decision, analysis: choice.analysis };
      if (choice.escalation) result.escalation = choice.escalation;
      if (choice.downgrade) result.downgrade = choice.downgrade;
      deps.drafts.deleteDraft(deps.draftId);
      return result;
    }
    const input: RecordInput = { answers, now, choices: choicesOf(draft.links), analysis: choice.analysis, draftId: deps.draftId };
    if (choice.escalation) input.escalation = choice.escalation;
    if (choice.downgrade) input.downgrade = choice.downgrade;
    const recorded = deps.recorder.record(input);
    return { kind: "recorded", decision: recorded, logPath: deps.recorder.logPath, draftId: deps.draftId };
  }

  async function questionsAndReview(): Promise<"submitted" | "saved"> {
    for (;;) {
      if (deps.history) {
        const ids = identityAnswers(rs, draft.flow, facts());
        const key = JSON.stringify(ids);
        if (identityReady(rs, draft.flow, facts()) && key !== lookedUpFor) {
          if (!(await identityStep(effectiveAnswers(rs, draft.flow, facts()), false))) {
            draft.flow = goBack(draft.flow);
            save();
            continue;
          }
          lookedUpFor = key;
        }
      }
      const step = nextStep(rs, draft.flow, facts());
      if (step.kind === "ask") {
        draft.stage = "questions";
        const q = step.question;
        const result = await prompter.ask(q, { previous: step.previous, progress: step.progress, canGoBack: step.canGoBack, timeZone: tz, now: localDateTime(nowIso()) });
        if (result === BACK) {
          draft.flow = goBack(draft.flow);
          save();
          continue;
        }
        try {
          draft.flow = answerQuestion(rs, draft.flow, q.id, result, facts());
        } catch (error) {
          if (!(error instanceof FlowError)) throw error;
          prompter.show(style.bad(error.message));
          continue;
        }
        save();
        continue;
      }
      if (step.kind === "done") return "submitted";

      // The review screen.
      if (draft.stage !== "review") {
        draft.stage = "review";
        save();
      }
      prompter.show(reviewText());
      const what = await prompter.choose(
        "review",
        "Check the answers. What next?",
        [
          { value: "submit", label: "Submit: see the decision" },
          { value: "change", label: "Change an answer…" },
          { value: "save", label: "Save draft and exit" },
        ],
        { canGoBack: true },
      );
      if (what === BACK) {
        draft.flow = goBack(draft.flow);
        save();
        continue;
      }
      if (what === "save") {
        save();
        return "saved";
      }
      if (what === "change") {
        const items: Choice<string>[] = [];
        for (const section of reviewSections(rs, draft.flow, facts())) {
          for (const item of section.items) if (item.status !== "not_applicable") items.push({ value: item.question.id, label: clip(`${section.label} · ${item.question.raw.ask} — ${item.text}`, 76) });
        }
        const id = await prompter.choose("change", "Which answer do you want to change?", items, { canGoBack: true });
        if (id === BACK) continue;
        draft.flow = editAnswer(rs, draft.flow, id, facts());
        continue;
      }
      draft.flow = submit(rs, draft.flow, facts());
      return "submitted";
    }
  }

  function reviewText(): string {
    const lines = ["", style.heading("Review: the answers so far")];
    const stale: string[] = [];
    for (const section of reviewSections(rs, draft.flow, facts())) {
      const current = section.items.filter((i) => i.status !== "not_applicable");
      if (current.length > 0) lines.push("", style.bold(section.label));
      for (const item of current) lines.push(...wrap(`${item.question.raw.ask} — ${style.ok(item.text)}`, "  ").map((l, i) => (i === 0 ? l : `  ${l}`)));
      for (const item of section.items.filter((i) => i.status === "not_applicable")) stale.push(`  ${item.question.raw.ask} — ${item.text}`);
    }
    if (stale.length > 0) lines.push("", style.dim("No longer applies (kept, not used):"), ...stale.map((s) => style.dim(s)));
    const links = Object.entries(draft.links);
    if (links.length > 0) lines.push("", style.bold("Earlier referrals"), ...links.map(([ref, same]) => `  ${ref}: ${same ? "the same child" : "a different child"}`));
    lines.push("");
    return lines.join("\n");
  }

  type Choices = { escalation?: { to: string; reason: string }; downgrade?: { to: string; reason: string }; analysis: string };

  async function decide(decision: Decision): Promise<Choices | typeof BACK> {
    const adj = adjustments(rs, decision);
    for (;;) {
      const options: Choice<string>[] = [{ value: "accept", label: `Accept: ${decision.outcome.label}` }];
      if (adj.higher.length > 0) options.push({ value: "escalate", label: "Escalate to a higher outcome (reason required)" });
      if (adj.lower.length > 0) options.push({ value: "downgrade", label: "Propose a lower outcome (reason required; a manager must agree)" });
      if (adj.lower.length === 0 && decision.outcome.level > 1 && adj.floors.length > 0) prompter.show(style.dim(`A lower outcome cannot be proposed: ${adj.floors.join("; ")}.`));
      const what = await prompter.choose("decision", "What do you want to do with this outcome?", options, { canGoBack: true });
      if (what === BACK) return BACK;
      const choices: Omit<Choices, "analysis"> = {};
      if (what === "escalate" || what === "downgrade") {
        const targets = what === "escalate" ? adj.higher : adj.lower;
        const to = await prompter.choose(
          what === "escalate" ? "escalate_to" : "downgrade_to",
          what === "escalate" ? "Escalate to which outcome?" : "Propose which lower outcome?",
          targets.map((o) => ({ value: o.id, label: `${o.label} (level ${o.level})` })),
          { canGoBack: true },
        );
        if (to === BACK) continue;
        const reason = await prompter.text(what === "escalate" ? "escalate_reason" : "downgrade_reason", what === "escalate" ? "Why escalate?" : "Why propose a lower outcome?", { required: true, canGoBack: true });
        if (reason === BACK) continue;
        if (what === "escalate") choices.escalation = { to, reason };
        else {
          choices.downgrade = { to, reason };
          prompter.show(style.warn(`The downgrade to ${outcomeRef(rs, rs.outcomeLevel.get(to)!).label} will be recorded as pending a manager's agreement; until then the outcome stays ${decision.outcome.label}.`));
        }
      }
      // Where the rule set already asked for the worker's rationale, start from it rather than ask twice.
      const rationale = decision.answers.worker_rationale;
      const analysis = await prompter.text("analysis", "What is life like for this child? (your analysis)", { required: true, canGoBack: true, help: "In your own words: the child's daily experience, what is known and not known, and why this outcome.", ...(typeof rationale === "string" && rationale !== "unknown" ? { default: rationale } : {}) });
      if (analysis === BACK) continue;
      return { ...choices, analysis };
    }
  }
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// Wiring: terminal, rule file, log

interface Wiring {
  deps: SessionDeps;
  dryRun: boolean;
  close(): void;
}

async function openPorts(ctx: Context, rs: CompiledRuleSet, dryRun: boolean, prompter: Prompter, draftId: string | undefined): Promise<Wiring> {
  const style = makeStyle(ctx.color);
  const now = () => ctx.now(rs.officeHours.time_zone);
  if (dryRun) {
    const drafts = new MemoryDraftStore();
    return { deps: { rs, prompter, drafts, draftId: draftId ?? newDraftId(), user: ctx.user, now, style }, dryRun, close: () => {} };
  }
  const record = await import("./record.js");
  const store = await record.openStore(ctx);
  const history: HistoryPort = { lookup: (answers, receivedAt, choices) => record.lookupHistory(store, rs, answers, receivedAt, choices) };
  const recorder: RecorderPort = {
    logPath: store.path,
    // The analysis rides along for record.ts to store with the decision.
    record: (input) => record.recordDecision(ctx, rs, store, { ...input, warnings: [] }),
  };
  return {
    deps: { rs, prompter, drafts: store, draftId: draftId ?? newDraftId((id) => store.getDraft(id) !== undefined), user: ctx.user, now, style, history, recorder },
    dryRun,
    close: () => store.close(),
  };
}

/** Interrupts the prompt on SIGHUP/SIGTERM (the draft is already saved), instead of dying mid-write. */
function trapSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    // The terminal may be gone: never let a failed write turn into a crash.
    process.stdout.on("error", () => {});
    process.stderr.on("error", () => {});
    controller.abort(signal);
  };
  process.on("SIGHUP", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGHUP", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

async function terminalPrompter(ctx: Context, signal: AbortSignal): Promise<Prompter> {
  const { InquirerPrompter } = await import("../interview/prompter.js");
  return new InquirerPrompter({ style: makeStyle(ctx.color), signal });
}

function requireTerminal(ctx: Context, what: string): void {
  if (!ctx.stdinIsTTY || !ctx.stdoutIsTTY) throw new TriageError(`${what} needs a terminal for the guided interview`, ExitCode.Usage, "run it in a terminal, or use `triage new --answers FILE`");
}

async function drive(ctx: Context, rs: CompiledRuleSet, options: { dryRun: boolean; draftId?: string; initial?: DraftState; alreadySaved?: boolean }): Promise<void> {
  const controller = new AbortController();
  const untrap = trapSignals(controller);
  const prompter = await terminalPrompter(ctx, controller.signal);
  let wiring: Wiring | undefined;
  try {
    wiring = await openPorts(ctx, rs, options.dryRun, prompter, options.draftId);
    const { deps } = wiring;
    if (!options.initial && !options.dryRun) prompter.show(makeStyle(ctx.color).dim(`New referral · draft ${deps.draftId}, saved after every answer · Esc or "← Back": back`));
    if (options.dryRun) prompter.show(makeStyle(ctx.color).dim("Dry run: nothing will be recorded or saved."));
    let result: SessionResult;
    try {
      result = await conductInterview(deps, options.initial);
    } catch (error) {
      if (!(error instanceof PromptInterrupted)) throw error;
      const saved = !options.dryRun && (options.alreadySaved === true || deps.drafts.getDraft(deps.draftId) !== undefined);
      const message = options.dryRun ? "Interrupted (dry run: nothing was saved)" : new InterviewInterrupted(deps.draftId, saved).message;
      throw new TriageError(message, ExitCode.Interrupted);
    }
    if (result.kind === "saved") {
      ctx.out(`Draft ${result.draftId} saved; continue with: triage resume ${result.draftId}`);
      return;
    }
    if (result.kind === "dry_run") {
      const parts = [`Dry run: not recorded. Outcome ${result.decision.outcome.label}`];
      if (result.escalation) parts.push(`escalation to ${result.escalation.to} (${result.escalation.reason})`);
      if (result.downgrade) parts.push(`proposed downgrade to ${result.downgrade.to}, pending a manager (${result.downgrade.reason})`);
      ctx.out(parts.join("; "));
      return;
    }
    ctx.out(`Recorded as ${result.decision.ref} (outcome: ${result.decision.outcome.label}) in ${result.logPath}`);
  } finally {
    untrap();
    wiring?.close();
  }
}

/** `triage new` without --answers: a new guided interview. */
export async function runInterview(ctx: Context, options: { dryRun: boolean }): Promise<void> {
  requireTerminal(ctx, "triage new");
  const { loadRules } = await import("./rules-loader.js");
  const rs = await loadRules(ctx);
  await drive(ctx, rs, { dryRun: options.dryRun });
}

/** Fits a saved draft to the current rule set, saying what changed when the rule set is not the one it was started under. */
export function prepareResume(rs: CompiledRuleSet, draft: DraftRecord): { state: DraftState; notes: string[] } {
  const parsed = parseDraftState(draft.state);
  if (!parsed) throw new TriageError(`draft ${draft.id} is not an interview this version of triage can continue`, ExitCode.Usage);
  const notes: string[] = [];
  const changed = draft.ruleSetSha256 !== rs.sha256;
  const fitted = revalidate(rs, parsed.flow, NO_HISTORY, { reachedReview: parsed.stage === "review" });
  if (changed) {
    notes.push(`This draft was started under rules ${parsed.ruleSet.id} ${parsed.ruleSet.version} (${draft.ruleSetSha256.slice(0, 12)}); the current rules are ${rs.id} ${rs.version} (${rs.sha256.slice(0, 12)}).`);
    notes.push(...(fitted.changes.length > 0 ? fitted.changes.map((c) => `  • ${c}`) : ["  The answers so far still fit; nothing to change."]));
  }
  return { state: { ...parsed, flow: fitted.state, ruleSet: { id: rs.id, version: rs.version } }, notes };
}

/** `triage resume [DRAFT]`: continue a saved interview (without an id, choose one). */
export async function resumeInterview(ctx: Context, draftId?: string): Promise<void> {
  requireTerminal(ctx, "triage resume");
  const { loadRules } = await import("./rules-loader.js");
  const rs = await loadRules(ctx);
  const { openStore } = await import("./record.js");
  const store = await openStore(ctx);
  let draft: DraftRecord | undefined;
  try {
    if (draftId === undefined) {
      const drafts = store.listDrafts();
      if (drafts.length === 0) {
        ctx.out("No unfinished interviews.");
        return;
      }
      const controller = new AbortController();
      const prompter = await terminalPrompter(ctx, controller.signal);
      const choices: Choice<string>[] = drafts.map((d) => ({ value: d.id, label: draftLine(d) }));
      let picked: string | typeof BACK;
      try {
        picked = await prompter.choose("draft", "Continue which interview?", [...choices, { value: "", label: "None for now" }]);
      } catch (error) {
        if (error instanceof PromptInterrupted) throw new TriageError("Interrupted", ExitCode.Interrupted);
        throw error;
      }
      if (picked === BACK || picked === "") return;
      draftId = picked;
    }
    draft = store.getDraft(draftId);
    if (!draft) throw new TriageError(`there is no unfinished interview ${draftId} in ${store.path}`, ExitCode.Usage, "`triage resume` lists them");
  } finally {
    store.close();
  }
  const { state, notes } = prepareResume(rs, draft);
  ctx.out(`Continuing draft ${draft.id}${state.child ? ` (${state.child})` : ""}, started by ${draft.createdBy} ${localTime(draft.createdAt)}.`);
  for (const n of notes) ctx.out(n);
  await drive(ctx, rs, { dryRun: false, draftId: draft.id, initial: state, alreadySaved: true });
}

/** One line about a draft: id, who, when, child, how far. */
export function draftLine(d: DraftRecord): string {
  const s = parseDraftState(d.state);
  const far = s ? (s.stage === "review" ? "at review" : `${s.progress.answered} of ${s.progress.total} answered`) : "unreadable";
  return `${d.id}  ${d.createdBy}  ${localTime(d.updatedAt)}  ${s?.child ?? "(no name yet)"}  ${far}`;
}

