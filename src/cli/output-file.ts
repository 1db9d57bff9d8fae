/**
 * Every file a command writes (`log export --out`, `log anchor --out`) goes through here, because one
 * mistyped path must never destroy the log: `--out` naming the log (or its -wal/-shm/-journal files,
 * by any path, symlink or hard link) is refused even with --force; a symlink at the final path is
 * refused; an existing file is replaced only with --force. The content goes to a temporary file in
 * the same folder (owner-only), is fsynced and renamed into place, so the file is either complete or
 * absent: a full disk, a permission error or a folder leaves nothing behind.
 */
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { ExitCode, RefusedError, TriageError } from "../errors.js";

export interface OutputRequest {
  /** The path as the user gave it. */
  path: string;
  /** Replace an existing regular file (never the log). */
  force: boolean;
  /** The log in use: it and its journal files are never an output. */
  logPath: string;
  /** What is being written, for messages ("the export", "the anchor"). */
  what: string;
}

export interface PendingOutput {
  readonly path: string;
  write(text: string): void;
  /** fsync, then rename into place. After this the file is complete at `path`. */
  commit(): void;
  /** Removes the temporary file (and the final one, if this output had already put it in place). */
  abort(): void;
}

const LOG_COMPANIONS = ["", "-wal", "-shm", "-journal"];

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Absent: resolve its folder instead, so "logdir-link/triage.db-wal" still names the log's journal.
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** The user's error for an output path: exit 2, or 4 when the disk is full (as for the log). */
export function outputError(request: OutputRequest, error: unknown): TriageError {
  if (error instanceof TriageError) return error;
  const code = codeOf(error);
  const why =
    code === "ENOSPC" || code === "EDQUOT"
      ? "the disk is full"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "ENOENT"
          ? "the folder does not exist"
          : code === "ENOTDIR"
            ? "a part of the path is not a folder"
            : code === "EROFS"
              ? "the file system is read-only"
              : String((error as Error)?.message ?? error);
  const exit = code === "ENOSPC" || code === "EDQUOT" ? ExitCode.Log : ExitCode.Usage;
  return new TriageError(`cannot write ${request.what} to ${request.path}: ${why}; nothing was written`, exit);
}

/** Refuses a target that is the log or one of its journal files, by path or by identity (device and inode). */
function refuseLogTarget(request: OutputRequest, target: string, targetStat: Stats | undefined): void {
  const log = resolve(request.logPath);
  const realTarget = realOrSelf(target);
  for (const suffix of LOG_COMPANIONS) {
    const companion = log + suffix;
    const stat = (() => {
      try {
        return statSync(companion);
      } catch {
        return undefined;
      }
    })();
    const sameFile = targetStat !== undefined && stat !== undefined && stat.dev === targetStat.dev && stat.ino === targetStat.ino;
    if (sameFile || resolve(target) === companion || realTarget === realOrSelf(companion)) {
      throw new RefusedError(
        `refused: ${request.path} is the decision log${suffix ? `'s ${suffix.slice(1)} file` : ""} (${log}); writing ${request.what} there would destroy it (not even with --force)`,
        "choose another file for --out",
      );
    }
  }
}

/** Checks the target and opens the temporary file beside it. Nothing is written at `path` until commit. */
export function prepareOutput(request: OutputRequest): PendingOutput {
  const target = resolve(request.path);
  let fd: number | undefined;
  let temp: string | undefined;
  let placed = false;
  try {
    const link = lstat(target);
    if (link?.isSymbolicLink())
      throw new RefusedError(`refused: ${request.path} is a symbolic link; ${request.what} is not written through links`, "give the real path of a new file");
    refuseLogTarget(request, target, link);
    if (link?.isDirectory()) throw new TriageError(`cannot write ${request.what} to ${request.path}: it is a folder; nothing was written`, ExitCode.Usage);
    if (link && !link.isFile())
      throw new TriageError(`cannot write ${request.what} to ${request.path}: it is not a regular file; nothing was written`, ExitCode.Usage);
    if (link && !request.force)
      throw new TriageError(
        `${request.path} already exists; ${request.what} was not written`,
        ExitCode.Usage,
        "add --force to replace it, or choose another file",
      );
    temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    fd = openSync(temp, "wx", 0o600);
  } catch (error) {
    throw outputError(request, error);
  }
  const cleanup = () => {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failed */
      }
      fd = undefined;
    }
    if (temp !== undefined) {
      try {
        unlinkSync(temp);
      } catch {
        /* gone */
      }
    }
  };
  return {
    path: target,
    write(text: string) {
      const bytes = Buffer.from(text, "utf8");
      try {
        for (let offset = 0; offset < bytes.length;) offset += writeSync(fd!, bytes, offset, bytes.length - offset);
      } catch (error) {
        cleanup();
        throw outputError(request, error);
      }
    },
    commit() {
      try {
        fsyncSync(fd!);
        closeSync(fd!);
        fd = undefined;
        // Checked again at the last moment: a link or the log put there meanwhile is still refused.
        const now = lstat(target);
        if (now?.isSymbolicLink()) throw new RefusedError(`refused: ${request.path} became a symbolic link while ${request.what} was written`);
        refuseLogTarget(request, target, now);
        if (now && !request.force)
          throw new TriageError(`${request.path} was created by someone else meanwhile; ${request.what} was not written`, ExitCode.Usage);
        renameSync(temp!, target);
        placed = true;
        temp = undefined;
        try {
          const dir = openSync(dirname(target), "r");
          try {
            fsyncSync(dir);
          } finally {
            closeSync(dir);
          }
        } catch {
          /* some file systems cannot fsync a folder; the rename itself is atomic */
        }
      } catch (error) {
        cleanup();
        throw outputError(request, error);
      }
    },
    abort() {
      cleanup();
      if (placed) {
        try {
          unlinkSync(target);
        } catch {
          /* gone */
        }
        placed = false;
      }
    },
  };
}
