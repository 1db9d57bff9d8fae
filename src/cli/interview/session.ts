/**
 * One interview in progress: the draft being filled in and what the loop's steps share — the
 * history as last looked up, the clock in the rule set's zone, and saving the draft (part of
 * src/cli/interview-session.ts; conduct.ts runs the loop over it).
 */
import { howFar, identityOf, withNote } from "../../interview/flow.js";
import type { NoteStore } from "./notes.js";
import { formatInZone } from "../../rules/time.js";
import { EMPTY_HISTORY, NO_HISTORY, UNKNOWN, type Answer, type HistoryFacts, type HistoryUsed } from "../../rules/types.js";
import type { DraftState } from "./drafts.js";
import type { SessionDeps } from "./ports.js";

export interface Session {
  readonly deps: SessionDeps;
  /** The rule set's time zone. */
  readonly tz: string;
  /** The draft being filled in (its fields change as the worker goes; the object stays). */
  readonly draft: DraftState;
  /** The child's history as last looked up. */
  history: HistoryUsed;
  /** The identity answers the last lookup during the questions was made for (JSON). */
  lookedUpFor: string | undefined;
  /** "No earlier referrals about this child" is said once per interview, not after every identity answer. */
  saidNoEarlier: boolean;
  /** The hard-floor level the urgent offer was last made at: made again only if the floor rises (src/cli/interview/urgent.ts). */
  urgentOfferedAt: number;
  /** Questions answered for the worker (derived from earlier answers): skipped on the way back. */
  readonly derived: Set<string>;
  nowIso: () => string;
  facts: () => HistoryFacts;
  /** Notes on answers (Tab at a question), kept in the draft's flow state. */
  readonly noteStore: NoteStore;
  /** Saves the draft, with its progress and the child's name for listings. */
  save: () => Promise<void>;
  receivedAt(answers: Record<string, Answer>): string;
}

export function openSession(deps: SessionDeps, initial: DraftState): Session {
  const { rs } = deps;
  const tz = rs.officeHours.time_zone;
  const draft: DraftState = { ...initial, links: { ...initial.links } };
  const nowIso = () => formatInZone(deps.now(), tz);
  const facts = () => session.history.facts ?? NO_HISTORY;

  const save = async (): Promise<void> => {
    const far = howFar(rs, draft.flow, facts());
    draft.progress = { answered: far.answered, total: far.total };
    const name = identityOf(rs, draft.flow, facts()).name;
    if (typeof name === "string") draft.child = name;
    else delete draft.child;
    await deps.drafts.saveDraft({ id: deps.draftId, createdBy: deps.user, ruleSetSha256: rs.sha256, state: draft, at: nowIso() });
  };

  const receivedAt = (answers: Record<string, Answer>): string => {
    const r = answers.received_at;
    return typeof r === "string" && r !== UNKNOWN ? r : nowIso();
  };

  const session: Session = {
    deps,
    tz,
    draft,
    history: EMPTY_HISTORY,
    lookedUpFor: undefined,
    saidNoEarlier: false,
    urgentOfferedAt: 0,
    derived: new Set(),
    nowIso,
    facts,
    save,
    receivedAt,
    noteStore: {
      get: (id) => draft.flow.notes?.[id],
      set: async (id, text) => {
        draft.flow = withNote(rs, draft.flow, id, text);
        await save();
      },
    },
  };
  return session;
}
