// Log store benchmark: append rate, listing and history lookups on a large log, verify speed.
// Plain ESM over the built code: run `npm run build` first, then `node bench/log-bench.mjs`.
//   BENCH_LOG_N        decisions in the large log (default 1,000,000)
//   BENCH_LOG_APPENDS  single-transaction appends to time (default 2,000)
// Targets (README "Performance"): filtered list on 1M ≤ 50 ms; verify ≥ 300 MB/s.
// Everything is written under a temp folder that is removed at the end. All data is fictional.
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../dist/log/canonical.js";
import { classifyMatch } from "../dist/workflow/match.js";
import { openLog } from "../dist/log/open.js";
import { verifyLog } from "../dist/log/verify.js";
import { emitFigures, figure } from "./figures.mjs";
import { seededRandom } from "./random.mjs";

const N = Number(process.env.BENCH_LOG_N ?? 1_000_000);
const APPENDS = Number(process.env.BENCH_LOG_APPENDS ?? 2_000);
const BATCH = 10_000;

// Seeded so runs are comparable.
const { random, pick } = seededRandom(20260302);
const pad = (n, w = 2) => String(n).padStart(w, "0");

const FIRST = [
  "Ari",
  "Bea",
  "Cal",
  "Dov",
  "Eli",
  "Fen",
  "Gus",
  "Hal",
  "Ivo",
  "Jun",
  "Kai",
  "Lux",
  "Mio",
  "Nia",
  "Oto",
  "Pia",
  "Rue",
  "Sol",
  "Tal",
  "Uma",
  "Vik",
  "Wyn",
  "Xan",
  "Yas",
  "Zed",
];
const LAST = [
  "Abernathy",
  "Brackwater",
  "Coldharbour",
  "Dunmore",
  "Eastleigh",
  "Fernsby",
  "Galloway",
  "Hartwell",
  "Inchmore",
  "Jessop",
  "Kettleby",
  "Lockridge",
  "Marchbank",
  "Northcott",
  "Ormsby",
  "Pennick",
  "Quarrie",
  "Rushmere",
  "Stainton",
  "Thornbury",
];
const OUTCOMES = [
  { id: "nfa", level: 1, label: "No further action", weight: 30 },
  { id: "early_help", level: 2, label: "Early help", weight: 35 },
  { id: "child_in_need", level: 3, label: "Child in need assessment", weight: 20 },
  { id: "strategy_discussion", level: 4, label: "Strategy discussion (s47)", weight: 12 },
  { id: "immediate_protection", level: 5, label: "Immediate protection", weight: 3 },
];
const WORKERS = Array.from({ length: 25 }, (_, i) => `worker${pad(i + 1)}`);
const RULE_SET = { id: "bench-rules", version: "1.0.0", outcomes: OUTCOMES.map(({ id, label }) => ({ id, label })) };
const RULE_SET_SHA = sha256Hex(canonicalJson(RULE_SET));

function weightedOutcome() {
  let r = random() * 100;
  for (const o of OUTCOMES) if ((r -= o.weight) < 0) return o;
  return OUTCOMES[0];
}

