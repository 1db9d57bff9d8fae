/**
 * The shell's recording of an interview's choices (src/cli/record.ts → recordDecision), on a real
 * SQLite log: a proposed downgrade is refused below a floor exactly as `triage override` refuses it
 * (src/workflow/floors.ts decides both), naming the rule, and nothing is written.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Context } from "../../src/cli/context.js";
import { recordDecision } from "../../src/cli/record.js";
import { RefusedError } from "../../src/errors.js";
import { openLog } from "../../src/log/open.js";
import { checkAnswers } from "../../src/rules/answers.js";
import { approveInLog } from "../helpers/governance.js";
import { compileFile } from "../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const NOW = new Date("2026-11-27T10:30:00Z");
const dir = mkdtempSync(join(tmpdir(), "triage-record-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let logs = 0;
function context(dbPath: string): Context {
  return {
    rulesPath: "fixtures/rulesets/minimal.yaml",
    rulesExplicit: true,
    dbPath,
    dbIsDefault: false,
    teamPath: undefined,
    cacheDir: join(dir, "cache"),
    user: "worker.one",
    now: () => NOW,
    nowIsFixed: true,
    clock: () => new Date(),
    json: false,
    color: false,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    out: () => undefined,
    err: () => undefined,
    self: () => "triage",
    page: async () => undefined,
  };
}

// All fictional.
const BASE = { received_at: "2026-11-27T10:00", child_name: "Robin Example", age: "older", contacts: 5, whereabouts: "safe", referrer: "family", note: null };

async function propose(answers: Record<string, unknown>, to: string) {
  const dbPath = join(dir, `log-${++logs}.db`);
  // Not a governance test: the test rule set is approved on the log, as a rules lead would.
  await approveInLog(dbPath, "fixtures/rulesets/minimal.yaml");
  const store = openLog(dbPath);
  try {
    const checked = checkAnswers(rs, answers);
    expect(checked.problems).toEqual([]);
    const attempt = recordDecision(context(dbPath), rs, store, {
      answers: checked.answers,
      warnings: [],
      now: NOW,
      choices: { confirm: new Set(), reject: new Set() },
      downgrade: { to, reason: "The worker thinks it lower." },
    });
    const outcome = await attempt.then(
      (decision) => ({ decision, error: undefined }),
      (error: unknown) => ({ decision: undefined, error }),
    );
    const decisions: unknown[] = [];
    for await (const e of store.allEvents()) if (e.kind === "decision" || e.kind === "override") decisions.push(e);
    return { ...outcome, entries: decisions as { kind: string; body: Record<string, unknown> }[] };
  } finally {
    await store.close();
  }
}

describe("recordDecision: an interview's proposed downgrade", () => {
  it("is refused below a hard floor, naming the hard rule, and nothing is recorded", async () => {
    const r = await propose({ ...BASE, age: "baby", contacts: 0, concerns: ["injury"], injury_seen: "not_seen" }, "help");
    expect(r.error).toBeInstanceOf(RefusedError);
    expect((r.error as RefusedError).exitCode).toBe(5);
    expect((r.error as Error).message).toMatch(/below the hard floor strategy set by R1_baby_injury/);
    expect(r.entries).toEqual([]);
  });

  it("is refused where the downgrade itself brings a guard into force with checks outstanding (as `override` refuses it)", async () => {
    const r = await propose({ ...BASE, concerns: ["neglect"] }, "help");
    expect(r.error).toBeInstanceOf(RefusedError);
    expect((r.error as Error).message).toMatch(/guard G1_not_presumed_malicious holds it at assess or above until these checks are recorded: referrer_spoken/);
    expect(r.entries).toEqual([]);
  });

  it("is recorded as a pending proposal where nothing holds the outcome", async () => {
    const r = await propose({ ...BASE, concerns: ["other"] }, "help");
    expect(r.error).toBeUndefined();
    expect(r.entries.map((e) => e.kind)).toEqual(["decision", "override"]);
    expect(r.entries[1]!.body).toMatchObject({ from: "assess", to: "help", direction: "down", pending: true, approvals_required: ["manager"] });
  });
});
