import { closeSync, openSync, writeSync } from "node:fs";
import { ExitCode, TriageError } from "../../errors.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";
import { csvCell, inert } from "../render/inert.js";

const CSV_COLUMNS = ["seq", "ref", "kind", "actor", "at", "prev_hash", "hash", "body"] as const;

/** Every entry, in chain order, with its hashes, so the export can be checked independently. */
/** Writes all of `text`: a file may take a chunk partly, a pipe may push back. */
async function writeAll(fd: number | undefined, text: string): Promise<void> {
  if (fd === undefined) {
    if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

export async function run(ctx: Context, _args: string[], options: Record<string, unknown>): Promise<void> {
  const store = await openStore(ctx, { readonly: true });
  const out = typeof options.out === "string" ? options.out : undefined;
  let fd: number | undefined;
  try {
    if (out) {
      try {
        fd = openSync(out, "w", 0o600);
      } catch (error) {
        throw new TriageError(`cannot write ${out}: ${(error as Error).message}`, ExitCode.Usage);
      }
    }
    const csv = options.format === "csv";
    let count = 0;
    let buffer = csv ? `${CSV_COLUMNS.join(",")}\r\n` : "";
    for await (const entry of store.allEvents()) {
      buffer += csv ? `${CSV_COLUMNS.map((c) => csvCell(entry[c])).join(",")}\r\n` : `${JSON.stringify(entry)}\n`;
      count++;
      if (buffer.length > 1 << 20) {
        await writeAll(fd, buffer);
        buffer = "";
      }
    }
    if (buffer) await writeAll(fd, buffer);
    if (out) ctx.err(inert(`Exported ${count} entries to ${out}`));
  } finally {
    if (fd !== undefined) closeSync(fd);
    await store.close();
  }
}
