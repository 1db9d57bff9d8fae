/**
 * A reader for the plain YAML that answers files are written in, so that recording one referral does
 * not load the YAML library (loading and warming it is about a third of `triage new --answers`).
 *
 * It reads only what it is sure of — a block map of simple keys whose values are plain or quoted
 * scalars (no escapes), one-line flow lists and maps of those, block lists of scalars, nested block
 * maps, and folded or literal blocks of evenly indented lines — with the YAML 1.2 core schema's
 * meaning for plain scalars, and returns undefined for anything else (anchors, tags, escapes, tabs,
 * duplicate keys, documents, odd numbers, …). The caller then parses with the YAML library, which
 * also reports positions for problems. test/cli/plain-yaml.test.ts holds it equal to the library.
 */

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INT = /^[-+]?[0-9]{1,15}$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// A plain scalar may not start with an indicator; "-" only before a digit (a negative number).
const PLAIN_START = /^(?:[^-?:,[\]{}#&*!|>'"%@`\s]|-[0-9])/;

class NotPlain extends Error {}
const fail = (): never => {
  throw new NotPlain();
};

interface Line {
  indent: number;
  text: string; // without the indentation or trailing spaces
  trailingSpace: boolean;
}

/** The value of a plain YAML document, or undefined when it is not one this reader is sure of. */
export function readPlainYaml(text: string): Record<string, unknown> | undefined {
  try {
    if (/[\t\r\\\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(text)) return undefined;
    const lines: Line[] = [];
    for (const raw of text.split("\n")) {
      const body = raw.trimStart();
      if (body === "" || body.startsWith("#")) {
        lines.push({ indent: -1, text: "", trailingSpace: false }); // blank: kept so block scalars can refuse them
        continue;
      }
      if (raw.startsWith("---") || raw.startsWith("...") || raw.startsWith("%")) return undefined;
      const trimmed = body.trimEnd();
      lines.push({ indent: raw.length - body.length, text: trimmed, trailingSpace: trimmed.length < body.length });
    }
    const reader = { lines, at: 0, endsWithNewline: text.endsWith("\n") };
    skipBlank(reader);
    if (reader.at >= lines.length || lines[reader.at]!.indent !== 0) return undefined;
    const value = blockMap(reader, 0);
    skipBlank(reader);
    return reader.at === lines.length ? value : undefined;
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

interface Reader {
  lines: Line[];
  at: number;
  endsWithNewline: boolean;
}

/** A key that reads as the same string in every schema ("null", "true" and numbers do not). */
function isPlainKey(key: string): boolean {
  return KEY.test(key) && key !== "__proto__" && typeof plain(key) === "string";
}

function skipBlank(r: Reader): void {
  while (r.at < r.lines.length && r.lines[r.at]!.indent < 0) r.at++;
}

function blockMap(r: Reader, indent: number): { [key: string]: Value } {
  const map: { [key: string]: Value } = {};
  for (;;) {
    skipBlank(r);
    const line = r.lines[r.at];
    if (!line || line.indent < indent) return map;
    if (line.indent > indent) fail();
    const colon = line.text.indexOf(":");
    if (colon <= 0) fail();
    const key = line.text.slice(0, colon);
    if (!isPlainKey(key) || Object.hasOwn(map, key)) fail();
    const rest = line.text.slice(colon + 1);
    r.at++;
    if (rest === "" || /^\s+#/.test(rest)) map[key] = nested(r, indent);
    else if (rest.startsWith(" ")) {
      const value = rest.trim();
      map[key] = value === ">" || value === ">-" || value === "|" || value === "|-" ? blockScalar(r, indent, value) : inline(value);
    } else fail();
  }
}

/** What follows a key with nothing after its colon: a deeper map, a list (at the same or a deeper indent), or null. */
function nested(r: Reader, indent: number): Value {
  skipBlank(r);
  const line = r.lines[r.at];
  if (!line || line.indent < indent || (line.indent === indent && !line.text.startsWith("- "))) return null;
  if (line.text.startsWith("- ") || line.text === "-") return blockList(r, line.indent);
  return blockMap(r, line.indent);
}

function blockList(r: Reader, indent: number): Value[] {
  const list: Value[] = [];
  for (;;) {
    skipBlank(r);
    const line = r.lines[r.at];
    if (!line || line.indent !== indent || !line.text.startsWith("- ")) {
      if (line && line.indent > indent) fail();
      return list;
    }
    const item = line.text.slice(2).trim();
    // A map or list inside a list item is beyond this reader.
    if (item === "" || /^[A-Za-z_][A-Za-z0-9_-]*:(\s|$)/.test(item) || item.startsWith("- ")) fail();
    list.push(inline(item));
    r.at++;
  }
}

/** `>`, `>-`, `|`, `|-` with every line at one deeper indentation and no blank lines. */
function blockScalar(r: Reader, indent: number, style: string): string {
  const parts: string[] = [];
  let inner = -1;
  while (r.at < r.lines.length) {
    const line = r.lines[r.at]!;
    if (line.indent >= 0 && line.indent <= indent) break;
    if (line.indent < 0) fail(); // blank lines and comments inside a block scalar: leave to the library
    if (inner < 0) inner = line.indent;
    if (line.indent !== inner || line.trailingSpace) fail();
    parts.push(line.text);
    r.at++;
  }
  if (parts.length === 0) fail();
  // A block at the very end of a file without a final newline has no line break to keep.
  if (!r.endsWithNewline && r.lines.slice(r.at).every((l) => l.indent < 0)) fail();
  const joined = parts.join(style.startsWith(">") ? " " : "\n");
  return style.endsWith("-") ? joined : `${joined}\n`;
}

/** A value on the same line as its key or dash. */
function inline(text: string): Value {
  if (text.startsWith("[")) return flowList(text);
  if (text.startsWith("{")) return flowMap(text);
  return scalar(text, true);
}

function flowList(text: string): Value[] {
  const end = text.indexOf("]");
  if (end !== text.length - 1 && !/^\s+#/.test(text.slice(end + 1))) fail();
  const inside = text.slice(1, end).trim();
  if (inside === "") return [];
  if (/[[\]{}]/.test(inside)) fail();
  return splitFlow(inside).map((item) => scalar(item, false));
}

function flowMap(text: string): { [key: string]: Value } {
  const end = text.indexOf("}");
  if (end !== text.length - 1 && !/^\s+#/.test(text.slice(end + 1))) fail();
  const inside = text.slice(1, end).trim();
  const map: { [key: string]: Value } = {};
  if (inside === "") return map;
  if (/[[\]{}]/.test(inside)) fail();
  for (const entry of splitFlow(inside)) {
    const colon = entry.indexOf(": ");
    if (colon <= 0) fail();
    const key = entry.slice(0, colon).trim();
    if (!isPlainKey(key) || Object.hasOwn(map, key)) fail();
    map[key] = scalar(entry.slice(colon + 2).trim(), false);
  }
  return map;
}

/** Splits a flow collection's inside at commas; quoted items may not contain commas (else: not plain). */
function splitFlow(inside: string): string[] {
  const items = inside.split(",").map((s) => s.trim());
  // A trailing comma, an empty item, or a comma inside quotes: leave to the library.
  if (items.some((s) => s === "" || ((s.startsWith('"') || s.startsWith("'")) && (s.length < 2 || s.at(-1) !== s[0])))) fail();
  return items;
}

function scalar(text: string, block: boolean): Value {
  if (text.startsWith('"') || text.startsWith("'")) return quoted(text);
  // A comment after a plain scalar ends it; in a flow collection "#" is not expected at all.
  let value = text;
  const comment = value.search(/\s#/);
  if (comment >= 0) {
    if (!block) fail();
    value = value.slice(0, comment).trimEnd();
  }
  if (value.includes("#") || value.includes(": ") || value.endsWith(":") || !PLAIN_START.test(value)) fail();
  if (!block && /[,[\]{}]/.test(value)) fail();
  return plain(value);
}

function quoted(text: string): string {
  const q = text[0]!;
  const end = text.indexOf(q, 1);
  if (end < 0) fail();
  const after = text.slice(end + 1);
  if (after !== "" && !/^\s+#/.test(after)) fail(); // includes '' (an escaped single quote)
  const inner = text.slice(1, end);
  if (inner.includes("\\") || inner.includes("#")) fail();
  return inner;
}

/** The YAML 1.2 core schema's reading of a plain scalar. */
function plain(value: string): Value {
  if (value === "~" || value === "null" || value === "Null" || value === "NULL") return null;
  if (value === "true" || value === "True" || value === "TRUE") return true;
  if (value === "false" || value === "False" || value === "FALSE") return false;
  if (INT.test(value)) return Number(value);
  if (FLOAT.test(value)) {
    // Long mantissas and exponents round differently in different parsers: leave them.
    if (value.replace(/[^0-9]/g, "").length > 15) fail();
    return Number(value);
  }
  if (/^[-+]?(\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$/.test(value) || /^[-+]?0[ox]/.test(value)) fail();
  return value;
}
