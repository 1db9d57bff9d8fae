/**
 * The baseline: safety invariants built into triage that `triage rules lint` proves for every rule
 * set, whatever its own `invariants:` say (docs/rule-format.md "Baseline invariants"). No rule file
 * can remove or weaken them: a file invariant that takes a baseline invariant's name must state at
 * least the same property, or lint fails.
 *
 * They come from national guidance and the product brief, not local preference, and are written
 * over the referral vocabulary's question ids and option values (the contract every rule set keeps:
 * docs/rule-format.md "Questions"). A rule set that lacks a question or option a baseline invariant
 * needs is not failed for it: the part that cannot be checked is left out and lint says so in a
 * warning (never silently).
 *
 * Pure: builds plain descriptions; setup.ts turns them into prepared invariants.
 */
import type { CompiledRuleSet } from "../compile.js";
import { compileCondition, type Predicate } from "../conditions.js";
import { makeScope, resolveCondition, type Issue } from "../resolve.js";
import type { RawCondition, RawInvariant } from "../schema.js";
import type { Answer } from "../types.js";

/** The kinds of baseline invariant (shown in lint's output). */
export type BaselineKind = "never_lower" | "unknown_not_lower" | "more_risk_not_lower" | "hard_floor" | "closure_guarded" | "out_of_hours_provisional";

/** Picks the two answers one comparison sets: [the lower bound, the answer that must not be lower]. */
export type Pick = (own: Answer | undefined, targets: readonly number[]) => [Answer, Answer] | undefined;

/** One compared question of a comparing baseline invariant. */
export interface Leg {
  question: string;
  pick: Pick;
}

export type BaselineBody =
  | { kind: "compare"; legs: Leg[] }
  | { kind: "floor"; when: Predicate; floor: string; floorLevel: number }
  | { kind: "closure"; when: Predicate; reasons: string[]; guards: string[]; problems: string[] }
  | { kind: "ooh"; when: Predicate; flag: string };

export interface BaselineInvariant {
  id: string;
  kind: BaselineKind;
  description: string;
  body: BaselineBody;
  /** Why a file invariant with this id is weaker than this one; null when it states at least as much. */
  weaker: (file: RawInvariant) => string | null;
}

export interface BaselineResult {
  invariants: BaselineInvariant[];
  /** Parts left out because the rule set lacks the vocabulary they need. */
  skipped: { id: string; message: string }[];
}

// ---------------------------------------------------------------------------------------------
// The vocabulary the baseline is written in (docs/rule-format.md; the shipped rules use it).

/** Referrers whose type must never lower the outcome, compared with a police officer reporting the same. */
const NON_PROFESSIONAL_REFERRERS = [
  "child_self",
  "parent_carer",
  "grandparent",
  "aunt_uncle_other_relative",
  "sibling",
  "family_friend",
  "neighbour_public",
  "anonymous",
  "ex_partner_other_parent",
];
const REFERRER_CONTEXTS = [
  "private_law_dispute",
  "family_conflict_or_estrangement",
  "neighbour_dispute",
  "referrer_previously_referred",
  "referrer_previously_labelled_malicious",
  "referrer_is_da_victim",
];

/**
 * Critical questions and their reassuring answers: "not known" must never give less than these.
 * (Not "any other answer": a known danger may rightly give more than "not known".)
 */
const REASSURING: { question: string; answers: Answer[]; unknown?: string }[] = [
  { question: "child_age_band", answers: ["1_4y", "5_10y", "11_15y", "16_17y"] },
  { question: "child_mobility", answers: ["independently_mobile"] },
  { question: "child_location_now", answers: ["with_protective_adult", "school_or_nursery", "hospital", "police_or_place_of_safety"] },
  { question: "injury_reported", answers: ["none"] },
  { question: "immediate_danger_indicators", answers: [["none_known"]] },
  { question: "alleged_harmer_access_24h", answers: ["no_access", "not_applicable"] },
  { question: "household_adults", answers: [["mother"], ["father"], ["mother", "father"]] },
  { question: "new_partner_status", answers: ["none", "identified_and_checked"] },
  // The vocabulary's "not known" for the history check is "not yet checked".
  { question: "history_check_status", answers: ["checked_none"], unknown: "not_yet_checked" },
];

