/**
 * Who-is-this-child matching, pure (no SQL). Safety principle 4: a misspelt name must not hide
 * history, so anything plausible is offered as a *possible* match for the worker to confirm or
 * reject; only strong evidence (same local reference, or same name and date of birth) is *exact*.
 * Missing or "unknown" parts never count as agreement, and never as disagreement either.
 */
import type { CompiledRuleSet } from "../rules/compile.js";
import { editDistance } from "../rules/suggest.js";
import { UNKNOWN, type Answer } from "../rules/types.js";

/** Who a referral is about, as far as anyone knows. Any part may be missing or "unknown". */
export interface Identity {
  name?: string | null;
  dob?: string | null;
  ref?: string | null;
  postcode?: string | null;
}

/**
 * Who a referral is about, from the rule set's identity questions (in question order; the first
 * known answer of each kind counts). "Not known" is left out. The one reading, for the interview's
 * lookups, the record and the statistics.
 */
export function identityFromAnswers(rs: CompiledRuleSet, answers: Readonly<Record<string, Answer | undefined>>): Identity {
  const identity: Identity = {};
  for (const q of rs.questions) {
    const kind = q.raw.identity;
    const a = answers[q.id];
    if (kind && typeof a === "string" && a !== UNKNOWN && identity[kind] === undefined) identity[kind] = a;
  }
  return identity;
}

export type MatchKind = "exact" | "possible" | "none";
export interface MatchResult {
  kind: MatchKind;
  why: string;
}

/** Identity parts in comparable form; "" means not known. */
export interface NormalIdentity {
  name: string;
  /** The name as given (trimmed), for sentences. */
  display: string;
  dob: string;
  ref: string;
  postcode: string;
}

// What people write when they do not know. Compared after normalisation ("N/K" → "n k").
const NOT_KNOWN = new Set(["unknown", "not known", "n k", "nk", "unk", "not given", "not provided"]);
// Letters NFKD does not decompose into ASCII.
const FOLD: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" };

/** Lower case, accents and apostrophes removed, other punctuation as spaces, single spaces; "" if not known. */
export function normaliseName(s: string | null | undefined): string {
  if (typeof s !== "string") return "";
  const folded = s
    // Format characters (zero-width space and joiners, soft hyphen, bidi marks) are invisible: a name
    // typed or pasted with one is the same name. Compatibility forms (full-width letters, ligatures)
    // fold with NFKD (the decomposed form of NFKC), whose marks are then dropped.
    .replace(/\p{Cf}/gu, "")
    .normalize("NFKD")
    .toLowerCase() // before removing marks: lower-casing "İ" adds one
    .replace(/\p{M}/gu, "")
    .replace(/[ßæœøłđðþı]/g, (c) => FOLD[c] ?? c)
    .replace(/['’‘`ʼ]/g, "") // O'Brien and OBrien are the same name
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return NOT_KNOWN.has(folded) ? "" : folded;
}

// The text, unless it is missing, blank or a "not known"-style answer.
const known = (s: string | null | undefined): string => (typeof s === "string" && normaliseName(s) !== "" ? s : "");

/** Upper case without spaces ("sw1a 1aa" → "SW1A1AA"); "" if not known. */
export function normalisePostcode(s: string | null | undefined): string {
  return known(s)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "");
}

/** "SW1A1AA" → "SW1A 1AA" (the inward code is always the last three characters). */
export function formatPostcode(normal: string): string {
  return normal.length >= 5 ? `${normal.slice(0, -3)} ${normal.slice(-3)}` : normal;
}

/** A local case-system reference: upper case, no spaces; "" if not known. */
export function normaliseRef(s: string | null | undefined): string {
  return known(s).toUpperCase().replace(/\s+/g, "");
}

/** YYYY-MM-DD, or "" for anything else (including "unknown"). */
export function normaliseDob(s: string | null | undefined): string {
  if (typeof s !== "string") return "";
  const t = s.trim();
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : "";
}

export function normaliseIdentity(identity: Identity): NormalIdentity {
  const name = normaliseName(identity.name);
  return {
    name,
    display: name === "" ? "" : (identity.name ?? "").trim(),
    dob: normaliseDob(identity.dob),
    ref: normaliseRef(identity.ref),
    postcode: normalisePostcode(identity.postcode),
  };
}

const SOUNDEX: Record<string, string> = {
  b: "1",
  f: "1",
  p: "1",
  v: "1",
  c: "2",
  g: "2",
  j: "2",
  k: "2",
  q: "2",
  s: "2",
  x: "2",
  z: "2",
  d: "3",
  t: "3",
  l: "4",
  m: "5",
  n: "5",
  r: "6",
};

// Spellings that sound alike at the start of English names; Soundex keeps the first letter as
// written, which would split Catherine/Katherine and Philip/Filip.
const SOUND_ALIKE_STARTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^ph/, "f"],
  [/^(kn|gn)/, "n"],
  [/^wr/, "r"],
  [/^wh/, "w"],
  [/^ps/, "s"],
  [/^c(?=[eiy])/, "s"],
  [/^c/, "k"],
  [/^q/, "k"],
  [/^x/, "z"],
];
function soundAlikeStart(token: string): string {
  for (const [pattern, replacement] of SOUND_ALIKE_STARTS) if (pattern.test(token)) return token.replace(pattern, replacement);
  return token;
}

