/**
 * What the server log's database enforces by itself, proven with direct SQL as each role (a
 * modified client is no different), and how the client connects: libpq environment, ~/.pgpass,
 * passwords never shown, schema versions, many writers at once.
 */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LogError, RefusedError } from "../../src/errors.js";
import { initServerLog, openPgLog } from "../../src/log/pg-open.js";
import { verifyLog } from "../../src/log/verify.js";
import { describeServer, freshServerLog, loginRole, serverEnv, sqlAs, tcpUrlFor, urlFor } from "../helpers/pg.js";
import { RULE_SET_CONTENT, sampleDecision } from "./helpers.js";

const AT = "2026-03-02T10:00:00+00:00";

/** Runs `sql` as `role` and returns the database's error (or throws if it succeeded). */
async function refusedAs(database: string, role: string, sql: string, values: unknown[] = []): Promise<{ code: string; message: string }> {
  const client = await sqlAs(database, role);
  try {
    await client.query(sql, values);
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`${role} was allowed: ${sql}`);
}

describeServer("the server log enforces", () => {
  let database: string;
  let ref: string;
  let closureSeq: number;
  let overrideSeq: number;

  beforeAll(async () => {
    ({ database } = await freshServerLog());
    await loginRole("wendy_worker", ["triage_worker"]);
    await loginRole("will_worker", ["triage_worker"]);
    await loginRole("mia_manager", ["triage_manager"]);
    await loginRole("max_manager", ["triage_manager"]);
    await loginRole("sam_senior", ["triage_senior_manager"]);
    await loginRole("ava_auditor", ["triage_auditor"]);
    await loginRole("rita_rules", ["triage_rules_lead"]);
    const wendy = await openPgLog(urlFor(database, "wendy_worker"));
    ref = await wendy.recordDecision(
      { ...sampleDecision({ name: "Tam Oakes" }), decided_by: "wendy_worker" },
      { actor: "wendy_worker", ruleSetContent: RULE_SET_CONTENT },
    );
    await wendy.close();
    const will = await openPgLog(urlFor(database, "will_worker"));
    overrideSeq = (
      await will.append({
        kind: "override",
        ref,
        actor: "x",
        at: AT,
        body: { from: "early_help", to: "nfa", direction: "down", reason: "fictional", pending: true },
      })
    ).seq;
    closureSeq = (
      await will.append({
        kind: "closure",
        ref,
        actor: "x",
        at: AT,
        body: { reason: "not_substantiated_after_checks", rationale: "fictional", approvals_required: ["manager"] },
      })
    ).seq;
    await will.close();
  });

  it("the actor is the logged-in user, whatever the client says", async () => {
    const client = await sqlAs(database, "will_worker");
    const { rows } = await client.query("INSERT INTO triage.events (ref, kind, actor, at, body) VALUES ($1, 'check', 'mallory', $2, '{}') RETURNING actor", [
      ref,
      AT,
    ]);
    expect(rows[0].actor).toBe("will_worker");
    const store = await openPgLog(urlFor(database, "ava_auditor"), { readonly: true });
    expect((await verifyLog(store)).ok).toBe(true);
    await store.close();
  });

  it("no role may UPDATE, DELETE or TRUNCATE the entries (permission denied)", async () => {
    for (const role of ["wendy_worker", "mia_manager", "sam_senior", "rita_rules", "ava_auditor"]) {
      for (const [table, column] of [
        ["triage.events", "actor"],
        ["triage.decisions", "worker"],
        ["triage.rule_sets", "content"],
      ]) {
        for (const sql of [`UPDATE ${table} SET ${column} = ${column}`, `DELETE FROM ${table}`, `TRUNCATE ${table} CASCADE`]) {
          const error = await refusedAs(database, role, sql);
          expect(error.code, `${role}: ${sql}`).toBe("42501");
          expect(error.message).toMatch(/permission denied/);
        }
      }
    }
  });

  it("even the owner cannot change or remove an entry (triggers)", async () => {
    const owner = await sqlAs(database);
    await expect(owner.query("UPDATE triage.events SET actor = 'someone' WHERE seq = 1")).rejects.toMatchObject({
      code: "TRG01",
      message: "refused: events is append-only",
    });
    await expect(owner.query("DELETE FROM triage.decisions")).rejects.toMatchObject({ code: "TRG01" });
    await expect(owner.query("TRUNCATE triage.rule_sets CASCADE")).rejects.toMatchObject({ code: "TRG01" });
  });

  it("an auditor reads and verifies but cannot write at all", async () => {
    const error = await refusedAs(database, "ava_auditor", "INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, 'check', $2, '{}')", [ref, AT]);
    expect(error.code).toBe("42501");
    expect(
      (
        await refusedAs(
          database,
          "ava_auditor",
          "INSERT INTO triage.drafts (id, created_at, updated_at, rule_set_sha256, state) VALUES ('d', 't', 't', 'x', '{}')",
        )
      ).code,
    ).toBe("42501");
    const auditor = await sqlAs(database, "ava_auditor");
    expect((await auditor.query("SELECT count(*)::int AS n FROM triage.events")).rows[0].n).toBeGreaterThan(0);
    // Through the store: the refusal is exit 5 with the database's reason.
    const store = await openPgLog(urlFor(database, "ava_auditor"));
    const refusal = await store.append({ kind: "check", ref, actor: "ava_auditor", at: AT, body: {} }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RefusedError);
    expect((refusal as RefusedError).exitCode).toBe(5);
    expect((refusal as Error).message).toMatch(/permission denied/);
    await store.close();
  });

  it("only a manager may review; a worker's approval is refused by the database", async () => {
    const body = JSON.stringify({ action: "agree", of: overrideSeq, role: "manager" });
    const error = await refusedAs(database, "wendy_worker", "INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, 'review', $2, $3)", [ref, AT, body]);
    expect(error).toEqual({ code: "TRG01", message: "refused: review entries need the role triage_manager, and wendy_worker does not have it" });
  });

  it("the approver is neither the decider nor the proposer, and agrees once", async () => {
    await loginRole("wendy_worker", ["triage_manager"]); // the decider, promoted: still may not approve her own decision's proposals
    const agree = (of: number) => JSON.stringify({ action: "agree", of, role: "manager" });
    const insert = "INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, 'review', $2, $3)";
    expect((await refusedAs(database, "wendy_worker", insert, [ref, AT, agree(overrideSeq)])).message).toBe(
      `refused: wendy_worker made the decision on ${ref}; a manager who did not decide it must review the override #${overrideSeq}`,
    );
    await loginRole("will_worker", ["triage_manager"]);
    expect((await refusedAs(database, "will_worker", insert, [ref, AT, agree(closureSeq)])).message).toBe(
      `refused: will_worker proposed the closure #${closureSeq}; a different manager must review it`,
    );
    const mia = await sqlAs(database, "mia_manager");
    await mia.query(insert, [ref, AT, agree(closureSeq)]);
    expect((await refusedAs(database, "mia_manager", insert, [ref, AT, agree(closureSeq)])).message).toBe(
      `refused: mia_manager has already agreed to the closure #${closureSeq}; the same person counts once`,
    );
    expect(
      (await refusedAs(database, "max_manager", insert, [ref, AT, JSON.stringify({ action: "agree", of: closureSeq, role: "senior_manager" })])).message,
    ).toBe("refused: max_manager reviewed as a senior manager but does not have the role triage_senior_manager");
  });

  it("a closure as malicious must require a senior manager", async () => {
    const body = JSON.stringify({ reason: "referral_considered_malicious", rationale: "x", evidence: "y", approvals_required: ["manager"] });
    const error = await refusedAs(database, "will_worker", "INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, 'closure', $2, $3)", [ref, AT, body]);
    expect(error.message).toBe("refused: a closure as malicious needs a senior manager's agreement as well as a manager's");
  });

  it("rule-set approvals need the rules lead (the kind list is extensible)", async () => {
    const insert = "INSERT INTO triage.events (kind, at, body) VALUES ('rule_set_approved', $1, '{}')";
    expect((await refusedAs(database, "mia_manager", insert, [AT])).message).toMatch(/rule_set_approved entries need the role triage_rules_lead/);
    const rita = await sqlAs(database, "rita_rules");
    const { rows } = await rita.query(`${insert} RETURNING actor`, [AT]);
    expect(rows[0].actor).toBe("rita_rules");
  });

  it("a decision names the person logged in; only the owner copies entries verbatim", async () => {
    const client = await sqlAs(database, "wendy_worker");
    const [{ seq, hash }] = (await client.query("SELECT seq::int, hash FROM triage.events ORDER BY seq DESC LIMIT 1")).rows;
    const error = await refusedAs(
      database,
      "wendy_worker",
      "INSERT INTO triage.events (seq, ref, kind, actor, at, body, prev_hash, hash) VALUES ($1, NULL, 'anchor', 'mallory', $2, '{}', $3, $4)",
      [seq + 1, AT, hash, "f".repeat(64)],
    );
    expect(error.message).toBe("refused: only the owner of the log may copy entries into it verbatim; wendy_worker is not");
    const forged = JSON.stringify({ ...sampleDecision(), decided_by: "mia_manager" });
    expect(
      (
        await refusedAs(database, "wendy_worker", "INSERT INTO triage.events (ref, kind, at, body) VALUES ('TRG-2026-999999', 'decision', $1, $2)", [
          AT,
          forged,
        ])
      ).message,
    ).toBe("refused: a decision is recorded by the person logged in (wendy_worker), not mia_manager");
  });
});

