/**
 * Rule-set loading: YAML with positions → shape (zod, strict) → cross-references (validate.ts).
 * Every problem in one pass, each as `file:line:col: message`. Pure: reading the file is the
 * caller's (src/cli/rules-loader.ts).
 */
import type * as z from "zod";
import { ruleSetDigest } from "./canonical.js";
import { ruleSetSchema, type RawRuleSet } from "./schema.js";
import { checkRuleSet } from "./validate.js";
import { parseSource, problemAt, toData, type SourceDoc } from "./yaml-source.js";

export interface ValidRuleSet {
  file: string;
  /** Canonical form (order-free lists sorted by id). */
  raw: RawRuleSet;
  /** Canonical JSON text: what the log stores and the hash covers. */
  content: string;
  sha256: string;
}

export type ParseResult = { ok: true; ruleSet: ValidRuleSet } | { ok: false; problems: string[] };

type ZodIssue = z.core.$ZodIssue;

/** A union failed: report the branch that got furthest, not every alternative. */
function bestBranch(branches: ZodIssue[][]): ZodIssue[] {
  const score = (issues: ZodIssue[]): [number, number] => [
    issues.some((i) => i.path.length === 0 && (i.code === "unrecognized_keys" || i.code === "invalid_type")) ? 1 : 0,
    issues.length,
  ];
  return (
    [...branches].sort((a, b) => {
      const [ra, na] = score(a);
      const [rb, nb] = score(b);
      return ra - rb || na - nb;
    })[0] ?? []
  );
}

function describe(issue: ZodIssue, path: (string | number)[]): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.message.includes("received undefined")) return `missing required key "${String(path[path.length - 1])}" (${issue.expected})`;
      return `expected ${issue.expected}, ${issue.message.replace(/^Invalid input: expected \w+, /, "")}`;
    case "invalid_value":
      return `expected one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "array" ? `needs at least ${String(issue.minimum)} item(s)` : issue.message;
    case "invalid_format":
      return issue.message.replace(/^Invalid string: must match pattern .*$/, "invalid format");
    default:
      return issue.message;
  }
}

function shapeProblems(source: SourceDoc, issues: ZodIssue[], prefix: (string | number)[], out: string[]): void {
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branch = bestBranch(issue.errors as ZodIssue[][]);
      if (branch.length > 0) {
        shapeProblems(source, branch, path, out);
        continue;
      }
    }
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(problemAt(source, path, `unknown key "${key}" (a typo?)`, key));
      continue;
    }
    out.push(problemAt(source, path, describe(issue, path)));
  }
}

/** Validates rule-set text; never throws for problems in the text. */
export function parseRuleSet(text: string, file: string): ParseResult {
  const source = parseSource(text, file);
  if (source.syntaxProblems.length > 0) return { ok: false, problems: source.syntaxProblems };
  const read = toData(source);
  if (!read.ok) return { ok: false, problems: read.problems };
  const data = read.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, problems: [`${file}:1:1: expected a rule set (a YAML map with id, version, outcomes, questions, rules, …)`] };
  }
  const shape = ruleSetSchema.safeParse(data);
  if (!shape.success) {
    const problems: string[] = [];
    shapeProblems(source, shape.error.issues, [], problems);
    return { ok: false, problems };
  }
  const issues = checkRuleSet(shape.data);
  if (issues.length > 0) return { ok: false, problems: issues.map((i) => problemAt(source, i.path, i.message)) };
  const digest = ruleSetDigest(shape.data);
  return { ok: true, ruleSet: { file, raw: digest.canonical, content: digest.content, sha256: digest.sha256 } };
}