function decision(i) {
  const year = 2020 + Math.floor(random() * 7);
  const received = `${year}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}T${pad(8 + Math.floor(random() * 10))}:${pad(Math.floor(random() * 60))}:00+00:00`;
  const { weight: _w, ...outcome } = weightedOutcome();
  const concerns = ["neglect_home_conditions", "domestic_abuse_witnessed", "parental_substance_misuse", "school_attendance", "injury_explained"];
  return {
    rule_set: { id: RULE_SET.id, version: RULE_SET.version, sha256: RULE_SET_SHA },
    received_at: received,
    decided_at: received.replace(/T(\d\d)/, (_, h) => `T${pad(Math.min(23, Number(h) + 2))}`),
    computed_outcome: outcome,
    outcome,
    hard_floor: outcome.level >= 4 ? outcome.id : null,
    deadlines: { decide_by: received, respond_by: received, see_child_by: received },
    fired: [
      {
        id: `E${1 + (i % 7)}`,
        title: "Concern about care at home",
        effect: "floor",
        outcome: outcome.id,
        hard: false,
        applied: true,
        because: "a pattern of concern that needs a closer look",
      },
      { id: "U1", title: "Not known", effect: "note", hard: false, applied: true, because: "child seen: not known" },
    ],
    steps: [{ id: "check_records", text: "Check local and other authority records for earlier involvement", from: ["E1"] }],
    guards: [],
    flags: i % 11 === 0 ? ["ooh_provisional"] : [],
    unknowns: ["child_seen_recently"],
    history: {
      referrals_in_window: i % 4,
      distinct_referrers: 1 + (i % 3),
      earlier: [],
      possible_matches: [],
      facts: {
        referrals_in_window: i % 4,
        distinct_referrers: 1 + (i % 3),
        earlier_unsubstantiated_closures: 0,
        earlier_malicious_closures: 0,
        earlier_closures_without_checks: 0,
        highest_earlier_level: 0,
      },
    },
    answers: {
      child_name: `${pick(FIRST)} ${pick(LAST)}`,
      child_dob: `${2008 + Math.floor(random() * 18)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`,
      child_ref: random() < 0.4 ? `LC${pad(Math.floor(random() * 900000), 6)}` : "unknown",
      household_postcode: `ZZ${1 + Math.floor(random() * 99)} ${Math.floor(random() * 10)}${pick(["AA", "BD", "HX", "QT"])}`,
      received_at: received,
      referrer_type: pick(["school", "police", "health_visitor", "gp", "family_member", "neighbour"]),
      concerns: [pick(concerns), pick(concerns)],
      child_seen_recently: "unknown",
      injuries_observed: "no",
      disclosure_made: "no",
    },
    clock: { now: received, out_of_hours: false, received_out_of_hours: false },
    warnings: [],
  };
}

const time = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
const figures = [];
const row = (what, value, target = "") => {
  rows.push([what, value, target]);
  process.stderr.write(`  ${what}: ${value}\n`);
};
const mb = (bytes) => bytes / 1e6;

