/**
 * The imperative shell's view of the world, resolved once: flags over environment over defaults.
 * This is the only module that reads process.env; everything below receives plain values.
 */
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TriageError } from "../errors.js";
import { localTimeGap, parseDateTime } from "../rules/time.js";
import { commandName, runnable } from "./invocation.js";
import { inert } from "./render/inert.js";

export interface CommonOptions {
  /** undefined: not given here (program.ts tells the global --rules FILE from `log list --rules VERSION`). */
  rules?: string | undefined;
  db?: string;
  user?: string;
  now?: string;
  team?: string;
  anchorDir?: string;
  json?: boolean;
  /** Commander's negation of --no-pager: false when it was given. */
  pager?: boolean;
}

export interface Context {
  rulesPath: string;
  /** The rule file was named (--rules / TRIAGE_RULES): recording then needs it approved on the log. */
  rulesExplicit: boolean;
  dbPath: string;
  /** True when the db path came from the built-in default (we then say where it is on first use). */
  dbIsDefault: boolean;
  teamPath: string | undefined;
  /**
   * Where every write also leaves the log's new head, and what `log verify` compares with by default
   * (--anchor-dir / TRIAGE_ANCHOR_DIR; src/cli/anchor-dir.ts). Another disk or a backup share.
   */
  anchorDir?: string;
  /** Where validated rule sets are cached by content hash ($XDG_CACHE_HOME/triage). */
  cacheDir: string;
  user: string;
  /** Where `user` came from: --user, TRIAGE_USER, or the OS account (the server log refuses the first two). */
  userFrom?: "flag" | "env" | "os";
  /** The operating-system account running triage (a local log records it with every entry). */
  osUser?: string;
  /** The clock: the instant given by --now/TRIAGE_NOW (read in the rule set's zone), else the real time. */
  now(timeZone: string): Date;
  nowIsFixed: boolean;
  /**
   * The machine's real clock, whatever --now / TRIAGE_NOW says: every log entry records it
   * (recorded_at, src/log/recorded-at.ts), so a back-dated entry stays visible.
   */
  clock(): Date;
  json: boolean;
  color: boolean;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  out(text: string): void;
  err(text: string): void;
  /** How to name triage in a message: `triage`, `npm start --` or `node bin/triage` (src/cli/invocation.ts). */
  self(): string;
  /** Long text for a person: through the pager in a terminal (src/cli/pager.ts), else as out(). */
  page(text: string): Promise<void>;
}

/** The package root (…/triage), found from this file's location in dist/cli/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SHIPPED_RULES = join(PACKAGE_ROOT, "rules", "default.yaml");

export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  const dataHome = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(homedir(), ".local", "share");
  return join(dataHome, "triage", "triage.db");
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown-user";
  }
}

/** Parses --now / TRIAGE_NOW; without an offset the time is local to the rule set's zone. */
export function parseNow(text: string, timeZone: string): Date {
  const gap = localTimeGap(text, timeZone);
  if (gap) throw new TriageError(`--now: ${gap}`);
  const date = parseDateTime(text, timeZone);
  if (!date) throw new TriageError(`--now: "${text}" is not a date-time; expected e.g. 2026-11-27T14:05 (local to ${timeZone}) or 2026-11-27T14:05:00+00:00`);
  return date;
}

export function buildContext(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const nowText = options.now ?? env.TRIAGE_NOW;
  const dbFromUser = options.db ?? env.TRIAGE_DB;
  // A server log's address is kept as given (it is not a path).
  const dbPath = dbFromUser !== undefined && /^postgres(ql)?:\/\//i.test(dbFromUser) ? dbFromUser : resolve(dbFromUser ?? defaultDbPath(env));
  const teamFromUser = options.team ?? env.TRIAGE_TEAM;
  const anchorDir = options.anchorDir ?? env.TRIAGE_ANCHOR_DIR;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const json = options.json === true;
  const color = !noColor && (forceColor || process.stdout.isTTY === true);
  // The last line of defence for hostile text: human output is neutralised as it is written (our own
  // colour codes survive only when colour is on); the renderers have already made each person's or
  // file's string inert, so this only matters if one was missed. JSON is exact and already safe.
  const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
  let name: string | undefined;
  const self = () => (name ??= commandName(env, PACKAGE_ROOT, process.cwd()));
  const out = (text: string) => void process.stdout.write(line(json ? text : inert(text, { keepSgr: color })));
  const pagerEnabled = options.pager !== false && process.stdout.isTTY === true;
  return {
    rulesPath: resolve(options.rules ?? env.TRIAGE_RULES ?? SHIPPED_RULES),
    rulesExplicit: (options.rules ?? env.TRIAGE_RULES) !== undefined,
    dbPath,
    dbIsDefault: dbFromUser === undefined,
    teamPath: teamFromUser ? resolve(teamFromUser) : undefined,
    ...(anchorDir ? { anchorDir: resolve(anchorDir) } : {}),
    cacheDir: join(env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), ".cache"), "triage"),
    user: options.user ?? env.TRIAGE_USER ?? osUser(),
    userFrom: options.user !== undefined ? "flag" : env.TRIAGE_USER !== undefined ? "env" : "os",
    osUser: osUser(),
    now: (timeZone) => (nowText ? parseNow(nowText, timeZone) : new Date()),
    nowIsFixed: nowText !== undefined,
    clock: () => new Date(),
    json,
    color,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    out,
    // Messages on stderr are ours (hints, warnings): commands in them are named runnably.
    err: (text) => void process.stderr.write(line(runnable(inert(text, { keepSgr: color }), self()))),
    self,
    page: async (text) => {
      if (!pagerEnabled || json) return out(text);
      const { page } = await import("./pager.js");
      // less: quit at once when it fits after all (-F), keep colours (-R), leave the text on screen (-X).
      const pagerEnv = { ...env, LESS: env.LESS ?? "FRX" };
      await page(inert(text, { keepSgr: color }), { enabled: true, command: env.PAGER, rows: process.stdout.rows ?? 24, env: pagerEnv }, out);
    },
  };
}
