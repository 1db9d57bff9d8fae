/**
 * An outcome named by a person: its id (`s17_assessment`) or its label ("Early help"), in any case.
 * Pure. Unknown names come back with the closest ids and labels to suggest.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import { editDistance, normaliseName } from "./match.js";

export type OutcomeLookup = { ok: true; id: string } | { ok: false; suggestions: string[]; all: string[] };

export function findOutcome(rs: CompiledRuleSet, text: string): OutcomeLookup {
  const wanted = normaliseName(text.replace(/_/g, " "));
  const named = rs.raw.outcomes.map((o) => ({ id: o.id, names: [normaliseName(o.id.replace(/_/g, " ")), normaliseName(o.label)] }));
  const exact = named.find((o) => o.names.includes(wanted));
  if (exact) return { ok: true, id: exact.id };
  // A unique start ("early", "strategy") is as good as the whole name.
  const starts = named.filter((o) => wanted !== "" && o.names.some((n) => n.startsWith(wanted)));
  if (starts.length === 1) return { ok: true, id: starts[0]!.id };
  const distance = (o: (typeof named)[number]) => Math.min(...o.names.map((n) => editDistance(wanted, n.slice(0, Math.max(wanted.length, 1) + 2))));
  const close = named
    .map((o) => ({ o, d: distance(o) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(wanted.length / 3)) || starts.includes(x.o))
    .sort((a, b) => a.d - b.d)
    .map((x) => x.o.id);
  const describe = (id: string) => `${id} ("${rs.raw.outcomes.find((o) => o.id === id)!.label}")`;
  return { ok: false, suggestions: close.map(describe), all: rs.raw.outcomes.map((o) => describe(o.id)) };
}
