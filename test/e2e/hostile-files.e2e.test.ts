/**
 * Output files never destroy the log (issue 10, critical): `log export --out` and `log anchor --out`
 * refuse the log and its journal files by any path, symlinks at the final path and existing files
 * without --force; they write through a temporary file, so a failure leaves nothing behind; the
 * anchor entry and the anchor file exist both or neither; and nothing is appended onto a damaged
 * head. The spawned binary over real SQLite logs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli, sandbox } from "../helpers/cli.js";

const FIXTURE = "fixtures/referrals/01-nfa-school-information-request.yaml";
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function setup() {
  const box = sandbox();
  const dir = join(box.dir, "logs");
  mkdirSync(dir);
  const db = join(dir, "triage.db");
  const cli = (args: string[]) => runCli(args, { env: { ...box.env, TRIAGE_DB: db } });
  const entries = () => cli(["log", "export"]).stdout.trim().split("\n").length;
  const strays = () => readdirSync(dir).filter((f) => f.endsWith(".tmp"));
  expect(cli(["new", "--answers", FIXTURE]).code).toBe(0);
  expect(cli(["new", "--answers", FIXTURE, "--link", "TRG-2026-000001"]).code).toBe(0);
  return { box, dir, db, cli, entries, strays };
}

describe("an output file is never the log", () => {
  const t = setup();
  afterAll(() => t.box.cleanup());

  it("refuses --out naming the log or its -wal, -shm, -journal files, even with --force (exit 5); the log is untouched", () => {
    const before = sha(t.db);
    const count = t.entries();
    for (const suffix of ["", "-wal", "-shm", "-journal"]) {
      for (const command of [
        ["log", "export"],
        ["log", "export", "--format", "csv"],
        ["log", "anchor"],
      ]) {
        for (const force of [[], ["--force"]]) {
          const r = t.cli([...command, "--out", t.db + suffix, ...force]);
          expect(r.code, `${command.join(" ")} --out triage.db${suffix} ${force.join("")}: ${r.stderr}`).toBe(5);
          expect(r.stderr).toContain("is the decision log");
        }
      }
    }
    expect(sha(t.db)).toBe(before);
    expect(t.entries()).toBe(count); // no anchor entry was appended either
    expect(t.cli(["log", "verify"]).code).toBe(0);
    expect(t.cli(["new", "--answers", FIXTURE, "--dry-run"]).code).toBe(0);
  });

  it("refuses the log reached through a symlinked folder, a relative path or a hard link", () => {
    const viaDir = join(t.box.dir, "logs-link");
    symlinkSync(t.dir, viaDir);
    expect(t.cli(["log", "export", "--out", join(viaDir, "triage.db"), "--force"]).code).toBe(5);
    expect(t.cli(["log", "anchor", "--out", join(viaDir, "triage.db-wal"), "--force"]).code).toBe(5);
    const hard = join(t.box.dir, "hard.db");
    linkSync(t.db, hard);
    expect(t.cli(["log", "export", "--out", hard, "--force"]).code).toBe(5);
    const rel = runCli(["log", "export", "--out", "logs/../logs/triage.db", "--force"], { env: { ...t.box.env, TRIAGE_DB: t.db }, cwd: t.box.dir });
    expect(rel.code).toBe(5);
    expect(t.cli(["log", "verify"]).code).toBe(0);
  });

  it("refuses a symbolic link at the final path, even to a new file, even with --force (exit 5)", () => {
    const target = join(t.box.dir, "elsewhere.jsonl");
    const link = join(t.box.dir, "out.jsonl");
    symlinkSync(target, link);
    const r = t.cli(["log", "export", "--out", link, "--force"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("symbolic link");
    expect(existsSync(target)).toBe(false);
  });

  it("does not overwrite an existing file without --force (exit 2); with --force replaces it, owner-only", () => {
    const file = join(t.box.dir, "export.jsonl");
    writeFileSync(file, "precious\n", { mode: 0o644 });
    const r = t.cli(["log", "export", "--out", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--force");
    expect(readFileSync(file, "utf8")).toBe("precious\n");
    const forced = t.cli(["log", "export", "--out", file, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(t.entries());
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a new export is written whole and owner-only, with no temporary file left", () => {
    const file = join(t.dir, "fresh.csv");
    expect(t.cli(["log", "export", "--format", "csv", "--events", "--out", file]).code).toBe(0); // one row per entry
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").split("\r\n").filter(Boolean)).toHaveLength(t.entries() + 1);
    expect(t.strays()).toEqual([]);
  });

  it("log anchor --out a folder or a missing folder fails before the anchor entry is appended (exit 2)", () => {
    const count = t.entries();
    for (const out of [t.box.dir, join(t.box.dir, "no", "such", "anchor.json")]) {
      const r = t.cli(["log", "anchor", "--out", out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("nothing was written");
    }
    expect(t.entries()).toBe(count);
    expect(t.strays()).toEqual([]);
    const good = join(t.box.dir, "anchor.json");
    expect(t.cli(["log", "anchor", "--out", good]).code).toBe(0);
    expect(t.entries()).toBe(count + 1);
    expect(JSON.parse(readFileSync(good, "utf8")).seq).toBe(count + 1);
    expect(t.cli(["log", "verify", "--anchor", good]).code).toBe(0);
  });
});

describe("nothing is chained onto a damaged head", () => {
  const t = setup();
  afterAll(() => t.box.cleanup());

  it("an edited last entry stops the next append (exit 4) and nothing is added", () => {
    const raw = new Database(t.db);
    for (const { name } of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as { name: string }[])
      raw.exec(`DROP TRIGGER ${name}`);
    raw.prepare("UPDATE events SET actor = 'someone.else' WHERE seq = (SELECT max(seq) FROM events)").run();
    raw.close();
    const count = t.entries();
    const r = t.cli(["new", "--answers", FIXTURE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("damaged head");
    expect(t.entries()).toBe(count);
    expect(t.cli(["log", "anchor"]).code).toBe(4);
    // Reading still works, and verify names the damage.
    expect(t.cli(["log", "list"]).code).toBe(0);
    expect(t.cli(["log", "verify"]).code).toBe(1);
  });

  it("a deleted entry under the head (the head no longer links) is caught too", () => {
    const raw = new Database(t.db);
    raw.pragma("foreign_keys = OFF");
    for (const { name } of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) raw.exec(`DROP TRIGGER ${name}`);
    raw.prepare("UPDATE events SET actor = 'worker.one' WHERE seq = (SELECT max(seq) FROM events)").run(); // undo the edit above
    raw.prepare("DELETE FROM decisions WHERE seq = (SELECT max(seq) - 1 FROM events)").run();
    raw.prepare("DELETE FROM events WHERE seq = (SELECT max(seq) - 1 FROM events)").run();
    raw.close();
    const r = t.cli(["new", "--answers", FIXTURE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("entries are missing");
  });
});

// CI runs as root (.ci/run): a 64 KiB tmpfs makes a real full disk. Elsewhere without root the test
// cannot run; under CI it must not quietly skip, so it fails instead.
const isRoot = process.getuid?.() === 0;
const mustRun = isRoot || process.env.CI === "true";

describe.runIf(mustRun)("a full disk (ENOSPC) leaves no partial file", () => {
  const box = sandbox();
  const mnt = join(box.dir, "full");
  afterAll(() => {
    if (isRoot) spawnSync("umount", [mnt]);
    box.cleanup();
  });

  it("log export --out onto a full disk exits 4 naming the full disk, and leaves nothing", () => {
    expect(isRoot, "this test needs root to mount a small tmpfs (CI runs as root)").toBe(true);
    mkdirSync(mnt);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], { encoding: "utf8" });
    expect(mount.status, mount.stderr).toBe(0);
    const db = join(box.dir, "demo.db");
    const env = { ...box.env, TRIAGE_DB: db };
    expect(runCli(["demo"], { env }).code).toBe(0);
    expect(statSync(db).size).toBeGreaterThan(128 * 1024);
    const out = join(mnt, "export.jsonl");
    const r = runCli(["log", "export", "--out", out], { env });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain("the disk is full");
    expect(readdirSync(mnt)).toEqual([]);
    // An anchor is small enough to fit; a full one leaves neither file nor entry.
    writeFileSync(join(mnt, "filler"), Buffer.alloc(0));
    const fill = spawnSync("dd", ["if=/dev/zero", `of=${join(mnt, "filler")}`, "bs=4k"], { encoding: "utf8" });
    expect(fill.status).not.toBe(0); // it ran until the disk was full
    const before = runCli(["log", "export"], { env }).stdout.trim().split("\n").length;
    const a = runCli(["log", "anchor", "--out", join(mnt, "anchor.json")], { env });
    expect(a.code, a.stderr).toBe(4);
    expect(readdirSync(mnt)).toEqual(["filler"]);
    expect(runCli(["log", "export"], { env }).stdout.trim().split("\n").length).toBe(before);
  });
});

describe("files that are not what they claim", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  const cli = (db: string, args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { env: { ...box.env, TRIAGE_DB: db, ...extra } });

  it("a log others may read is tightened to 0600 with a message on the next write; a read only warns", () => {
    const db = join(box.dir, "loose.db");
    expect(cli(db, ["new", "--answers", FIXTURE]).code).toBe(0);
    chmodSync(db, 0o644);
    const list = cli(db, ["log", "list"]);
    expect(list.code).toBe(0);
    expect(list.stderr).toContain("readable or writable by others (mode 0644)");
    expect(statSync(db).mode & 0o777).toBe(0o644);
    const write = cli(db, ["new", "--answers", FIXTURE, "--link", "TRG-2026-000001"]);
    expect(write.code, write.stderr).toBe(0);
    expect(write.stderr).toContain("it is now owner-only (0600)");
    expect(write.stderr).not.toContain("Created the decision log");
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it("an answer with half a character (an unpaired surrogate escaped in JSON) is refused with exit 2 naming it, and nothing is recorded", () => {
    const db = join(box.dir, "surrogate.db");
    const answers = parse(readFileSync(FIXTURE, "utf8")) as { answers: Record<string, unknown> };
    const file = join(box.dir, "half-emoji.json");
    // JSON.stringify writes a lone surrogate as the escape \ud83d, as another system's file would.
    writeFileSync(file, JSON.stringify({ ...answers.answers, child_name: "Maya \ud83d Okafor" }));
    expect(readFileSync(file, "utf8")).toContain("Maya \\ud83d Okafor");
    const r = cli(db, ["new", "--answers", file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("$.answers.child_name contains an unpaired UTF-16 surrogate");
    expect(r.stderr).not.toContain("internal error");
    const listed = cli(db, ["log", "list", "--json"]);
    expect(listed.stdout).not.toContain("Okafor");
    expect(cli(db, ["log", "verify"]).code).toBe(0);
  });

  it("a FIFO, a socket or a device as the log is refused at once (exit 4), never hangs", async () => {
    const fifo = join(box.dir, "fifo.db");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const sock = join(box.dir, "sock.db");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      for (const db of [fifo, sock, "/dev/null"]) {
        for (const args of [
          ["log", "list"],
          ["log", "verify"],
          ["new", "--answers", FIXTURE],
        ]) {
          const started = Date.now();
          const r = cli(db, args);
          expect(r.code, `${db} ${args.join(" ")}: ${r.stderr}`).toBe(4);
          expect(r.stderr).toMatch(/named pipe|socket|device/);
          expect(Date.now() - started).toBeLessThan(10_000);
        }
      }
    } finally {
      server.close();
    }
  });

  it("a file marked as a triage log but without its tables gets exit 4 and a clear message, not an internal error", () => {
    const db = join(box.dir, "hollow.db");
    const raw = new Database(db);
    raw.pragma(`application_id = ${0x54524947}`);
    raw.pragma("user_version = 1");
    raw.close();
    for (const args of [
      ["log", "list"],
      ["log", "verify"],
      ["new", "--answers", FIXTURE],
    ]) {
      const r = cli(db, args);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain("its tables are missing");
    }
  });

  it("a team file others can write is refused (exit 5), saying why", () => {
    const db = join(box.dir, "team-test.db");
    const team = join(box.dir, "team.yaml");
    expect(cli(db, ["new", "--answers", FIXTURE]).code).toBe(0);
    writeFileSync(team, "managers: [mia.manager]\n");
    for (const [mode, who] of [
      [0o666, "anyone"],
      [0o664, "its group"],
    ] as const) {
      chmodSync(team, mode);
      const r = cli(db, ["review", "TRG-2026-000001", "--agree"], { TRIAGE_USER: "mia.manager", TRIAGE_TEAM: team });
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain(`can be changed by ${who}`);
    }
    chmodSync(team, 0o644);
    expect(cli(db, ["review", "TRG-2026-000001", "--agree"], { TRIAGE_USER: "mia.manager", TRIAGE_TEAM: team }).code).toBe(0);
  });
});

describe("hostile inputs are refused as bad input (exit 2), naming the limit", () => {
  const box = sandbox();
  afterAll(() => box.cleanup());
  const env = { ...box.env, TRIAGE_DB: join(box.dir, "log.db") };
  const fixture = parse(readFileSync("fixtures/referrals/51-malicious-closure-ex-partner-no-checks-guard-holds.yaml", "utf8"));
  const answersJson = (answers: Record<string, unknown>) => {
    const file = join(box.dir, `a-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(answers));
    return file;
  };

  it("a YAML alias bomb in an answers file or a rule file", () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    const file = join(box.dir, "bomb.yaml");
    writeFileSync(file, `${bomb.join("\n")}\n`);
    const answers = runCli(["new", "--answers", file, "--dry-run"], { env });
    expect(answers.code, answers.stderr).toBe(2);
    expect(answers.stderr).toContain("maxAliasCount");
    const rules = runCli(["--rules", file, "rules", "explain", FIXTURE], { env });
    expect(rules.code, rules.stderr).toBe(2);
    expect(rules.stderr).toContain("maxAliasCount");
    expect(runCli(["rules", "validate", file], { env }).code).toBe(1);
  });

  it("an answers file over 1 MB, a rule file over 5 MB", () => {
    const big = join(box.dir, "big.json");
    writeFileSync(big, JSON.stringify({ ...fixture.answers, padding: "x".repeat(1_100_000) }));
    const a = runCli(["new", "--answers", big, "--dry-run"], { env });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("limit of 1 MB");
    const fromStdin = runCli(["new", "--answers", "-", "--dry-run"], { env, input: readFileSync(big, "utf8") });
    expect(fromStdin.code).toBe(2);
    expect(fromStdin.stderr).toContain("limit of 1 MB");
    const rules = join(box.dir, "big-rules.yaml");
    writeFileSync(rules, `${readFileSync("rules/default.yaml", "utf8")}\n# ${"x".repeat(5_100_000)}\n`);
    const r = runCli(["--rules", rules, "new", "--answers", FIXTURE, "--dry-run"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("limit of 5 MB");
  });

  it("a free-text answer over 20,000 characters, or over its question's max_length", () => {
    const long = runCli(["new", "--answers", answersJson({ ...fixture.answers, worker_rationale: "y".repeat(20_001) }), "--dry-run"], { env });
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("over the limit of 20000 characters");
    expect(runCli(["new", "--answers", answersJson({ ...fixture.answers, worker_rationale: "y".repeat(20_000) }), "--dry-run"], { env }).code).toBe(0);
    const rules = join(box.dir, "short-rules.yaml");
    writeFileSync(rules, readFileSync("rules/default.yaml", "utf8").replace("  - id: worker_rationale\n", "  - id: worker_rationale\n    max_length: 50\n"));
    const r = runCli(["--rules", rules, "new", "--answers", answersJson({ ...fixture.answers, worker_rationale: "z".repeat(51) }), "--dry-run"], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("over the limit of 50 (the question's max_length)");
  });

  it("duplicate keys in a JSON answers file are refused, as in YAML", () => {
    const text = JSON.stringify(fixture.answers).replace(/^\{/, '{"child_age_band":"under_1y",');
    const file = join(box.dir, "dup.json");
    writeFileSync(file, text);
    const r = runCli(["new", "--answers", file, "--dry-run"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('duplicate key "child_age_band"');
  });

  it("`| head` (EPIPE) ends quietly", () => {
    const db = join(box.dir, "demo.db");
    expect(runCli(["demo"], { env: { ...env, TRIAGE_DB: db } }).code).toBe(0);
    const errFile = join(box.dir, "err.txt");
    for (const command of ["log export", "log list --limit 500", "log export --format csv"]) {
      const r = spawnSync("bash", ["-c", `node bin/triage ${command} 2>"$ERR" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
        env: { ...env, TRIAGE_DB: db, ERR: errFile },
        encoding: "utf8",
      });
      expect(r.stdout.trim(), command).toBe("0");
      expect(readFileSync(errFile, "utf8"), command).toBe("");
    }
  });
});
