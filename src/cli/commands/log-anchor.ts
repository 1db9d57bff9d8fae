import { writeFileSync } from "node:fs";
import { ExitCode, TriageError } from "../../errors.js";
import { formatInZone } from "../../rules/time.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";
import { inert } from "../render/inert.js";

export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
  const { makeAnchor } = await import("../../log/verify.js");
  const store = await openStore(ctx);
  try {
    const text = await makeAnchor(store, ctx.user, formatInZone(ctx.now("UTC"), "UTC"));
    if (typeof options.out === "string") {
      try {
        writeFileSync(options.out, text, { mode: 0o600 });
      } catch (error) {
        throw new TriageError(`cannot write the anchor to ${options.out}: ${(error as Error).message}`, ExitCode.Usage);
      }
      if (!ctx.json)
        ctx.err(
          inert(`Anchor written to ${options.out}. Keep it somewhere the log's users cannot change; check with: triage log verify --anchor ${options.out}`),
        );
    }
    ctx.out(text.trimEnd());
  } finally {
    await store.close();
  }
}
