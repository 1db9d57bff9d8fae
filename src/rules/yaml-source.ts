/** YAML text with source positions: parse once, then turn a data path into file:line:col. */
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from "yaml";

export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Syntax problems (including duplicate keys), already located. */
  syntaxProblems: string[];
}

export function parseSource(text: string, file: string): SourceDoc {
  const lines = new LineCounter();
  // YAML 1.2 core schema: `yes`/`no` stay strings, dates stay strings; duplicate keys are errors.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, schema: "core" });
  // One syntax slip often cascades; the first few problems are the useful ones.
  const shown = doc.errors.slice(0, 5);
  const syntaxProblems = shown.map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    const first = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
    const key = /^\s*-?\s*([^:#\s]+)\s*:/.exec(text.split("\n")[pos.line - 1]?.slice(pos.col - 1) ?? "")?.[1];
    const message = e.code === "DUPLICATE_KEY" ? `duplicate key${key ? ` "${key}"` : ""}: it appears twice in the same map` : `YAML syntax: ${first}`;
    return `${file}:${pos.line}:${pos.col}: ${message}`;
  });
  if (doc.errors.length > shown.length)
    syntaxProblems.push(`${file}: … and ${doc.errors.length - shown.length} more YAML problem(s), often caused by the first`);
  return { file, doc, lines, syntaxProblems };
}

/** Aliases a document may expand; far more than any real rule or answers file uses, far less than a bomb. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data, or the problem. A "billion laughs" alias bomb is refused as bad input
 * by the yaml package's alias limit, before it can exhaust memory; the caller reports it (exit 2).
 */
export function toData(source: SourceDoc): { ok: true; data: unknown } | { ok: false; problems: string[] } {
  try {
    return { ok: true, data: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (error instanceof ReferenceError || (error instanceof Error && /alias/i.test(error.message))) {
      return {
        ok: false,
        problems: [`${source.file}: YAML aliases expand beyond the limit of ${MAX_ALIAS_COUNT} (maxAliasCount): refused as a resource-exhaustion attack`],
      };
    }
    throw error;
  }
}

/**
 * Where a path points. A missing node (e.g. a required key not written) is reported at the nearest
 * existing parent; with `key`, at that key of the map at `path` (unknown keys).
 */
export function locate(source: SourceDoc, path: readonly (string | number)[], key?: string): { line: number; col: number } {
  let p = [...path];
  let node: unknown = source.doc.getIn(p, true);
  while (!isNode(node) && p.length > 0) {
    p = p.slice(0, -1);
    node = p.length === 0 ? source.doc.contents : source.doc.getIn(p, true);
  }
  let offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (pair && isNode(pair.key)) offset = pair.key.range?.[0] ?? offset;
  } else if (isNode(node) && p.length > 0) {
    // Point at the key of a mapping value when we can: "floor: x" → the line of "floor".
    const parent = source.doc.getIn(p.slice(0, -1), true);
    const last = p[p.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
      if (pair && isNode(pair.value) && pair.value === node && isScalar(node) && isNode(pair.key)) offset = node.range?.[0] ?? offset;
    }
  }
  const pos = source.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

export function problemAt(source: SourceDoc, path: readonly (string | number)[], message: string, key?: string): string {
  const { line, col } = locate(source, path, key);
  const where = formatPath(key !== undefined ? [...path, key] : path);
  return `${source.file}:${line}:${col}: ${message}${where ? ` (at ${where})` : ""}`;
}
