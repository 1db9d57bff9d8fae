/**
 * A note per answer (what was actually said): at any question the worker may press Tab to write a
 * note, then answers the question as usual. Nothing is asked unless they do, so the normal path is
 * no slower (part of src/cli/interview-session.ts).
 */
import { BACK, NOTE, type AskInfo, type Back, type Prompter } from "../../interview/flow.js";
import type { CompiledQuestion } from "../../rules/compile.js";
import type { Answer } from "../../rules/types.js";

export interface NoteStore {
  get(id: string): string | undefined;
  /** Sets the note (empty text removes it); throws with a message for a note that does not fit. */
  set(id: string, text: string): void | Promise<void>;
}

/** Asks a question; Tab (NOTE) asks for a note on it and then asks the question again. */
export async function askWithNotes(prompter: Prompter, q: CompiledQuestion, info: AskInfo, notes: NoteStore): Promise<Answer | null | Back> {
  for (;;) {
    const note = notes.get(q.id);
    const result = await prompter.ask(q, { ...info, notes: note === undefined ? {} : { note } });
    if (result !== NOTE) return result;
    const text = await prompter.text(`note:${q.id}`, `Note on "${q.raw.ask.replace(/[?:]$/, "")}"`, {
      canGoBack: true,
      help: "What was actually said, in the caller's words. Kept with the answer and shown with it in the log. Enter with nothing typed removes the note.",
      ...(note !== undefined ? { default: note } : {}),
    });
    if (text === BACK) continue;
    try {
      await notes.set(q.id, text);
    } catch (error) {
      prompter.show(error instanceof Error ? error.message : String(error));
    }
  }
}
