/**
 * Shared by the log tests: temp folders (real files, removed afterwards), fictional decisions, and a
 * plain-JavaScript copy of src/log for child processes (which cannot load TypeScript).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, afterEach } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/log/canonical.js";
import type { Decision } from "../../src/rules/types.js";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "triage-log-test-"));
  made.push(dir);
  return dir;
}

export const RULE_SET_CONTENT = { id: "test-rules", version: "1.0.0", outcomes: [{ id: "nfa" }, { id: "early_help" }, { id: "s47" }] };
export const RULE_SET_SHA = sha256Hex(canonicalJson(RULE_SET_CONTENT));

/** A fictional decision; identity answers and times can be overridden. */
export function sampleDecision(
  options: {
    name?: string;
    dob?: string;
    childRef?: string;
    postcode?: string;
    receivedAt?: string;
    decidedAt?: string;
    outcome?: { id: string; level: number; label: string };
  } = {},
): Decision {
  const outcome = options.outcome ?? { id: "early_help", level: 2, label: "Early help" };
  const answers: Record<string, string> = {};
  if (options.name !== undefined) answers.child_name = options.name;
  if (options.dob !== undefined) answers.child_dob = options.dob;
  if (options.childRef !== undefined) answers.child_ref = options.childRef;
  if (options.postcode !== undefined) answers.household_postcode = options.postcode;
  const receivedAt = options.receivedAt ?? "2026-03-02T10:15:00+00:00";
  const decidedAt = options.decidedAt ?? "2026-03-02T11:00:00+00:00";
  return {
    rule_set: { id: RULE_SET_CONTENT.id, version: RULE_SET_CONTENT.version, sha256: RULE_SET_SHA },
    received_at: receivedAt,
    decided_at: decidedAt,
    computed_outcome: outcome,
    outcome,
    hard_floor: null,
    deadlines: { decide_by: "2026-03-03T10:15:00+00:00", respond_by: "2026-03-12T10:15:00+00:00" },
    fired: [{ id: "E2", title: "Neglect concerns", effect: "floor", outcome: outcome.id, hard: false, applied: true, because: "fictional" }],
    steps: [],
    guards: [],
    flags: [],
    unknowns: [],
    history: {
      referrals_in_window: 0,
      distinct_referrers: 1,
      earlier: [],
      possible_matches: [],
      facts: {
        referrals_in_window: 0,
        distinct_referrers: 1,
        earlier_unsubstantiated_closures: 0,
        earlier_malicious_closures: 0,
        earlier_closures_without_checks: 0,
        highest_earlier_level: 0,
        earlier_injuries: 0,
        recent_nfa_closures: 0,
      },
    },
    answers: { ...answers, received_at: receivedAt },
    clock: { now: decidedAt, out_of_hours: false, received_out_of_hours: false },
    warnings: [],
  };
}

let built: string | undefined;

/**
 * src/log (and what it imports from src) transpiled to plain ESM in a temp folder, for `node`
 * child processes. Transpiling file by file needs no type check, so it works while other parts
 * of the project are mid-change; `npx tsc` over the whole project might not.
 */
export function builtLogModule(): string {
  if (built !== undefined) return built;
  const out = mkdtempSync(join(tmpdir(), "triage-log-build-"));
  const src = join(REPO, "src");
  const queue = ["log/open.ts", "log/sqlite-store.ts", "log/verify.ts", "log/verify-worker.ts"];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const rel = queue.pop() as string;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(join(src, rel), "utf8");
    for (const m of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)\.js"/g)) {
      queue.push(relative(src, resolve(dirname(join(src, rel)), `${m[1]}.ts`)));
    }
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: rel,
    }).outputText;
    mkdirSync(join(out, dirname(rel)), { recursive: true, mode: 0o755 });
    writeFileSync(join(out, rel.replace(/\.ts$/, ".js")), js);
  }
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(REPO, "node_modules"), join(out, "node_modules"));
  chmodSync(out, 0o755); // readable by the unprivileged user some tests run as
  built = out;
  return out;
}

afterAll(() => {
  if (built !== undefined) rmSync(built, { recursive: true, force: true });
  built = undefined;
});

/** Everything an async iterable yields (Array.fromAsync arrives in Node 22). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export const FIXTURES = join(REPO, "test", "log", "fixtures");

/** True when running as root: permission tests then run their probe as `nobody`, since root ignores modes. */
export const IS_ROOT = process.getuid?.() === 0;
export const NOBODY = 65534;
