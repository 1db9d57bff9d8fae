/**
 * What the interview loop is given and what it returns: the seams to the log, its dependencies and
 * its result (part of src/cli/interview-session.ts).
 */
import type { Prompter } from "../../interview/flow.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import type { Answer, Decision, HistoryUsed } from "../../rules/types.js";
import type { Style } from "../render/style.js";
import type { DraftStore } from "./drafts.js";

// ---------------------------------------------------------------------------------------------
// The seams to the log (absent with --dry-run)

export interface LinkChoices {
  confirm: ReadonlySet<string>;
  reject: ReadonlySet<string>;
}

export interface HistoryPort {
  /** The child's history as the rules will use it, given the answers so far and the worker's link choices. */
  lookup(answers: Record<string, Answer>, receivedAt: string, choices: LinkChoices): Promise<HistoryUsed>;
}

export interface RecordInput {
  answers: Record<string, Answer>;
  now: Date;
  choices: LinkChoices;
  escalation?: { to: string; reason: string };
  downgrade?: { to: string; reason: string };
  analysis: string;
  draftId: string;
  /** An urgent call recorded before its interview was finished: the questions left for later. */
  leftForLater?: string[];
  /** Notes on answers (what was actually said), by question id. */
  notes?: Record<string, string>;
}

export interface RecorderPort {
  /** Evaluates with the history and records the decision with the worker's choices; returns it with its ref. */
  record(input: RecordInput): Promise<Decision>;
  readonly logPath: string;
}

// ---------------------------------------------------------------------------------------------
// The loop's dependencies and result

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

export const choicesOf = (links: Record<string, boolean>): LinkChoices => ({
  confirm: new Set(Object.keys(links).filter((k) => links[k] === true)),
  reject: new Set(Object.keys(links).filter((k) => links[k] === false)),
});
