// Types for bench/figures.mjs (the bench is plain ESM; tests import its JSON shaping).
export type Compare = "<=" | ">=";
export interface Figure {
  id: string;
  value: number | null;
  unit: string;
  target: number | null;
  compare: Compare | null;
  ok: boolean | null;
  reason?: string;
  [extra: string]: unknown;
}
export const REQUIRED: readonly { id: string; unit: string; target: number; compare: Compare }[];
export function meets(value: unknown, target: unknown, compare: unknown): boolean;
export function figure(id: string, value: unknown, extra?: Record<string, unknown>): Figure;
export function missing(id: string, reason: string, extra?: Record<string, unknown>): Figure;
export function shapeFigures(figures: readonly Partial<Figure>[], reasonForMissing?: string): Figure[];
export function emitFigures(figures: readonly Figure[]): void;
