/**
 * "Did you mean …?" for every misspelt name the tool reports (a question id in an answers file, a
 * question or threshold in a rule), by edit distance rather than a shared prefix, so that
 * `child_mobilty` suggests `child_mobility`, not `child_name`. The edit distance is also the one
 * the child-matching policy uses for names (src/workflow/match.ts).
 */

/** Damerau-Levenshtein distance (optimal string alignment: insert, delete, substitute, swap neighbours). */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  // Three rolling rows (two back, one back, this one), allocated once per call.
  let before = new Int32Array(n + 1);
  let prev = Int32Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Int32Array(n + 1);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      row[j] = best;
    }
    [before, prev, row] = [prev, row, before];
  }
  return prev[n]!;
}

/**
 * The known names a typo of `name` most plausibly meant, closest first (at most `max`): within the
 * edit distance a typo makes (2, or a third of the name's length), or one containing the other.
 */
export function closest(name: string, known: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return known
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter(({ k, d }) => d <= limit || (name.length >= 4 && k.includes(name)) || (k.length >= 4 && name.includes(k)))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, max)
    .map(({ k }) => k);
}

/** `did you mean a, b?`, or, when nothing is close, `expected one of: …` (the first 40). */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = closest(name, known);
  if (near.length > 0) return `did you mean ${near.join(", ")}?`;
  return `expected one of: ${known.slice(0, 40).join(", ")}${known.length > 40 ? ", …" : ""}`;
}
