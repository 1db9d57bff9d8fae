/**
 * verify checks a large log in seq ranges (on worker threads when built). Whatever the split, and
 * wherever a break falls relative to range boundaries, the answer must be the same as one pass.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openLog } from "../../src/log/open.js";
import { verifyLog } from "../../src/log/verify.js";
import { builtLogModule, FIXTURES, RULE_SET_CONTENT, sampleDecision, tempDir } from "./helpers.js";

const AT = "2026-03-02T10:00:00+00:00";

/** 300 entries: a rule set, then decisions each followed by a check. */
async function bigLog(): Promise<string> {
  const path = join(tempDir(), "log.db");
  const store = openLog(path);
  await store.batch(async (tx) => {
    while ((await tx.head()).seq < 300) {
      const ref = await tx.recordDecision(sampleDecision({ name: `Child ${(await tx.head()).seq}` }), { actor: "ada", ruleSetContent: RULE_SET_CONTENT });
      if ((await tx.head()).seq < 300) await tx.append({ kind: "check", ref, actor: "ada", at: AT, body: { found: "nothing" } });
    }
  });
  await store.close();
  return path;
}

function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.pragma("foreign_keys = OFF");
  db.exec("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER decisions_no_delete;");
  db.exec(sql);
  db.close();
}

async function inProcess(path: string, threads: number, anchor?: { seq: number; hash: string }): Promise<unknown> {
  const store = openLog(path, { readonly: true });
  try {
    return await verifyLog(store, { threads, ...(anchor && { anchor }) });
  } finally {
    await store.close();
  }
}

function withWorkers(path: string, threads: number, anchor?: { seq: number; hash: string }): unknown {
  const args = [join(FIXTURES, "verify-probe.mjs"), builtLogModule(), path, String(threads), ...(anchor ? [String(anchor.seq), anchor.hash] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" }));
}

describe("verify in ranges", () => {
  it.each([
    ["an untouched log", ""],
    ["a body edited in the last range", `UPDATE events SET body = '{"found":"edited"}' WHERE seq = 251`],
    ["the last entry of a range deleted", "DELETE FROM events WHERE seq = 100"],
    ["the first entry of a range deleted", "DELETE FROM events WHERE seq = 101"],
    ["entries across a boundary deleted", "DELETE FROM events WHERE seq BETWEEN 95 AND 105"],
    ["the first entry deleted", "DELETE FROM events WHERE seq = 1"],
    ["a decision's index row deleted", "DELETE FROM decisions WHERE seq = 150"],
  ])("gives the same answer in one pass, in 3 ranges, and on 3 worker threads: %s", async (_name, sql) => {
    const path = await bigLog();
    if (sql !== "") tamper(path, sql);
    const one = await inProcess(path, 1);
    expect(await inProcess(path, 3)).toEqual(one);
    expect(await inProcess(path, 7)).toEqual(one);
    expect(withWorkers(path, 3)).toEqual(one);
    expect((one as { ok: boolean }).ok).toBe(sql === "");
  });

  it("finds the anchor in whichever range holds it", async () => {
    const path = await bigLog();
    const db = new Database(path, { readonly: true });
    const hash = db.prepare("SELECT hash FROM events WHERE seq = 230").pluck().get() as string;
    db.close();
    const anchor = { seq: 230, hash };
    const one = (await inProcess(path, 1, anchor)) as { anchor: unknown };
    expect(one.anchor).toEqual({ matches: true, reason: "entry 230 matches the anchor (70 entries added since)" });
    expect(withWorkers(path, 3, anchor)).toEqual(one);
    expect(withWorkers(path, 3, { seq: 230, hash: "0".repeat(64) })).toMatchObject({ ok: false, anchor: { matches: false } });
  });
});
