/**
 * Automatic anchoring (issue 10): with an anchor folder set (TRIAGE_ANCHOR_DIR / --anchor-dir), every
 * command that writes the log also writes its new head to a file in that folder, meant for another
 * disk or a backup share; `log verify` compares with it by default. This module is the file's content
 * and name (pure); src/cli/anchor-dir.ts reads and writes it.
 *
 * The file is named by the log's identity, the hash of its first entry: it follows the log when the
 * log is moved or copied (`log copy` keeps every hash), and a log rewritten from its first entry gets
 * another name — which is why the file also says where the log was (`log`), so that a log found at
 * that place with another first entry is reported rather than taken for a new log.
 *
 * Its `seq` and `hash` are what `log verify --anchor FILE` reads, so the file works there too.
 */
import { TriageError } from "../errors.js";

export interface HeadAnchor {
  /** Entries in the log when it was written (the head's number). */
  seq: number;
  /** The head entry's hash. */
  hash: string;
  count: number;
  /** When it was written, by the machine's real clock. */
  at: string;
  /** The log's identity: the hash of its first entry. */
  log_id: string;
  /** Where the log was: a file path, or a server address without any password. */
  log: string;
}

const NAME = /^triage-anchor-([0-9a-f]{16})\.json$/;

/** The file name for a log, from its identity. */
export function headAnchorName(logId: string): string {
  return `triage-anchor-${logId.slice(0, 16)}.json`;
}

export function isHeadAnchorName(name: string): boolean {
  return NAME.test(name);
}

export function headAnchorText(anchor: HeadAnchor): string {
  const { seq, hash, count, at, log_id, log } = anchor;
  return `${JSON.stringify({ seq, hash, count, at, log_id, log }, null, 2)}\n`;
}

/** Reads an anchor folder's file; `source` names it in errors. */
export function parseHeadAnchor(text: string, source: string): HeadAnchor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TriageError(`${source} is not an anchor file (not JSON)`);
  }
  const v = value as Partial<Record<keyof HeadAnchor, unknown>> | null;
  const hex64 = (x: unknown): x is string => typeof x === "string" && /^[0-9a-f]{64}$/.test(x);
  if (
    typeof v !== "object" ||
    v === null ||
    !Number.isInteger(v.seq) ||
    (v.seq as number) < 1 ||
    !hex64(v.hash) ||
    !hex64(v.log_id) ||
    typeof v.log !== "string" ||
    typeof v.at !== "string"
  )
    throw new TriageError(`${source} is not an anchor file written by triage (expected seq, hash, log_id, log and at)`);
  return { seq: v.seq as number, hash: v.hash, count: typeof v.count === "number" ? v.count : (v.seq as number), at: v.at, log_id: v.log_id, log: v.log };
}

/**
 * Whether the log (its hash at the anchor's entry) still holds what the anchor recorded: undefined
 * when it does, else why not.
 */
export function anchorBroken(anchor: HeadAnchor, head: { seq: number }, hashAtAnchor: string | undefined): string | undefined {
  if (hashAtAnchor === undefined)
    return `the anchor records ${anchor.seq} entries (at ${anchor.at}) but the log ends at entry ${head.seq}: entries were removed, or the log was restored from an older copy`;
  if (hashAtAnchor !== anchor.hash)
    return `entry ${anchor.seq} is not the one anchored at ${anchor.at}: the log was rewritten at or before entry ${anchor.seq}`;
  return undefined;
}
