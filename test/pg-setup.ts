/**
 * One throwaway PostgreSQL cluster for the whole test run (vitest global setup): initdb into a temp
 * folder, a unix socket in that folder plus TCP on the loopback address only (for the password
 * tests), started with `pg_ctl -w`, stopped and removed at teardown. About a second.
 *
 * Tests find it through the environment (inherited by the workers and by every spawned `triage`):
 *   TRIAGE_TEST_PG_HOST  the socket folder   TRIAGE_TEST_PG_PORT  the port (socket and TCP)
 *   TRIAGE_TEST_PG_USER  the superuser       TRIAGE_TEST_PG_UNAVAILABLE  why there is no server
 * Under CI=true a server that cannot start fails the run; elsewhere the server tests say why they
 * did not run (test/helpers/pg.ts), so a laptop without PostgreSQL can still run the rest.
 *
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN_DIRS = [process.env.TRIAGE_PG_BIN, "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"];
const SUPERUSER = "triage_test_owner";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export default async function setup(): Promise<() => void> {
  const bin = BIN_DIRS.find((d): d is string => d !== undefined && existsSync(join(d, "initdb")));
  const fail = (why: string): (() => void) => {
    if (process.env.CI === "true") throw new Error(`PostgreSQL test server: ${why} (CI=true: the server tests must run)`);
    process.env.TRIAGE_TEST_PG_UNAVAILABLE = why;
    process.stderr.write(`\nPostgreSQL test server not started: ${why}. The server tests will not run.\n\n`);
    return () => {};
  };
  if (bin === undefined) return fail("no PostgreSQL server binaries (install Debian's postgresql package, or set TRIAGE_PG_BIN)");

  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "triage-pg-"));
  const data = join(dir, "data");
  const owner = root ? spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }) : undefined;
  const asOwner = (cmd: string, args: string[]) =>
    spawnSync(root ? "runuser" : cmd, root ? ["-u", "postgres", "--", cmd, ...args] : args, { encoding: "utf8", timeout: 60_000 });
  try {
    if (root) {
      const uid = Number(owner?.stdout.trim());
      const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
      if (!Number.isInteger(uid) || owner?.status !== 0) return fail("running as root and there is no `postgres` user to own the cluster");
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o755); // the socket is reached by every test process, and by other users in permission tests
    const init = asOwner(join(bin, "initdb"), ["-D", data, "-U", SUPERUSER, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
    if (init.status !== 0) return fail(`initdb failed: ${init.stderr || init.stdout}`);
    const port = await freePort();
    // Unix socket: trust (each test names its role). TCP, loopback only: passwords (scram), to test
    // PGPASSWORD and ~/.pgpass as a real client would use them.
    writeFileSync(join(data, "pg_hba.conf"), ["local all all trust", "host all all 127.0.0.1/32 scram-sha-256", ""].join("\n"));
    const opts = [`-c listen_addresses=127.0.0.1`, `-c port=${port}`, `-c unix_socket_directories=${dir}`, "-c fsync=off", "-c max_connections=100"].join(" ");
    const start = asOwner(join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "30", "-l", join(dir, "server.log"), "-o", opts, "start"]);
    if (start.status !== 0) return fail(`pg_ctl start failed: ${start.stderr || start.stdout}`);
    process.env.TRIAGE_TEST_PG_HOST = dir;
    process.env.TRIAGE_TEST_PG_PORT = String(port);
    process.env.TRIAGE_TEST_PG_USER = SUPERUSER;
    process.env.TRIAGE_TEST_PG_BIN = bin;
    delete process.env.TRIAGE_TEST_PG_UNAVAILABLE;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (process.env.CI === "true") throw error;
    return fail(String(error));
  }
  return () => {
    asOwner(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  };
}
