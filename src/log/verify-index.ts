/**
 * The full check of the decisions index (verify's `index: "full"`). The index is not chained, so
 * each row is rebuilt from its decision entry and compared column by column: an index row edited
 * behind the triggers' back (drop, update, re-create) would otherwise hide a child's history from
 * matching without breaking the chain.
 *
 * SQLite extracts the few body fields needed in one json_extract call (one parse per body; a
 * JavaScript JSON.parse of every whole body is about 3x slower).
 */
import type Database from "better-sqlite3";
import { decisionIndexRow, type DecisionIndexRow, IDENTITY_QUESTIONS, INDEX_COLUMNS } from "./index-row.js";

const MAX_REPORTED = 10;

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

const SQL =
  `SELECT d.seq, e.kind, e.actor, json_extract(e.body, ${BODY_PATHS.map((p) => `'${p}'`).join(", ")}), ${COLUMNS.map((c) => `d.${c}`).join(", ")} ` +
  "FROM decisions d JOIN events e ON e.seq = d.seq WHERE e.kind = 'decision' AND e.ref = d.ref ORDER BY d.seq";

/** Problems found: at most MAX_REPORTED described, plus a count of the rest. */
export function verifyIndex(db: Database.Database): string[] {
  const problems: string[] = [];
  let more = 0;
  for (const row of db.prepare(SQL).raw(true).iterate() as IterableIterator<unknown[]>) {
    const [seq, , actor, fields] = row as [number, string, string, string];
    const stored = row.slice(4);
    const problem = compare(seq, actor, JSON.parse(fields) as BodyFields, stored);
    if (problem === undefined) continue;
    if (problems.length < MAX_REPORTED) problems.push(problem);
    else more += 1;
  }
  if (more > 0) problems.push(`… and ${more} more decisions index rows that do not match their entries`);
  return problems;
}

function compare(seq: number, actor: string, fields: BodyFields, stored: unknown[]): string | undefined {
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
    expected = decisionIndexRow(source, seq, actor);
  } catch (error) {
    return `decision ${ref} (entry ${seq}) cannot be indexed: ${(error as Error).message}`;
  }
  const differing = COLUMNS.filter((c, i) => expected[c] !== stored[i]);
  return differing.length === 0 ? undefined : `decisions index row ${ref} does not match its decision entry ${seq} (${differing.join(", ")})`;
}
