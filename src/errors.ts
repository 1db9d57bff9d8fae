/** Exit codes are part of the CLI's contract (README "Exit codes"). */
export const ExitCode = {
  Ok: 0,
  /** The command ran and found something: failed validation, failed test, broken chain, violated invariant. */
  Findings: 1,
  /** The user's input was wrong: bad flags, unreadable or invalid answers/rule file, unknown reference. */
  Usage: 2,
  /** A bug in triage. */
  Internal: 3,
  /** The log could not be used: locked, corrupt, foreign, newer schema, read-only. */
  Log: 4,
  /** A safety rule refused the action (e.g. a downgrade below a hard floor, a closure with checks outstanding). */
  Refused: 5,
  /** The interview was interrupted; the draft is saved. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: printed without a stack, mapped to an exit code once, in main. */
export class TriageError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCode = ExitCode.Usage, hint?: string) {
    super(message);
    this.name = "TriageError";
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A rule file or answers file with problems: every problem, each already located. */
export class InvalidInputError extends TriageError {
  readonly problems: readonly string[];
  constructor(summary: string, problems: readonly string[], exitCode: ExitCode = ExitCode.Usage) {
    super(summary, exitCode);
    this.name = "InvalidInputError";
    this.problems = problems;
  }
}

export class LogError extends TriageError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Log, hint);
    this.name = "LogError";
  }
}

export class RefusedError extends TriageError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Refused, hint);
    this.name = "RefusedError";
  }
}
