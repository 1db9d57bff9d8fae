/**
 * `triage log copy --from SRC --to DEST`: every entry of one log into another, verbatim (same seq,
 * actor, time, body and hashes), then the destination is verified and its head compared with the
 * source's — so an anchor taken on the source verifies the copy. SRC and DEST are each a file or a
 * postgres:// address; DEST must be empty (a new file, or a server log just initialised, copied into
 * by its owner).
 */
import { ExitCode, TriageError } from "../../errors.js";
import type { LogEntry } from "../../log/types.js";
import type { Context } from "../context.js";
import { openStore } from "../record.js";

const BATCH = 1000;

export interface CopySummary {
  from: string;
  to: string;
  copied: number;
  head: { seq: number; hash: string };
  verified: boolean;
  same_head: boolean;
  problems: string[];
  /** Why the copy does not match, when it does not. */
  mismatch?: string;
}

export async function run(ctx: Context, _args: string[], options: { from: string; to: string }): Promise<void> {
  const { from, to } = options;
  if (!from || !to) throw new TriageError("log copy needs --from SRC and --to DEST (each a file or a postgres:// address)");
  const summary = await copyLog(ctx, from, to);
  if (!summary.same_head) process.exitCode = ExitCode.Findings;
  const { mismatch, ...data } = summary;
  if (ctx.json) return ctx.out(JSON.stringify(data, null, 2));
  ctx.out(
    summary.same_head
      ? `Copied ${summary.copied} entries from ${summary.from} to ${summary.to}. The copy verifies and ends at entry ${summary.head.seq}, hash ${summary.head.hash} — the same head as the source, so anchors taken on the source verify it.`
      : `Copied ${summary.copied} entries to ${summary.to}, but the copy does NOT match the source: ${mismatch ?? ""}`,
  );
}

/** Copies every entry of `from` into the empty log `to`, verbatim, then verifies the copy against the source's head. */
export async function copyLog(ctx: Context, from: string, to: string): Promise<CopySummary> {
  const path = await import("node:path");
  const place = (p: string) => (/^postgres(ql)?:\/\//i.test(p) ? p : path.resolve(p));
  if (place(from) === place(to)) throw new TriageError("--from and --to are the same log");
  // Copying acts as no one: the entries keep their own actors.
  const quiet = { ...ctx, userFrom: "os" as const, err: () => undefined };
  const source = await openStore({ ...quiet, dbPath: place(from) }, { readonly: true });
  try {
    const dest = await openStore({ ...quiet, dbPath: place(to) });
    try {
      const start = await dest.head();
      if (start.seq > 0)
        throw new TriageError(
          `${dest.path} already has ${start.seq} entries; copy only into an empty log`,
          ExitCode.Usage,
          "a server log that is to receive a copy is set up with `triage admin init --empty` (the copy brings its own rule-set approvals)",
        );
      const contents = new Map<string, unknown>();
      let batch: LogEntry[] = [];
      let copied = 0;
      const flush = async () => {
        const entries = batch;
        batch = [];
        for (const e of entries) {
          if (e.kind !== "rule_set") continue;
          const sha = (e.body as { sha256: string }).sha256;
          if (!contents.has(sha)) contents.set(sha, await source.getRuleSetContent(sha));
        }
        await dest.batch(async (tx) => {
          for (const e of entries) await tx.importEntry(e, e.kind === "rule_set" ? contents.get((e.body as { sha256: string }).sha256) : undefined);
        });
        copied += entries.length;
      };
      for await (const entry of source.allEvents()) {
        batch.push(entry);
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      const [sourceHead, check] = await Promise.all([source.head(), dest.verify()]);
      const same = check.ok && check.head.seq === sourceHead.seq && check.head.hash === sourceHead.hash;
      return {
        from: source.path,
        to: dest.path,
        copied,
        head: check.head,
        verified: check.ok,
        same_head: same,
        problems: check.problems,
        ...(same ? {} : { mismatch: check.firstBroken?.reason ?? (check.problems.join("; ") || `head ${check.head.seq} vs ${sourceHead.seq}`) }),
      };
    } finally {
      await dest.close();
    }
  } finally {
    await source.close();
  }
}