const dir = mkdtempSync(join(tmpdir(), "triage-log-bench-"));
try {
  // 0. The disk's own ceiling: a small append and fdatasync, as often as it allows. A decision per
  // transaction with synchronous=FULL costs at least one such sync (the write-ahead log's), so no
  // store on this disk can append one-per-transaction faster than this.
  {
    const probe = join(dir, "fsync-probe");
    const fd = openSync(probe, "w");
    const page = Buffer.alloc(4096, 0x61);
    const syncs = 500;
    const t = performance.now();
    for (let i = 0; i < syncs; i++) {
      writeSync(fd, page);
      fdatasyncSync(fd);
    }
    const rate = syncs / ((performance.now() - t) / 1000);
    closeSync(fd);
    row("disk: 4 KiB append + fdatasync, one after another", `${Math.round(rate)} /s`);
    figures.push(
      figure("disk_fsync_per_s", rate, { unit: "syncs/s", target: null, note: "the ceiling for one-per-transaction appends with synchronous=FULL" }),
    );
  }

  // 1. Single-entry transactions, synchronous=FULL: what one CLI command pays per append.
  {
    const store = openLog(join(dir, "append.db"));
    const body = decision(0);
    const { ms } = await time(async () => {
      for (let i = 0; i < APPENDS; i++) await store.append({ kind: "anchor", actor: "bench", at: body.decided_at, body: { ...body, i } });
    });
    row(
      `append, 1 entry per transaction (${APPENDS}, ~${(canonicalJson(body).length / 1024).toFixed(1)} KB bodies)`,
      `${Math.round(APPENDS / (ms / 1000))} /s`,
    );
    const rec = await time(async () => {
      for (let i = 0; i < Math.min(APPENDS, 1000); i++) await store.recordDecision(decision(i), { actor: "bench", ruleSetContent: RULE_SET });
    });
    row("recordDecision, 1 per transaction, new log (ref, chain, index)", `${Math.round(Math.min(APPENDS, 1000) / (rec.ms / 1000))} /s`);
    figures.push(figure("append_new_log_per_s", Math.min(APPENDS, 1000) / (rec.ms / 1000), { unit: "decisions/s", target: null }));
    await store.close();
  }

  // 2. A large log, built in batches (many decisions per transaction).
  const path = join(dir, "big.db");
  const store = openLog(path);
  const build = await time(async () => {
    for (let done = 0; done < N; done += BATCH) {
      await store.batch(async (tx) => {
        for (let i = done; i < Math.min(N, done + BATCH); i++) {
          const d = decision(i);
          const ref = await tx.recordDecision(d, { actor: WORKERS[i % WORKERS.length], ruleSetContent: RULE_SET });
          // Later entries, as in real use: about 30% reviewed by a manager, 3% with an override.
          const r = random();
          if (r < 0.3)
            await tx.append({ kind: "review", ref, actor: "manager01", at: d.decided_at, body: { action: "agree", of: "decision", role: "manager" } });
          if (r > 0.97)
            await tx.append({
              kind: "override",
              ref,
              actor: "worker01",
              at: d.decided_at,
              body: { from: d.outcome.id, to: "nfa", direction: "down", reason: "fictional", pending: true },
            });
        }
      });
      if ((done / BATCH) % 10 === 0) process.stderr.write(`  … ${done + BATCH} decisions\n`);
    }
  });
  row(`build ${N.toLocaleString("en-GB")} decisions (batches of ${BATCH})`, `${(build.ms / 1000).toFixed(1)} s (${Math.round(N / (build.ms / 1000))} /s)`);

  // What a worker pays once the log is large: one decision per transaction (WAL, synchronous=FULL).
  {
    const perTx = [];
    for (let i = 0; i < APPENDS; i++) {
      const t = performance.now();
      await store.recordDecision(decision(N + i), { actor: WORKERS[i % WORKERS.length], ruleSetContent: RULE_SET });
      perTx.push(performance.now() - t);
    }
    const total = perTx.reduce((a, b) => a + b, 0);
    const rate = APPENDS / (total / 1000);
    row(
      `recordDecision, 1 per transaction, on the ${N.toLocaleString("en-GB")}-decision log (${APPENDS})`,
      `${Math.round(rate)} /s (median ${median(perTx).toFixed(3)} ms, slowest ${Math.max(...perTx).toFixed(1)} ms)`,
      "≥ 2,000 /s",
    );
    const disk = figures.find((f) => f.id === "disk_fsync_per_s")?.value;
    figures.push(
      figure("append_per_s", rate, {
        log_decisions: N,
        appends: APPENDS,
        median_ms: median(perTx),
        ...(disk ? { disk_fsync_per_s: disk, share_of_disk_ceiling: rate / disk } : {}),
      }),
    );
  }

  // 3. Listing and history lookups (each timed 20 times; median, first in brackets).
  const listMedians = [];
  const timed = async (label, fn, target) => {
    const runs = [];
    for (let i = 0; i < 20; i++) runs.push(await time(fn));
    if (target) listMedians.push(median(runs.map((r) => r.ms)));
    row(`${label} → ${runs[0].value.length} rows`, `${median(runs.map((r) => r.ms)).toFixed(2)} ms (first ${runs[0].ms.toFixed(2)})`, target);
  };
  await timed(
    "list outcome=strategy_discussion, 2023-01-01..2024-07-01, limit 50",
    () => store.listDecisions({ outcome: "strategy_discussion", since: "2023-01-01T00:00:00Z", until: "2024-07-01T00:00:00Z", limit: 50 }),
    "≤ 50 ms",
  );
  await timed(
    "list recordedOutcome=strategy_discussion, same dates, limit 50",
    () => store.listDecisions({ recordedOutcome: "strategy_discussion", since: "2023-01-01T00:00:00Z", until: "2024-07-01T00:00:00Z", limit: 50 }),
    "≤ 50 ms",
  );
  await timed("list outcome=immediate_protection (rarest), limit 50", () => store.listDecisions({ outcome: "immediate_protection", limit: 50 }), "≤ 50 ms");
  await timed(
    "list unreviewed, since 2025-01-01, limit 50",
    () => store.listDecisions({ unreviewed: true, since: "2025-01-01T00:00:00Z", limit: 50 }),
    "≤ 50 ms",
  );
  await timed("list pending, limit 50", () => store.listDecisions({ pending: true, limit: 50 }), "≤ 50 ms");
  await timed("list newest, no filter, limit 50", () => store.listDecisions({ limit: 50 }), "≤ 50 ms");
  await timed(
    "list worker=worker07, since 2026-01-01, limit 50",
    () => store.listDecisions({ worker: "worker07", since: "2026-01-01T00:00:00Z", limit: 50 }),
    "≤ 50 ms",
  );
  await timed("list child contains 'pennick' (name substring: scans), limit 50", () => store.listDecisions({ child: "pennick", limit: 50 }));
  const someone = (await store.getDecision((await store.listDecisions({ limit: 1 }))[0].ref)).answers;
  const identity = { name: someone.child_name, dob: someone.child_dob, ref: someone.child_ref, postcode: someone.household_postcode };
  await timed(`history for one child: candidates + classify`, async () =>
    (await store.findCandidates(identity)).filter((c) => classifyMatch(identity, c.identity).kind !== "none"),
  );

  // 4. Verify (as `triage log verify` runs it: chain, triggers, rule sets, every index row rebuilt
  // from its decision entry, worker threads), then on one thread; beside raw SHA-256.
  // Wall clock, and this process's CPU time over all its threads (what verify costs on a shared machine).
  const timeAsync = async (fn) => {
    const c = process.cpuUsage();
    const t = performance.now();
    const value = await fn();
    const cpu = process.cpuUsage(c);
    return { ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, value };
  };
  figures.push(
    figure("log_list_ms", Math.max(...listMedians), {
      unit: "ms",
      target: 50,
      compare: "<=",
      log_decisions: N,
      note: "slowest of the filtered lists (median of 20 each)",
    }),
  );
  const chain = await timeAsync(() => verifyLog(store));
  if (!chain.value.ok) throw new Error(`verify failed: ${JSON.stringify(chain.value)}`);
  const bytes = chain.value.bytes;
  const rate = (ms) => `${(ms / 1000).toFixed(2)} s = ${(mb(bytes) / (ms / 1000)).toFixed(0)} MB/s`;
  row(`verify (${chain.value.count.toLocaleString("en-GB")} entries, ${mb(bytes).toFixed(0)} MB hashed; worker threads)`, rate(chain.ms), "≥ 300 MB/s");
  const single = await timeAsync(() => verifyLog(store, { threads: 1 }));
  figures.push(
    figure("verify_mb_s", mb(bytes) / (chain.ms / 1000), {
      entries: chain.value.count,
      hashed_mb: mb(bytes),
      cpu_mb_s: mb(bytes) / (chain.cpuMs / 1000),
      one_thread_mb_s: mb(bytes) / (single.ms / 1000),
      one_thread_cpu_mb_s: mb(bytes) / (single.cpuMs / 1000),
    }),
  );
  row("verify on one thread", `${rate(single.ms)}; ${(mb(bytes) / (single.cpuMs / 1000)).toFixed(0)} MB per CPU second`);
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const rawCpu = process.cpuUsage();
  const raw = await time(() => {
    const h = createHash("sha256");
    for (let left = bytes; left > 0; left -= chunk.length) h.update(left >= chunk.length ? chunk : chunk.subarray(0, left));
    return h.digest("hex");
  });
  row("  raw sha256, one stream over the same bytes", `${(mb(bytes) / (raw.ms / 1000)).toFixed(0)} MB/s`);
  const rawCpuMs = (process.cpuUsage(rawCpu).user + process.cpuUsage(rawCpu).system) / 1000;
  figures.push(figure("raw_sha256_mb_s", mb(bytes) / (raw.ms / 1000), { unit: "MB/s", target: null, cpu_mb_s: mb(bytes) / (rawCpuMs / 1000) }));
  const entrySize = Math.round(bytes / chain.value.count);
  const entry = Buffer.alloc(entrySize, 0x61);
  const perEntry = await time(() => {
    for (let i = 0; i < chain.value.count; i++) createHash("sha256").update(entry).digest("hex");
  });
  row(`  raw sha256, one hash per ${entrySize}-byte entry`, `${(mb(bytes) / (perEntry.ms / 1000)).toFixed(0)} MB/s`);
  await store.close();

  const size = ["", "-wal"].reduce((sum, s) => sum + (statSync(`${path}${s}`, { throwIfNoEntry: false })?.size ?? 0), 0);
  row("file size", `${mb(size).toFixed(0)} MB (${(size / N).toFixed(0)} bytes per decision)`);
  row("  verify (default) over file size", `${(mb(size) / (chain.ms / 1000)).toFixed(0)} MB/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ["measure", "result", "target"][c].length));
const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
console.log(`\nlog store, N = ${N.toLocaleString("en-GB")}, node ${process.version}, ${availableParallelism()} cores\n`);
console.log(line(["measure", "result", "target"]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
emitFigures(figures);
