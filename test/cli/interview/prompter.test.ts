import { render } from "@inquirer/testing";
import { describe, expect, it } from "vitest";
import { progressOf, startFlow, type AskInfo } from "../../../src/interview/flow.js";
import { backInput, BACK, checkSelection, InquirerPrompter, optionChoices, preselected, validateTyped } from "../../../src/cli/interview/prompter.js";
import type { CompiledQuestion } from "../../../src/rules/compile.js";
import { compileFile, compileText } from "../../helpers/rules.js";

const rs = compileFile("fixtures/rulesets/minimal.yaml");
const q = (id: string): CompiledQuestion => rs.questions[rs.questionIndex.get(id)!]!;
const TZ = "Europe/London";

// A rule set with a date question and a critical multiselect, for the prompts minimal.yaml lacks.
const extra = compileText(`
id: extra
version: "1"
office_hours: { time_zone: Europe/London, days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00", bank_holidays: [] }
default_outcome: none
thresholds: {}
outcomes:
  - { id: none, label: No further action, response_times: { decide_by: { working_days: 1 }, respond_by: { working_days: 1 } } }
  - { id: help, label: Early help, response_times: { decide_by: { working_days: 1 }, respond_by: { working_days: 10 } } }
questions:
  - { id: child_dob, section: child, ask: Date of birth, type: date, identity: dob, help: As the caller gives it }
  - id: adults
    section: household
    ask: Adults in the household
    type: multiselect
    options: [mother, father, new_partner, unknown]
    exclusive: [unknown]
    critical: true
  - { id: weeks, section: child, ask: Weeks of pregnancy, type: number, min: 4, max: 42, integer: true }
steps: []
checks: []
rules:
  - { id: R1, title: Any adult not known, when: { q: adults, unknown: true }, floor: help, because: Not known is not no. }
guards: []
closure_reasons: []
invariants: []
`);
const x = (id: string): CompiledQuestion => extra.questions[extra.questionIndex.get(id)!]!;

const info = (question: CompiledQuestion, over: Partial<AskInfo> = {}): AskInfo => ({
  previous: undefined,
  progress: progressOf(rs.questions.includes(question) ? rs : extra, startFlow(), question),
  canGoBack: true,
  timeZone: TZ,
  now: "2026-11-27 10:30",
  ...over,
});

/** Renders one call of the adapter with @inquirer/testing's streams. */
async function renderAdapter(call: (p: InquirerPrompter) => Promise<unknown>) {
  const prompt = (_config: unknown, context?: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream }) =>
    call(new InquirerPrompter({ ...(context?.input && { input: context.input }), ...(context?.output && { output: context.output }) }));
  const r = await render(prompt as never, {} as never);
  return { ...r, answer: r.answer };
}

describe("select questions", () => {
  it("show the section progress and offer '← Back', which returns BACK", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("referrer"), info(q("referrer"))));
    const screen = getScreen();
    // referrer is the 7th visible question (injury_seen hidden); contact is the first of 5 sections.
    expect(screen).toContain("Contact — section 1 of 5 · question 7 of about 8");
    expect(screen).toContain("Who referred?");
    expect(screen).toContain("← Back");
    expect(screen).toContain("Not known"); // allowed unless allow_unknown: false
    for (let i = 0; i < 4; i++) events.keypress("down"); // professional, anonymous, Not known, ← Back
    events.keypress("enter");
    await expect(answer).resolves.toBe(BACK);
  });

  it("offer no Back on the first question", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("referrer"), info(q("referrer"), { canGoBack: false })));
    expect(getScreen()).not.toContain("← Back");
    events.keypress("enter");
    await expect(answer).resolves.toBe("family");
  });

  it("pre-select the previous answer", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("referrer"), info(q("referrer"), { previous: "anonymous" })));
    expect(getScreen()).toMatch(/❯ anonymous/);
    events.keypress("enter");
    await expect(answer).resolves.toBe("anonymous");
  });

  it("on a critical question list 'Not known' last and never pre-select it, even when it was the previous answer", async () => {
    expect(optionChoices(q("age")).map((c) => c.name)).toEqual(["baby", "young", "older", "Not known"]);
    expect(preselected(q("age"), "unknown")).toBeUndefined();
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("age"), info(q("age"), { previous: "unknown" })));
    const screen = getScreen();
    expect(screen).toMatch(/❯ baby/);
    expect(screen).not.toMatch(/❯ Not known/);
    expect(screen).toContain("was: not known");
    events.keypress("enter");
    await expect(answer).resolves.toBe("baby");
  });

  it("still let the worker choose 'Not known' on a critical question", async () => {
    const { answer, events } = await renderAdapter((p) => p.ask(q("whereabouts"), info(q("whereabouts"))));
    events.keypress("down");
    events.keypress("down");
    events.keypress("enter");
    await expect(answer).resolves.toBe("unknown");
  });
});

