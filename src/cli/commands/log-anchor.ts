import { formatInZone } from "../../rules/time.js";
import type { Context } from "../context.js";
import { prepareOutput } from "../output-file.js";
import { openStore } from "../record.js";
import { inert } from "../render/inert.js";

export async function run(ctx: Context, _args: string[], options: { out?: string; force?: boolean }): Promise<void> {
  const { makeAnchor } = await import("../../log/verify.js");
  const store = await openStore(ctx);
  const outPath = options.out;
  try {
    // The file is checked and opened before the anchor entry is appended, and put in place inside the
    // same transaction: the entry and the file exist both or neither.
    const out = outPath ? prepareOutput({ path: outPath, force: options.force === true, logPath: store.path, what: "the anchor" }) : undefined;
    let text: string;
    try {
      text = await store.batch(async (tx) => {
        const anchor = await makeAnchor(tx, ctx.user, formatInZone(ctx.now("UTC"), "UTC"));
        out?.write(anchor);
        out?.commit();
        return anchor;
      });
    } catch (error) {
      out?.abort();
      throw error;
    }
    if (outPath && !ctx.json)
      ctx.err(inert(`Anchor written to ${outPath}. Keep it somewhere the log's users cannot change; check with: ${ctx.self()} log verify --anchor ${outPath}`));
    ctx.out(text.trimEnd());
  } finally {
    await store.close();
  }
}
