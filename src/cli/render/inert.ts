/**
 * Hostile text is inert: every string that came from a person or a file (a child's name, a rationale,
 * a user name, an answers file's keys, rule-set text, a path in an error) goes through `inert` before
 * it is printed for humans, so it can never drive the reader's terminal (clear the screen, retitle
 * the window, plant an OSC 8 link, overwrite a line with CR or backspace, reverse text with a bidi
 * override). Controls are shown visibly (`\e`, `\r`, `\x9b`, `\u202e`), never interpreted.
 * `--json` and JSONL are not passed through here: JSON escaping keeps them exact and safe.
 */

export interface InertOptions {
  /** Multi-line text (a rationale, a whole rendered card) keeps its newlines and tabs. Default true. */
  multiline?: boolean;
  /** Keep well-formed SGR colour sequences (ESC [ digits m): only for our own styled output. */
  keepSgr?: boolean;
}

const NAMED: Record<string, string> = {
  "\u0000": "\\0",
  "\u0007": "\\a",
  "\u0008": "\\b",
  "\u0009": "\\t",
  "\u000a": "\\n",
  "\u000b": "\\v",
  "\u000c": "\\f",
  "\u000d": "\\r",
  "\u001b": "\\e",
};

// C0 controls, DEL, C1 controls, the bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const DANGEROUS_ALL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const SGR = /\u001b\[[0-9;]*m/y;

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** The text with every control and bidi character shown visibly; unchanged when it has none (the common case, fast). */
export function inert(text: string, options: InertOptions = {}): string {
  if (!DANGEROUS.test(text)) return text;
  const multiline = options.multiline !== false;
  if (!options.keepSgr) return text.replace(DANGEROUS_ALL, (ch) => (multiline && (ch === "\n" || ch === "\t") ? ch : visible(ch)));
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\u001b") {
      SGR.lastIndex = i;
      const m = SGR.exec(text);
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    out += DANGEROUS.test(ch) && !(multiline && (ch === "\n" || ch === "\t")) ? visible(ch) : ch;
  }
  return out;
}

/** One line of text (a table cell, a name): newlines and tabs are shown too. */
export const inertLine = (text: string): string => inert(text, { multiline: false });

/**
 * A copy of plain data (a decision, an entry, a report) with every string — keys included — made
 * inert, for the human renderers. Objects without dangerous text come back as they are.
 */
export function inertDeep<T>(value: T): T {
  if (typeof value === "string") return inert(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const next = (value as unknown[]).map((v) => {
      const n = inertDeep<unknown>(v);
      if (n !== v) changed = true;
      return n;
    });
    return (changed ? next : value) as T;
  }
  if (value instanceof Map) {
    let changed = false;
    const next = new Map<unknown, unknown>();
    for (const [k, v] of value as Map<unknown, unknown>) {
      const nk = inertDeep<unknown>(k);
      const nv = inertDeep<unknown>(v);
      if (nk !== k || nv !== v) changed = true;
      next.set(nk, nv);
    }
    return (changed ? next : value) as T;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const next: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const nk = inert(k);
      const nv = inertDeep<unknown>(v);
      if (nk !== k || nv !== v) changed = true;
      next[nk] = nv;
    }
    return (changed ? next : value) as T;
  }
  return value;
}

/**
 * A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection"): text beginning
 * with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`; then RFC 4180 quoting.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
