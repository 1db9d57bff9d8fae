/** The one place that runs the program and turns errors into messages and exit codes. */
import { CommanderError } from "commander";
import { ExitCode, InvalidInputError, TriageError } from "../errors.js";
import { PACKAGE_ROOT } from "./context.js";
import { commandName, runnable } from "./invocation.js";
import { createProgram } from "./program.js";
import { inert } from "./render/inert.js";
import { UnpairedSurrogateError } from "../rules/well-formed.js";

// Error messages quote paths, references and answers: whatever a person or file put there is shown inert.
// A hint that names a command names one this user can run (src/cli/invocation.ts).
const say = (text: string): void => void process.stderr.write(`${runnable(inert(text), commandName(process.env, PACKAGE_ROOT, process.cwd()))}\n`);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message; help and version are successes.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (error instanceof InvalidInputError) {
    for (const problem of error.problems) say(problem);
    say(`triage: ${error.message}`);
    if (error.hint) say(`hint: ${error.hint}`);
    return error.exitCode;
  }
  if (error instanceof TriageError) {
    say(`triage: ${error.message}`);
    if (error.hint) say(`hint: ${error.hint}`);
    return error.exitCode;
  }
  // Only text from outside (a file, an answer) can hold half a character: bad input, not our bug.
  if (error instanceof UnpairedSurrogateError) {
    say(`triage: ${error.message}`);
    return ExitCode.Usage;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`triage: internal error (this is a bug in triage; please report it with the text below)\n${stack}`);
  return ExitCode.Internal;
}

// `triage log export | head`: when the reader goes away, stop quietly — no EPIPE stack, no error.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw error;
  });

export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  try {
    // `--no-link REF` would be read by commander as the negation of --link; it is an alias.
    await program.parseAsync(argv.map((arg) => (arg === "--no-link" ? "--reject-link" : arg)));
  } catch (error) {
    process.exitCode = report(error);
  }
}

await main(process.argv);
