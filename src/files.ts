/** Reading user-named files with messages a person can act on (no stack traces for a typo'd path). */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { ExitCode, TriageError } from "./errors.js";

/**
 * How big an input may be. A person's file larger than this is a mistake or an attack (a log export
 * given as answers, a generated bomb); it is refused, naming the limit, before it is parsed.
 */
export const LIMITS = {
  answersFileBytes: 1_000_000,
  ruleFileBytes: 5_000_000,
  teamFileBytes: 1_000_000,
  anchorFileBytes: 100_000,
} as const;

const megabytes = (bytes: number): string => (bytes >= 1_000_000 ? `${bytes / 1_000_000} MB` : `${bytes / 1000} kB`);

function tooBig(what: string, path: string, limit: number): TriageError {
  return new TriageError(`${what} ${path} is larger than the limit of ${megabytes(limit)} for ${what}s; it was not read`, ExitCode.Usage);
}

export function readText(path: string, what: string, maxBytes?: number): string {
  try {
    if (maxBytes === undefined) return readFileSync(path, "utf8");
    const fd = openSync(path, "r");
    try {
      const stat = fstatSync(fd);
      if (stat.isFile() && stat.size > maxBytes) throw tooBig(what, path, maxBytes);
      const text = readFileSync(fd, "utf8");
      if (Buffer.byteLength(text) > maxBytes) throw tooBig(what, path, maxBytes);
      return text;
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof TriageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new TriageError(`cannot read ${what} ${path}: ${reason}`, ExitCode.Usage);
  }
}

/**
 * Standard input as text ("-" on the command line). Read in chunks: a pipe that is momentarily
 * empty (EAGAIN on a non-blocking descriptor) is waited for, and reading stops as soon as the
 * limit is passed instead of taking in everything first.
 */
export function readStdin(maxBytes?: number, what = "standard input"): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(1 << 16);
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === "EOF") break;
      throw new TriageError(`cannot read standard input: ${(error as Error).message}`, ExitCode.Usage);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
    if (maxBytes !== undefined && total > maxBytes) throw tooBig(what, "<stdin>", maxBytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}
