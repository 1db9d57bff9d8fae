/**
 * Connecting to the server log, and `triage admin init`.
 *
 * The connection string is libpq's: `postgres://` / `postgresql://` with whatever parts are not
 * given taken from PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, then ~/.pgpass (node-postgres
 * reads them all); `?sslmode=` as in libpq. The password is never printed: messages name the
 * server through redactUrl.
 *
 * Opening refuses a database that has no triage schema (run `triage admin init`), someone else's
 * schema of that name, or a schema newer than this version knows — before anything is written.
 */
import type { Client } from "pg";
import { LogError, TriageError } from "../errors.js";
import { describePgError, redactUrl } from "./pg-errors.js";
import { CHAIN_LOCK, grantsSql, KIND_ROLES, PG_APPLICATION, PG_LATEST_VERSION, PG_MIGRATIONS, ROLES } from "./pg-schema.js";
import { PgLogStore } from "./pg-store.js";

export interface PgOpenOptions {
  readonly?: boolean;
  /** How long to wait for another writer's lock before giving up (default 5000 ms). */
  busyTimeoutMs?: number;
  /** The machine's real clock, recorded in every entry written as recorded_at (recorded-at.ts). */
  clock?: () => Date;
}

async function connect(url: string, where: string): Promise<Client> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, application_name: "triage", connectionTimeoutMillis: 15_000 });
  // A server that goes away between queries is reported by the next query; never crash on the event.
  client.on("error", () => undefined);
  // node-postgres 8 still reads ~/.pgpass (libpq's behaviour, which we promise) but warns on stderr
  // that it will stop in 9.0; that notice is for us, not for the worker at the terminal.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw describePgError(error, where, 0) ?? new LogError(`cannot connect to the server log ${where}: ${(error as Error).message}`);
  } finally {
    if (quiet === undefined) delete process.noDeprecation;
    else process.noDeprecation = quiet;
  }
  return client;
}

async function schemaState(client: Client): Promise<{ version: number; application: string | undefined; schemaExists: boolean }> {
  const { rows } = await client.query<{ schema: boolean; meta: string | null }>(
    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'triage') AS schema, to_regclass('triage.meta')::text AS meta",
  );
  const { schema, meta } = rows[0]!;
  if (meta === null) return { version: 0, application: undefined, schemaExists: schema };
  const values = await client.query<{ key: string; value: string }>("SELECT key, value FROM triage.meta WHERE key IN ('application', 'schema_version')");
  const get = (k: string) => values.rows.find((r) => r.key === k)?.value;
  return { version: Number(get("schema_version") ?? 0), application: get("application"), schemaExists: true };
}

export async function openPgLog(url: string, options: PgOpenOptions = {}): Promise<PgLogStore> {
  const where = redactUrl(url);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const client = await connect(url, where);
  try {
    const state = await schemaState(client);
    if (!state.schemaExists) {
      throw new LogError(
        `the database ${where} has no triage log yet`,
        "the database owner runs `triage admin init --db URL` once (README: A shared team log)",
      );
    }
    if (state.application !== PG_APPLICATION) {
      throw new LogError(`the database ${where} has a schema "triage" that is not a triage log; it was left unchanged`, "check --db / TRIAGE_DB");
    }
    if (state.version > PG_LATEST_VERSION) {
      throw new LogError(
        `the log ${where} was written by a newer version of triage (schema ${state.version}; this version knows up to ${PG_LATEST_VERSION}); it was left unchanged`,
        "upgrade triage to use this log",
      );
    }
    if (state.version < PG_LATEST_VERSION) {
      throw new LogError(`the log ${where} uses an older schema (${state.version})`, "the database owner runs `triage admin init --db URL` to upgrade it");
    }
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(busyTimeoutMs))}`);
    if (options.readonly === true) await client.query("SET default_transaction_read_only = on");
    const { rows } = await client.query<{ user: string; roles: string[] | null }>(
      "SELECT session_user::text AS user, array(SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1::text[]) AND pg_has_role(session_user, oid, 'MEMBER') ORDER BY rolname) AS roles",
      [Object.values(ROLES)],
    );
    const identity = { user: rows[0]!.user, roles: rows[0]!.roles ?? [] };
    return new PgLogStore(client, {
      path: where,
      readonly: options.readonly === true,
      busyTimeoutMs,
      identity,
      ...(options.clock && { clock: options.clock }),
    });
  } catch (error) {
    await client.end().catch(() => undefined);
    throw describePgError(error, where, busyTimeoutMs) ?? error;
  }
}

export interface InitResult {
  where: string;
  user: string;
  /** Migrations applied now (empty when the log was already up to date). */
  applied: number[];
  version: number;
  /** Roles created now (the others existed). */
  createdRoles: string[];
}

/**
 * Creates or upgrades the schema and the roles, idempotently, in one transaction (run by the
 * database owner; creating roles needs CREATEROLE unless they exist already).
 */
export async function initServerLog(url: string): Promise<InitResult> {
  const where = redactUrl(url);
  const client = await connect(url, where);
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [CHAIN_LOCK + 1]);
    const state = await schemaState(client);
    if (state.schemaExists && state.version === 0) {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'triage'",
      );
      if (rows[0]!.n > 0)
        throw new LogError(`the database ${where} has a schema "triage" that is not a triage log; nothing was changed`, "use another database");
    } else if (state.schemaExists && state.application !== PG_APPLICATION) {
      throw new LogError(`the database ${where} has a schema "triage" that is not a triage log; nothing was changed`, "use another database");
    }
    if (state.version > PG_LATEST_VERSION) {
      throw new LogError(`the log ${where} has schema ${state.version}, newer than this version of triage knows (${PG_LATEST_VERSION}); nothing was changed`);
    }
    const createdRoles: string[] = [];
    for (const role of Object.values(ROLES)) {
      const { rows } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
      if (rows.length > 0) continue;
      try {
        await client.query(`CREATE ROLE ${role} NOLOGIN`);
      } catch (error) {
        throw new TriageError(
          `cannot create the role ${role} (${(error as Error).message})`,
          undefined,
          "run `triage admin init` as a user with CREATEROLE, or have an administrator create the roles triage_worker, triage_manager, triage_senior_manager, triage_rules_lead, triage_auditor",
        );
      }
      createdRoles.push(role);
    }
    if (!state.schemaExists) await client.query("CREATE SCHEMA triage");
    const applied: number[] = [];
    for (const m of [...PG_MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (m.version <= state.version) continue;
      await client.query(m.sql);
      applied.push(m.version);
    }
    await client.query(
      "INSERT INTO triage.meta (key, value) VALUES ('application', $1), ('schema_version', $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [PG_APPLICATION, String(PG_LATEST_VERSION)],
    );
    for (const [kind, role] of KIND_ROLES)
      await client.query("INSERT INTO triage.kind_roles (kind, role) VALUES ($1, $2) ON CONFLICT DO NOTHING", [kind, role]);
    await client.query(grantsSql());
    const { rows } = await client.query<{ user: string }>("SELECT session_user::text AS user");
    await client.query("COMMIT");
    return { where, user: rows[0]!.user, applied, version: PG_LATEST_VERSION, createdRoles };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw describePgError(error, where, 0) ?? error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
