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
  const v2: Migration = { version: 2, description: "test: add a column", up: (db) => db.exec("ALTER TABLE drafts ADD COLUMN note TEXT") };
  const failing: Migration = {
    version: 3,
    description: "test: fails half way",
    up: (db) => {
      db.exec("CREATE TABLE half (x INTEGER)");
      throw new Error("boom");
    },
  };

  it("applies migrations one by one, each setting user_version", async () => {
    const db = emptyDb();
    expect(migrate(db, [v2, ...MIGRATIONS], 1)).toEqual([1]);
    expect(userVersion(db)).toBe(1);
    expect(migrate(db, [...MIGRATIONS, v2])).toEqual([2]);
    expect(userVersion(db)).toBe(2);
    expect(db.prepare("SELECT name FROM pragma_table_info('drafts')").pluck().all()).toContain("note");
    db.close();
  });

  it("rolls back a failing migration alone, leaving the earlier ones", async () => {
    const db = emptyDb();
    expect(() => migrate(db, [...MIGRATIONS, v2, failing])).toThrow("boom");
    expect(userVersion(db)).toBe(2);
    expect(names(db, "table")).not.toContain("half");
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
