/**
 * Real processes against one real file: two writers must keep one chain, and a writer killed
 * mid-stream must leave every entry it was told was committed, and nothing broken.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openLog } from "../../src/log/open.js";
import { verifyLog } from "../../src/log/verify.js";
import { builtLogModule, collect, FIXTURES, tempDir } from "./helpers.js";

interface Child {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>;
  kill: () => void;
  /** Resolves once the child has opened the log; with `wait`, it then appends only after go(). */
  ready: Promise<void>;
  go: () => void;
  lines: string[];
  onLine: (fn: () => void) => void;
}

// Children still running when a test ends (it failed part-way) are killed, never left behind.
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

function appender(dbPath: string, actor: string, count: number | "forever", wait = false): Child {
  const args = [join(FIXTURES, "appender.mjs"), builtLogModule(), dbPath, actor, String(count), ...(wait ? ["wait"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  if (!wait) child.stdin.end();
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  const listeners: Array<() => void> = [];
  let markReady = (): void => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.filter((line) => line !== "ready"));
    if (parts.includes("ready")) markReady();
    for (const fn of listeners) fn();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, lines, stderr })),
  );
  return { done, ready, go: () => child.stdin.end("go\n"), kill: () => child.kill("SIGKILL"), lines, onLine: (fn) => listeners.push(fn) };
}

describe("several processes", () => {
  beforeAll(() => {
    builtLogModule();
  });

  /** One race of two writers on a new log; checks the result and says whether their entries interleaved. */
  async function race(): Promise<boolean> {
    // The log does not exist yet: the two processes also race to create and migrate it.
    const path = join(tempDir(), "shared", "log.db");
    const writers = [appender(path, "writer-a", 200, true), appender(path, "writer-b", 200, true)];
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    const [a, b] = await Promise.all(writers.map((w) => w.done));
    if (!a || !b) throw new Error("two writers expected");
    expect(a.stderr).toBe("");
    expect(b.stderr).toBe("");
    expect([a.code, b.code]).toEqual([0, 0]);

    const store = openLog(path);
    const result = await verifyLog(store);
    expect(result).toMatchObject({ ok: true, count: 400 });
    const entries = await collect(store.allEvents());
    await store.close();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(entries.filter((e) => e.actor === "writer-a")).toHaveLength(200);
    // Each process was told the seq and hash that are really in the file.
    const byseq = new Map(entries.map((e) => [e.seq, e.hash]));
    for (const line of [...a.lines, ...b.lines]) {
      const [seq, hash] = line.split(" ");
      expect(byseq.get(Number(seq))).toBe(hash);
    }
    const actors = entries.map((e) => e.actor);
    return actors.indexOf("writer-b") < actors.lastIndexOf("writer-a") && actors.indexOf("writer-a") < actors.lastIndexOf("writer-b");
  }

  it("two writers appending 200 entries each at once leave one valid chain of 400", async () => {
    // On a busy machine one writer may finish before the other is scheduled, which proves little;
    // race again (each race fully checked) until their appends really did interleave.
    let interleaved = false;
    for (let attempt = 0; attempt < 5 && !interleaved; attempt++) interleaved = await race();
    expect(interleaved).toBe(true);
  });

  it("a writer killed mid-append leaves a valid chain holding every committed entry", async () => {
    const path = join(tempDir(), "log.db");
    openLog(path).closeNow();
    const child = appender(path, "doomed", "forever");
    child.onLine(() => {
      if (child.lines.length >= 150) child.kill();
    });
    const { signal, lines } = await child.done;
    expect(signal).toBe("SIGKILL");

    const store = openLog(path);
    const result = await verifyLog(store);
    expect(result.ok).toBe(true);
    expect(result.count).toBeGreaterThanOrEqual(lines.length);
    const byseq = new Map((await collect(store.allEvents())).map((e) => [e.seq, e.hash]));
    for (const line of lines) {
      const [seq, hash] = line.split(" ");
      expect(byseq.get(Number(seq))).toBe(hash);
    }
    // And the log is still usable.
    expect((await store.append({ kind: "anchor", actor: "ada", at: "2026-03-02T10:00:00Z", body: {} })).seq).toBe(result.count + 1);
    await store.close();
  });
});