describeServer("the server log's schema", () => {
  it("admin init is idempotent, and a newer schema is refused before anything is written", async () => {
    const { database, url } = await freshServerLog();
    expect((await initServerLog(url)).applied).toEqual([]);
    const owner = await sqlAs(database);
    await owner.query("ALTER TABLE triage.meta DISABLE TRIGGER ALL");
    await owner.query("UPDATE triage.meta SET value = '99' WHERE key = 'schema_version'");
    const error = await openPgLog(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogError);
    expect((error as Error).message).toMatch(/written by a newer version of triage \(schema 99; this version knows up to 2\); it was left unchanged/);
    await expect(initServerLog(url)).rejects.toThrow(/newer than this version of triage knows/);
  });

  it("a database without the schema says to run admin init", async () => {
    const { freshDatabase } = await import("../helpers/pg.js");
    const database = await freshDatabase();
    await expect(openPgLog(urlFor(database))).rejects.toThrow(/has no triage log yet/);
  });
});

describeServer("connecting to the server log", () => {
  let database: string;
  let home: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    ({ database } = await freshServerLog());
    await loginRole("pat_password", ["triage_worker"], "s3cret-Pa55");
    home = mkdtempSync(join(tmpdir(), "triage-pgpass-"));
  });
  afterAll(() => {
    process.env = saved;
    rmSync(home, { recursive: true, force: true });
  });

  it("takes the password from PGPASSWORD, and from ~/.pgpass", async () => {
    process.env.PGPASSWORD = "s3cret-Pa55";
    const viaEnv = await openPgLog(tcpUrlFor(database, "pat_password"));
    expect(viaEnv.identity.user).toBe("pat_password");
    expect(viaEnv.path).not.toContain("s3cret");
    await viaEnv.close();
    delete process.env.PGPASSWORD;
    const pgpass = join(home, ".pgpass");
    writeFileSync(pgpass, `127.0.0.1:${serverEnv().port}:${database}:pat_password:s3cret-Pa55\n`);
    chmodSync(pgpass, 0o600);
    process.env.PGPASSFILE = pgpass;
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.message);
    process.on("warning", onWarning);
    const viaFile = await openPgLog(tcpUrlFor(database, "pat_password"));
    expect(viaFile.identity).toEqual({ user: "pat_password", roles: ["triage_worker"] });
    await verifyLog(viaFile);
    await viaFile.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    // node-postgres's notices are for us, not for the worker at the terminal.
    expect(warnings).toEqual([]);
    delete process.env.PGPASSFILE;
  });

  it("never shows a password, even when the login fails", async () => {
    const error = await openPgLog(tcpUrlFor(database, "pat_password", "wrong-Secret-77")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogError);
    expect((error as Error).message).toMatch(/refused the login/);
    expect((error as Error).message).not.toContain("wrong-Secret-77");
    expect((error as Error).message).toContain(`postgresql://pat_password@127.0.0.1:${serverEnv().port}/${database}`);
  });

  it("takes host, port, user and database from PGHOST, PGPORT, PGUSER, PGDATABASE", async () => {
    Object.assign(process.env, { PGHOST: serverEnv().host, PGPORT: serverEnv().port, PGUSER: "pat_password", PGDATABASE: database });
    const store = await openPgLog("postgres://");
    expect(store.identity.user).toBe("pat_password");
    expect(store.path).toBe("postgres://");
    await store.close();
    for (const k of ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"]) delete process.env[k];
  });
});

describeServer("many writers on the server log", () => {
  it("8 connections appending at once build one chain with no gaps and no duplicate references", async () => {
    const { database } = await freshServerLog();
    await loginRole("wendy_worker", ["triage_worker"]);
    const writers = await Promise.all(Array.from({ length: 8 }, () => openPgLog(urlFor(database, "wendy_worker"))));
    const refs = (
      await Promise.all(
        writers.map(async (w, i) => {
          const mine: string[] = [];
          for (let j = 0; j < 15; j++) {
            const r = await w.recordDecision(
              { ...sampleDecision({ name: `Child ${i}-${j}` }), decided_by: "wendy_worker" },
              { actor: "wendy_worker", ruleSetContent: RULE_SET_CONTENT },
            );
            mine.push(r);
            await w.append({ kind: "check", ref: r, actor: "wendy_worker", at: AT, body: { i, j } });
          }
          return mine;
        }),
      )
    ).flat();
    expect(new Set(refs).size).toBe(120);
    const result = await verifyLog(writers[0]!);
    expect(result).toMatchObject({ ok: true, count: 241, problems: [] });
    await Promise.all(writers.map((w) => w.close()));
  });
});
