/**
 * The team file: who may approve. `team.yaml` beside the log, or `--team FILE` / TRIAGE_TEAM:
 *
 *   managers: [mia.manager, lee.lead]
 *   senior_managers: [sam.senior]
 *   rules_leads: [rita.rules, raj.rules]     # may approve rule sets (triage rules approve)
 *
 * Names are compared exactly (after trimming) with the acting user (`--user` / TRIAGE_USER). A
 * senior manager may act as a manager. Without a team file no one is recognised as a manager, and
 * approvals are refused — the tool never guesses who is entitled.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ExitCode, RefusedError, TriageError } from "../errors.js";
import { LIMITS, readText } from "../files.js";
import type { LogStore } from "../log/store.js";
import type { Team } from "../workflow/actions.js";
import type { Context } from "./context.js";

export const TEAM_FILE = "team.yaml";

/** Where the team file is looked for: --team / TRIAGE_TEAM, else team.yaml beside the log. */
export function teamPath(ctx: Pick<Context, "teamPath" | "dbPath">): { path: string; explicit: boolean } {
  return ctx.teamPath ? { path: ctx.teamPath, explicit: true } : { path: join(dirname(ctx.dbPath), TEAM_FILE), explicit: false };
}

const KEYS = ["managers", "senior_managers", "rules_leads"] as const;

/** Parses team-file text; every problem at once, each naming the file. Pure. */
export function parseTeam(text: string, source: string, parse: (text: string) => unknown): Team {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new TriageError(`team file ${source} is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== "object" || Array.isArray(data))
    throw new TriageError(`team file ${source}: expected a map with managers: [names], senior_managers: [names] and rules_leads: [names]`);
  const map = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(map)) if (!(KEYS as readonly string[]).includes(key)) problems.push(`unknown key "${key}" (expected ${KEYS.join(" or ")})`);
  const list = (key: (typeof KEYS)[number]): string[] => {
    const v = map[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`${key}: expected a list of names`);
      return [];
    }
    const names: string[] = [];
    v.forEach((n, i) => {
      if (typeof n !== "string" || n.trim() === "") problems.push(`${key}[${i}]: expected a name, got ${JSON.stringify(n)}`);
      else names.push(n.trim());
    });
    return names;
  };
  const team: Team = { source, managers: list("managers"), senior_managers: list("senior_managers"), rules_leads: list("rules_leads") };
  if (problems.length > 0) throw new TriageError(`team file ${source} has problems:\n  ${problems.join("\n  ")}`);
  return team;
}

/** The server log's team: the logged-in user, as a manager, senior manager or rules lead if the database grants them that role. */
export function serverTeam(store: Pick<LogStore, "identity" | "path">): { team: Team; lookedAt: string } {
  const user = store.identity?.user ?? "";
  const roles = store.identity?.roles ?? [];
  const source = `the database roles at ${store.path}`;
  return {
    team: {
      source,
      managers: roles.includes("triage_manager") ? [user] : [],
      senior_managers: roles.includes("triage_senior_manager") ? [user] : [],
      rules_leads: roles.includes("triage_rules_lead") ? [user] : [],
    },
    lookedAt: source,
  };
}

/**
 * Loads the team, or undefined when there is no file at the default place (the caller refuses
 * approvals, naming where it looked). A --team / TRIAGE_TEAM file that does not exist is bad input.
 */
export async function loadTeam(ctx: Pick<Context, "teamPath" | "dbPath">): Promise<{ team: Team | undefined; lookedAt: string }> {
  const { path, explicit } = teamPath(ctx);
  if (!existsSync(path)) {
    if (explicit) throw new TriageError(`team file ${path} does not exist`, ExitCode.Usage, "check --team / TRIAGE_TEAM");
    return { team: undefined, lookedAt: path };
  }
  // Whoever can change the team file can make themselves a manager: only its owner may write it.
  const mode = statSync(path).mode;
  if ((mode & 0o022) !== 0)
    throw new RefusedError(
      `refused: the team file ${path} can be changed by ${mode & 0o002 ? "anyone" : "its group"} (mode ${(mode & 0o777).toString(8).padStart(4, "0")}), so it cannot say who may approve`,
      `make it writable by its owner only: chmod go-w ${path}`,
    );
  let text: string;
  try {
    text = readText(path, "team file", LIMITS.teamFileBytes);
  } catch (error) {
    if (error instanceof TriageError) throw error;
    throw new TriageError(`cannot read team file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { parse } = await import("yaml");
  return { team: parseTeam(text, path, (t) => parse(t)), lookedAt: path };
}
