/**
 * The imperative shell's view of the world, resolved once: flags over environment over defaults.
 * This is the only module that reads process.env; everything below receives plain values.
 */
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TriageError } from "../errors.js";

export interface CommonOptions {
  rules?: string;
  db?: string;
  user?: string;
  now?: string;
  team?: string;
  json?: boolean;
}

export interface Context {
  rulesPath: string;
  dbPath: string;
  /** True when the db path came from the built-in default (we then say where it is on first use). */
  dbIsDefault: boolean;
  teamPath: string | undefined;
  user: string;
  /** The clock: a fixed instant from --now/TRIAGE_NOW, else the real time at each call. */
  now(): Date;
  nowIsFixed: boolean;
  json: boolean;
  color: boolean;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  out(text: string): void;
  err(text: string): void;
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

/**
 * Parses --now / TRIAGE_NOW. Without an offset the time is local to the rule set's zone; that
 * conversion needs the rule set, so here we keep the text and let callers resolve it (see
 * resolveNow in rules/time.ts). A plain Date is returned only for texts with an explicit offset/Z.
 */
export function parseNowFlag(text: string): Date {
  const hasOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text);
  const date = new Date(hasOffset ? text : `${text}Z`);
  if (Number.isNaN(date.getTime())) {
    throw new TriageError(`--now: "${text}" is not a date-time; expected ISO 8601 such as 2026-11-27T14:05 or 2026-11-27T14:05:00+00:00`);
  }
  return date;
}

export function buildContext(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const nowText = options.now ?? env.TRIAGE_NOW;
  const fixedNow = nowText ? parseNowFlag(nowText) : undefined;
  const dbFromUser = options.db ?? env.TRIAGE_DB;
  const dbPath = resolve(dbFromUser ?? defaultDbPath(env));
  const teamFromUser = options.team ?? env.TRIAGE_TEAM;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  return {
    rulesPath: resolve(options.rules ?? env.TRIAGE_RULES ?? SHIPPED_RULES),
    dbPath,
    dbIsDefault: dbFromUser === undefined,
    teamPath: teamFromUser ? resolve(teamFromUser) : undefined,
    user: options.user ?? env.TRIAGE_USER ?? osUser(),
    now: () => (fixedNow ? new Date(fixedNow.getTime()) : new Date()),
    nowIsFixed: fixedNow !== undefined,
    json: options.json === true,
    color: !noColor && (forceColor || process.stdout.isTTY === true),
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}
