/**
 * Before anything is appended, the head of the chain is checked cheaply (the last entry's hash
 * recomputed from its stored text, and its link to the one before): a new entry must never be
 * chained onto a damaged or truncated head, which would make the damage look like history.
 * The whole chain is `triage log verify`'s work; this costs two rows.
 */
import type Database from "better-sqlite3";
import { LogError } from "../errors.js";
import { entryHash, GENESIS_HASH } from "./chain.js";

type HeadRow = { seq: number; ref: string | null; kind: string; actor: string; at: string; body: string; prev_hash: string; hash: string };

export function refuseBrokenHead(db: Database.Database, file: string): void {
  const rows = db.prepare("SELECT seq, ref, kind, actor, at, body, prev_hash, hash FROM events ORDER BY seq DESC LIMIT 2").all() as HeadRow[];
  const [head, before] = rows;
  if (!head) return;
  const broken = (why: string) =>
    new LogError(
      `the log ${file} has a damaged head: entry #${head.seq} ${why}; nothing was appended`,
      "run `triage log verify` and restore the log from a backup; do not record into it",
    );
  if (entryHash(head, head.body) !== head.hash) throw broken("does not match its hash");
  if (before ? before.seq !== head.seq - 1 : head.seq !== 1) throw broken(`follows #${before?.seq ?? 0} (entries are missing)`);
  if (head.prev_hash !== (before ? before.hash : GENESIS_HASH)) throw broken("does not link to the entry before it");
}
