/**
 * The decide step: after the decision card, the worker accepts, escalates or proposes a downgrade
 * (with a reason), and gives their analysis (part of src/cli/interview-session.ts).
 */
import { adjustments, ANALYSIS_PENDING, BACK, type Choice } from "../../interview/flow.js";
import { outcomeRef } from "../../rules/evaluate.js";
import type { Decision } from "../../rules/types.js";
import type { Session } from "./session.js";

type Choices = { escalation?: { to: string; reason: string }; downgrade?: { to: string; reason: string }; analysis: string };

export async function decide(s: Session, decision: Decision): Promise<Choices | typeof BACK> {
  const { rs, prompter, style } = s.deps;
  const adj = adjustments(rs, decision);
  for (;;) {
    const options: Choice<string>[] = [{ value: "accept", label: `Accept: ${decision.outcome.label}` }];
    if (adj.higher.length > 0) options.push({ value: "escalate", label: "Escalate to a higher outcome (reason required)" });
    if (adj.lower.length > 0) options.push({ value: "downgrade", label: "Propose a lower outcome (reason required; a manager must agree)" });
    if (adj.lower.length === 0 && decision.outcome.level > 1 && adj.floors.length > 0)
      prompter.show(style.dim(`A lower outcome cannot be proposed: ${adj.floors.join("; ")}.`));
    const what = await prompter.choose("decision", "What do you want to do with this outcome?", options, { canGoBack: true });
    if (what === BACK) return BACK;
    const choices: Omit<Choices, "analysis"> = {};
    if (what === "escalate" || what === "downgrade") {
      const targets = what === "escalate" ? adj.higher : adj.lower;
      const to = await prompter.choose(
        what === "escalate" ? "escalate_to" : "downgrade_to",
        what === "escalate" ? "Escalate to which outcome?" : "Propose which lower outcome?",
        targets.map((o) => ({ value: o.id, label: `${o.label} (level ${o.level})` })),
        { canGoBack: true },
      );
      if (to === BACK) continue;
      const reason = await prompter.text(
        what === "escalate" ? "escalate_reason" : "downgrade_reason",
        what === "escalate" ? "Why escalate?" : "Why propose a lower outcome?",
        { required: true, canGoBack: true },
      );
      if (reason === BACK) continue;
      if (what === "escalate") choices.escalation = { to, reason };
      else {
        choices.downgrade = { to, reason };
        prompter.show(
          style.warn(
            `The downgrade to ${outcomeRef(rs, rs.outcomeLevel.get(to)!).label} will be recorded as pending a manager's agreement; until then the outcome stays ${decision.outcome.label}.`,
          ),
        );
      }
    }
    // Where the rule set already asked for the worker's rationale, start from it rather than ask twice.
    const rationale = decision.answers.worker_rationale;
    const analysis = await prompter.text("analysis", "What is life like for this child? (your analysis)", {
      required: true,
      canGoBack: true,
      help: "In your own words: the child's daily experience, what is known and not known, and why this outcome.",
      ...(typeof rationale === "string" && rationale !== "unknown" && rationale !== ANALYSIS_PENDING ? { default: rationale } : {}),
    });
    if (analysis === BACK) continue;
    return { ...choices, analysis };
  }
}
