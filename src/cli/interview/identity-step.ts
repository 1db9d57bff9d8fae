/**
 * The identity checkpoint (docs/architecture.md, principle 4): once the child's name and date of birth are known,
 * and again at submission, earlier referrals are looked up and the worker says which possible
 * matches are this child (part of src/cli/interview-session.ts).
 */
import { BACK } from "../../interview/flow.js";
import { outcomeRef } from "../../rules/evaluate.js";
import type { Answer } from "../../rules/types.js";
import { localTime } from "../render/text.js";
import { choicesOf } from "./ports.js";
import type { Session } from "./session.js";

export function showEarlier(s: Session): void {
  const { rs, prompter, style } = s.deps;
  if (s.history.earlier.length === 0) return;
  const lines = [style.bold("Earlier referrals about this child")];
  for (const e of s.history.earlier) {
    const level = rs.outcomeLevel.get(e.outcome);
    const outcome = level === undefined ? e.outcome.replace(/_/g, " ") : outcomeRef(rs, level).label;
    lines.push(`  ${e.ref}  received ${localTime(e.received_at)}  ${outcome}${e.closed_as ? `  closed as ${e.closed_as.replace(/_/g, " ")}` : ""}`);
  }
  prompter.show(lines.join("\n"));
}

/**
 * Looks up earlier referrals and asks about each possible match not yet confirmed or rejected.
 * `quiet` (at submission, when the worker has seen them already) shows only what needs a choice.
 * Returns false when the worker went back.
 */
export async function identityStep(s: Session, answers: Record<string, Answer>, quiet: boolean): Promise<boolean> {
  const { deps, draft } = s;
  const { prompter, style } = deps;
  if (!deps.history) return true;
  s.history = await deps.history.lookup(answers, s.receivedAt(answers), choicesOf(draft.links));
  const open = s.history.possible_matches.filter((m) => m.confirmed === undefined);
  if (!quiet) {
    showEarlier(s);
    if (s.history.earlier.length === 0 && open.length === 0 && !s.saidNoEarlier) {
      prompter.show(style.dim("No earlier referrals about this child in the log."));
      s.saidNoEarlier = true;
    }
  }
  for (const m of open) {
    const choice = await prompter.choose(
      `match:${m.ref}`,
      `Possible earlier referral ${m.ref}: ${m.why}. Is it about this child?`,
      [
        { value: true, label: "Yes — the same child (it counts as history)" },
        { value: false, label: "No — a different child" },
      ],
      { canGoBack: true },
    );
    if (choice === BACK) return false;
    draft.links[m.ref] = choice;
    await s.save();
  }
  if (open.length > 0) {
    s.history = await deps.history.lookup(answers, s.receivedAt(answers), choicesOf(draft.links));
    if (Object.values(draft.links).some(Boolean)) showEarlier(s);
  }
  return true;
}
