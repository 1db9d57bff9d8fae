import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/log/canonical.js";
import { GENESIS_HASH } from "../../src/log/chain.js";
import { openLog } from "../../src/log/open.js";
import type { SqliteLogStore } from "../../src/log/sqlite-store.js";
import { makeAnchor, parseAnchor, verifyLog } from "../../src/log/verify.js";
import { collect, RULE_SET_CONTENT, sampleDecision, tempDir } from "./helpers.js";

const AT = "2026-03-02T10:00:00+00:00";

async function logWith(n: number): Promise<{ store: SqliteLogStore; path: string }> {
  const path = join(tempDir(), "log.db");
  const store = openLog(path);
  for (let i = 1; i <= n; i++) await store.append({ kind: "anchor", actor: "ada", at: AT, body: { i, text: `entry ${i}` } });
  return { store, path };
}

/** What someone with write access to the file could do once the triggers are gone. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;");
  db.exec(sql);
  db.close();
}

describe("append", () => {
  it("links each entry to the one before, from 64 zeros", async () => {
    const { store } = await logWith(3);
    const entries = await collect(store.allEvents());
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(entries[1]?.prev_hash).toBe(entries[0]?.hash);
    expect(entries[2]?.prev_hash).toBe(entries[1]?.hash);
    const first = entries[0];
    if (!first) throw new Error("no entry");
    const { hash, ...rest } = first;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    expect(await store.head()).toEqual({ seq: 3, hash: entries[2]?.hash });
    await store.close();
  });

  it("stores the body as canonical JSON", async () => {
    const { store } = await logWith(0);
    await store.append({ kind: "anchor", actor: "ada", at: AT, body: { b: 1, a: { d: 2, c: undefined } } });
    expect(store.sqlite.prepare("SELECT body FROM events").pluck().get()).toBe('{"a":{"d":2},"b":1}');
    await store.close();
  });

  it("refuses entries about a referral that is not in the log, and entries without a person", async () => {
    const { store } = await logWith(0);
    await expect(store.append({ kind: "check", ref: "TRG-2026-000099", actor: "ada", at: AT, body: {} })).rejects.toThrow(
      "there is no referral TRG-2026-000099",
    );
    await expect(store.append({ kind: "anchor", actor: " ", at: AT, body: {} })).rejects.toThrow("actor is empty");
    await expect(store.append({ kind: "decision", actor: "ada", at: AT, body: {} })).rejects.toThrow(/recordDecision/);
    expect((await store.head()).seq).toBe(0);
    await store.close();
  });

  it("an empty log verifies, with the genesis head", async () => {
    const { store } = await logWith(0);
    expect(await verifyLog(store)).toMatchObject({ ok: true, count: 0, head: { seq: 0, hash: GENESIS_HASH }, bytes: 0 });
    await store.close();
  });
});

describe("the triggers", () => {
  it("refuse UPDATE and DELETE on the chain, the rule sets and the index", async () => {
    const { store } = await logWith(2);
    await store.recordDecision(sampleDecision(), { actor: "ada", ruleSetContent: RULE_SET_CONTENT });
    const db = store.sqlite;
    expect(() => db.exec("UPDATE events SET body = '{}' WHERE seq = 1")).toThrow("events is append-only");
    expect(() => db.exec("DELETE FROM events WHERE seq = 2")).toThrow("events is append-only");
    expect(() => db.exec("UPDATE decisions SET outcome = 'nfa'")).toThrow("decisions is append-only");
    expect(() => db.exec("DELETE FROM rule_sets")).toThrow("rule_sets is append-only");
    expect((await verifyLog(store)).ok).toBe(true);
    await store.close();
  });
});

describe("verifyLog", () => {
  it("passes an untouched log and counts the bytes it hashed", async () => {
    const { store } = await logWith(5);
    const result = await verifyLog(store);
    expect(result).toMatchObject({ ok: true, count: 5, triggersPresent: true, missingTriggers: [], problems: [] });
    expect(result.head).toEqual(await store.head());
    expect(result.firstBroken).toBeUndefined();
    expect(result.bytes).toBeGreaterThan(5 * 100);
    await store.close();
  });

  it("finds a body changed behind the triggers' back, at that entry", async () => {
    const { store, path } = await logWith(5);
    await store.close();
    tamper(path, `UPDATE events SET body = '{"i":3,"text":"entry three, rewritten"}' WHERE seq = 3`);
    const reopened = openLog(path);
    const result = await verifyLog(reopened);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: 3, reason: "entry 3 was changed after it was written (its contents do not match its hash)" });
    expect(result.triggersPresent).toBe(false);
    expect(result.missingTriggers).toEqual(["events_no_update", "events_no_delete"]);
    await reopened.close();
  });

  it("hashes bodies as their stored bytes: text beyond ASCII verifies, and one changed byte or invalid UTF-8 is found", async () => {
    const texts = ["Zoë Brontë", "Ærøskøbing", "emoji 🙂 and CJK 漢字", 'quotes " and \\ backslash', "\u2028 separators \u2029"];
    const fresh = async (): Promise<string> => {
      const path = join(tempDir(), "log.db");
      const store = openLog(path);
      for (const text of texts) await store.append({ kind: "anchor", actor: "zoë", at: AT, body: { text } });
      await store.close();
      return path;
    };
    const verdict = async (path: string) => {
      const store = openLog(path);
      const result = await verifyLog(store);
      await store.close();
      return result;
    };
    expect(await verdict(await fresh())).toMatchObject({ ok: true, count: 5 });
    // The same letter written another way (ë as e + a combining diaeresis): a different byte sequence.
    const respelt = await fresh();
    tamper(respelt, `UPDATE events SET body = replace(body, 'ë', 'e' || char(776)) WHERE seq = 1`);
    expect((await verdict(respelt)).firstBroken).toEqual({ seq: 1, reason: "entry 1 was changed after it was written (its contents do not match its hash)" });
    // Bytes that are not UTF-8 at all.
    const garbled = await fresh();
    tamper(garbled, `UPDATE events SET body = CAST(X'7B2274657874223A22C3FF227D' AS TEXT) WHERE seq = 2`);
    expect((await verdict(garbled)).firstBroken).toEqual({ seq: 2, reason: "entry 2 was changed after it was written (its contents do not match its hash)" });
  });

  it("finds an entry whose hash was recomputed, at the next entry", async () => {
    const { store, path } = await logWith(5);
    await store.close();
    const db = new Database(path);
    const row = db.prepare("SELECT * FROM events WHERE seq = 3").get() as {
      seq: number;
      ref: null;
      kind: string;
      actor: string;
      at: string;
      prev_hash: string;
    };
    const body = { i: 3, text: "forged" };
    const forged = sha256Hex(canonicalJson({ seq: row.seq, ref: row.ref, kind: row.kind, actor: row.actor, at: row.at, body, prev_hash: row.prev_hash }));
    db.exec("DROP TRIGGER events_no_update");
    db.prepare("UPDATE events SET body = ?, hash = ? WHERE seq = 3").run(canonicalJson(body), forged);
    db.close();
    const reopened = openLog(path);
    expect((await verifyLog(reopened)).firstBroken?.seq).toBe(4);
    await reopened.close();
  });

  it("finds a deleted entry", async () => {
    const { store, path } = await logWith(5);
    await store.close();
    tamper(path, "DELETE FROM events WHERE seq = 2");
    const reopened = openLog(path);
    expect((await verifyLog(reopened)).firstBroken).toEqual({ seq: 2, reason: "entry 2 is missing (deleted)" });
    await reopened.close();
  });

  it("finds a trigger replaced by one that does nothing", async () => {
    const { store, path } = await logWith(1);
    await store.close();
    const db = new Database(path);
    db.exec("DROP TRIGGER events_no_delete; CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT 1; END;");
    db.close();
    const reopened = openLog(path);
    expect(await verifyLog(reopened)).toMatchObject({ ok: false, triggersPresent: false, missingTriggers: ["events_no_delete"] });
    await reopened.close();
  });

  it("finds an edited rule set and an edited index row", async () => {
    const { store, path } = await logWith(0);
    const ref = await store.recordDecision(sampleDecision({ name: "Mira Vale", dob: "2020-01-01" }), { actor: "ada", ruleSetContent: RULE_SET_CONTENT });
    await store.close();
    const db = new Database(path);
    db.exec("DROP TRIGGER rule_sets_no_update; DROP TRIGGER decisions_no_update;");
    db.exec(`UPDATE rule_sets SET content = '{"id":"edited"}'; UPDATE decisions SET child_dob = '2019-12-31', name_key = 'X000' WHERE ref = '${ref}'`);
    db.close();
    const reopened = openLog(path);
    const result = await verifyLog(reopened);
    expect(result.firstBroken).toBeUndefined();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/stored content does not match its hash/),
      `decisions index row ${ref} does not match its decision entry 2 (name_key, child_dob)`,
    ]);
    await reopened.close();
  });

  it("finds a decision missing from the index, and an index row pointing elsewhere", async () => {
    const { store, path } = await logWith(0);
    const refs: string[] = [];
    for (const d of [sampleDecision(), sampleDecision(), sampleDecision()])
      refs.push(await store.recordDecision(d, { actor: "ada", ruleSetContent: RULE_SET_CONTENT }));
    await store.append({ kind: "check", ref: refs[0]!, actor: "ada", at: AT, body: {} });
    await store.close();
    const db = new Database(path);
    db.pragma("foreign_keys = OFF");
    db.exec("DROP TRIGGER decisions_no_delete; DROP TRIGGER decisions_no_update;");
    db.exec(`DELETE FROM decisions WHERE ref = '${refs[1]}'; UPDATE decisions SET seq = 5 WHERE ref = '${refs[2]}'`);
    db.close();
    const reopened = openLog(path);
    const result = await verifyLog(reopened);
    expect(result.firstBroken).toBeUndefined();
    expect(result.problems).toEqual([
      `decision ${refs[1]} (entry 3) is missing from the decisions index, so history lookups cannot find it`,
      `decision ${refs[2]} (entry 4) is missing from the decisions index, so history lookups cannot find it`,
      `decisions index row ${refs[2]} points at entry 5, which is not a decision`,
      "1 decisions index row does not point at its decision entry",
    ]);
    await reopened.close();
  });
});

describe("anchors", () => {
  it("records the head outside the log and matches it later", async () => {
    const { store } = await logWith(3);
    const text = await makeAnchor(store, "maya (manager)", "2026-03-02T17:00:00+00:00");
    const anchor = parseAnchor(text, "anchor.json");
    expect(anchor).toEqual({ seq: 4, hash: (await store.head()).hash, at: "2026-03-02T17:00:00+00:00" });
    expect((await collect(store.allEvents())).at(-1)?.kind).toBe("anchor");
    await store.append({ kind: "anchor", actor: "ada", at: AT, body: {} });
    expect(await verifyLog(store, { anchor })).toMatchObject({
      ok: true,
      anchor: { matches: true, reason: "entry 4 matches the anchor (1 entry added since)" },
    });
    await store.close();
  });

  it("catches a rewritten tail with recomputed hashes, which the chain alone cannot", async () => {
    const { store, path } = await logWith(3);
    const anchor = parseAnchor(await makeAnchor(store, "maya", AT), "anchor.json");
    await store.close();
    tamper(path, "DELETE FROM events WHERE seq >= 3");
    const rebuilt = openLog(path);
    await rebuilt.append({ kind: "anchor", actor: "mallory", at: AT, body: { i: 3, text: "a different story" } });
    await rebuilt.append({ kind: "anchor", actor: "mallory", at: AT, body: {} });
    const result = await verifyLog(rebuilt, { anchor });
    expect(result.firstBroken).toBeUndefined();
    expect(result.ok).toBe(false);
    expect(result.anchor).toEqual({ matches: false, reason: "entry 4 has a different hash from the anchor: the log was rewritten at or before entry 4" });
    await rebuilt.close();
  });

  it("notices a log shorter than the anchor", async () => {
    const { store } = await logWith(2);
    expect((await verifyLog(store, { anchor: { seq: 9, hash: "a".repeat(64) } })).anchor?.reason).toContain("no such entry (it ends at 2)");
    await store.close();
  });

  it("refuses a file that is not an anchor", async () => {
    expect(() => parseAnchor("hello", "x.txt")).toThrow("x.txt is not an anchor file");
    expect(() => parseAnchor('{"seq": 1, "hash": "abc"}', "x.json")).toThrow("x.json is not an anchor file");
  });
});
