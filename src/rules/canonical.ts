/**
 * Canonical JSON (keys sorted at every depth) and the rule set's canonical form. The identity of a
 * rule set is the SHA-256 of its canonical form, so whitespace, comments, key order and the order of
 * order-free lists (rules, guards, steps, checks, closure reasons, invariants) never change it.
 */
import { createHash } from "node:crypto";
import type { RawRuleSet } from "./schema.js";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
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
