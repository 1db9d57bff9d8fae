/**
 * Messages that name a command must name one the user can run. The canonical form is `triage …`;
 * when `triage` is not on PATH (a clone run with `node bin/triage` or `npm start`), the messages we
 * print name the way this run was started instead: `npm start -- resume …` or `node bin/triage resume …`.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join, relative, resolve } from "node:path";

// "log" and "rules" only with a subcommand: "not a triage log" is prose, "triage log verify" a command.
const COMMANDS =
  "new|resume|checks|override|close|review|today|stats|demo|admin init|log (?:list|show|verify|anchor|export|copy)|rules (?:validate|schema|explain|test|lint|diff|thresholds|propose|approve|history)";
// "triage resume X" (not "the triage log", not a path or a word ending in triage).
const MENTION = new RegExp(`(?<![\\w./-])triage (?=(?:${COMMANDS})\\b)`, "g");

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** How to name triage in a message: `triage`, or `npm start --` (set by scripts/start.mjs), or `node <path>/bin/triage`. */
export function commandName(env: NodeJS.ProcessEnv, packageRoot: string, cwd: string): string {
  if (env.TRIAGE_INVOKED_AS) return env.TRIAGE_INVOKED_AS;
  if (onPath("triage", env)) return "triage";
  const bin = relative(cwd, resolve(packageRoot, "bin", "triage"));
  return `node ${bin.startsWith("..") || bin === "" ? resolve(packageRoot, "bin", "triage") : bin}`;
}

/** The text with every `triage COMMAND` naming the runnable command instead. */
export function runnable(text: string, name: string): string {
  return name === "triage" ? text : text.replace(MENTION, `${name} `);
}
