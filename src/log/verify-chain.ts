/**
 * The work of verify, split so that any seq range can be checked on its own connection (in a
 * worker thread) and the results stitched together: each range is given the stored hash of the
 * entry before it, so ranges need nothing from each other.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { sha256Hex } from "./canonical.js";
import { entryHashFrame, GENESIS_HASH } from "./chain.js";
import { EXPECTED_TRIGGERS } from "./migrations.js";
import { recordedAtInBytes, runsBackwards } from "./recorded-at.js";
import type { NameCache } from "./index-row.js";
import { compareIndexRow, INDEX_SELECT } from "./verify-index.js";
import type { ChainHead } from "./types.js";

export interface RangeTask {
  from: number;
  to: number;
  /** The seq the range should start with (1 for the first range, else `from`). */
  expectedFirst: number;
  /** The stored hash of entry expectedFirst - 1; undefined when that entry is missing (the range before reports it). */
  prevHash: string | undefined;
  anchorSeq?: number;
}

export interface RangeScan {
  count: number;
  bytes: number;
  firstBroken?: { seq: number; reason: string };
  last?: ChainHead;
  hashAtAnchor?: string;
  /** Decision entries, and how many of them the decisions index points at correctly. */
  decisionEntries: number;
  indexLinked: number;
  indexProblems: string[];
  /** The first and last entries of the range that record when they were written (recorded-at.ts). */
  firstRecorded?: Recorded;
  lastRecorded?: Recorded;
  /** Entries recorded (by the machine's clock) well before the entry before them: at most MAX_REPORTED, and how many in all. */
  clockBackwards: ClockBackwards[];
  clockBackwardsCount: number;
}

export interface Recorded {
  seq: number;
  recorded_at: string;
}

/** An entry whose recorded_at is more than a few minutes before the previous entry's. */
export interface ClockBackwards {
  seq: number;
  recorded_at: string;
  previous_seq: number;
  previous_recorded_at: string;
}

const MAX_INDEX_PROBLEMS = 10;
export const MAX_CLOCK_REPORTED = 10;

/** Recomputes every hash in [from, to] and checks seq continuity, prev_hash links and index links. */
export function scanRange(db: Database.Database, task: RangeTask): RangeScan {
  // The body as its stored UTF-8 bytes: hashed as they are, never decoded into a string and encoded
  // back (a database in another text encoding, made by another tool, is read as text instead).
  const utf8 = db.pragma("encoding", { simple: true }) === "UTF-8";
  // Each decision's index row comes with it, with the body fields it is rebuilt from (verify-index.ts).
  const stmt = db
    .prepare(
      `SELECT e.seq, e.ref, e.kind, e.actor, e.at, ${utf8 ? "CAST(e.body AS BLOB)" : "e.body"}, e.prev_hash, e.hash, d.ref, ${INDEX_SELECT} ` +
        "FROM events e LEFT JOIN decisions d ON d.seq = e.seq WHERE e.seq BETWEEN ? AND ? ORDER BY e.seq",
    )
    .raw(true);
  const scanner = new RangeScanner(task);
  for (const row of stmt.iterate(task.from, task.to) as IterableIterator<ScanRow>) scanner.add(row);
  return scanner.finish(() => db.prepare("SELECT min(seq) FROM events WHERE seq > ?").pluck().get(task.to) as number | null);
}

/**
 * One entry as the scan reads it: the entry's columns, then the ref of its decisions index row (or
 * null), then — from SQLite, for a decision with its index row — the body fields the row is rebuilt
 * from (a JSON array) and the row's columns (verify-index.ts). The body may come as its stored bytes
 * (SQLite) or as text (the server log's pages, whose index is checked in its own pass: pg-verify.ts).
 */
export type ScanRow = [number, string | null, string, string, string, string | Buffer, string, string, string | null, ...unknown[]];

/** The scan of one range, fed row by row in seq order (by SQLite above, or by the server log's pages). */
export class RangeScanner {
  readonly #task: RangeTask;
  readonly #scan: RangeScan = { count: 0, bytes: 0, decisionEntries: 0, indexLinked: 0, indexProblems: [], clockBackwards: [], clockBackwardsCount: 0 };
  #expected: number;
  #prevHash: string | undefined;
  readonly #names: NameCache = new Map();

  constructor(task: RangeTask) {
    this.#task = task;
    this.#expected = task.expectedFirst;
    this.#prevHash = task.prevHash;
  }