/** A risk fact: a select answer that is riskier than another, or an option added to a list. */
type RiskFact = { question: string; pairs: [string, string][] } | { question: string; adds: string[] };

const RISK_FACTS: { id: string; what: string; facts: RiskFact[] }[] = [
  {
    id: "baseline_younger_child_not_lower",
    what: "a younger child",
    facts: [
      {
        question: "child_age_band",
        pairs: [
          ["16_17y", "11_15y"],
          ["11_15y", "5_10y"],
          ["5_10y", "1_4y"],
          ["1_4y", "6_11m"],
          ["6_11m", "0_5m"],
        ],
      },
    ],
  },
  {
    id: "baseline_non_mobile_not_lower",
    what: "a child who is not independently mobile",
    facts: [{ question: "child_mobility", pairs: [["independently_mobile", "not_independently_mobile"]] }],
  },
  {
    id: "baseline_injury_not_lower",
    what: "an injury",
    facts: [
      {
        question: "injury_reported",
        pairs: [
          ["none", "yes_described"],
          ["none", "yes_photo_video"],
          ["none", "yes_seen_by_professional"],
        ],
      },
      {
        question: "injury_features",
        adds: [
          "bruise",
          "face_head_ear_neck",
          "torso_back_abdomen_buttocks",
          "genital_area",
          "multiple_or_clustered",
          "patterned_hand_grip_implement",
          "burn_scald",
          "suspected_fracture",
          "bite",
        ],
      },
    ],
  },
  {
    id: "baseline_disclosure_not_lower",
    what: "a disclosure by the child",
    facts: [
      {
        question: "child_disclosure",
        pairs: [
          ["none", "disclosed_to_referrer"],
          ["none", "disclosed_to_professional"],
        ],
      },
    ],
  },
  {
    id: "baseline_immediate_danger_not_lower",
    what: "a sign of immediate danger",
    facts: [
      {
        question: "immediate_danger_indicators",
        adds: [
          "child_afraid_to_go_home",
          "threat_to_harm_child",
          "child_alone_or_abandoned_now",
          "urgent_medical_care_needed",
          "carer_incapacitated_now",
          "child_missing_now",
        ],
      },
    ],
  },
  {
    id: "baseline_hidden_adult_not_lower",
    what: "a hidden or unchecked adult",
    facts: [
      { question: "household_adults", adds: ["new_partner", "adult_identity_unknown", "lodger_or_frequent_visitor"] },
      {
        question: "new_partner_status",
        pairs: [
          ["none", "identified_not_checked"],
          ["none", "identity_unknown"],
          ["identified_and_checked", "identified_not_checked"],
          ["identified_not_checked", "identity_unknown"],
        ],
      },
    ],
  },
  {
    id: "baseline_violence_history_not_lower",
    what: "a history of violence",
    facts: [
      {
        question: "risk_adult_known",
        pairs: [
          ["none_known", "violence_history"],
          ["none_known", "risk_to_children_or_sex_offence"],
          ["none_known", "open_to_probation_or_mappa"],
        ],
      },
      {
        question: "domestic_abuse_indicators",
        adds: [
          "physical_violence",
          "coercive_control",
          "non_fatal_strangulation",
          "threats_to_kill_or_weapons",
          "recent_separation",
          "police_callouts",
          "marac_or_high_risk_dash",
          "victim_isolated_from_family",
        ],
      },
    ],
  },
  {
    id: "baseline_no_access_not_lower",
    what: "no access to the child",
    facts: [
      {
        question: "caregiver_engagement",
        pairs: [
          ["engaging", "no_access_or_not_found"],
          ["engaging", "claims_to_be_elsewhere"],
          ["engaging", "avoidant_missed_appointments"],
        ],
      },
    ],
  },
];

