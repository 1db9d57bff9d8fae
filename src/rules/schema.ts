/**
 * The rule-set format as written in YAML (the "raw" shape). Strict everywhere: an unknown key is a
 * typo until proven otherwise. Cross-references (ids, option values, operator/type fit) are checked
 * in `validate.ts`, which has the whole document in view.
 */
import * as z from "zod";
import { QUESTION_TYPES } from "./operators.js";

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "an id: letters, digits and _ (starting with a letter)");
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time HH:MM (24-hour)");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");
const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

/** A number written literally or by a threshold's name. */
export const numberRef = z.union([z.number(), z.strictObject({ threshold: id })]);

/** One duration; exactly one unit. Counted from the time the referral was received. */
export const duration = z.union([
  z.strictObject({ hours: numberRef }).describe("elapsed hours"),
  z.strictObject({ days: numberRef }).describe("calendar days"),
  z.strictObject({ working_days: numberRef }).describe("working days: weekends and bank holidays skipped"),
]);

export const scalar = z.union([z.string(), z.number(), z.boolean()]);
export const operand = z.union([scalar, z.strictObject({ threshold: id })]);

/**
 * A leaf compares one subject with one operator. Subjects: `q` (a question's answer, after
 * `unknown_counts_as`) or `fact` (`history.*`, `clock.*`, `outcome` — the outcome so far).
 */
export { OPERATORS, type Operator } from "./operators.js";

const leafShape = {
  q: id.optional().describe("a question id"),
  fact: z.string().optional().describe("history.<name>, clock.<name> or outcome"),
  eq: operand.optional(),
  ne: operand.optional(),
  in: z.array(scalar).optional(),
  not_in: z.array(scalar).optional(),
  contains_any: z.array(scalar).optional(),
  contains_all: z.array(scalar).optional(),
  contains_none: z.array(scalar).optional(),
  gte: operand.optional(),
  gt: operand.optional(),
  lte: operand.optional(),
  lt: operand.optional(),
  between: z.tuple([operand, operand]).optional(),
  answered: z.boolean().optional().describe("true: the question is visible and answered (not known counts as answered)"),
  unknown: z.boolean().optional().describe('true: the answer is "not known" (before unknown_counts_as)'),
};
export const leaf = z.strictObject(leafShape);

export type RawCondition = { all: RawCondition[] } | { any: RawCondition[] } | { not: RawCondition } | z.infer<typeof leaf>;

export const condition: z.ZodType<RawCondition> = z.lazy(() =>
  z.union([z.strictObject({ all: z.array(condition).min(1) }), z.strictObject({ any: z.array(condition).min(1) }), z.strictObject({ not: condition }), leaf]),
);

export const threshold = z.strictObject({
  value: z.number(),
  unit: z.string().min(1),
  allowed: z.strictObject({ min: z.number(), max: z.number() }),
  rationale: z.string().min(1),
});

export const outcome = z.strictObject({
  id,
  label: z.string().min(1),
  description: z.string().optional(),
  /** Named deadlines; `decide_by` and `respond_by` are required. */
  response_times: z.record(id, duration),
});

const option = z.union([z.string(), z.strictObject({ value: z.string(), label: z.string().optional(), help: z.string().optional() })]);

export { QUESTION_TYPES, type QuestionType } from "./operators.js";

export const question = z.strictObject({
  id,
  section: z.string().min(1),
  ask: z.string().min(1),
  help: z.string().optional(),
  type: z.enum(QUESTION_TYPES),
  options: z.array(option).optional(),
  /** Options that exclude every other choice in a multiselect (e.g. none, none_known, unknown). */
  exclusive: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
  /** For text questions: the longest answer accepted, in characters (default 20,000). */
  max_length: z.number().int().positive().optional(),
  when: condition.optional(),
  critical: z.boolean().optional(),
  /** Whether "not known" is an allowed answer. Default true (docs/architecture.md, principle 3: not known is not no). */
  allow_unknown: z.boolean().optional(),
  /** The answer "not known" counts as for rule evaluation: the worst case. */
  unknown_counts_as: z.union([z.string(), z.number(), z.array(z.string())]).optional(),
  /**
   * Multiselect only: "not known" may be ticked together with other options, meaning "at least
   * these; the rest not known". Evaluated as the ticked options plus `unknown_counts_as`.
   */
  partial_unknown: z.boolean().optional(),
  /** An optional question may be left unanswered. */
  optional: z.boolean().optional(),
  /** Default offered by the interview: a literal, or "now" for date/datetime. */
  default: z.union([z.string(), z.number(), z.array(z.string())]).optional(),
  /** Identity questions feed history matching (child_name, child_dob, child_ref, household_postcode). */
  identity: z.enum(["name", "dob", "ref", "postcode"]).optional(),
});

