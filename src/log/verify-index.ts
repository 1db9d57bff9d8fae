/**
 * The check of the decisions index, part of every verify. The index is not chained, so each row is
 * rebuilt from its decision entry and compared column by column: an index row edited behind the
 * triggers' back (drop, update, re-create) would otherwise hide a child's history from matching, or
 * change what `log list` shows, without breaking the chain.
 *
 * SQLite extracts the few body fields needed in one json_extract call (one parse per body; a
 * JavaScript JSON.parse of every whole body is about 3x slower), inside the range scan that hashes
 * the same rows (verify-chain.ts: INDEX_SELECT), so the bodies are read once and the work is shared
 * by verify's worker threads.
 */
import { decisionIndexRow, type DecisionIndexRow, IDENTITY_QUESTIONS, INDEX_COLUMNS, type NameCache } from "./index-row.js";

const COLUMNS = INDEX_COLUMNS;

const IDENTITY_IDS = Object.values(IDENTITY_QUESTIONS);
const BODY_PATHS = [
  "$.ref",
  "$.received_at",
  "$.decided_at",
  "$.outcome.id",
  "$.outcome.level",
  "$.computed_outcome.level",
  "$.deadlines.decide_by",
  "$.deadlines.respond_by",
  "$.rule_set.sha256",
  ...IDENTITY_IDS.map((id) => `$.answers.${id}`),
];
type BodyFields = [string, string, string, string, number, number, string | null, string | null, string, ...unknown[]];

/**
 * The columns the range scan adds after its own (the body fields as one JSON array, then the index
 * row's columns), for decision entries whose index row points at them; NULL otherwise.
 */
export const INDEX_SELECT =
  `CASE WHEN e.kind = 'decision' AND d.ref = e.ref THEN json_extract(e.body, ${BODY_PATHS.map((p) => `'${p}'`).join(", ")}) END, ` +
  COLUMNS.map((c) => `d.${c}`).join(", ");

/** One index row against its decision entry's fields (as INDEX_SELECT gives them): a problem, or undefined. */
export function compareIndexRow(seq: number, actor: string, fieldsJson: string, stored: readonly unknown[], cache?: NameCache): string | undefined {
  return compare(seq, actor, JSON.parse(fieldsJson) as BodyFields, stored, cache);
}

function compare(seq: number, actor: string, fields: BodyFields, stored: readonly unknown[], cache: NameCache | undefined): string | undefined {
  const [ref, received_at, decided_at, outcome, outcomeLevel, computedLevel, decideBy, respondBy, ruleSet, ...identity] = fields;
  const answers: Record<string, string> = {};
  IDENTITY_IDS.forEach((id, i) => {
    const value = identity[i];
    if (typeof value === "string") answers[id] = value;
  });
  const deadlines: Record<string, string> = {};
  if (decideBy !== null) deadlines.decide_by = decideBy;
  if (respondBy !== null) deadlines.respond_by = respondBy;
  let expected: DecisionIndexRow;
  try {
    const source = {
      ref,
      received_at,
      decided_at,
      outcome: { id: outcome, level: outcomeLevel },
      computed_outcome: { level: computedLevel },
      deadlines,
      rule_set: { sha256: ruleSet },
      answers,
    };
    expected = decisionIndexRow(source, seq, actor, cache);
  } catch (error) {
    return `decision ${ref} (entry ${seq}) cannot be indexed: ${(error as Error).message}`;
  }
  const differing = COLUMNS.filter((c, i) => expected[c] !== stored[i]);
  return differing.length === 0 ? undefined : `decisions index row ${ref} does not match its decision entry ${seq} (${differing.join(", ")})`;
}
