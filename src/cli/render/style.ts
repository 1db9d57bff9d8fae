/** The only module that knows about chalk. Colour off (NO_COLOR, non-TTY) gives plain text. */
import { Chalk, type ChalkInstance } from "chalk";

export interface Style {
  color: boolean;
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  heading(s: string): string;
  /** Colour for an outcome level, lowest (1) to highest. */
  level(level: number, s: string): string;
}

export function makeStyle(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const levels = [c.green, c.cyan, c.yellow, c.red, c.bgRed.white.bold];
  return {
    color,
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    bad: (s) => c.red(s),
    heading: (s) => c.bold.underline(s),
    level: (level, s) => (levels[Math.min(Math.max(level, 1), levels.length) - 1] ?? c.reset)(s),
  };
}