export const step = z.strictObject({
  id,
  text: z.string().min(1),
  /** When the step is due: a duration from receipt, or the name of one of the outcome's deadlines. */
  due: z.union([duration, z.strictObject({ deadline: id })]).optional(),
});

export const rule = z.strictObject({
  id,
  title: z.string().min(1),
  when: condition,
  floor: id.optional(),
  hard: z.boolean().optional(),
  raise: z.number().int().min(1).max(4).optional(),
  cap: id.optional(),
  /** At most one raise per group is applied. */
  group: id.optional(),
  steps: z.array(id).optional(),
  flags: z.array(id).optional(),
  because: z.string().min(1),
  source: z.string().optional(),
});

export const check = z.strictObject({
  id,
  text: z.string().min(1),
  /** The check is required only when this holds (e.g. education check for school-age children). */
  required_when: condition.optional(),
  /** Answers that already satisfy the check at decision time (attested by the deciding worker). */
  satisfied_when: condition.optional(),
});

export const guard = z.strictObject({
  id,
  title: z.string().min(1),
  when: condition,
  floor: id,
  requires_checks: z.array(id).min(1),
  /** Who must agree to what the guard governs. */
  approvals: z.array(z.enum(["manager", "senior_manager"])).min(1),
  governs_closures: z.array(id),
  governs_downgrades: z.boolean(),
  /** Conditions under which closure as anything the guard governs is impossible at the front door. */
  hard_stop_when: condition.optional(),
  because: z.string().min(1),
});

export const closureReason = z.strictObject({
  id,
  label: z.string().min(1),
  /** Lowest approval needed; a governing guard may demand more. */
  approval: z.enum(["manager", "senior_manager"]),
  /** E.g. for "malicious": a statement of the evidence that the referrer knowingly gave false information. */
  requires_evidence_statement: z.boolean().optional(),
});

const invariantBase = { id, description: z.string().min(1) };
export const invariant = z.discriminatedUnion("kind", [
  z.strictObject({
    ...invariantBase,
    kind: z.literal("never_lower"),
    question: id,
    /** Answers compared with the baseline; each must never give a lower outcome. */
    variants: z.array(z.union([z.string(), z.array(z.string())])).min(1),
    baseline: z.union([z.string(), z.array(z.string())]),
  }),
  z.strictObject({
    ...invariantBase,
    kind: z.literal("unknown_not_lower"),
    /** Questions to check; default: every critical question. */
    questions: z.array(id).optional(),
    /** The step that "not known" must always add. */
    requires_step: id.optional(),
  }),
  z.strictObject({ ...invariantBase, kind: z.literal("guard_floor_holds") }),
  z.strictObject({ ...invariantBase, kind: z.literal("hard_stop_not_closable") }),
  z.strictObject({
    ...invariantBase,
    kind: z.literal("out_of_hours_provisional"),
    when: condition,
    flag: id,
    never_final: z.array(id),
  }),
  z.strictObject({ ...invariantBase, kind: z.literal("deterministic") }),
]);

export const ruleSetSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "a rule-set id: letters, digits, _, - and ."),
  version: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  office_hours: z.strictObject({
    time_zone: z.string().min(1),
    days: z.array(weekday).min(1),
    start: time,
    end: time,
    bank_holidays: z.array(isoDate),
  }),
  default_outcome: id,
  thresholds: z.record(id, threshold),
  outcomes: z.array(outcome).min(2),
  questions: z.array(question).min(1),
  steps: z.array(step),
  checks: z.array(check),
  rules: z.array(rule).min(1),
  guards: z.array(guard),
  closure_reasons: z.array(closureReason),
  invariants: z.array(invariant),
});

export type RawRuleSet = z.infer<typeof ruleSetSchema>;
export type RawQuestion = z.infer<typeof question>;
export type RawRule = z.infer<typeof rule>;
export type RawGuard = z.infer<typeof guard>;
export type RawCheck = z.infer<typeof check>;
export type RawStep = z.infer<typeof step>;
export type RawOutcome = z.infer<typeof outcome>;
export type RawThreshold = z.infer<typeof threshold>;
export type RawInvariant = z.infer<typeof invariant>;
export type RawDuration = z.infer<typeof duration>;
export type RawClosureReason = z.infer<typeof closureReason>;
export type NumberRef = z.infer<typeof numberRef>;
export type Operand = z.infer<typeof operand>;
