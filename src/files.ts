/** Reading user-named files with messages a person can act on (no stack traces for a typo'd path). */
import { readFileSync } from "node:fs";
import { ExitCode, TriageError } from "./errors.js";

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new TriageError(`cannot read ${what} ${path}: ${reason}`, ExitCode.Usage);
  }
}

/** Standard input as text ("-" on the command line). */
export function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch (error) {
    throw new TriageError(`cannot read standard input: ${(error as Error).message}`, ExitCode.Usage);
  }
}
