/**
 * Long output in a terminal goes through a pager, as git does: `$PAGER`, else `less -R` (colours
 * kept). Not a terminal, `--no-pager`, an empty `PAGER` or output that fits the screen: printed as is.
 * A pager that cannot be started never loses the output: it is printed plainly instead.
 */
import { spawn } from "node:child_process";

export interface PagerSettings {
  /** Stdout is a terminal and --no-pager was not given. */
  enabled: boolean;
  /** `$PAGER` as set (undefined when unset; "" means no pager). */
  command: string | undefined;
  /** The terminal's height; output with more lines than this is paged. */
  rows: number;
  /** Extra environment for the pager (e.g. LESS defaults); the rest is inherited. */
  env: NodeJS.ProcessEnv;
}

export function needsPager(text: string, settings: PagerSettings): boolean {
  if (!settings.enabled || settings.command === "" || settings.command === "cat") return false;
  return text.split("\n").length > settings.rows - 1;
}

export async function page(text: string, settings: PagerSettings, write: (t: string) => void): Promise<void> {
  if (!needsPager(text, settings)) return write(text);
  const body = text.endsWith("\n") ? text : `${text}\n`;
  const child =
    settings.command === undefined
      ? spawn("less", ["-R"], { stdio: ["pipe", "inherit", "inherit"], env: settings.env })
      : spawn(settings.command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env: settings.env });
  const code = await new Promise<number | "failed">((resolve) => {
    child.on("error", () => resolve("failed"));
    child.on("close", (c) => resolve(c ?? 0));
    // A pager quit early (q) closes its input: that is not an error.
    child.stdin.on("error", () => {});
    child.stdin.end(body);
  });
  // 127/126: the shell could not find or run $PAGER.
  if (code === "failed" || code === 127 || code === 126) write(text);
}
