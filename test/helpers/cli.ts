import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoPath } from "./rules.js";

export const BIN = repoPath("bin/triage");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A private home for one test: its own log, cache and data folders, removed by `cleanup`. */
export function sandbox(): { dir: string; env: NodeJS.ProcessEnv; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "triage-e2e-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CACHE_HOME: join(dir, "cache"),
    TRIAGE_USER: "worker.one",
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when running as root (CI is): permission tests then run the binary as `nobody`, since root ignores modes. */
export const IS_ROOT = process.getuid?.() === 0;
export const NOBODY = 65534;
/** Spawn options that run the binary as `nobody` when we are root, so file modes apply. */
export const AS_UNPRIVILEGED: { uid?: number; gid?: number } = IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; uid?: number; gid?: number } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? repoPath("."),
    env: options.env ?? sandbox().env,
    input: options.input ?? "",
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Spawns without waiting, for concurrency and kill tests. */
export function startCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawn(process.execPath, [BIN, ...args], { cwd: repoPath("."), env, stdio: ["pipe", "pipe", "pipe"] });
}
