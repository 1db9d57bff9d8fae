/** What was added to and removed from a list, by canonical value (order never counts). */
import { canonicalJson } from "../canonical.js";

export interface ListDelta {
  added: string[];
  removed: string[];
}

export function listDelta(a: readonly unknown[], b: readonly unknown[]): ListDelta {
  const as = a.map((x) => canonicalJson(x));
  const bs = b.map((x) => canonicalJson(x));
  const text = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
  return { added: bs.filter((x) => !as.includes(x)).map(text), removed: as.filter((x) => !bs.includes(x)).map(text) };
}

/** "+added −removed", space-separated; empty when nothing was added or removed. */
export function deltaText(delta: ListDelta): string {
  return [...delta.added.map((v) => `+${v}`), ...delta.removed.map((v) => `−${v}`)].join(" ");
}
