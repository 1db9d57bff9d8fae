import { closeSync, openSync, writeSync } from "node:fs";
import { ExitCode, TriageError } from "../../errors.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";

/** Every entry, in chain order, as JSON lines — with its hashes, so the export can be checked independently. */
export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
  const store = await openStore(ctx, { readonly: true });
  const out = typeof options.out === "string" ? options.out : undefined;
  let fd = 1;
  try {
    if (out) {
      try {
        fd = openSync(out, "w", 0o600);
      } catch (error) {
        throw new TriageError(`cannot write ${out}: ${(error as Error).message}`, ExitCode.Usage);
      }
    }
    let count = 0;
    let buffer = "";
    for (const entry of store.allEvents()) {
      buffer += `${JSON.stringify(entry)}\n`;
      count++;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    }
    if (buffer) writeSync(fd, buffer);
    if (out) ctx.err(`Exported ${count} entries to ${out}`);
  } finally {
    if (out && fd !== 1) closeSync(fd);
    store.close();
  }
}
