/**
 * Timing helpers. Absolute figures on a shared 2-core machine are noise, so every
 * benchmark measures its contenders interleaved (A B C, A B C, ...) in the same process
 * and reports medians and ratios against a baseline measured in the same run.
 */
import { cpus, totalmem } from 'node:os';
import type { MachineInfo } from './result';

export function machineInfo(): MachineInfo {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemMiB: Math.round(totalmem() / (1024 * 1024)),
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value below which `p` (0..100) percent of the values fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Contender {
  name: string;
  /** One unit of work; returns a value folded into a sink so the JIT cannot drop the work. */
  run(): number;
  /** Called before every run(), outside the timed region (e.g. fresh input for a parser that consumes it). */
  prepare?(): void;
}

export interface ThroughputSample {
  name: string;
  /** Units per second of each round, in round order. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
}

/**
 * Runs every contender for `roundMs` per round, interleaved over `rounds` rounds, after
 * one warm-up round each. `unitsPerCall` converts calls into the unit reported (bytes,
 * values...). Returns units per second.
 */
export function measureInterleaved(
  contenders: readonly Contender[],
  options: { rounds: number; roundMs: number; unitsPerCall: number | ((name: string) => number) },
): ThroughputSample[] {
  let sink = 0;
  const perRound = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const units = (name: string) => (typeof options.unitsPerCall === 'number' ? options.unitsPerCall : options.unitsPerCall(name));
  for (let round = -1; round < options.rounds; round++) {
    for (const contender of contenders) {
      const start = process.hrtime.bigint();
      const deadline = start + BigInt(Math.round(options.roundMs * 1e6));
      let calls = 0;
      let now: bigint;
      /** Time spent in prepare(), left out of the round. */
      let excluded = 0n;
      do {
        if (contender.prepare !== undefined) {
          const before = process.hrtime.bigint();
          contender.prepare();
          excluded += process.hrtime.bigint() - before;
        }
        sink += contender.run();
        calls++;
        now = process.hrtime.bigint();
      } while (now - excluded < deadline);
      const seconds = Number(now - start - excluded) / 1e9;
      if (round >= 0) perRound.get(contender.name)!.push((calls * units(contender.name)) / seconds);
    }
  }
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
  return contenders.map((c) => {
    const values = perRound.get(c.name)!;
    return { name: c.name, perRound: values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
  });
}

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

export const MB = 1_000_000;
