/**
 * The `decisions` index row for a recorded decision: pure, so that recording and verify's
 * rebuild-check derive it the same way from the same facts.
 */
import type { Answer } from "../rules/types.js";
import { nameKey, normaliseDob, normaliseName, normalisePostcode, normaliseRef } from "../workflow/match.js";
import type { DecisionRow } from "./types.js";

/** The identity questions (the rule set's `identity` questions, docs/rule-format.md). */
export const IDENTITY_QUESTIONS = { name: "child_name", dob: "child_dob", ref: "child_ref", postcode: "household_postcode" } as const;

/** The parts of a decision body the index is built from. */
export interface IndexSource {
  ref: string;
  received_at: string;
  decided_at: string;
  outcome: { id: string; level: number };
  computed_outcome: { level: number };
  deadlines: Record<string, string | undefined>;
  rule_set: { sha256: string };
  answers: Record<string, Answer | undefined>;
}

/** What `log list` shows, plus the columns only the index's own lookups use. */
export interface DecisionIndexRow extends DecisionRow {
  received_utc: string;
  child_name_norm: string | null;
  name_key: string | null;
  child_dob: string | null;
  child_ref: string | null;
  postcode_norm: string | null;
}

/** The same instant as UTC ISO text, so that text order is time order. Throws on a non-date. */
export function toUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  return new Date(ms).toISOString();
}

const text = (a: Answer | undefined): string | undefined => (typeof a === "string" ? a : undefined);
const orNull = (s: string): string | null => (s === "" ? null : s);

/**
 * Name normalisation and its phonetic key are most of the cost of building a row; verify builds one
 * per decision, and the same child's name recurs across referrals. A caller checking many rows may
 * pass a cache (raw name → normalised name and key); the result is the same with or without it.
 */
export type NameCache = Map<string, { name: string; key: string }>;
const NAME_CACHE_LIMIT = 50_000;

function nameParts(rawName: string | undefined, cache: NameCache | undefined): { name: string; key: string } {
  const hit = rawName === undefined ? undefined : cache?.get(rawName);
  if (hit !== undefined) return hit;
  const name = normaliseName(rawName);
  const parts = { name, key: nameKey(name) };
  if (cache !== undefined && rawName !== undefined) {
    if (cache.size >= NAME_CACHE_LIMIT) cache.clear();
    cache.set(rawName, parts);
  }
  return parts;
}

export function decisionIndexRow(d: IndexSource, seq: number, worker: string, cache?: NameCache): DecisionIndexRow {
  const rawName = text(d.answers[IDENTITY_QUESTIONS.name]);
  const { name, key } = nameParts(rawName, cache);
  return {
    seq,
    ref: d.ref,
    received_at: d.received_at,
    received_utc: toUtc(d.received_at),
    decided_at: d.decided_at,
    outcome: d.outcome.id,
    outcome_level: d.outcome.level,
    computed_level: d.computed_outcome.level,
    decide_by: d.deadlines["decide_by"] ?? null,
    respond_by: d.deadlines["respond_by"] ?? null,
    worker,
    rule_set_sha256: d.rule_set.sha256,
    child_name: name === "" ? null : (rawName ?? "").trim(),
    child_name_norm: orNull(name),
    name_key: orNull(key),
    child_dob: orNull(normaliseDob(text(d.answers[IDENTITY_QUESTIONS.dob]))),
    child_ref: orNull(normaliseRef(text(d.answers[IDENTITY_QUESTIONS.ref]))),
    postcode_norm: orNull(normalisePostcode(text(d.answers[IDENTITY_QUESTIONS.postcode]))),
  };
}

/** The index row's columns, compared by verify on every backend; also the order they are selected in. */
export const INDEX_COLUMNS = [
  "ref",
  "received_at",
  "received_utc",
  "decided_at",
  "outcome",
  "outcome_level",
  "computed_level",
  "decide_by",
  "respond_by",
  "worker",
  "rule_set_sha256",
  "child_name",
  "child_name_norm",
  "name_key",
  "child_dob",
  "child_ref",
  "postcode_norm",
] as const satisfies ReadonlyArray<keyof DecisionIndexRow>;
