/**
 * The first key that appears twice in one object of a JSON text, with its line and column.
 * JSON.parse silently keeps the last of two equal keys, so an answers file could say a child is
 * both "not at risk" and "at risk" and only the second would count; YAML refuses that, and so do we.
 * Call only on text JSON.parse accepted: the scan then needs no error handling of its own.
 */
export function duplicateJsonKey(text: string): { key: string; line: number; col: number } | undefined {
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "{") {
      stack.push(new Set());
      i++;
    } else if (c === "[") {
      stack.push(null);
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      const keys = stack[stack.length - 1];
      if (!keys) continue;
      let j = i;
      while (j < n && /\s/.test(text[j]!)) j++;
      if (text[j] !== ":") continue;
      const key = JSON.parse(text.slice(start, i)) as string;
      if (keys.has(key)) {
        const before = text.slice(0, start).split("\n");
        return { key, line: before.length, col: before[before.length - 1]!.length + 1 };
      }
      keys.add(key);
    } else i++;
  }
  return undefined;
}
