/**
 * A real pseudo-terminal for tests: the built binary runs inside a detached tmux session (its own
 * server socket, so parallel runs never meet), driven with `send-keys` and read with `capture-pane`.
 * Every wait polls the pane with a deadline; nothing sleeps a fixed time.
 */
import { spawnSync } from "node:child_process";
import { repoPath } from "./rules.js";

export const HAVE_TMUX = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;

export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

let servers = 0;

export interface PaneOptions {
  width?: number;
  height?: number;
  /** Shell text put before `node bin/triage` (e.g. environment assignments). */
  prefix?: string;
  /** A whole shell command instead of `node bin/triage …`. */
  command?: string;
}

export class Pane {
  constructor(
    readonly socket: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static start(triageArgs: string[], env: NodeJS.ProcessEnv, options: PaneOptions = {}): Pane {
    const socket = `triage-test-${process.pid}-${++servers}`;
    const run = options.command ?? `${options.prefix ?? ""} node bin/triage ${triageArgs.map(shellQuote).join(" ")}`;
    const command = `cd ${shellQuote(repoPath("."))} && ${run}; echo "[exit $?]"; sleep 600`;
    const pane = new Pane(socket, env);
    pane.tmux("new-session", "-d", "-x", String(options.width ?? 100), "-y", String(options.height ?? 40), "-s", "t", command);
    return pane;
  }

  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8", env: this.env });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** The whole pane with its scrollback, wrapped lines joined. */
  text(): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", "t");
  }

  /** The visible screen only, as the worker sees it (wrapped lines not joined). */
  screen(): string {
    return this.tmux("capture-pane", "-p", "-t", "t");
  }

  /** The bottom of the pane: where the prompt being asked is. */
  tail(lines = 14): string {
    return this.text().trimEnd().split("\n").slice(-lines).join("\n");
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", "t", ...keys);
  }

  type(text: string): void {
    this.tmux("send-keys", "-t", "t", "-l", text);
  }

  kill(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { env: this.env });
  }

  /** Waits until `pattern` shows at the bottom (default) or anywhere in the pane. */
  async waitFor(pattern: RegExp | string, options: { anywhere?: boolean; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const re = typeof pattern === "string" ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : pattern;
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      const m = re.exec(options.anywhere ? this.text() : this.tail());
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in the terminal; it shows:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }
}