const HARM_PHYSICAL_SEXUAL = ["physical_injury", "physical_abuse_no_visible_injury", "sexual_abuse"];
const INJURY_YES = ["yes_described", "yes_photo_video", "yes_seen_by_professional"];
const DANGER_NOW = RISK_FACTS.find((f) => f.id === "baseline_immediate_danger_not_lower")!.facts[0] as { adds: string[] };

/** National hard floors (NICE CG89; Working Together 2023; the Panel's 2022 bruising briefing). */
const FLOORS: { id: string; description: string; when: RawCondition; floor: string }[] = [
  {
    id: "baseline_floor_non_mobile_baby_injury",
    description: "Bruising or injury in a baby who is not independently mobile is at least a strategy discussion, as a hard floor (NICE CG89 1.1.2).",
    when: {
      all: [
        { q: "child_mobility", in: ["not_independently_mobile"] },
        { q: "child_age_band", in: ["0_5m", "6_11m"] },
        { q: "injury_reported", in: INJURY_YES },
      ],
    },
    floor: "strategy_discussion_s47",
  },
  {
    id: "baseline_floor_photo_video_injury",
    description: "Photos or video of an injury are at least a strategy discussion, as a hard floor.",
    when: { q: "injury_reported", in: ["yes_photo_video"] },
    floor: "strategy_discussion_s47",
  },
  {
    id: "baseline_floor_disclosure",
    description: "A child's disclosure of physical or sexual abuse is at least a strategy discussion, as a hard floor.",
    when: {
      all: [
        { q: "child_disclosure", in: ["disclosed_to_referrer", "disclosed_to_professional"] },
        { q: "concern_types", contains_any: HARM_PHYSICAL_SEXUAL },
      ],
    },
    floor: "strategy_discussion_s47",
  },
  {
    id: "baseline_floor_immediate_danger",
    description: "Immediate danger that is not yet managed is immediate protection, as a hard floor.",
    when: { q: "immediate_danger_indicators", contains_any: DANGER_NOW.adds },
    floor: "immediate_protection",
  },
];

const OOH_WHEN: RawCondition = {
  any: [
    { fact: "clock.out_of_hours", eq: true },
    { q: "received_out_of_hours", in: ["ooh_edt", "ooh_police_via_edt"] },
  ],
};
const OOH_FLAG = "ooh_provisional";

/** The checks every "unsubstantiated" or "malicious" closure needs, each by the ids a rule set may give it. */
const CLOSURE_CHECKS: { what: string; ids: string[] }[] = [
  { what: "the referrer spoken to", ids: ["referrer_interviewed", "referrer_spoken_to"] },
  { what: "full history", ids: ["full_history"] },
  { what: "police checks on every adult", ids: ["police_checks_all_adults"] },
  { what: "the alternative explanations tested", ids: ["alternative_hypotheses_tested", "alternative_explanations_tested"] },
];
const GOVERNED_CLOSURES = ["not_substantiated_after_checks", "referral_considered_malicious"];
const MALICIOUS = "referral_considered_malicious";
/** An allegation of harm: any concern but "other". */
const HARM_CONCERNS = [
  "physical_injury",
  "physical_abuse_no_visible_injury",
  "sexual_abuse",
  "neglect",
  "emotional_abuse",
  "domestic_abuse",
  "coercive_control",
  "parental_substance_misuse",
  "parental_mental_health",
  "child_exploitation",
  "fabricated_induced_illness",
  "child_alone_or_abandoned",
  "unborn_risk",
];

// ---------------------------------------------------------------------------------------------

const sameAnswer = (a: Answer, b: Answer): boolean => JSON.stringify(a) === JSON.stringify(b);
const asList = (a: Answer | undefined): string[] => (typeof a === "object" ? [...a] : []);

