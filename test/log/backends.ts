/**
 * The store contract's two backends, behind one harness: each test opens a fresh, empty log on
 * SQLite (a temp file) and on PostgreSQL (a new database, `admin init` done), acting as a person.
 *
 * On the server the database decides who wrote an entry (session_user), so `as(name)` logs in as
 * that person; on SQLite it is the same store and the name given with each call counts.
 */
import { join } from "node:path";
import { EXPECTED_TRIGGERS } from "../../src/log/migrations.js";
import { openLog } from "../../src/log/open.js";
import { openPgLog } from "../../src/log/pg-open.js";
import type { LogStore } from "../../src/log/store.js";
import { freshServerLog, loginRole, PG_UNAVAILABLE, sqlAs, urlFor } from "../helpers/pg.js";
import { tempDir } from "./helpers.js";

export interface TestLog {
  /** The store, acting as `ada`. */
  store: LogStore;
  /** The same log as someone else (ada, ben: workers; maya: a manager; lead). */
  as(name: "ada" | "ben" | "maya" | "lead"): Promise<LogStore>;
  /** The same log opened again (after `store` was closed); `clock` is the machine's clock it records (recorded_at). */
  reopen(options?: { readonly?: boolean; clock?: () => Date }): Promise<LogStore>;
  /** Makes every insert into the decisions index fail ("disk trouble"), or stops doing so. */
  breakIndexInserts(broken: boolean): Promise<void>;
  /**
   * What someone with the file or the database owner's rights can do: set one column of a decision's
   * index row behind the guarding triggers' back, then put the triggers back as they were.
   */
  tamperIndexRow(ref: string, column: string, value: string | null): Promise<void>;
  /** Each entry's body exactly as stored. */
  storedBodies(): Promise<string[]>;
  close(): Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  /** Why this backend cannot run here (never under CI: the setup fails instead). */
  unavailable?: string;
  open(): Promise<TestLog>;
}

const sqlite: Backend = {
  name: "sqlite",
  async open() {
    const path = join(tempDir(), "log.db");
    const store = openLog(path);
    const opened: LogStore[] = [store];
    return {
      store,
      as: async () => store,
      reopen: async (options) => {
        const again = openLog(path, options);
        opened.push(again);
        return again;
      },
      breakIndexInserts: async (broken) =>
        void store.sqlite.exec(
          broken ? "CREATE TRIGGER test_fail BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'disk trouble'); END" : "DROP TRIGGER test_fail",
        ),
      tamperIndexRow: async (ref, column, value) => {
        store.sqlite.exec("DROP TRIGGER decisions_no_update");
        store.sqlite.prepare(`UPDATE decisions SET ${column} = ? WHERE ref = ?`).run(value, ref);
        store.sqlite.exec(`${EXPECTED_TRIGGERS.decisions_no_update};`);
      },
      storedBodies: async () => store.sqlite.prepare("SELECT body FROM events ORDER BY seq").pluck().all() as string[],
      close: async () => void (await Promise.all(opened.map((s) => s.close()))),
    };
  },
};

let rolesReady: Promise<void> | undefined;
const ROLES: Record<string, string[]> = { ada: ["triage_worker"], ben: ["triage_worker"], maya: ["triage_manager"], lead: ["triage_rules_lead"] };

const postgres: Backend = {
  name: "postgres",
  ...(PG_UNAVAILABLE !== undefined && { unavailable: PG_UNAVAILABLE }),
  async open() {
    const { database } = await freshServerLog();
    rolesReady ??= (async () => {
      for (const [name, grants] of Object.entries(ROLES)) await loginRole(name, grants);
    })();
    await rolesReady;
    const opened: LogStore[] = [];
    const openAs = async (name: string, options: { readonly?: boolean; clock?: () => Date } = {}) => {
      const store = await openPgLog(urlFor(database, name), options);
      opened.push(store);
      return store;
    };
    const store = await openAs("ada");
    const byName = new Map<string, LogStore>([["ada", store]]);
    const owner = await sqlAs(database);
    return {
      store,
      as: async (name) => byName.get(name) ?? byName.set(name, await openAs(name)).get(name)!,
      reopen: (options) => openAs("ada", options),
      breakIndexInserts: async (broken) =>
        void (await owner.query(
          broken
            ? "CREATE FUNCTION triage.test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$; " +
                "CREATE TRIGGER test_fail BEFORE INSERT ON triage.decisions FOR EACH ROW EXECUTE FUNCTION triage.test_fail()"
            : "DROP TRIGGER test_fail ON triage.decisions; DROP FUNCTION triage.test_fail()",
        )),
      tamperIndexRow: async (ref, column, value) => {
        await owner.query("ALTER TABLE triage.decisions DISABLE TRIGGER ALL");
        await owner.query(`UPDATE triage.decisions SET ${column} = $1 WHERE ref = $2`, [value, ref]);
        await owner.query("ALTER TABLE triage.decisions ENABLE TRIGGER ALL");
      },
      storedBodies: async () => (await owner.query<{ body: string }>("SELECT body FROM triage.events ORDER BY seq")).rows.map((r) => r.body),
      close: async () => void (await Promise.all(opened.map((s) => s.close()))),
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqlite, postgres];
