/**
 * `log list` as SQL, built from filters by a pure function so it can be tested and extended.
 *
 * Derived state (current outcome after overrides and closures, reviewed, pending) is never stored;
 * SQL narrows to the decisions that can match, by EXISTS probes on a decision's later entries,
 * and the caller derives the rest from those entries (workflow/state.ts). Further filters go here
 * the same way. A filter that matches almost nothing walks the whole index (about 4 s per million
 * decisions for a `child` substring that is nowhere); the common ones stop after `limit` rows.
 */
import { TriageError } from "../errors.js";
import { toUtc } from "./index-row.js";
import { normaliseName, normaliseRef } from "../workflow/match.js";
import type { ListFilters } from "./types.js";

export const DECISION_ROW_COLUMNS =
  "d.seq, d.ref, d.received_at, d.decided_at, d.child_name, d.outcome, d.outcome_level, d.computed_level, " +
  "d.decide_by, d.respond_by, d.worker, d.rule_set_sha256";

export interface BuiltQuery {
  sql: string;
  params: Record<string, string | number>;
  /** For PostgreSQL: the parameters in $n order. */
  values?: unknown[];
}

function instant(flag: string, value: string): string {
  try {
    return toUtc(value);
  } catch {
    throw new TriageError(`${flag}: "${value}" is not a date-time; expected ISO 8601 such as 2026-11-27T00:00:00+00:00`);
  }
}

// LIKE treats % and _ as wildcards; a name containing them must match literally.
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** SQL dialect: SQLite (named @params, body ->> '$.key') or PostgreSQL ($n params, body::jsonb ->> 'key'). */
export type Dialect = "sqlite" | "postgres";

/** The listing, or with `count` how many decisions the same filters match (for "showing 50 of 312"). */
export function buildListQuery(filters: ListFilters, dialect: Dialect = "sqlite", options: { count?: boolean } = {}): BuiltQuery {
  const field = (key: string): string => (dialect === "sqlite" ? `e.body ->> '$.${key}'` : `(e.body::jsonb ->> '${key}')`);
  if (!Number.isInteger(filters.limit) || filters.limit < 1) {
    throw new TriageError(`--limit: expected a whole number of at least 1, got ${String(filters.limit)}`);
  }
  const where: string[] = [];
  const offset = filters.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new TriageError(`offset: expected a whole number of at least 0, got ${String(filters.offset)}`);
  const params: Record<string, string | number> = { limit: filters.limit, offset };
  if (filters.since !== undefined) {
    where.push("d.received_utc >= @since");
    params.since = instant("--since", filters.since);
  }
  if (filters.until !== undefined) {
    where.push("d.received_utc < @until");
    params.until = instant("--until", filters.until);
  }
  // A probe of events_by_kind (kind, ref): answered from the index alone, ~1 µs per decision.
  const later = (condition: string): string => `EXISTS (SELECT 1 FROM events e WHERE e.ref = d.ref AND ${condition})`;
  if (filters.outcome !== undefined) {
    where.push(`(d.outcome = @outcome OR ${later("e.kind IN ('override', 'closure', 'review')")})`);
    params.outcome = filters.outcome;
  }
  if (filters.recordedOutcome !== undefined) {
    where.push("d.outcome = @recordedOutcome");
    params.recordedOutcome = filters.recordedOutcome;
  }
  if (filters.unreviewed === true) {
    where.push(`NOT ${later(`e.kind = 'review' AND ${field("of")} = 'decision' AND ${field("action")} <> 'challenge'`)}`);
  }
  if (filters.pending === true) where.push(later("e.kind IN ('override', 'closure')"));
  if (filters.worker !== undefined) {
    where.push("d.worker = @worker");
    params.worker = filters.worker;
  }
  if (filters.child !== undefined || filters.childRefs !== undefined) {
    const clauses: string[] = [];
    if (filters.child !== undefined) {
      const name = normaliseName(filters.child);
      const ref = normaliseRef(filters.child);
      clauses.push("d.ref = @childRef", "d.child_ref = @childRef");
      params.childRef = ref;
      if (name !== "") {
        clauses.push("d.child_name_norm LIKE @childName ESCAPE '\\'");
        params.childName = `%${likeEscape(name)}%`;
      }
    }
    // Referrals the caller matched itself (the history matcher: a misspelt name, a date of birth, a postcode).
    (filters.childRefs ?? []).forEach((r, i) => {
      clauses.push(`d.ref = @match${i}`);
      params[`match${i}`] = r;
    });
    where.push(clauses.length > 0 ? `(${clauses.join(" OR ")})` : "1 = 0");
  }
  const filter = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  let sql: string;
  if (options.count) {
    delete params.limit;
    delete params.offset;
    sql = `SELECT COUNT(*) AS n FROM decisions d${filter}`;
  } else {
    // seq breaks ties between referrals received at the same instant, newest recorded first.
    sql = `SELECT ${DECISION_ROW_COLUMNS} FROM decisions d${filter} ORDER BY d.received_utc DESC, d.seq DESC LIMIT @limit OFFSET @offset`;
  }
  return dialect === "sqlite" ? { sql, params } : numbered(sql, params);
}

/** The same query with PostgreSQL's positional parameters ($1, $2 …) in place of @names. */
export function numbered(
  sql: string,
  params: Record<string, string | number | null>,
): { sql: string; params: Record<string, string | number>; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return { sql: text, params: params as Record<string, string | number>, values: order.map((n) => params[n]) };
}
