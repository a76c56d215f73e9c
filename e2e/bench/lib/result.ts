/**
 * The shape every benchmark writes to `e2e/bench/results/<name>.json`, and what
 * `docs/benchmarks.md` is rendered from. Figures are kept as numbers; tables carry the
 * already formatted cells so the document and the JSON agree.
 */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemMiB: number;
  /** 1-minute load average when the benchmark started and ended: other work on a shared machine. */
  loadAverage?: { start: number; end: number };
}

export interface ResultTable {
  title: string;
  columns: string[];
  rows: string[][];
}

/** One line of the target table, with what this run measured. */
export interface TargetCheck {
  measure: string;
  target: string;
  actual: string;
  /** null when this run could not measure it. */
  met: boolean | null;
}

export interface BenchResult {
  name: string;
  title: string;
  /** The command that produced this result. */
  command: string;
  quick: boolean;
  /** ISO date of the run. */
  date: string;
  durationSec: number;
  machine: MachineInfo;
  tables: ResultTable[];
  targets: TargetCheck[];
  /** Method, caveats and the plain-words reading of the numbers. */
  notes: string[];
  /** Raw figures for machines to read. */
  data: Record<string, unknown>;
}

/** What a benchmark module returns; the runner adds name, command, date and machine. */
export type BenchOutcome = Pick<BenchResult, 'title' | 'tables' | 'targets' | 'notes' | 'data'>;

export interface BenchContext {
  quick: boolean;
  /** Seconds for the long-running benchmarks (memory); set by --duration. */
  durationSec: number | undefined;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  /** One line for `pnpm bench --list`. */
  description: string;
  run(context: BenchContext): Promise<BenchOutcome>;
}
