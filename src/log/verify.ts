/**
 * `triage log verify`: recompute the chain, check the append-only triggers, the rule-set contents
 * and the decisions index (every row rebuilt from its decision entry, in the same scan: what history
 * lookups and `log list` read is covered by default), and compare with an anchor kept outside the
 * database.
 *
 * Triggers stop accidents; the chain catches edits by anyone who dropped them; the anchor catches
 * someone who rewrote the whole tail and recomputed every hash (see engineering.md §5).
 *
 * A large log is checked in seq ranges on worker threads (verify-chain.ts); where the compiled
 * worker is not available (running from TypeScript sources, as the tests do) it runs in-process.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { TriageError } from "../errors.js";
import { GENESIS_HASH } from "./chain.js";
import { immutableUri } from "./open.js";
import { describeSqliteError, withLogErrors } from "./sqlite-errors.js";
import type { SqliteLogStore } from "./sqlite-store.js";
import type { LogStore, LogWrites } from "./store.js";
import type { ChainHead } from "./types.js";
import {
  checkRuleSets,
  type ClockBackwards,
  missingOrAlteredTriggers,
  planRanges,
  type RangeScan,
  type RangeTask,
  scanRange,
  stitchClock,
} from "./verify-chain.js";

export interface Anchor {
  seq: number;
  hash: string;
  at?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries in the log. */
  count: number;
  head: ChainHead;
  /** The first entry that does not verify, and why. Later entries cannot be trusted either. */
  firstBroken?: { seq: number; reason: string };
  triggersPresent: boolean;
  missingTriggers: string[];
  anchor?: { matches: boolean; reason: string };
  /** Other findings: rule-set contents, the decisions index. */
  problems: string[];
  /** Bytes hashed (the canonical text of every entry). */
  bytes: number;
  /**
   * Entries whose recorded_at (the machine's clock when written) is more than a few minutes before
   * the entry before them: the first few, and how many in all. A warning, not a finding: the chain
   * is intact, but a clock set back is how an entry is back-dated (recorded-at.ts).
   */
  clockBackwards: ClockBackwards[];
  clockBackwardsCount: number;
}

export interface VerifyOptions {
  anchor?: Anchor | undefined;
  /** Ranges checked on worker threads (default: one per core up to 4, for logs of 200,000 entries or more; 1 = in-process). */
  threads?: number;
}

const WORKER = new URL("./verify-worker.js", import.meta.url);
// Starting a worker costs ~50–100 ms; below this many entries one thread is as quick.
const PARALLEL_FROM_ENTRIES = 200_000;

/** Verifies any log store (each backend checks its own storage). */
export function verifyLog(store: LogStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  return store.verify(options);
}

/** The SQLite backend's verify (SqliteLogStore.verify). */
export async function verifySqlite(store: SqliteLogStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  const guard = <T>(fn: () => T): T => withLogErrors(store.path, store.busyTimeoutMs, fn);
  const db = store.sqlite;
  // One snapshot for the bounds and counts; entries up to max are immutable, so the range scans
  // that follow see the same entries even if someone appends meanwhile.
  const snap = guard(() =>
    db.transaction(() => ({
      ...(db.prepare("SELECT min(seq) AS min, max(seq) AS max FROM events").get() as { min: number | null; max: number | null }),
      indexRows: db.prepare("SELECT count(*) FROM decisions").pluck().get() as number,
      missingTriggers: missingOrAlteredTriggers(db),
      ruleSetProblems: checkRuleSets(db),
    }))(),
  );
  const { min, max } = snap;
  const tasks = min === null || max === null ? [] : guard(() => planRanges(db, min, max, rangesFor(max - min + 1, options), options.anchor?.seq));
  // Without the compiled worker the same ranges are checked here, one after another.
  const parallel = tasks.length > 1 && existsSync(fileURLToPath(WORKER));
  const scans = parallel ? await Promise.all(tasks.map((t) => inWorker(store, t))) : tasks.map((t) => guard(() => scanRange(db, t)));

  const firstBroken = scans.find((s) => s.firstBroken !== undefined)?.firstBroken;
  const head = [...scans].reverse().find((s) => s.last !== undefined)?.last ?? { seq: 0, hash: GENESIS_HASH };
  const linked = scans.reduce((n, s) => n + s.indexLinked, 0);
  const problems = [...snap.ruleSetProblems, ...scans.flatMap((s) => s.indexProblems).slice(0, 10)];
  const stray = snap.indexRows - linked;
  if (stray > 0) problems.push(`${stray} decisions index ${stray === 1 ? "row does not point at its" : "rows do not point at their"} decision entry`);
  const hashAtAnchor = scans.find((s) => s.hashAtAnchor !== undefined)?.hashAtAnchor;
  const anchor = options.anchor && compareAnchor(options.anchor, head, hashAtAnchor);
  return {
    ok: firstBroken === undefined && snap.missingTriggers.length === 0 && problems.length === 0 && (anchor?.matches ?? true),
    count: scans.reduce((n, s) => n + s.count, 0),
    head,
    ...(firstBroken && { firstBroken }),
    triggersPresent: snap.missingTriggers.length === 0,
    missingTriggers: snap.missingTriggers,
    ...(anchor && { anchor }),
    problems: [...new Set(problems)],
    bytes: scans.reduce((n, s) => n + s.bytes, 0),
    ...stitchClock(scans),
  };
}

