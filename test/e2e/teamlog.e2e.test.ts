/**
 * One log for the whole front door, end to end: separate `triage` processes, each logged in to the
 * same PostgreSQL log as its own database user with its own role. The EDT worker records a
 * provisional out-of-hours decision at 02:10; at 09:05 the day-team worker sees it and a new
 * referral about the same child counts it; a worker cannot approve (the database refuses, whatever
 * the client); a manager approves; an auditor verifies and cannot write; a worker's direct SQL
 * UPDATE fails. Plus `admin init`, `--user` refused, and `log copy` from a pilot's SQLite file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as YAML from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";
import { describeServer, freshDatabase, loginRole, sqlAs, urlFor } from "../helpers/pg.js";

const MONDAY = "2026-04-27";
const SUNDAY = "2026-04-26";

describeServer("a front door on one server log", () => {
  const box = sandbox();
  let database: string;
  let edtRef: string;
  const answers = (receivedAt: string, referrer: string, channel: string): string => {
    const fixture = YAML.parse(readFileSync("fixtures/referrals/35-ooh-saturday-night-edt-neglect.yaml", "utf8")) as { answers: Record<string, unknown> };
    const file = join(box.dir, `answers-${receivedAt.replace(/:/g, "")}.json`);
    writeFileSync(file, JSON.stringify({ ...fixture.answers, received_at: receivedAt, referrer_type: referrer, received_out_of_hours: channel }));
    return file;
  };
  /** `triage` as `user`, logged in to the server log as that database user, at `now`. */
  const as = (user: string, args: string[], now: string) => {
    const env: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database, user), TRIAGE_NOW: now };
    delete env.TRIAGE_USER;
    return runCli(args, { env });
  };
  const json = (user: string, args: string[], now: string) => {
    const r = as(user, [...args, "--json"], now);
    if (r.code !== 0) throw new Error(`${user}: triage ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    database = await freshDatabase("front_door");
  });
  afterAll(() => box.cleanup());

  it("the owner sets it up with `triage admin init`, idempotently, and is told how to add people", async () => {
    // The owner acts as the database user too (admin init records the shipped approval as them).
    const owner: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database) };
    delete owner.TRIAGE_USER;
    const first = runCli(["admin", "init"], { env: owner });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("is ready (schema 2; applied 1, 2)");
    // The record says which rule set is in force from the start: the shipped one, approved implicitly.
    expect(first.stdout).toMatch(/Approved the shipped rule set front-door-default \S+ implicitly \(entry #2, after its content\)/);
    expect(first.stdout).toContain("GRANT triage_manager TO mia;");
    const again = runCli(["admin", "init"], { env: owner });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already at schema 2; nothing to do");
    expect(again.stdout).toContain("A rule set is already approved on this log.");
    // People: one login each, a role each (as the printed GRANTs say).
    await loginRole("edt_worker", ["triage_worker"]);
    await loginRole("day_worker", ["triage_worker"]);
    await loginRole("mia_manager", ["triage_manager"]);
    await loginRole("ava_auditor", ["triage_auditor"]);
  });

  it("02:10 Sunday: the EDT worker records a provisional out-of-hours decision, as themselves", () => {
    const decision = json("edt_worker", ["new", "--answers", answers(`${SUNDAY}T02:05`, "neighbour_public", "ooh_edt")], `${SUNDAY}T02:10`);
    edtRef = decision.ref;
    expect(decision.decided_by).toBe("edt_worker");
    expect(decision.flags).toContain("ooh_provisional");
    const refused = as("edt_worker", ["--user", "mia_manager", "log", "list"], `${SUNDAY}T02:11`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--user is refused with the server log: you act as the database user you log in as (edt_worker)");
  });

  it("09:05 Monday: the day team sees it, pending re-screen, and a new referral about the child counts it", () => {
    const listed = json("day_worker", ["log", "list"], `${MONDAY}T09:05`);
    expect(listed.map((r: { ref: string; worker: string }) => [r.ref, r.worker])).toEqual([[edtRef, "edt_worker"]]);
    const shown = json("day_worker", ["log", "show", edtRef], `${MONDAY}T09:05`);
    expect(shown.flags).toContain("ooh_provisional");
    expect(shown.entries.map((e: { actor: string }) => e.actor)).toEqual(["edt_worker"]);
    const closing = as("day_worker", ["close", edtRef, "--as", "information_only", "--rationale", "fictional"], `${MONDAY}T09:05`);
    expect(closing.code).toBe(5);
    expect(closing.stderr).toContain("is provisional until the day team re-screens it");
    const second = json("day_worker", ["new", "--answers", answers(`${MONDAY}T09:00`, "school_education", "in_hours")], `${MONDAY}T09:05`);
    expect(second.history.earlier.map((e: { ref: string }) => e.ref)).toEqual([edtRef]);
    expect(second.history.referrals_in_window).toBe(1);
  });

  it("a worker cannot approve: the client says so (exit 5), and the database refuses the same entry written directly", async () => {
    const r = as("day_worker", ["review", edtRef, "--agree"], `${MONDAY}T09:20`);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("day_worker is not listed as a manager or senior manager");
    const direct = await sqlAs(database, "day_worker");
    await expect(
      direct.query("INSERT INTO triage.events (ref, kind, at, body) VALUES ($1, 'review', $2, $3)", [
        edtRef,
        `${MONDAY}T09:20:00+01:00`,
        JSON.stringify({ action: "agree", of: "decision", role: "manager" }),
      ]),
    ).rejects.toMatchObject({ code: "TRG01", message: "refused: review entries need the role triage_manager, and day_worker does not have it" });
  });

  it("a manager approves: the review is hers, recorded by the database", () => {
    const review = json("mia_manager", ["review", edtRef, "--agree"], `${MONDAY}T09:30`);
    expect(review.review).toMatchObject({ action: "agree", of: "decision", role: "manager" });
    expect(review.reviewed).toBe(true);
    const shown = json("ava_auditor", ["log", "show", edtRef], `${MONDAY}T10:00`);
    expect(shown.entries.map((e: { kind: string; actor: string }) => [e.kind, e.actor])).toEqual([
      ["decision", "edt_worker"],
      ["review", "mia_manager"],
    ]);
  });

  it("an auditor verifies the log and cannot write", async () => {
    const verified = json("ava_auditor", ["log", "verify"], `${MONDAY}T10:00`);
    expect(verified).toMatchObject({ ok: true, count: 5, triggersPresent: true, problems: [] });
    const anchor = as("ava_auditor", ["log", "anchor"], `${MONDAY}T10:00`);
    expect(anchor.code).toBe(5);
    expect(anchor.stderr).toMatch(/refused by the database: permission denied for table events/);
    const direct = await sqlAs(database, "ava_auditor");
    await expect(direct.query("INSERT INTO triage.events (kind, at, body) VALUES ('anchor', 'now', '{}')")).rejects.toMatchObject({ code: "42501" });
  });

  it("the read-only commands work on the server log as on a file: export, stats, explain --ref, rules diff", () => {
    const exported = as("ava_auditor", ["log", "export"], `${MONDAY}T10:00`);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; actor: string });
    expect(lines.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(json("ava_auditor", ["stats"], `${MONDAY}T10:00`).decisions).toBe(2);
    const explained = as("ava_auditor", ["rules", "explain", "--ref", edtRef], `${MONDAY}T10:00`);
    expect(explained.code, explained.stdout).toBe(0);
    expect(explained.stdout).toContain(`${edtRef} reproduced exactly`);
    const diff = json("ava_auditor", ["rules", "diff", "rules/default.yaml", "rules/default.yaml"], `${MONDAY}T10:00`);
    expect(diff.log).toMatchObject({ found: true, path: urlFor(database, "ava_auditor") });
  });

  it("a worker's direct SQL UPDATE of an entry fails", async () => {
    const direct = await sqlAs(database, "day_worker");
    await expect(direct.query("UPDATE triage.events SET body = '{}' WHERE ref = $1", [edtRef])).rejects.toMatchObject({
      code: "42501",
      message: "permission denied for table events",
    });
    await expect(direct.query("DELETE FROM triage.events")).rejects.toMatchObject({ code: "42501" });
  });
});

describeServer("rule-set governance on the server log: roles, not names", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  let database = "";
  const NOW = "2026-11-27T10:30";
  const as = (user: string, args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database, user), TRIAGE_NOW: NOW };
    delete env.TRIAGE_USER;
    return runCli(args, { env });
  };
  const proper = (): string => {
    // A proper change: a threshold within its allowed range, version bumped.
    const d = YAML.parse(readFileSync("rules/default.yaml", "utf8")) as { version: string; thresholds: Record<string, { value: number }> };
    d.version = "1.1.1";
    d.thresholds.strategy_discussion_hours!.value = 3;
    const file = join(box.dir, "proper.yaml");
    writeFileSync(file, YAML.stringify(d));
    return file;
  };

  beforeAll(async () => {
    database = await freshDatabase("governed");
    const owner: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database) };
    delete owner.TRIAGE_USER;
    const init = runCli(["admin", "init"], { env: owner });
    if (init.code !== 0) throw new Error(init.stderr);
    await loginRole("gw_worker", ["triage_worker"]);
    await loginRole("gr_rita", ["triage_rules_lead"]);
    await loginRole("gr_raj", ["triage_rules_lead"]);
  });

  it("the shipped rule set is in force from the first entry; no one but the owner may claim that basis", async () => {
    const history = as("gw_worker", ["rules", "history", "--json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ approvals: [{ basis: "shipped", seq: 2 }], pending: [] });
    const rita = await sqlAs(database, "gr_rita");
    await expect(
      rita.query("INSERT INTO triage.events (kind, at, body) VALUES ('rule_set_approved', $1, $2)", [`${NOW}:00+00:00`, JSON.stringify({ basis: "shipped" })]),
    ).rejects.toMatchObject({ code: "TRG01", message: expect.stringContaining("approved implicitly only by the log's owner") });
  });

  it("a worker can neither propose nor approve (the database refuses); rules leads do, four eyes, and the change then records", () => {
    const file = proper();
    const proposedByWorker = as("gw_worker", ["rules", "propose", file]);
    expect(proposedByWorker.code).toBe(5);
    expect(proposedByWorker.stderr).toMatch(/rule_set_proposed entries need the role triage_rules_lead, and gw_worker does not have it/);
    expect(as("gr_rita", ["rules", "propose", file]).code).toBe(0);
    const approvedByWorker = as("gw_worker", ["rules", "approve", file]);
    expect(approvedByWorker.code).toBe(5);
    const ownApproval = as("gr_rita", ["rules", "approve", file]);
    expect(ownApproval.code).toBe(5);
    expect(ownApproval.stderr).toMatch(/gr_rita proposed this rule set; another rules lead must approve it/);
    const approved = as("gr_raj", ["rules", "approve", file]);
    expect(approved.code, approved.stderr).toBe(0);
    const decided = as("gw_worker", ["--rules", file, "new", "--answers", "fixtures/referrals/03-m1-bruise-on-3-month-old-health-visitor.yaml", "--json"]);
    expect(decided.code, decided.stderr).toBe(0);
    expect(JSON.parse(decided.stdout).rule_set).toMatchObject({ version: "1.1.1" });
  });
});

describeServer("moving a pilot's log to the server", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());

  it("`log copy` copies verbatim, the copy verifies, and an anchor taken on the file verifies the server copy", async () => {
    const file = join(box.dir, "pilot.db");
    const env = { ...box.env, TRIAGE_DB: file };
    expect(runCli(["demo", "--db", file], { env }).code).toBe(0);
    const anchorFile = join(box.dir, "anchor.json");
    expect(runCli(["log", "anchor", "--out", anchorFile], { env }).code).toBe(0);
    const database = await freshDatabase("pilot");
    const owner = urlFor(database);
    // --empty: no implicit approval, since a copy goes only into an empty log (it brings its own).
    const init = runCli(["admin", "init", "--empty"], { env: { ...box.env, TRIAGE_DB: owner } });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("No entries written (--empty)");
    const copied = runCli(["log", "copy", "--from", file, "--to", owner, "--json"], { env });
    expect(copied.code, copied.stderr).toBe(0);
    const summary = JSON.parse(copied.stdout);
    const fileVerify = JSON.parse(runCli(["log", "verify", "--json"], { env }).stdout);
    expect(summary).toMatchObject({ verified: true, same_head: true, head: fileVerify.head, copied: fileVerify.count });
    const serverEnv: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: owner };
    delete serverEnv.TRIAGE_USER;
    const anchored = runCli(["log", "verify", "--anchor", anchorFile, "--json"], { env: serverEnv });
    expect(anchored.code, anchored.stderr).toBe(0);
    expect(JSON.parse(anchored.stdout)).toMatchObject({ ok: true, head: fileVerify.head, anchor: { matches: true } });
    // The entries keep the pilot's names; the server copy lists what the file lists.
    const list = (e: NodeJS.ProcessEnv) => JSON.parse(runCli(["log", "list", "--limit", "500", "--json"], { env: e }).stdout);
    expect(list(serverEnv)).toEqual(list(env));
    // Copying again into a log that has entries is refused.
    expect(runCli(["log", "copy", "--from", file, "--to", owner], { env }).code).toBe(2);
    // Entries written on either backend record the machine's clock (recorded_at) in the same body
    // shape: the file's copied entries and the server's own next one, all verifying on the server.
    expect(runCli(["log", "anchor"], { env: serverEnv }).code).toBe(0);
    const backEnv = serverEnv;
    const exported = runCli(["log", "export"], { env: backEnv })
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; body: { recorded_at?: string } });
    expect(exported.length).toBe(fileVerify.count + 1);
    expect(exported.filter((e) => typeof e.body.recorded_at !== "string")).toEqual([]);
    expect(JSON.parse(runCli(["log", "verify", "--json"], { env: backEnv }).stdout)).toMatchObject({ ok: true, count: fileVerify.count + 1 });
  });

  it("`demo` on a server log: built as a pilot's file, copied in verbatim by the owner, and explored as a login", async () => {
    const database = await freshDatabase("demo");
    const owner: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database) };
    delete owner.TRIAGE_USER;
    expect(runCli(["admin", "init", "--empty"], { env: owner }).code).toBe(0);
    const built = runCli(["demo", "--json"], { env: owner });
    expect(built.code, built.stderr).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary).toMatchObject({ path: urlFor(database), team: null });
    expect(summary.decisions).toBeGreaterThan(25);
    expect(summary.copied).toBeGreaterThan(summary.decisions);
    await loginRole("demo_worker", ["triage_worker"]);
    const worker: NodeJS.ProcessEnv = { ...box.env, TRIAGE_DB: urlFor(database, "demo_worker") };
    delete worker.TRIAGE_USER;
    const verified = JSON.parse(runCli(["log", "verify", "--json"], { env: worker }).stdout);
    expect(verified).toMatchObject({ ok: true, count: summary.copied });
    const skye = JSON.parse(runCli(["log", "list", "--child", "Skye Brennan", "--json"], { env: worker }).stdout) as unknown[];
    expect(skye).toHaveLength(summary.highlights.five_referrals.length);
    // A server log that already has entries is not a place for the demo.
    const again = runCli(["demo"], { env: owner });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("copy only into an empty log");
  });
});
