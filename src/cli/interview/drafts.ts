/**
 * Interview drafts (docs/architecture.md, principle 6: saved after every answer): what a draft holds, the store
 * they are kept in, and how one is read back and listed (part of src/cli/interview-session.ts).
 */
import { randomBytes } from "node:crypto";
import { parseFlowState, startFlow, type FlowState } from "../../interview/flow.js";
import type { CompiledRuleSet } from "../../rules/compile.js";
import { localTime } from "../render/text.js";
import type { Draft } from "../../log/types.js";

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

/** A draft as the log keeps it (src/log/types.ts). */
export type DraftRecord = Draft;

/** The drafts part of the log store (LogStore fits it); MemoryDraftStore for --dry-run and tests. */
export interface DraftStore {
  saveDraft(draft: { id: string; createdBy: string; ruleSetSha256: string; state: unknown; at: string }): Promise<void>;
  getDraft(id: string): Promise<DraftRecord | undefined>;
  listDrafts(): Promise<DraftRecord[]>;
  deleteDraft(id: string): Promise<boolean>;
}

export class MemoryDraftStore implements DraftStore {
  readonly #drafts = new Map<string, DraftRecord>();
  /** How many times a draft was saved (tests check "after every answer"). */
  saves = 0;

  async saveDraft(draft: { id: string; createdBy: string; ruleSetSha256: string; state: unknown; at: string }): Promise<void> {
    const old = this.#drafts.get(draft.id);
    // Stored as JSON, as the log stores it, so nothing shares structure with the caller.
    const state: unknown = JSON.parse(JSON.stringify(draft.state));
    this.#drafts.set(draft.id, {
      id: draft.id,
      createdBy: old?.createdBy ?? draft.createdBy,
      createdAt: old?.createdAt ?? draft.at,
      updatedAt: draft.at,
      ruleSetSha256: draft.ruleSetSha256,
      state,
    });
    this.saves++;
  }
  async getDraft(id: string): Promise<DraftRecord | undefined> {
    return this.#drafts.get(id);
  }
  async listDrafts(): Promise<DraftRecord[]> {
    return [...this.#drafts.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
  }
  async deleteDraft(id: string): Promise<boolean> {
    return this.#drafts.delete(id);
  }
}

/** A short id a worker can type: "D" and 7 letters/digits without look-alikes. */
export async function newDraftId(exists: (id: string) => boolean | Promise<boolean> = () => false): Promise<string> {
  const alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
  for (;;) {
    const id = `D${[...randomBytes(7)].map((b) => alphabet[b % alphabet.length]).join("")}`;
    if (!(await exists(id))) return id;
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
    ruleSet: { id: typeof ruleSet.id === "string" ? ruleSet.id : "?", version: typeof ruleSet.version === "string" ? ruleSet.version : "?" },
    links,
    stage: r.stage === "review" ? "review" : "questions",
    ...(typeof r.child === "string" ? { child: r.child } : {}),
    progress: { answered: Number(progress.answered ?? 0), total: Number(progress.total ?? 0) },
  };
}

export function newDraftState(rs: CompiledRuleSet): DraftState {
  return {
    format: DRAFT_FORMAT,
    flow: startFlow(),
    ruleSet: { id: rs.id, version: rs.version },
    links: {},
    stage: "questions",
    progress: { answered: 0, total: 0 },
  };
}

/** One line about a draft: id, who, when, child, how far. */
export function draftLine(d: DraftRecord): string {
  const s = parseDraftState(d.state);
  const far = s ? (s.stage === "review" ? "at review" : `${s.progress.answered} of ${s.progress.total} answered`) : "unreadable";
  return `${d.id}  ${d.createdBy}  ${localTime(d.updatedAt)}  ${s?.child ?? "(no name yet)"}  ${far}`;
}