/** Builds the baseline for one rule set: what its vocabulary allows to be checked, and what not. */
export function baselineInvariants(rs: CompiledRuleSet): BaselineResult {
  const raw = rs.raw;
  const questions = new Map(rs.questions.map((q) => [q.id, q]));
  const skipped: BaselineResult["skipped"] = [];
  const invariants: BaselineInvariant[] = [];
  // One warning per baseline invariant, listing every part left out.
  const skip = (id: string, message: string) => {
    const s = skipped.find((x) => x.id === id);
    if (s) s.message += `; ${message}`;
    else skipped.push({ id, message: `baseline invariant ${id}: ${message}` });
  };

  /** The options a question has, or undefined (and a warning) when the rule set lacks it. */
  const optionsOf = (id: string, question: string, type: "select" | "multiselect"): Set<string> | undefined => {
    const q = questions.get(question);
    if (!q) return void skip(id, `not checked for ${question}: this rule set has no such question`);
    if (q.raw.type !== type) return void skip(id, `not checked for ${question}: it is a ${q.raw.type} here, the vocabulary has a ${type}`);
    return new Set(q.options);
  };
  const keepOptions = (id: string, question: string, values: string[], have: Set<string>): string[] => {
    const missing = values.filter((v) => !have.has(v));
    if (missing.length > 0) skip(id, `${question}: not checked for ${missing.join(", ")} (not among this rule set's options)`);
    return values.filter((v) => have.has(v));
  };
  const exclusiveOf = (question: string): Set<string> => new Set(questions.get(question)?.raw.exclusive ?? []);

  /** Adds option `x` to the sample's own list (its exclusive answers dropped; "none" when it has nothing else). */
  const addsPick = (question: string, adds: string[]): Pick => {
    const exclusive = exclusiveOf(question);
    const options = questions.get(question)!.options;
    const none = options.find((o) => exclusive.has(o) && o !== "unknown");
    return (own, targets) => {
      const base = asList(own).filter((o) => !exclusive.has(o) && o !== "unknown");
      const candidates = adds.filter((x) => !base.includes(x));
      if (candidates.length === 0) return undefined;
      const x = candidates[targets[0]! % candidates.length]!;
      const low = base.length > 0 ? base : none !== undefined ? [none] : undefined;
      if (!low) return undefined;
      const high = options.filter((o) => base.includes(o) || o === x);
      return [low, high];
    };
  };
  const pairsPick =
    (pairs: [string, string][]): Pick =>
    (_own, targets) =>
      pairs[targets[0]! % pairs.length];

  // 1. The referrer's type and context never lower the outcome.
  {
    const id = "baseline_referrer_type_never_lowers";
    const have = optionsOf(id, "referrer_type", "select");
    const variants = have ? keepOptions(id, "referrer_type", NON_PROFESSIONAL_REFERRERS, have) : [];
    if (have && !have.has("police")) skip(id, "not checked: referrer_type has no option police to compare with");
    else if (have && variants.length > 0)
      invariants.push({
        id,
        kind: "never_lower",
        description:
          "A child, parent, relative, friend, neighbour, anonymous caller or ex-partner is never given a lower outcome than a police officer reporting the same.",
        body: { kind: "compare", legs: [{ question: "referrer_type", pick: pairsPick(variants.map((v) => ["police", v])) }] },
        weaker: (f) =>
          f.kind !== "never_lower" || f.question !== "referrer_type" || !sameAnswer(f.baseline, "police")
            ? "it must compare referrer_type with police"
            : missingFrom(
                variants,
                f.variants.map((v) => (Array.isArray(v) ? (v[0] ?? "") : v)),
              ),
      });
  }
  {
    const id = "baseline_referrer_context_never_lowers";
    const have = optionsOf(id, "referrer_context", "multiselect");
    const adds = have ? keepOptions(id, "referrer_context", REFERRER_CONTEXTS, have) : [];
    if (adds.length > 0)
      invariants.push({
        id,
        kind: "never_lower",
        description:
          'A dispute, an estrangement, an earlier referral or an earlier "malicious" label on the referrer, added to what is known, never lowers the outcome.',
        body: { kind: "compare", legs: [{ question: "referrer_context", pick: addsPick("referrer_context", adds) }] },
        weaker: (f) =>
          f.kind !== "never_lower" || f.question !== "referrer_context"
            ? "it must compare referrer_context answers"
            : missingFrom(
                adds,
                f.variants.flatMap((v) => (Array.isArray(v) ? v : [v])),
              ),
      });
  }

  // 2. "Not known" on a critical question is never lower than the reassuring answer.
  {
    const id = "baseline_unknown_not_lower";
    const legs: Leg[] = [];
    for (const r of REASSURING) {
      const q = questions.get(r.question);
      if (!q) {
        skip(id, `not checked for ${r.question}: this rule set has no such question`);
        continue;
      }
      const unknown: Answer | undefined = r.unknown ?? (q.allowUnknown ? (q.raw.type === "multiselect" ? ["unknown"] : "unknown") : undefined);
      if (unknown === undefined || (r.unknown !== undefined && !q.options.includes(r.unknown))) {
        skip(id, `not checked for ${r.question}: it does not allow "not known" in this rule set`);
        continue;
      }
      const answers = r.answers.filter((a) => asList(Array.isArray(a) ? a : [a]).every((v) => q.options.includes(v)));
      if (answers.length < r.answers.length) skip(id, `${r.question}: some reassuring answers are not among this rule set's options`);
      if (answers.length === 0) continue;
      legs.push({ question: r.question, pick: (_own, targets) => [answers[targets[0]! % answers.length]!, unknown] });
    }
    // Partial "not known" in a list ("at least these; the rest not known"), where the rule set allows it.
    const partial: Leg[] = [];
    for (const q of rs.questions) {
      if (q.raw.type !== "multiselect" || !q.allowUnknown || !q.options.includes("unknown")) continue;
      const allowsPartial = (q.raw as { partial_unknown?: boolean }).partial_unknown === true || !(q.raw.exclusive ?? []).includes("unknown");
      if (!allowsPartial) continue;
      const exclusive = exclusiveOf(q.id);
      const combo = q.options.filter((o) => !exclusive.has(o) && o !== "unknown");
      if (combo.length === 0) continue;
      partial.push({
        question: q.id,
        pick: (own, targets) => {
          const base = asList(own).filter((o) => !exclusive.has(o) && o !== "unknown");
          const low = base.length > 0 ? base : [combo[targets[0]! % combo.length]!];
          return [low, q.options.filter((o) => low.includes(o) || o === "unknown")];
        },
      });
    }
    if (partial.length === 0) skip(id, 'partial "not known" in lists not checked: no list question in this rule set allows "not known" with other answers');
    legs.push(...partial);
    const covered = legs.map((l) => l.question);
    if (legs.length > 0)
      invariants.push({
        id,
        kind: "unknown_not_lower",
        description: `"Not known" on a critical question never gives a lower outcome than the reassuring answer, and "not known" added to a list never lowers it (${[...new Set(covered)].join(", ")}).`,
        body: { kind: "compare", legs },
        weaker: (f) => {
          if (f.kind !== "unknown_not_lower") return 'it must compare "not known" answers';
          const listed = f.questions ?? rs.questions.filter((q) => q.raw.critical).map((q) => q.id);
          return missingFrom(
            REASSURING.map((r) => r.question).filter((q) => covered.includes(q)),
            listed,
          );
        },
      });
  }

  // 3. Adding a risk fact never lowers the outcome.
  for (const group of RISK_FACTS) {
    const legs: Leg[] = [];
    for (const fact of group.facts) {
      if ("pairs" in fact) {
        const have = optionsOf(group.id, fact.question, "select");
        if (!have) continue;
        const pairs = fact.pairs.filter(([a, b]) => have.has(a) && have.has(b));
        if (pairs.length < fact.pairs.length)
          skip(
            group.id,
            `${fact.question}: not checked for ${fact.pairs
              .filter((p) => !pairs.includes(p))
              .map(([a, b]) => `${a} → ${b}`)
              .join(", ")} (not among this rule set's options)`,
          );
        if (pairs.length > 0) legs.push({ question: fact.question, pick: pairsPick(pairs) });
      } else {
        const have = optionsOf(group.id, fact.question, "multiselect");
        if (!have) continue;
        const adds = keepOptions(group.id, fact.question, fact.adds, have).filter((o) => !exclusiveOf(fact.question).has(o));
        if (adds.length > 0) legs.push({ question: fact.question, pick: addsPick(fact.question, adds) });
      }
    }
    if (legs.length > 0)
      invariants.push({
        id: group.id,
        kind: "more_risk_not_lower",
        description: `${group.what[0]!.toUpperCase()}${group.what.slice(1)}, all else equal, never lowers the outcome (${legs.map((l) => l.question).join(", ")}).`,
        body: { kind: "compare", legs },
        weaker: () => "a rule file cannot state this property (it is built in)",
      });
  }

  // 4. National hard floors.
  const scope = makeScope(raw);
  const compileWhen = (id: string, when: RawCondition): Predicate | undefined => {
    const issues: Issue[] = [];
    const resolved = resolveCondition(trimCondition(when, questions), scope, [], issues);
    if (issues.length > 0) return void skip(id, `not checked: ${issues[0]!.message}`);
    return compileCondition(resolved);
  };
  for (const f of FLOORS) {
    const floorLevel = rs.outcomeLevel.get(f.floor);
    if (floorLevel === undefined) {
      skip(f.id, `not checked: this rule set has no outcome ${f.floor}`);
      continue;
    }
    const missing = questionsIn(f.when).filter((q) => !questions.has(q));
    if (missing.length > 0) {
      skip(f.id, `not checked: this rule set has no question ${missing.join(", ")}`);
      continue;
    }
    const when = compileWhen(f.id, f.when);
    if (!when) continue;
    invariants.push({
      id: f.id,
      kind: "hard_floor",
      description: f.description,
      body: { kind: "floor", when, floor: f.floor, floorLevel },
      weaker: () => "a rule file cannot state this property (it is built in)",
    });
  }

  // 5. Out-of-hours decisions are provisional.
  {
    const id = "baseline_out_of_hours_provisional";
    const when = questions.has("received_out_of_hours")
      ? compileWhen(id, OOH_WHEN)
      : void skip(id, "not checked: this rule set has no question received_out_of_hours");
    if (when)
      invariants.push({
        id,
        kind: "out_of_hours_provisional",
        description: `Every decision made out of hours, or about a referral received out of hours, carries the flag ${OOH_FLAG} (it is provisional until the day team re-screens it).`,
        body: { kind: "ooh", when, flag: OOH_FLAG },
        weaker: (f) =>
          f.kind !== "out_of_hours_provisional"
            ? "it must be an out_of_hours_provisional invariant"
            : f.flag !== OOH_FLAG
              ? `it must require the flag ${OOH_FLAG}`
              : JSON.stringify(f.when) !== JSON.stringify(OOH_WHEN)
                ? `its condition must be the baseline's (${JSON.stringify(OOH_WHEN)})`
                : null,
      });
  }

  // 6. "Not substantiated" and "malicious" closures are governed by a guard with the national checks.
  {
    const id = "baseline_closure_guarded";
    const reasons = GOVERNED_CLOSURES.filter((r) => raw.closure_reasons.some((c) => c.id === r));
    if (reasons.length < GOVERNED_CLOSURES.length)
      skip(
        id,
        `not checked for ${GOVERNED_CLOSURES.filter((r) => !reasons.includes(r)).join(", ")}: not a closure reason in this rule set (so it cannot be used)`,
      );
    const problems: string[] = [];
    const qualifying: string[] = [];
    for (const reason of reasons) {
      const governing = raw.guards.filter((g) => g.governs_closures.includes(reason));
      if (governing.length === 0) {
        problems.push(`no guard governs closures as ${reason}`);
        continue;
      }
      const good = governing.filter((g) => CLOSURE_CHECKS.every((c) => c.ids.some((x) => g.requires_checks.includes(x))));
      if (good.length === 0) {
        const g = governing[0]!;
        const lacking = CLOSURE_CHECKS.filter((c) => !c.ids.some((x) => g.requires_checks.includes(x))).map((c) => `${c.what} (${c.ids.join(" or ")})`);
        problems.push(`guard ${g.id} governs closures as ${reason} but does not require ${lacking.join(", ")}`);
      }
      for (const g of good) if (!qualifying.includes(g.id)) qualifying.push(g.id);
      if (reason === MALICIOUS) {
        const reasonNeeds = raw.closure_reasons.find((c) => c.id === reason)!.approval === "senior_manager";
        const guardNeeds = good.some((g) => (g.approvals ?? []).includes("senior_manager"));
        if (!reasonNeeds && !guardNeeds) problems.push(`a closure as ${reason} does not need a senior manager's approval`);
      }
    }
    const concerns = questions.has("concern_types") && questions.has("proposed_closure_reason");
    if (!concerns) skip(id, "the guard's reach is not checked over generated referrals: this rule set lacks concern_types or proposed_closure_reason");
    const when =
      reasons.length > 0 && concerns
        ? compileWhen(id, {
            all: [
              { q: "proposed_closure_reason", in: reasons },
              { q: "concern_types", contains_any: HARM_CONCERNS },
            ],
          })
        : undefined;
    if (reasons.length > 0)
      invariants.push({
        id,
        kind: "closure_guarded",
        description:
          'A closure as "not substantiated" or "malicious" is always governed by a guard that requires the referrer spoken to, full history, police checks on every adult and the alternative explanations tested; "malicious" also needs a senior manager.',
        body: { kind: "closure", when: when ?? (() => false), reasons, guards: qualifying, problems },
        weaker: () => "a rule file cannot state this property (it is built in)",
      });
  }

  return { invariants, skipped };
}

