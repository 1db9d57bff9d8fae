/** A draft interview as both stores keep it (one row in `drafts`), and as the interview reads it. */
import type { Draft } from "./types.js";

export type DraftRow = { id: string; created_by: string; created_at: string; updated_at: string; rule_set_sha256: string; state: string };

export function draftFromRow(row: DraftRow): Draft {
  return {
    id: row.id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ruleSetSha256: row.rule_set_sha256,
    state: JSON.parse(row.state),
  };
}
