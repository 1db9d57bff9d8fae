/**
 * Worker thread for verify: checks one seq range on its own read-only connection, so a large log
 * is hashed on several cores (SHA-256 per entry is most of verify's time).
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { type RangeTask, scanRange } from "./verify-chain.js";

const { path, task, busyTimeoutMs } = workerData as { path: string; task: RangeTask; busyTimeoutMs: number };
try {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    parentPort?.postMessage({ ok: true, scan: scanRange(db, task) });
  } finally {
    db.close();
  }
} catch (error) {
  // SQLite's code travels with the message so the main thread can explain it as usual.
  const e = error as { message?: unknown; code?: unknown };
  parentPort?.postMessage({ ok: false, message: String(e.message ?? error), code: typeof e.code === "string" ? e.code : undefined });
}
