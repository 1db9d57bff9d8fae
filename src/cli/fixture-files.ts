/** Reads every fixture file of a folder (sorted by name), failing clearly on an unreadable one. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, InvalidInputError, TriageError } from "../errors.js";
import { LIMITS, readText } from "../files.js";
import { parseFixture, type Fixture } from "../rules/fixtures.js";

export function readFixtures(dir: string): Fixture[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$|\.json$/.test(n))
      .sort();
  } catch {
    throw new TriageError(`cannot read fixtures folder ${dir}`, ExitCode.Usage);
  }
  const fixtures: Fixture[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const parsed = parseFixture(readText(file, "fixture", LIMITS.answersFileBytes), file);
    if (parsed.fixture) fixtures.push(parsed.fixture);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new InvalidInputError(`${problems.length} problem(s) in fixtures under ${dir}`, problems, ExitCode.Findings);
  return fixtures;
}
