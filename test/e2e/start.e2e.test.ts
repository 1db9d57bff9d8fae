/**
 * `npm start` on a warm clone neither installs nor builds (no registry, no compiler), passes its
 * arguments to triage, and every message that names a command names one this user can run.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commandName, runnable } from "../../src/cli/invocation.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { repoPath } from "../helpers/rules.js";

const box = sandbox();
afterAll(() => box.cleanup());

function start(args: string[], env: NodeJS.ProcessEnv = box.env) {
  const began = Date.now();
  const r = spawnSync(process.execPath, [repoPath("scripts/start.mjs"), ...args], { cwd: repoPath("."), env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - began };
}

// npm is never on this PATH: a start that tried to install or build fails instead of changing the clone.
const NO_NPM = { ...box.env, PATH: "/nonexistent" };

describe("npm start's plan (scripts/start.mjs), in a scratch folder", () => {
  const scratch = join(box.dir, "clone");
  const file = (rel: string, text: string, at: number) => {
    mkdirSync(dirname(join(scratch, rel)), { recursive: true });
    writeFileSync(join(scratch, rel), text);
    utimesSync(join(scratch, rel), at, at);
  };
  const T = 1_700_000_000; // seconds

  it("installs when node_modules is missing or older than the lock file, unless installed from the same lock content", async () => {
    const { startPlan } = (await import(repoPath("scripts/start.mjs"))) as { startPlan: (dir: string) => { install: boolean; build: boolean } };
    file("package-lock.json", '{"lockfileVersion":3}', T);
    file("src/a.ts", "", T);
    expect(startPlan(scratch).install).toBe(true); // no node_modules
    file("node_modules/.package-lock.json", "{}", T + 10);
    file("dist/cli/main.js", "", T + 20);
    expect(startPlan(scratch)).toMatchObject({ install: false, build: false }); // warm
    file("package-lock.json", '{"lockfileVersion":3}', T + 30); // a checkout touched the lock
    expect(startPlan(scratch).install).toBe(true);
    const { createHash } = await import("node:crypto");
    file("node_modules/.triage-installed-lock", createHash("sha256").update('{"lockfileVersion":3}').digest("hex"), T + 40);
    expect(startPlan(scratch).install).toBe(false); // the same content is installed
    file("src/a.ts", "x", T + 50); // a source newer than the build
    expect(startPlan(scratch)).toMatchObject({ install: false, build: true });
  });
});

describe("npm start on this clone (built by the tests' setup)", () => {
  it("a warm start: no install, no build, triage runs at once with the arguments given", () => {
    const r = start(["--version"], NO_NPM);
    expect(r.stderr).not.toMatch(/installing|building/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.ms).toBeLessThan(2000);
  });

  it("messages name `npm start -- …`, which works from the clone", () => {
    const r = start(["resume", "NOPE1234"], NO_NPM);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("`npm start -- new --answers FILE`");
    expect(r.stderr).not.toMatch(/(?<![\w-])triage (new|resume)/);
  });
});

describe("naming a runnable command", () => {
  it("node bin/triage when triage is not on PATH; triage when it is", () => {
    const r = runCli(["resume", "NOPE1234"], { env: NO_NPM });
    expect(r.stderr).toContain("`node bin/triage new --answers FILE`");
    expect(commandName({ PATH: "/nonexistent" }, "/opt/triage", "/opt/triage")).toBe("node bin/triage");
    expect(commandName({ PATH: "/nonexistent" }, "/opt/triage", "/home/me")).toBe("node /opt/triage/bin/triage");
    expect(commandName({ PATH: "/nonexistent", TRIAGE_INVOKED_AS: "npm start --" }, "/opt/triage", "/opt/triage")).toBe("npm start --");
  });

  it("rewrites only command mentions, never other words", () => {
    const name = "node bin/triage";
    expect(runnable("continue with: triage resume D5E9VED3", name)).toBe("continue with: node bin/triage resume D5E9VED3");
    expect(runnable("not a triage log; see /usr/bin/triage log", name)).toBe("not a triage log; see /usr/bin/triage log");
    expect(runnable("`triage log verify` proves it", name)).toBe("`node bin/triage log verify` proves it");
    expect(runnable("triage resume X", "triage")).toBe("triage resume X");
    // The governance and team-log commands too: a refusal's hint names one the user can run.
    expect(runnable("`triage rules propose F` then `triage rules approve F`", name)).toBe(
      "`node bin/triage rules propose F` then `node bin/triage rules approve F`",
    );
    expect(runnable("run triage admin init, then triage log copy --from A --to B; triage today", name)).toBe(
      "run node bin/triage admin init, then node bin/triage log copy --from A --to B; node bin/triage today",
    );
  });
});
