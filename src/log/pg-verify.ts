/**
 * `triage log verify` on the server log: the same checks as verify.ts (chain, guarding triggers,
 * rule-set contents, decisions index, anchor) over one consistent snapshot (REPEATABLE READ), with
 * the entries streamed in keyset pages (one query at a time: node-postgres runs one per connection).
 */
import { GENESIS_HASH } from "./chain.js";
import { sha256Hex } from "./canonical.js";
import { decisionIndexRow, type DecisionIndexRow, INDEX_COLUMNS, type NameCache } from "./index-row.js";
import { PG_EXPECTED_TRIGGERS } from "./pg-schema.js";
import type { PgLogStore } from "./pg-store.js";
import { RangeScanner, type ScanRow, stitchClock } from "./verify-chain.js";
import { compareAnchor, type VerifyOptions, type VerifyResult } from "./verify.js";

const PAGE = 20_000;
const MAX_REPORTED = 10;

export async function verifyPg(store: PgLogStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  await store.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const [bounds] = await store.query<{ min: string | null; max: string | null; index_rows: number }>(
      "SELECT min(seq) AS min, max(seq) AS max, (SELECT count(*)::int FROM triage.decisions) AS index_rows FROM triage.events",
    );
    const triggers = await store.query<{ name: string }>(
      "SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
        "WHERE n.nspname = 'triage' AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
    );
    const present = new Set(triggers.map((t) => t.name));
    const missingTriggers = PG_EXPECTED_TRIGGERS.filter((t) => !present.has(t));
    const problems = await checkRuleSets(store);

    const min = bounds?.min == null ? undefined : Number(bounds.min);
    const max = bounds?.max == null ? undefined : Number(bounds.max);
    const scanner = new RangeScanner({
      from: min ?? 1,
      to: max ?? 0,
      expectedFirst: 1,
      prevHash: GENESIS_HASH,
      ...(options.anchor && { anchorSeq: options.anchor.seq }),
    });
    const page = (after: number) =>
      store.queryArrays<ScanRow>(
        "SELECT e.seq::float8, e.ref, e.kind, e.actor, e.at, e.body, e.prev_hash, e.hash, d.ref " +
          `FROM triage.events e LEFT JOIN triage.decisions d ON d.seq = e.seq WHERE e.seq > $1 ORDER BY e.seq LIMIT ${PAGE}`,
        [after],
      );
    for (let after = 0; max !== undefined;) {
      const rows = await page(after);
      for (const r of rows) scanner.add(r);
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]![0];
    }
    const scan = scanner.finish(() => null);
    const stray = (bounds?.index_rows ?? 0) - scan.indexLinked;
    problems.push(...scan.indexProblems);
    if (stray > 0) problems.push(`${stray} decisions index ${stray === 1 ? "row does not point at its" : "rows do not point at their"} decision entry`);
    // Every index row rebuilt from its decision entry (what history lookups and `log list` read).
    problems.push(...(await verifyIndexPg(store)));
    const head = scan.last ?? { seq: 0, hash: GENESIS_HASH };
    const anchor = options.anchor && compareAnchor(options.anchor, head, scan.hashAtAnchor);
    return {
      ok: scan.firstBroken === undefined && missingTriggers.length === 0 && problems.length === 0 && (anchor?.matches ?? true),
      count: scan.count,
      head,
      ...(scan.firstBroken && { firstBroken: scan.firstBroken }),
      triggersPresent: missingTriggers.length === 0,
      missingTriggers,
      ...(anchor && { anchor }),
      problems: [...new Set(problems)],
      bytes: scan.bytes,
      ...stitchClock([scan]),
    };
  } finally {
    await store.query("COMMIT").catch(() => undefined);
  }
}

async function checkRuleSets(store: PgLogStore): Promise<string[]> {
  const rows = await store.query<{ sha256: string; content: string; kind: string | null; named: string | null }>(
    "SELECT r.sha256, r.content, e.kind, e.body::jsonb ->> 'sha256' AS named FROM triage.rule_sets r LEFT JOIN triage.events e ON e.seq = r.registered_seq",
  );
  const problems: string[] = [];
  for (const r of rows) {
    if (sha256Hex(r.content) !== r.sha256) problems.push(`rule set ${r.sha256}: stored content does not match its hash`);
    if (r.kind !== "rule_set" || r.named !== r.sha256) problems.push(`rule set ${r.sha256}: not registered by a rule_set entry in the chain`);
  }
  return problems;
}

const COLUMNS = INDEX_COLUMNS;

/** The full index check: each row rebuilt from its decision entry and compared column by column. */
async function verifyIndexPg(store: PgLogStore): Promise<string[]> {
  const problems: string[] = [];
  let more = 0;
  let after = 0;
  const names: NameCache = new Map();
  for (;;) {
    const rows = await store.query<Record<string, unknown> & { seq: string; body: string; actor: string }>(
      `SELECT d.*, e.body, e.actor FROM triage.decisions d JOIN triage.events e ON e.seq = d.seq WHERE d.seq > $1 ORDER BY d.seq LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      let expected: DecisionIndexRow;
      try {
        expected = decisionIndexRow(JSON.parse(row.body) as Parameters<typeof decisionIndexRow>[0], seq, row.actor, names);
      } catch (error) {
        problems.push(`decision ${String(row.ref)} (entry ${seq}) cannot be indexed: ${(error as Error).message}`);
        continue;
      }
      const differing = COLUMNS.filter((c) => expected[c] !== row[c]);
      if (differing.length === 0) continue;
      if (problems.length < MAX_REPORTED)
        problems.push(`decisions index row ${String(row.ref)} does not match its decision entry ${seq} (${differing.join(", ")})`);
      else more += 1;
    }
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  if (more > 0) problems.push(`… and ${more} more decisions index rows that do not match their entries`);
  return problems;
}
