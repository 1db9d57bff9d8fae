/**
 * Chunks: samples generated in fixed-size chunks, each from a seed derived from (seed, chunk
 * index), so that a run gives the same result in one thread or in several.
 */
import * as fc from "fast-check";
import { visibleAnswers, type Choices } from "../generate.js";
import { check } from "./check.js";
import { SampleRun, scenarioFor, type Tally } from "./sample.js";
import type { LintSetup } from "./setup.js";

/** Samples per chunk; fixed so that results never depend on how many threads run the chunks. */
export const CHUNK_SIZE = 1_000;
/**
 * `deterministic` evaluates the full record (deadlines included, the costly part) twice on samples
 * spread evenly over the run: every 10th, and at most about this many in all.
 */
export const DETERMINISM_SAMPLES = 1_000;

/** Which samples `deterministic` checks: every Nth of a run of `samples`. */
export function determinismEvery(samples: number): number {
  return Math.max(10, Math.ceil(samples / DETERMINISM_SAMPLES));
}

export interface Chunk {
  index: number;
  /** Global index of the chunk's first sample. */
  start: number;
  count: number;
}

export function chunksOf(samples: number, size: number = CHUNK_SIZE): Chunk[] {
  const out: Chunk[] = [];
  for (let start = 0, index = 0; start < samples; start += size, index++) out.push({ index, start, count: Math.min(size, samples - start) });
  return out;
}

/** The fast-check seed of one chunk (32-bit FNV-1a of seed and chunk index). */
export function chunkSeed(seed: number, chunk: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${chunk}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

/** The first failing sample of an invariant: its choices and the comparison it was judged by. */
export interface FirstFailure {
  sample: number;
  choices: Choices;
  /** The comparison made: index into the setup's turns. */
  turn: number | null;
  /** The turn whose question the sample was steered towards. */
  focus: number | null;
}

/** Plain data, so a worker thread can send it back. */
export interface ChunkResult {
  chunk: number;
  samples: number;
  evaluations: number;
  fired: Record<string, number>;
  /** Computed outcomes seen, by level. */
  levels: Record<number, number>;
  invariants: Record<string, { checked: number; failed: number; first?: FirstFailure }>;
}

/** Runs one chunk of a run of `samples` samples (the total decides which samples `deterministic` checks). */
export function runChunk(setup: LintSetup, seed: number, chunk: Chunk, samples: number): ChunkResult {
  const every = determinismEvery(samples);
  const tally: Tally = { evaluations: 0, fired: new Map(), levels: [] };
  const stats: ChunkResult["invariants"] = {};
  for (const inv of setup.invariants) stats[inv.key] = { checked: 0, failed: 0 };
  const turns = setup.turns;
  const generated = fc.sample(setup.arbitrary, { seed: chunkSeed(seed, chunk.index), numRuns: chunk.count, unbiased: true });
  generated.forEach((choices, i) => {
    const sample = chunk.start + i;
    // Comparing samples take turns, each steered towards the rules that read the turn's question;
    // when that question is not asked in the sample, the next turn that applies compares instead.
    const focus = turns.length > 0 ? sample % turns.length : undefined;
    const scenario = scenarioFor(setup, choices, focus !== undefined ? turns[focus]!.subject : undefined);
    const visible = visibleAnswers(setup.plan, scenario);
    let turn: number | undefined;
    for (let k = 0; focus !== undefined && k < turns.length && turn === undefined; k++) {
      if (turns[(focus + k) % turns.length]!.subject.id in visible) turn = (focus + k) % turns.length;
    }
    const run = new SampleRun(setup, scenario, choices, turn !== undefined ? turns[turn] : undefined, tally, visible);
    for (const inv of setup.invariants) {
      if (inv.kind === "deterministic" && sample % every !== 0) continue;
      const compares = run.turn?.inv === inv;
      if ((inv.kind === "never_lower" || inv.kind === "compare") && !compares) continue;
      const finding = check(run, inv);
      const s = stats[inv.key]!;
      // A comparing invariant counts the comparisons it made (its step check runs on every sample).
      if (inv.kind !== "unknown_not_lower" || compares) s.checked++;
      if (finding) {
        s.failed++;
        s.first ??= { sample, choices, turn: turn ?? null, focus: focus ?? null };
      }
    }
  });
  return {
    chunk: chunk.index,
    samples: chunk.count,
    evaluations: tally.evaluations,
    fired: Object.fromEntries(tally.fired),
    levels: Object.fromEntries(tally.levels.map((n, level) => [level, n] as const).filter(([, n]) => n !== undefined)),
    invariants: stats,
  };
}
