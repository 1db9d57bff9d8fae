/**
 * The anchor folder (TRIAGE_ANCHOR_DIR / --anchor-dir; content and naming in src/log/head-anchor.ts).
 *
 * Writing: before a command writes the log, the folder must exist (a backup share that is not mounted
 * must not silently become a local folder) and the log must still hold what its anchor there records
 * — a log that lost entries, or was rewritten, is not written to (exit 4). After the command, the new
 * head is written there atomically and owner-only, by output-file.ts's rules (never the log, never
 * through a symlink, temp + fsync + rename). If that last write fails, the entries are recorded all
 * the same: the command says so, and the next write tries again.
 *
 * Verifying: `log verify` compares with the log's anchor there by default; no anchor for the log, or
 * one for this place with another first entry, is a finding.
 */
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, LogError, RefusedError, TriageError } from "../errors.js";
import { LIMITS, readText } from "../files.js";
import { anchorBroken, headAnchorName, headAnchorText, type HeadAnchor, isHeadAnchorName, parseHeadAnchor } from "../log/head-anchor.js";
import { formatRecordedAt } from "../log/recorded-at.js";
import type { LogStore } from "../log/store.js";
import type { Context } from "./context.js";
import { prepareOutput } from "./output-file.js";

/** The folder must exist and be a folder; it is never created (a share that is not mounted is not replaced by a local folder). */
export function checkAnchorDir(dir: string): void {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (stat === undefined)
    throw new TriageError(
      `the anchor folder ${dir} does not exist (is the disk or share mounted?); nothing was done`,
      ExitCode.Usage,
      "create it (owner-only, on another disk or a backup share), or check --anchor-dir / TRIAGE_ANCHOR_DIR",
    );
  if (!stat.isDirectory())
    throw new TriageError(`the anchor folder ${dir} is not a folder; nothing was done`, ExitCode.Usage, "check --anchor-dir / TRIAGE_ANCHOR_DIR");
}

export interface FoundAnchor {
  /** The file for this log (by its identity), whether or not it exists yet. */
  file: string;
  anchor?: HeadAnchor;
  /** An anchor for the same place with another first entry: the log there was replaced or rewritten. */
  samePlaceOtherLog?: { file: string; anchor: HeadAnchor };
}

/** The log's anchor in `dir`, found by the log's identity (the hash of entry 1), else by its place. */
export async function findAnchor(dir: string, store: LogStore, logId: string): Promise<FoundAnchor> {
  const file = join(dir, headAnchorName(logId));
  const read = (path: string): HeadAnchor | undefined => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    // Never read (nor later write) through a link planted where the anchor goes.
    if (stat?.isSymbolicLink()) throw new RefusedError(`refused: the anchor file ${path} is a symbolic link; anchors are not read or written through links`);
    if (!stat?.isFile()) return undefined;
    return parseHeadAnchor(readText(path, "anchor file", LIMITS.anchorFileBytes), path);
  };
  const anchor = read(file);
  if (anchor !== undefined) {
    if (anchor.log_id !== logId) throw new TriageError(`${file} names another log (${anchor.log_id.slice(0, 16)}…) than its file name says`, ExitCode.Findings);
    return { file, anchor };
  }
  for (const name of readdirSync(dir).filter(isHeadAnchorName)) {
    const path = join(dir, name);
    let other: HeadAnchor | undefined;
    try {
      other = read(path);
      // (a link or someone else's file: not ours to judge)
    } catch {
      continue;
    }
    if (other !== undefined && other.log === store.path && other.log_id !== logId) return { file, samePlaceOtherLog: { file: path, anchor: other } };
  }
  return { file };
}

/**
 * Before a command writes: the folder exists, and the log still holds what its anchor records.
 * Returns what to do after the command (write the new head), given to openStore's close.
 */
export async function guardWrites(ctx: Context, dir: string, store: LogStore): Promise<() => Promise<void>> {
  checkAnchorDir(dir);
  const head = await store.head();
  if (head.seq > 0) {
    const logId = (await store.hashAt(1))!;
    const found = await findAnchor(dir, store, logId);
    const broken = found.anchor
      ? anchorBroken(found.anchor, head, await store.hashAt(found.anchor.seq))
      : found.samePlaceOtherLog &&
        `the anchor ${found.samePlaceOtherLog.file} for this log's place has another first entry: the log was replaced or rewritten from its first entry`;
    if (broken !== undefined)
      throw new LogError(
        `the log ${store.path} does not match its anchor in ${dir}: ${broken}; nothing was recorded`,
        `run \`${ctx.self()} log verify\`; restore the log from a backup, or if this log is the right one, move the anchor file aside`,
      );
  }
  return () => writeHead(ctx, dir, store);
}

/** Writes the log's head to its anchor file, unless that already records it or a later head. Never throws: the entries are recorded. */
export async function writeHead(ctx: Context, dir: string, store: LogStore): Promise<void> {
  try {
    const head = await store.head();
    if (head.seq === 0) return;
    const logId = (await store.hashAt(1))!;
    const found = await findAnchor(dir, store, logId);
    // Another process may have written a later head meanwhile: never move the anchor back.
    if (found.anchor && (found.anchor.seq > head.seq || (found.anchor.seq === head.seq && found.anchor.hash === head.hash))) return;
    const anchor: HeadAnchor = { seq: head.seq, hash: head.hash, count: head.seq, at: formatRecordedAt(ctx.clock()), log_id: logId, log: store.path };
    const out = prepareOutput({ path: found.file, force: true, logPath: store.path, what: "the anchor" });
    try {
      out.write(headAnchorText(anchor));
      out.commit();
    } catch (error) {
      out.abort();
      throw error;
    }
  } catch (error) {
    ctx.err(
      `warning: what was recorded is in the log, but its anchor in ${dir} could not be updated: ${(error as Error).message}. The next command that writes tries again; check the anchor folder.`,
    );
  }
}

/** For `log verify`: the anchor to compare with, or a finding when there is none to compare with. */
export async function anchorForVerify(dir: string, store: LogStore): Promise<{ file?: string; anchor?: HeadAnchor; finding?: string }> {
  checkAnchorDir(dir);
  const logId = await store.hashAt(1);
  if (logId === undefined) return {};
  const found = await findAnchor(dir, store, logId);
  if (found.anchor) return { file: found.file, anchor: found.anchor };
  if (found.samePlaceOtherLog)
    return {
      file: found.samePlaceOtherLog.file,
      finding: `the anchor ${found.samePlaceOtherLog.file} for this log's place (${store.path}) records another first entry: the log was replaced, or rewritten from its first entry`,
    };
  return {
    file: found.file,
    finding: `there is no anchor for this log in ${dir} (expected ${headAnchorName(logId)}): it is written by every command that records with the anchor folder set, so either none has yet (run \`triage log anchor\` once) or it was removed`,
  };
}
