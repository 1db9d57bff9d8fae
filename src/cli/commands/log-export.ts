/**
 * `triage log export [--format jsonl|csv] [--events] [--out FILE]`. JSON lines: every entry in chain
 * order with its hashes, so the export can be checked independently. CSV: one row per decision as it
 * stands now (src/workflow/export-row.ts names the columns), for a spreadsheet; with --events, one
 * row per entry like the JSON lines. Every CSV cell is RFC 4180 quoted and formula-neutralised.
 */
import { DECISION_COLUMNS, decisionRow } from "../../workflow/export-row.js";
import { loadAllCases } from "../cases.js";
import type { Context } from "../context.js";
import { prepareOutput, type PendingOutput } from "../output-file.js";
import { openStore } from "../record.js";
import { csvCell, inert } from "../render/inert.js";
import { loadRules } from "../rules-loader.js";

const CSV_COLUMNS = ["seq", "ref", "kind", "actor", "at", "prev_hash", "hash", "body"] as const;

/** Writes all of `text` to standard output, waiting when the pipe pushes back. */
async function toStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
}

/** `triage log export [--format jsonl|csv] [--events] [--out FILE [--force]]`, as src/cli/program.ts declares it. */
export interface ExportOptions {
  format: "jsonl" | "csv";
  events?: boolean;
  out?: string;
  force?: boolean;
}

export async function run(ctx: Context, _args: string[], options: ExportOptions): Promise<void> {
  const store = await openStore(ctx, { readonly: true });
  const outPath = options.out;
  let out: PendingOutput | undefined;
  try {
    // The file is checked (never the log, no symlink, no silent overwrite) before anything is read.
    if (outPath) out = prepareOutput({ path: outPath, force: options.force === true, logPath: store.path, what: "the export" });
    const write = async (text: string) => (out ? out.write(text) : toStdout(text));
    const csv = options.format === "csv";
    if (csv && options.events !== true) {
      const tz = (await loadRules(ctx)).officeHours.time_zone;
      const now = ctx.now(tz);
      const cases = await loadAllCases(store);
      let text = `${DECISION_COLUMNS.join(",")}\r\n`;
      for (const { state, rescreen } of cases) {
        const row = decisionRow(state, rescreen, now);
        text += `${DECISION_COLUMNS.map((c) => csvCell(row[c])).join(",")}\r\n`;
      }
      await write(text);
      if (out) {
        out.commit();
        ctx.err(inert(`Exported ${cases.length} decisions to ${outPath}`));
      }
      return;
    }
    let count = 0;
    let buffer = csv ? `${CSV_COLUMNS.join(",")}\r\n` : "";
    for await (const entry of store.allEvents()) {
      buffer += csv ? `${CSV_COLUMNS.map((c) => csvCell(entry[c])).join(",")}\r\n` : `${JSON.stringify(entry)}\n`;
      count++;
      if (buffer.length > 1 << 20) {
        await write(buffer);
        buffer = "";
      }
    }
    if (buffer) await write(buffer);
    if (out) {
      out.commit();
      ctx.err(inert(`Exported ${count} entries to ${outPath}`));
    }
  } catch (error) {
    out?.abort();
    throw error;
  } finally {
    await store.close();
  }
}