/** Null when every baseline value is among the file's; otherwise what is missing. */
function missingFrom(baseline: readonly string[], file: readonly string[]): string | null {
  const missing = baseline.filter((v) => !file.includes(v));
  return missing.length === 0 ? null : `it leaves out ${missing.join(", ")}`;
}

function questionsIn(c: RawCondition): string[] {
  const x = c as Record<string, unknown>;
  if (Array.isArray(x.all)) return (x.all as RawCondition[]).flatMap(questionsIn);
  if (Array.isArray(x.any)) return (x.any as RawCondition[]).flatMap(questionsIn);
  if (x.not) return questionsIn(x.not);
  return typeof x.q === "string" ? [x.q] : [];
}

/** Drops option values a rule set's question lacks from `in`/`contains_any` lists (a missing value can never be answered). */
function trimCondition(c: RawCondition, questions: Map<string, { options: string[] }>): RawCondition {
  const x = c as Record<string, unknown>;
  if (Array.isArray(x.all)) return { all: (x.all as RawCondition[]).map((i) => trimCondition(i, questions)) };
  if (Array.isArray(x.any)) return { any: (x.any as RawCondition[]).map((i) => trimCondition(i, questions)) };
  if (typeof x.q !== "string") return c;
  const q = questions.get(x.q);
  if (!q) return c;
  const out: Record<string, unknown> = { ...x };
  for (const op of ["in", "contains_any"] as const) if (Array.isArray(x[op])) out[op] = (x[op] as string[]).filter((v) => q.options.includes(v));
  return out;
}
