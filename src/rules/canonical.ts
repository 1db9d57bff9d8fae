/**
 * Canonical JSON and SHA-256: the byte-exact form the log's hash chain and rule-set identity are
 * computed over. The text is the JSON Canonicalization Scheme (RFC 8785, "JCS"): no whitespace,
 * object keys sorted by UTF-16 code units at every depth, numbers as ECMAScript's
 * Number.prototype.toString writes them, strings escaped as JSON.stringify escapes them; and, as JCS
 * requires (its input is I-JSON, RFC 7493), a string holding an unpaired UTF-16 surrogate is refused,
 * never hashed. For any other value this is exactly the text earlier versions wrote, so no hash in
 * an existing log changes (test/log/canonical.test.ts holds the RFC's vectors and the old hashes).
 *
 * Also the rule set's canonical form. The identity of a
 * rule set is the SHA-256 of its canonical form, so whitespace, comments, key order and the order of
 * order-free lists (rules, guards, steps, checks, closure reasons, invariants) never change it.
 */
import * as crypto from "node:crypto";
import type { RawRuleSet } from "./schema.js";
import { LONE_SURROGATE, UnpairedSurrogateError } from "./well-formed.js";

/** Deeper than any real record; past it the value is taken to be cyclic. */
const MAX_DEPTH = 1000;

/**
 * `value` as canonical JSON (RFC 8785). Undefined object properties are dropped (as JSON.stringify
 * does), and `toJSON` is honoured (a Date becomes its ISO text). Anything that JSON would silently
 * lose or mangle is refused with a TypeError naming where it is, because a hash over mangled data
 * would still "verify": non-finite numbers, bigint, functions, symbols, Map/Set/class instances,
 * cycles; a string (value or key) with an unpaired surrogate is refused with an UnpairedSurrogateError.
 */
export function canonicalJson(value: unknown): string {
  try {
    const text = write(value, 0);
    if (text === undefined) throw new Refusal("is undefined");
    return text;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const where = `$${error.path.join("")}`;
    if (error.problem === LONE) throw new UnpairedSurrogateError(`the text at ${where}`);
    throw new TypeError(`canonicalJson: ${where} ${error.problem}`, { cause: error });
  }
}

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
export const sha256Hex: (text: string | Uint8Array) => string =
  // The one-shot crypto.hash (Node ≥ 20.12) skips a Hash object per call: ~25% faster on the
  // million small inputs of a verify. Older Node 20 releases take the classic path.
  typeof crypto.hash === "function" ? (text) => crypto.hash("sha256", text, "hex") : (text) => crypto.createHash("sha256").update(text).digest("hex");

// Carries the path outwards only when something is refused, so the common case builds no paths.
class Refusal extends Error {
  readonly path: string[] = [];
  constructor(readonly problem: string) {
    super(problem);
  }
}

const LONE = "has an unpaired surrogate";

// JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 escapes (", \, control characters, with
// \b \t \n \f \r or lower-case \u00xx); only its "\udxxx" for a lone surrogate is not JCS.
function writeString(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new Refusal(LONE);
  return JSON.stringify(text);
}

// Returns undefined only for undefined (dropped as a property, null in an array, as JSON does).
function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      // JSON.stringify of a finite number is Number.prototype.toString (-0 as "0"): RFC 8785 §3.2.2.3.
      if (!Number.isFinite(value)) throw new Refusal(`is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return undefined;
    case "object":
      return value === null ? "null" : writeObject(value, depth + 1);
    default:
      throw new Refusal(`is a ${typeof value}, which JSON cannot represent`);
  }
}

function writeObject(value: object, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new Refusal(`is nested more than ${MAX_DEPTH} deep (a cycle?)`);
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === "function") return write((withToJson.toJSON as () => unknown).call(value), depth);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      try {
        out += `${i === 0 ? "" : ","}${write(value[i], depth) ?? "null"}`;
      } catch (error) {
        throw located(error, `[${i}]`);
      }
    }
    return `${out}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Refusal(`is a ${value.constructor?.name ?? "non-plain object"}, not plain data`);
  const record = value as Record<string, unknown>;
  let out = "{";
  // Array.prototype.sort without a comparator orders by UTF-16 code units: RFC 8785 §3.2.3.
  for (const key of Object.keys(record).sort()) {
    let text: string | undefined;
    try {
      text = write(record[key], depth);
      if (text !== undefined) out += `${out.length === 1 ? "" : ","}${writeString(key)}:${text}`;
    } catch (error) {
      throw located(error, `.${LONE_SURROGATE.test(key) ? JSON.stringify(key) : key}`);
    }
  }
  return `${out}}`;
}

function located(error: unknown, step: string): unknown {
  if (error instanceof Refusal) error.path.unshift(step);
  return error;
}

/** Compares ids so that M2 sorts before M10, the same on every machine (no locale). */
export function compareIds(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

const byId = <T extends { id: string }>(items: readonly T[]): T[] => [...items].sort((a, b) => compareIds(a.id, b.id));

/** Orders the order-free lists by id; questions and outcomes keep their meaningful order. */
export function canonicalRuleSet(raw: RawRuleSet): RawRuleSet {
  return {
    ...raw,
    steps: byId(raw.steps),
    checks: byId(raw.checks),
    rules: byId(raw.rules),
    guards: byId(raw.guards),
    closure_reasons: byId(raw.closure_reasons),
    invariants: byId(raw.invariants),
  };
}

export function ruleSetDigest(raw: RawRuleSet): { canonical: RawRuleSet; content: string; sha256: string } {
  const canonical = canonicalRuleSet(raw);
  const content = canonicalJson(canonical);
  return { canonical, content, sha256: sha256Hex(content) };
}
