/**
 * The test run's PostgreSQL server (test/pg-setup.ts starts it): addresses for the superuser and for
 * login roles, a fresh initialised log per test, and direct SQL as any role.
 *
 * `describeServer` runs a block only when the server is up; under CI=true the setup has already
 * failed the run if it could not start, so nothing is skipped there.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe } from "vitest";
import { initServerLog } from "../../src/log/pg-open.js";

export const PG_UNAVAILABLE = process.env.TRIAGE_TEST_PG_UNAVAILABLE ?? (process.env.TRIAGE_TEST_PG_HOST ? undefined : "the test server was not started");
const HOST = process.env.TRIAGE_TEST_PG_HOST ?? "";
const PORT = process.env.TRIAGE_TEST_PG_PORT ?? "5432";
export const SUPERUSER = process.env.TRIAGE_TEST_PG_USER ?? "postgres";

/** Runs the block against the server, or says why it cannot (never under CI=true: the setup fails instead). */
export const describeServer = (name: string, fn: () => void): void => {
  if (PG_UNAVAILABLE !== undefined && process.env.CI === "true") throw new Error(`PostgreSQL test server unavailable under CI: ${PG_UNAVAILABLE}`);
  describe.skipIf(PG_UNAVAILABLE !== undefined)(name, fn);
};

/** A connection string over the unix socket (trust: the role named logs in). */
export function urlFor(database: string, user = SUPERUSER): string {
  return `postgresql://${encodeURIComponent(user)}@/${database}?host=${encodeURIComponent(HOST)}&port=${PORT}`;
}

/** The same server over TCP on the loopback address, where passwords are required. */
export function tcpUrlFor(database: string, user: string, password?: string): string {
  return `postgresql://${encodeURIComponent(user)}${password === undefined ? "" : `:${encodeURIComponent(password)}`}@127.0.0.1:${PORT}/${database}`;
}

export const serverEnv = (): { host: string; port: string } => ({ host: HOST, port: PORT });

const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
});

/** Direct SQL as `user` (default: the superuser) on `database`; the connection closes after the file's tests. */
export async function sqlAs(database: string, user: string = SUPERUSER): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlFor(database, user) });
  client.on("error", () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

/** A new, empty database (its name). */
export async function freshDatabase(prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: urlFor("postgres") });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return name;
}

/** A new database with `triage admin init` done: its name and the owner's address. */
export async function freshServerLog(): Promise<{ database: string; url: string }> {
  const database = await freshDatabase();
  const url = urlFor(database);
  await initServerLog(url);
  return { database, url };
}

/** A login role holding `grants` (created once per name; roles are per server). */
export async function loginRole(name: string, grants: string[], password?: string): Promise<string> {
  const admin = await sqlAs("postgres");
  const exists = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE ROLE ${name} LOGIN${password === undefined ? "" : ` PASSWORD '${password}'`}`);
  for (const g of grants) await admin.query(`GRANT ${g} TO ${name}`);
  return name;
}