/** American Soundex of one name token (after the initial-sound rules above); "" if no letters a–z. */
export function soundex(token: string): string {
  const letters = soundAlikeStart(token.toLowerCase().replace(/[^a-z]/g, ""));
  const first = letters[0];
  if (first === undefined) return "";
  let code = first.toUpperCase();
  let last = SOUNDEX[first] ?? "";
  for (const ch of letters.slice(1)) {
    const digit = SOUNDEX[ch];
    if (digit !== undefined && digit !== last) code += digit;
    // h and w do not separate equal codes; vowels do.
    if (ch !== "h" && ch !== "w") last = digit ?? "";
    if (code.length === 4) break;
  }
  return code.padEnd(4, "0");
}

/** Phonetic key of a full name: each token's Soundex (or the token itself if not Latin), sorted so order does not matter. */
export function nameKey(name: string | null | undefined): string {
  return keyOfNormal(normaliseName(name));
}

function keyOfNormal(normal: string): string {
  return normal === ""
    ? ""
    : normal
        .split(" ")
        .map((t) => soundex(t) || t)
        .sort()
        .join(" ");
}

export { editDistance };

/** How two known, normalised names resemble each other, or undefined if they do not. */
export function nameResemblance(a: string, b: string): string | undefined {
  if (a === "" || b === "") return undefined;
  if (a === b) return "is the same as";
  if (editDistance(a, b) <= 2) return "is close to";
  if (keyOfNormal(a) === keyOfNormal(b)) return "sounds like";
  const ta = a.split(" ");
  const tb = b.split(" ");
  const surname = (t: string[]): string => soundex(t[t.length - 1] ?? "");
  if (ta.length > 1 && tb.length > 1 && ta[0]?.[0] === tb[0]?.[0] && surname(ta) !== "" && surname(ta) === surname(tb)) {
    return "has the same first initial and a surname that sounds like";
  }
  return undefined;
}

const q = (s: string): string => `'${s}'`;

/** Whether `earlier` is about the same child as `current`, with a sentence a worker can check. */
export function classifyMatch(current: Identity, earlier: Identity): MatchResult {
  const c = normaliseIdentity(current);
  const e = normaliseIdentity(earlier);
  const refsDiffer = c.ref !== "" && e.ref !== "" && c.ref !== e.ref;
  const sameDob = c.dob !== "" && c.dob === e.dob;
  const samePostcode = c.postcode !== "" && c.postcode === e.postcode;
  const resemblance = nameResemblance(c.name, e.name);
  const notes: string[] = [];
  if (refsDiffer) notes.push(`but local references differ (${c.ref} / ${e.ref})`);
  if (c.dob !== "" && e.dob !== "" && !sameDob) notes.push(`dates of birth differ (${c.dob} / ${e.dob})`);
  const withNotes = (s: string): string => [s, ...notes].join("; ");
  if (c.ref !== "" && c.ref === e.ref) return { kind: "exact", why: withNotes(`same local reference ${c.ref}`) };

  if (c.name !== "" && c.name === e.name && sameDob) {
    // Different local references for the same name and birthday need a person to look.
    const why = `same name ${q(c.display)} and date of birth ${c.dob}`;
    return refsDiffer ? { kind: "possible", why: withNotes(why) } : { kind: "exact", why };
  }
  const nameClause = resemblance && `name ${q(c.display)} ${resemblance} ${q(e.display)}`;
  const shared = [sameDob && `same date of birth ${c.dob}`, samePostcode && `same postcode ${formatPostcode(c.postcode)}`].filter(Boolean);
  if (nameClause && shared.length > 0) return { kind: "possible", why: withNotes(`${shared.join("; ")}; ${nameClause}`) };
  if (sameDob && samePostcode) {
    const names = c.name && e.name ? `names differ (${q(c.display)} / ${q(e.display)})` : "name not known on one record";
    return { kind: "possible", why: withNotes(`same date of birth ${c.dob} and postcode ${formatPostcode(c.postcode)}; ${names}`) };
  }
  // Unknown is not no: with a date of birth missing, a matching name alone must still be looked at.
  if (nameClause && !refsDiffer && (c.dob === "" || e.dob === "")) {
    return { kind: "possible", why: withNotes(`${nameClause}; date of birth not known on ${c.dob === "" ? "this referral" : "the earlier one"}`) };
  }
  return { kind: "none", why: noneWhy(c, e, resemblance !== undefined) };
}

function noneWhy(c: NormalIdentity, e: NormalIdentity, namesAlike: boolean): string {
  if (c.name === "" && c.dob === "" && c.ref === "" && c.postcode === "") return "nothing is known about this child to match on";
  const differ = (what: string, a: string, b: string): string | false => a !== "" && b !== "" && a !== b && `${what} differ (${a} / ${b})`;
  const parts = [
    differ("local references", c.ref, e.ref),
    !namesAlike && differ("names", q(c.display), q(e.display)),
    differ("dates of birth", c.dob, e.dob),
    differ("postcodes", formatPostcode(c.postcode), formatPostcode(e.postcode)),
  ].filter((p): p is string => typeof p === "string");
  return parts.length > 0 ? parts.join("; ") : "too little is known on both records to match";
}
