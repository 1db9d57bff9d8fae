/**
 * The hash of one log entry. Defined as
 *
 *   sha256(canonicalJson({ seq, ref, kind, actor, at, body, prev_hash }))
 *
 * with `body` as the parsed object and `ref` null when absent. Bodies are stored as canonical JSON,
 * so the canonical text of the whole entry can be spliced together from the stored body text
 * without parsing it: that is what makes `verify` fast, and it also means any change to the stored
 * body bytes (even whitespace) breaks the hash. `entryHashInput` must stay equal to the definition
 * above; a test holds it to that.
 */
import { TriageError } from "../errors.js";
import { assertWellFormed, sha256Hex } from "./canonical.js";
import type { ChainHead, LogEntry } from "./types.js";

export const GENESIS_HASH = "0".repeat(64);

export interface EntryFields {
  seq: number;
  ref: string | null;
  kind: string;
  actor: string;
  at: string;
  prev_hash: string;
}

// JSON.stringify is exactly canonicalJson for a well-formed string; the fast path skips it when
// nothing needs escaping. A field with an unpaired surrogate is refused, as canonicalJson refuses it
// (a stored field never has one: the databases hold UTF-8, so verify never meets the refusal).
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
function quote(s: string, field: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  assertWellFormed(s, `the entry's ${field}`);
  return JSON.stringify(s);
}

/** The canonical JSON text of an entry, given its body already as canonical JSON text. Keys in sorted order. */
export function entryHashInput(e: EntryFields, bodyJson: string): string {
  const [before, after] = entryHashFrame(e);
  return before + bodyJson + after;
}

/**
 * The canonical text of an entry around its body: before + body + after is entryHashInput. Verify
 * hashes the three parts in turn, with the body as the stored bytes, never building the whole text.
 */
export function entryHashFrame(e: EntryFields): [before: string, after: string] {
  return [
    `{"actor":${quote(e.actor, "actor")},"at":${quote(e.at, "at")},"body":`,
    `,"kind":${quote(e.kind, "kind")},"prev_hash":${quote(e.prev_hash, "prev_hash")},"ref":${e.ref === null ? "null" : quote(e.ref, "ref")},"seq":${e.seq}}`,
  ];
}

export function entryHash(e: EntryFields, bodyJson: string): string {
  return sha256Hex(entryHashInput(e, bodyJson));
}

/** An imported entry must follow the head it is appended to and match its own hash. */
export function checkImport(entry: LogEntry, head: ChainHead, recomputed: string): void {
  if (entry.seq !== head.seq + 1 || entry.prev_hash !== head.hash)
    throw new TriageError(`entry ${entry.seq} does not follow the head of the destination (entry ${head.seq}); copy only into an empty log`);
  if (recomputed !== entry.hash) throw new TriageError(`entry ${entry.seq} of the source does not match its hash: verify the source first`);
}