function rangesFor(entries: number, options: VerifyOptions): number {
  return Math.max(1, options.threads ?? (entries >= PARALLEL_FROM_ENTRIES ? Math.min(availableParallelism(), 4) : 1));
}

function inWorker(store: SqliteLogStore, task: RangeTask): Promise<RangeScan> {
  return new Promise((resolve, reject) => {
    const path = store.immutable ? immutableUri(store.path) : store.path;
    const worker = new Worker(WORKER, { workerData: { path, task, busyTimeoutMs: store.busyTimeoutMs } });
    worker.once("message", (m: { ok: true; scan: RangeScan } | { ok: false; message: string; code?: string }) => {
      if (m.ok) resolve(m.scan);
      else {
        const error = Object.assign(new Error(m.message), { code: m.code });
        reject(describeSqliteError(error, store.path, store.busyTimeoutMs) ?? error);
      }
    });
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`a verify worker stopped with exit code ${code}`)));
  });
}

export function compareAnchor(anchor: Anchor, head: ChainHead, hashAtAnchor: string | undefined): { matches: boolean; reason: string } {
  if (hashAtAnchor === undefined) {
    return {
      matches: false,
      reason: `the anchor is at entry ${anchor.seq} but the log has no such entry (it ends at ${head.seq}): entries were removed, or this is a different log`,
    };
  }
  if (hashAtAnchor !== anchor.hash) {
    return { matches: false, reason: `entry ${anchor.seq} has a different hash from the anchor: the log was rewritten at or before entry ${anchor.seq}` };
  }
  const after = head.seq - anchor.seq;
  const since = after === 0 ? "" : ` (${after} ${after === 1 ? "entry" : "entries"} added since)`;
  return { matches: true, reason: `entry ${anchor.seq} matches the anchor${since}` };
}

/** Appends an `anchor` entry and returns the new head as JSON text to keep outside the database. */
export async function makeAnchor(store: Pick<LogWrites, "append">, actor: string, at: string): Promise<string> {
  const { seq, hash } = await store.append({ kind: "anchor", actor, at, body: { purpose: "chain head exported for safekeeping outside the log" } });
  return `${JSON.stringify({ seq, hash, at } satisfies Anchor, null, 2)}\n`;
}

/** Reads an anchor file's text; `source` names it in errors. */
export function parseAnchor(text: string, source: string): Anchor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TriageError(`${source} is not an anchor file (not JSON); expected {"seq": N, "hash": "…"} as written by \`triage log anchor --out\``);
  }
  const v = value as Partial<Record<keyof Anchor, unknown>> | null;
  if (
    typeof v !== "object" ||
    v === null ||
    !Number.isInteger(v.seq) ||
    (v.seq as number) < 1 ||
    typeof v.hash !== "string" ||
    !/^[0-9a-f]{64}$/.test(v.hash)
  ) {
    throw new TriageError(`${source} is not an anchor file; expected {"seq": N, "hash": "<64 hex digits>"} as written by \`triage log anchor --out\``);
  }
  return { seq: v.seq as number, hash: v.hash, ...(typeof v.at === "string" && { at: v.at }) };
}
