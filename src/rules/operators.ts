/** Operator and question-type names, kept apart from the zod schema so evaluation never loads zod. */
export const OPERATORS = [
  "eq",
  "ne",
  "in",
  "not_in",
  "contains_any",
  "contains_all",
  "contains_none",
  "gte",
  "gt",
  "lte",
  "lt",
  "between",
  "answered",
  "unknown",
] as const;
export type Operator = (typeof OPERATORS)[number];

export const QUESTION_TYPES = ["select", "multiselect", "number", "date", "datetime", "text"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
