/**
 * Reads an answers file (YAML or JSON, or "-" for standard input) and validates it against the rule
 * set, naming the question and its position for every problem.
 */
import { ExitCode, InvalidInputError } from "../errors.js";
import { LIMITS, readStdin, readText } from "../files.js";
import { duplicateJsonKey } from "../rules/json-keys.js";
import { checkAnswerNotes, checkAnswers, type UnansweredMode } from "../rules/answers.js";
import { readPlainYaml } from "./plain-yaml.js";
import type { CompiledRuleSet } from "../rules/compile.js";
import type { Answer } from "../rules/types.js";
import type { SourceDoc } from "../rules/yaml-source.js";

export interface AnswersFile {
  answers: Record<string, Answer>;
  warnings: string[];
  /** A fixture-style file (`answers:` plus `now:`) may carry its own clock. */
  now?: string;
  /** The answers as written, before validation (for --link hints and fixtures). */
  written: Record<string, unknown>;
  /** Notes on answers (a `notes:` map beside the answers), checked: answered questions only, the free-text limit. */
  notes?: Record<string, string>;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

export async function readAnswersFile(rs: CompiledRuleSet, path: string, mode: UnansweredMode): Promise<AnswersFile> {
  const { file, map, prefix, now, yaml, notes } = await readAnswersMap(rs, path);
  const checked = checkAnswers(rs, map, mode);
  if (checked.problems.length > 0) throw await located(file, yaml, prefix, rs, checked.problems);
  const noted = checkAnswerNotes(rs, checked.answers, notes);
  if (noted.problems.length > 0) throw await located(file, yaml, ["notes"], rs, noted.problems);
  return {
    answers: checked.answers,
    warnings: checked.warnings,
    ...(now !== undefined && { now }),
    written: map,
    ...(Object.keys(noted.notes).length > 0 ? { notes: noted.notes } : {}),
  };
}

/** Problems in an answers file, each at its question's place in the file. */
export async function located(
  file: string,
  yaml: () => Promise<SourceDoc>,
  prefix: string[],
  rs: CompiledRuleSet,
  list: readonly { question: string; message: string }[],
): Promise<InvalidInputError> {
  const { problemAt } = await import("../rules/yaml-source.js");
  const source = await yaml();
  const problems = list.map((p) =>
    rs.questionIndex.has(p.question) ? problemAt(source, [...prefix, p.question], p.message) : problemAt(source, prefix, p.message, p.question),
  );
  return new InvalidInputError(`${file}: ${problems.length} problem(s) in the answers`, problems, ExitCode.Usage);
}

/** An answers file read as a map from question id to answer as written (not yet checked against the questions). */
export async function readAnswersMap(rs: CompiledRuleSet, path: string) {
  const file = path === "-" ? "<stdin>" : path;
  const text = path === "-" ? readStdin(LIMITS.answersFileBytes, "answers file") : readText(path, "answers file", LIMITS.answersFileBytes);
  // JSON (what other systems send) parses without loading the YAML library; problems are then
  // located by parsing the same text as YAML, which JSON is.
  let json: unknown;
  if (/^\s*\{/.test(text)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // JSON.parse keeps the last of two equal keys without a word; YAML refuses them, and so do we.
    const duplicate = json === undefined ? undefined : duplicateJsonKey(text);
    if (duplicate) {
      throw new InvalidInputError(`${file} has a duplicate key`, [
        `${file}:${duplicate.line}:${duplicate.col}: duplicate key ${JSON.stringify(duplicate.key)}: it appears twice in the same map`,
      ]);
    }
  }
  const yaml = once(async () => {
    const { parseSource } = await import("../rules/yaml-source.js");
    return parseSource(text, file);
  });
  // Plain YAML (what people write) is read without the library too; anything less plain takes it.
  let data: unknown = json ?? readPlainYaml(text);
  if (data === undefined) {
    const source = await yaml();
    if (source.syntaxProblems.length > 0) throw new InvalidInputError(`${file} is not valid YAML or JSON`, source.syntaxProblems);
    const { toData } = await import("../rules/yaml-source.js");
    const read = toData(source);
    if (!read.ok) throw new InvalidInputError(`${file} uses too many YAML aliases`, read.problems);
    data = read.data;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InvalidInputError(`${file}: expected a map from question id to answer`, [`${file}:1:1: expected a map such as "child_age_band: 1_4y"`]);
  }
  let map = data as Record<string, unknown>;
  let prefix: string[] = [];
  let now: string | undefined;
  // A fixture (answers + expectations) doubles as an answers file.
  if (!rs.questionIndex.has("answers") && map.answers !== null && typeof map.answers === "object" && !Array.isArray(map.answers)) {
    now = typeof map.now === "string" ? map.now : undefined;
    map = map.answers as Record<string, unknown>;
    prefix = ["answers"];
  }
  // Notes on answers: a `notes:` map beside `answers:` (a fixture-style file), or at the top of a plain
  // map when the rule set has no question called "notes".
  let notes: unknown;
  if (prefix.length > 0) notes = (data as Record<string, unknown>).notes;
  else if (!rs.questionIndex.has("notes") && "notes" in map) {
    const { notes: taken, ...rest } = map;
    notes = taken;
    map = rest;
  }
  return { file, map, prefix, now, yaml, notes };
}
