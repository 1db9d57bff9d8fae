/**
 * The decision card's first screen (80×24) holds what a worker needs in ten seconds: the outcome and
 * why, the Act now block and the deadlines — for an immediate-protection, an s17 and an advice case.
 * Then labels (never ids), steps by due time, overdue marking and the history beside the worker's count.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cardParts, renderDecision, stepsByDueTime } from "../../src/cli/render/decision.js";
import { makeStyle } from "../../src/cli/render/style.js";
import { evaluateFixture, parseFixture } from "../../src/rules/fixtures.js";
import type { Decision } from "../../src/rules/types.js";
import { compileFile, repoPath } from "../helpers/rules.js";

const rs = compileFile("rules/default.yaml");
const plain = makeStyle(false);

function decisionOf(file: string): Decision {
  const path = `fixtures/referrals/${file}`;
  const { fixture, problems } = parseFixture(readFileSync(repoPath(path), "utf8"), path);
  if (!fixture) throw new Error(problems.join("\n"));
  const { decision } = evaluateFixture(rs, fixture);
  if (!decision) throw new Error(`${file} did not evaluate`);
  return decision;
}

const firstScreen = (d: Decision) => renderDecision(d, plain, rs).split("\n").slice(0, 24);

describe("the first screen at 80×24", () => {
  const cases = [
    { file: "06-arthur-like-1-grandmother-calls-edt-with-photos.yaml", level: 5, label: "IMMEDIATE PROTECTION" },
    { file: "16-repeat-two-earlier-contacts-assessment.yaml", level: 3, label: "CHILD AND FAMILY ASSESSMENT (S17)" },
    { file: "01-nfa-school-information-request.yaml", level: 1, label: "ADVICE / NO FURTHER ACTION" },
  ];
  for (const c of cases) {
    it(`${c.file}: outcome, why, Act now and the deadlines, within 80 columns`, () => {
      const d = decisionOf(c.file);
      expect(d.outcome.level).toBe(c.level);
      const screen = firstScreen(d);
      const text = screen.join("\n");
      expect(screen[0]).toContain(c.label);
      expect(screen[0]).toContain(`level ${c.level} of 5`);
      expect(screen.some((l) => l.startsWith("Why"))).toBe(true);
      expect(screen.some((l) => l.startsWith("Act now"))).toBe(true);
      const deadlines = screen.findIndex((l) => l === "Deadlines");
      expect(deadlines).toBeGreaterThan(0);
      // Every deadline's name and time is on the first screen.
      for (const name of Object.keys(d.deadlines)) expect(text).toContain(name.replace(/_by$/, "").replace(/_/g, " "));
      for (const line of renderDecision(d, plain, rs).split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    });
  }

  it("L5: the protective action due in two hours is on the first screen, before the later steps", () => {
    const screen = firstScreen(decisionOf(cases[0]!.file)).join("\n");
    expect(screen).toMatch(/Thu 21:40 +Take protective action now with police/);
    expect(screen.indexOf("Take protective action")).toBeLessThan(screen.indexOf("Deadlines"));
    expect(screen).not.toContain("Tell the referrer the outcome");
  });

  it("an L3 with nothing due within hours says so and names the first due time", () => {
    const screen = firstScreen(decisionOf(cases[1]!.file)).join(" ").replace(/\s+/g, " ");
    expect(screen).toMatch(/Nothing is due in the next 4 hours\. The first step is due \w{3} \d+ \w{3} \d{4} \d\d:\d\d\./);
  });

  it("Act now cut to the screen says how many more there are, and they come first below", () => {
    const d = decisionOf(cases[0]!.file);
    const { first, rest } = cardParts(d, plain, rs, { rows: 20 });
    expect(first.length).toBeLessThanOrEqual(20);
    const more = first.find((l) => l.includes("more due by"));
    expect(more).toBeDefined();
    expect(rest[0]).toBe("Other steps, by due time");
  });
});

describe("labels, order and overdue", () => {
  it("no rule, outcome, guard or check ids in the human card", () => {
    const d = decisionOf("51-malicious-closure-ex-partner-no-checks-guard-holds.yaml");
    const card = renderDecision(d, plain, rs);
    for (const id of [...d.fired.map((f) => f.id), ...d.guards.map((g) => g.id), ...d.guards.flatMap((g) => g.outstanding), d.outcome.id])
      expect(card, id).not.toContain(id);
    expect(card).toContain("Never presumed malicious (or unfounded) without checks");
    expect(card).toContain("The referrer has been spoken to by a qualified social worker");
  });

  it("steps are listed by due time, the record's order kept for ties", () => {
    const d = decisionOf("06-arthur-like-1-grandmother-calls-edt-with-photos.yaml");
    const times = stepsByDueTime(d.steps).map((s) => Date.parse(s.due_by!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const card = renderDecision(d, plain, rs);
    const order = stepsByDueTime(d.steps).map((s) => card.indexOf(s.text.split(/\s+/).slice(0, 6).join(" ")));
    expect(order.every((i) => i >= 0)).toBe(true);
  });

  it("a step already past due when the decision is made is marked OVERDUE and comes first", () => {
    const d = decisionOf("06-arthur-like-1-grandmother-calls-edt-with-photos.yaml");
    const late = { ...d.steps[0]!, due_by: "2026-04-16T17:00:00+01:00" };
    const card = renderDecision({ ...d, steps: [...d.steps.slice(1), late] }, plain, rs).split("\n");
    const act = card.findIndex((l) => l.startsWith("Act now"));
    expect(card[act + 1]).toMatch(/^ {2}Thu 17:00 +OVERDUE — /);
    // The record's own mark wins over the clock (issue 13's overdue_at_decision).
    const marked = { ...d.steps[0]!, overdue_at_decision: true } as (typeof d.steps)[number];
    expect(renderDecision({ ...d, steps: [marked] }, plain, rs)).toContain("OVERDUE — ");
  });

  it("history from the log sits beside the worker's own count, and a gap is explained", () => {
    const d = decisionOf("15-repeat-worker-counts-five-earlier-contacts.yaml");
    const card = renderDecision(d, plain, rs);
    expect(card).toMatch(/in the log: +0 earlier referrals in the window/);
    expect(card).toMatch(/the worker's count: +5 earlier contact\(s\) in 12 months/);
    expect(card).toContain("The worker counted more contacts than this log holds");
  });
});