describe("checkbox questions", () => {
  it("refuse an exclusive option combined with others, with a message", async () => {
    const { answer, events, getScreen, nextRender } = await renderAdapter((p) => p.ask(q("concerns"), info(q("concerns"))));
    events.keypress("space"); // injury
    for (let i = 0; i < 3; i++) events.keypress("down");
    events.keypress("space"); // none
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain(`"none" cannot be combined with other answers`);
    events.keypress("space"); // untick none
    events.keypress("enter");
    await expect(answer).resolves.toEqual(["injury"]);
  });

  it("treat 'Not known' as exclusive, and never pre-tick it on a critical question", async () => {
    expect(checkSelection(x("adults"), ["mother", "unknown"])).toMatch(/"Not known" cannot be combined/);
    expect(checkSelection(x("adults"), [])).toMatch(/Choose at least one/);
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(x("adults"), info(x("adults"), { previous: ["unknown"] })));
    expect(getScreen()).toMatch(/◯ Not known/);
    expect(getScreen()).not.toMatch(/◉/);
    events.keypress("space");
    events.keypress("enter");
    await expect(answer).resolves.toEqual(["mother"]);
  });

  it("return BACK when '← Back' is ticked alone, and refuse it combined with answers", async () => {
    expect(checkSelection(q("concerns"), ["injury", BACK])).toMatch(/cannot be combined with answers/);
    const { answer, events } = await renderAdapter((p) => p.ask(q("concerns"), info(q("concerns"), { previous: ["neglect"] })));
    events.keypress("down"); // neglect (ticked)
    events.keypress("space"); // untick
    for (let i = 0; i < 4; i++) events.keypress("down"); // other, none, Not known, ← Back
    events.keypress("space");
    events.keypress("enter");
    await expect(answer).resolves.toBe(BACK);
  });
});

describe("typed questions (the custom input prompt)", () => {
  it("Esc means back", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("contacts"), info(q("contacts"))));
    expect(getScreen()).toContain("Esc: back");
    events.keypress("escape");
    await expect(answer).resolves.toBe(BACK);
  });

  it("Esc does nothing where there is nothing to go back to", async () => {
    const { answer, events, getScreen } = await render(backInput, { message: "Name", allowBack: false });
    events.keypress("escape");
    events.type("Alex");
    expect(getScreen()).toContain("Name Alex");
    events.keypress("enter");
    await expect(answer).resolves.toBe("Alex");
  });

  it("dates: the format is spelled out, and a wrong or impossible date is refused with a message", async () => {
    const { answer, events, getScreen, nextRender } = await renderAdapter((p) => p.ask(x("child_dob"), info(x("child_dob"))));
    expect(getScreen()).toContain("YYYY-MM-DD");
    expect(getScreen()).toMatch(/\n {2}As the caller gives it/); // the help, plain and indented
    events.type("14/03/2019");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("Enter the date as YYYY-MM-DD, e.g. 2019-03-14");
    for (let i = 0; i < 10; i++) events.keypress("backspace");
    events.type("2019-02-30");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("2019-02-30 is not a real date");
    for (let i = 0; i < 10; i++) events.keypress("backspace");
    events.type("2019-03-14");
    events.keypress("enter");
    await expect(answer).resolves.toBe("2019-03-14");
  });

  it("date-times: received_at defaults to now, local to the rule set's zone", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("received_at"), info(q("received_at"), { canGoBack: false })));
    expect(getScreen()).toContain("When was the referral received? 2026-11-27 10:30");
    expect(getScreen()).toContain("YYYY-MM-DD HH:MM, local time (Europe/London)");
    expect(getScreen()).not.toContain("not known"); // received_at has allow_unknown: false
    events.keypress("enter");
    await expect(answer).resolves.toBe("2026-11-27T10:30:00+00:00");
  });

  it("numbers: range and whole numbers are checked; 'not known' is accepted where allowed", async () => {
    expect(validateTyped(x("weeks"), "2", TZ)).toBe("Enter a number from 4 to 42");
    expect(validateTyped(x("weeks"), "30.5", TZ)).toBe("Enter a whole number from 4 to 42");
    expect(validateTyped(x("weeks"), "thirty", TZ)).toBe("Enter a whole number from 4 to 42");
    const { answer, events, getScreen, nextRender } = await renderAdapter((p) => p.ask(x("weeks"), info(x("weeks"))));
    expect(getScreen()).toContain("a whole number from 4 to 42");
    events.type("50");
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("Enter a number from 4 to 42");
    events.keypress("backspace");
    events.keypress("backspace");
    events.type("not known");
    events.keypress("enter");
    await expect(answer).resolves.toBe("unknown");
  });

  it("pre-fill the previous answer for editing", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) => p.ask(q("contacts"), info(q("contacts"), { previous: 2 })));
    expect(getScreen()).toContain("Contacts in the last 12 months 2");
    events.keypress("enter");
    await expect(answer).resolves.toBe(2);
  });

  it("an optional question may be left blank", async () => {
    const { answer, events } = await renderAdapter((p) => p.ask(q("note"), info(q("note"))));
    events.keypress("enter");
    await expect(answer).resolves.toBeNull();
  });

  it("a required text refuses an empty answer", async () => {
    const { answer, events, getScreen, nextRender } = await renderAdapter((p) =>
      p.text("analysis", "What is life like for this child?", { required: true, canGoBack: true }),
    );
    events.keypress("enter");
    await nextRender();
    expect(getScreen()).toContain("This is required");
    events.type("Quiet, watchful, often hungry.");
    events.keypress("enter");
    await expect(answer).resolves.toBe("Quiet, watchful, often hungry.");
  });
});

describe("the shell's own choices", () => {
  it("offer Back when asked to", async () => {
    const { answer, events, getScreen } = await renderAdapter((p) =>
      p.choose(
        "review",
        "What next?",
        [
          { value: "submit", label: "Submit" },
          { value: "save", label: "Save draft and exit" },
        ],
        { canGoBack: true },
      ),
    );
    expect(getScreen()).toContain("← Back");
    events.keypress("down");
    events.keypress("enter");
    await expect(answer).resolves.toBe("save");
  });
});
