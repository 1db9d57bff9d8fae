import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { EXPECTED_TRIGGERS, LATEST_VERSION, migrate, MIGRATIONS, type Migration, TRIAGE_APPLICATION_ID, userVersion } from "../../src/log/migrations.js";
import { openLog } from "../../src/log/open.js";
import { collect, tempDir } from "./helpers.js";

const names = (db: Database.Database, type: string): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all(type) as string[];

function emptyDb(): Database.Database {
  return new Database(join(tempDir(), "m.db"));
}

describe("migration 1", () => {
  it("takes an empty database to version 1 with the whole schema", async () => {
    const db = emptyDb();
    expect(migrate(db, MIGRATIONS, 1)).toEqual([1]);
    expect(userVersion(db)).toBe(1);
    expect(db.pragma("application_id", { simple: true })).toBe(TRIAGE_APPLICATION_ID);
    expect(names(db, "table")).toEqual(["decisions", "drafts", "events", "rule_sets"]);
    expect(names(db, "trigger")).toEqual(Object.keys(EXPECTED_TRIGGERS).sort());
    expect(names(db, "index")).toEqual(
      expect.arrayContaining([
        "events_by_ref",
        "events_by_kind",
        "decisions_by_received",
        "decisions_by_outcome",
        "decisions_by_worker",
        "decisions_by_child_ref",
        "decisions_by_name_dob",
        "decisions_by_dob",
        "decisions_by_postcode",
        "decisions_by_name_key",
      ]),
    );
    const strict = db.prepare("SELECT name FROM pragma_table_list WHERE strict = 1 AND schema = 'main' ORDER BY name").pluck().all();
    expect(strict).toEqual(["decisions", "drafts", "events", "rule_sets"]);
    db.close();
  });

  it("is a no-op the second time", async () => {
    const db = emptyDb();
    migrate(db);
    expect(migrate(db)).toEqual([]);
    expect(userVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });

  it("refuses kinds outside the list and non-text bodies (STRICT, CHECK)", async () => {
    const db = emptyDb();
    migrate(db);
    const insert = db.prepare("INSERT INTO events (seq, ref, kind, actor, at, body, prev_hash, hash) VALUES (1, NULL, ?, 'a', 't', ?, 'p', 'h')");
    expect(() => insert.run("gossip", "{}")).toThrow(/CHECK constraint/);
    expect(() => insert.run("check", Buffer.from("{}"))).toThrow(/cannot store BLOB/);
    db.close();
  });
});

describe("the migration runner", () => {
  const NEXT = LATEST_VERSION + 1;
  const extra: Migration = { version: NEXT, description: "test: add a column", up: (db) => db.exec("ALTER TABLE drafts ADD COLUMN note TEXT") };
  const failing: Migration = {
    version: NEXT + 1,
    description: "test: fails half way",
    up: (db) => {
      db.exec("CREATE TABLE half (x INTEGER)");
      throw new Error("boom");
    },
  };
  const shipped = MIGRATIONS.map((m) => m.version);

  it("applies migrations one by one, each setting user_version", async () => {
    const db = emptyDb();
    expect(migrate(db, [extra, ...MIGRATIONS], 1)).toEqual([1]);
    expect(userVersion(db)).toBe(1);
    expect(migrate(db, [...MIGRATIONS, extra])).toEqual([...shipped.filter((v) => v > 1), NEXT]);
    expect(userVersion(db)).toBe(NEXT);
    expect(db.prepare("SELECT name FROM pragma_table_info('drafts')").pluck().all()).toContain("note");
    db.close();
  });

  it("rolls back a failing migration alone, leaving the earlier ones", async () => {
    const db = emptyDb();
    expect(() => migrate(db, [...MIGRATIONS, extra, failing])).toThrow("boom");
    expect(userVersion(db)).toBe(NEXT);
    expect(names(db, "table")).not.toContain("half");
    db.close();
  });
});

describe("migration 2 (rule-set governance)", () => {
  it("a version-1 log with entries admits the governance kinds, keeps its entries and still refuses other kinds", () => {
    const db = emptyDb();
    migrate(db, MIGRATIONS, 1);
    const insert = db.prepare("INSERT INTO events (seq, ref, kind, actor, at, body, prev_hash, hash) VALUES (?, NULL, ?, 'a', 't', '{}', 'p', ?)");
    insert.run(1, "anchor", "h1");
    expect(() => insert.run(2, "rule_set_approved", "h2")).toThrow(/CHECK constraint/);
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v > 1));
    insert.run(2, "rule_set_proposed", "h2");
    insert.run(3, "rule_set_approved", "h3");
    expect(() => insert.run(4, "gossip", "h4")).toThrow(/CHECK constraint/);
    expect(db.prepare("SELECT kind FROM events ORDER BY seq").pluck().all()).toEqual(["anchor", "rule_set_proposed", "rule_set_approved"]);
    expect(names(db, "index")).toContain("events_unattached_by_kind");
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    // The append-only triggers survive the schema edit.
    expect(() => db.prepare("DELETE FROM events WHERE seq = 1").run()).toThrow(/append-only/);
    db.close();
  });
});

describe("reopening", () => {
  it("keeps the data and does not migrate again", async () => {
    const path = join(tempDir(), "log.db");
    const first = openLog(path);
    expect(first.isNew).toBe(true);
    await first.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: { n: 1 } });
    await first.close();
    const again = openLog(path);
    expect(again.isNew).toBe(false);
    expect((await again.head()).seq).toBe(1);
    expect((await collect(again.allEvents())).map((e) => e.body)).toEqual([{ n: 1 }]);
    await again.close();
  });
});