  add(row: ScanRow): void {
    const [seq, ref, kind, actor, at, stored, prev_hash, hash, indexedRef, indexFields] = row;
    const scan = this.#scan;
    const indexProblem = (p: string): void => void (scan.indexProblems.length < MAX_INDEX_PROBLEMS && scan.indexProblems.push(p));
    scan.count += 1;
    // The entry's canonical text is hashed in three parts, never built whole (chain.ts).
    const body = typeof stored === "string" ? Buffer.from(stored, "utf8") : stored;
    const [before, after] = entryHashFrame({ seq, ref, kind, actor, at, prev_hash });
    scan.bytes += Buffer.byteLength(before) + body.length + Buffer.byteLength(after);
    if (seq === this.#task.anchorSeq) scan.hashAtAnchor = hash;
    if (scan.firstBroken === undefined) {
      const expected = this.#expected;
      if (seq !== expected) {
        scan.firstBroken = { seq: expected, reason: seq > expected ? missingReason(expected, seq) : `entry ${seq} is out of sequence` };
      } else if (this.#prevHash !== undefined && prev_hash !== this.#prevHash) {
        scan.firstBroken = { seq, reason: `entry ${seq} does not link to entry ${seq - 1} (its prev_hash is not that entry's hash)` };
      } else if (createHash("sha256").update(before).update(body).update(after).digest("hex") !== hash) {
        scan.firstBroken = { seq, reason: `entry ${seq} was changed after it was written (its contents do not match its hash)` };
      }
    }
    if (kind === "decision") {
      scan.decisionEntries += 1;
      if (indexedRef === ref) {
        scan.indexLinked += 1;
        if (typeof indexFields === "string") {
          const problem = compareIndexRow(seq, actor, indexFields, row.slice(10), this.#names);
          if (problem !== undefined) indexProblem(problem);
        }
      } else indexProblem(`decision ${ref} (entry ${seq}) is missing from the decisions index, so history lookups cannot find it`);
    } else if (indexedRef !== null) {
      indexProblem(`decisions index row ${indexedRef} points at entry ${seq}, which is not a decision`);
    }
    const recordedAt = recordedAtInBytes(body);
    if (recordedAt !== undefined) {
      const previous = scan.lastRecorded;
      if (previous === undefined) scan.firstRecorded = { seq, recorded_at: recordedAt };
      else if (runsBackwards(previous.recorded_at, recordedAt)) noteBackwards(scan, previous, { seq, recorded_at: recordedAt });
      scan.lastRecorded = { seq, recorded_at: recordedAt };
    }
    // Link to the *stored* hash, so one edited entry is named alone rather than everything after it.
    this.#prevHash = hash;
    this.#expected = seq + 1;
    scan.last = { seq, hash };
  }

  /** `nextSeqAfterRange` finds the first entry after the range, asked only when entries are missing from its end. */
  finish(nextSeqAfterRange: () => number | null): RangeScan {
    const scan = this.#scan;
    // Entries missing from the end of a range show up only here (the next range starts where it should).
    if (scan.firstBroken === undefined && this.#expected <= this.#task.to) {
      const next = nextSeqAfterRange();
      scan.firstBroken = { seq: this.#expected, reason: missingReason(this.#expected, next ?? this.#task.to + 1) };
    }
    return scan;
  }
}

/** Counts one clock running backwards, keeping the first few. */
export function noteBackwards(scan: Pick<RangeScan, "clockBackwards" | "clockBackwardsCount">, previous: Recorded, current: Recorded): void {
  scan.clockBackwardsCount += 1;
  if (scan.clockBackwards.length < MAX_CLOCK_REPORTED)
    scan.clockBackwards.push({ seq: current.seq, recorded_at: current.recorded_at, previous_seq: previous.seq, previous_recorded_at: previous.recorded_at });
}

/** The clock findings of consecutive ranges, stitched: a range's first entry is compared with the range before's last. */
export function stitchClock(scans: readonly RangeScan[]): Pick<RangeScan, "clockBackwards" | "clockBackwardsCount"> {
  const all: Pick<RangeScan, "clockBackwards" | "clockBackwardsCount"> = { clockBackwards: [], clockBackwardsCount: 0 };
  let last: Recorded | undefined;
  for (const scan of scans) {
    if (last !== undefined && scan.firstRecorded !== undefined && runsBackwards(last.recorded_at, scan.firstRecorded.recorded_at))
      noteBackwards(all, last, scan.firstRecorded);
    all.clockBackwardsCount += scan.clockBackwardsCount;
    for (const b of scan.clockBackwards) if (all.clockBackwards.length < MAX_CLOCK_REPORTED) all.clockBackwards.push(b);
    last = scan.lastRecorded ?? last;
  }
  return all;
}

function missingReason(expected: number, found: number): string {
  return found === expected + 1 ? `entry ${expected} is missing (deleted)` : `entries ${expected} to ${found - 1} are missing (deleted)`;
}

const squash = (sql: string): string => sql.replace(/\s+/g, " ").trim().toLowerCase();

/** Triggers that are gone or no longer the SQL we created (a same-named trigger that does nothing must not pass). */
export function missingOrAlteredTriggers(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string; sql: string }>;
  const present = new Map(rows.map((r) => [r.name, squash(r.sql)]));
  return Object.entries(EXPECTED_TRIGGERS)
    .filter(([name, sql]) => present.get(name) !== squash(sql))
    .map(([name]) => name);
}

/** Each stored rule set must hash to its key and be named by the rule_set entry that registered it. */
export function checkRuleSets(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT r.sha256, r.content, e.kind, e.body ->> '$.sha256' AS named FROM rule_sets r LEFT JOIN events e ON e.seq = r.registered_seq")
    .all() as Array<{ sha256: string; content: string; kind: string | null; named: string | null }>;
  const problems: string[] = [];
  for (const r of rows) {
    if (sha256Hex(r.content) !== r.sha256) problems.push(`rule set ${r.sha256}: stored content does not match its hash`);
    if (r.kind !== "rule_set" || r.named !== r.sha256) problems.push(`rule set ${r.sha256}: not registered by a rule_set entry in the chain`);
  }
  return problems;
}

/** Splits [min, max] into at most `parts` contiguous ranges, with the task each needs. */
export function planRanges(db: Database.Database, min: number, max: number, parts: number, anchorSeq?: number): RangeTask[] {
  const size = Math.ceil((max - min + 1) / parts);
  const hashOf = db.prepare("SELECT hash FROM events WHERE seq = ?").pluck();
  const tasks: RangeTask[] = [];
  for (let from = min; from <= max; from += size) {
    const expectedFirst = from === min ? 1 : from;
    const prevHash = expectedFirst === 1 ? GENESIS_HASH : (hashOf.get(expectedFirst - 1) as string | undefined);
    tasks.push({ from, to: Math.min(max, from + size - 1), expectedFirst, prevHash, ...(anchorSeq !== undefined && { anchorSeq }) });
  }
  return tasks;
}
