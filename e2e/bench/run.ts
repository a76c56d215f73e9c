/**
 * `pnpm bench [--only <name>[,<name>...]] [--quick] [--duration <seconds>] [--list]`
 *
 * Runs the side-by-side benchmarks of issue 6, writes e2e/bench/results/<name>.json and
 * regenerates docs/benchmarks.md from every result present. A benchmark never fails for
 * being slow; the command exits non-zero only when a benchmark could not run at all.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/measure';
import { renderBenchmarksDoc } from './lib/markdown';
import type { BenchResult, Benchmark } from './lib/result';
import { BENCHMARKS } from './registry';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = join(HERE, 'results');
const DOC_PATH = join(HERE, '..', '..', 'docs', 'benchmarks.md');

const INTRO = `
Side-by-side benchmarks (issue 6): every figure comes with the alternative measured in the same run on the same machine,
and the ratio between them is what to read (absolute figures on a shared machine are noise).
Benchmarks report; they never fail for being slow. Only the bundle-size budgets are enforced (\`pnpm size\`, part of \`pnpm test\`).

Run all: \`pnpm bench\`; one or some: \`pnpm bench --only chunk-parsing,amf\`; shorter runs: \`--quick\`;
the memory run's length: \`--duration <seconds>\` (default 600). \`pnpm bench --list\` names them.
`;

interface Options {
  only: string[] | null;
  quick: boolean;
  durationSec: number | undefined;
  list: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { only: null, quick: false, durationSec: undefined, list: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--list') options.list = true;
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').filter(Boolean);
    else if (arg === '--duration') options.durationSec = Number(argv[++i]);
    else if (arg.startsWith('--duration=')) options.durationSec = Number(arg.slice(11));
    else throw new Error(`unknown argument ${arg} (expected --only <names>, --quick, --duration <s>, --list)`);
  }
  if (options.durationSec !== undefined && !(options.durationSec > 0)) throw new Error('--duration needs a positive number of seconds');
  return options;
}

function readResults(): BenchResult[] {
  const results: BenchResult[] = [];
  for (const file of readdirSync(RESULTS_DIR)) {
    if (!file.endsWith('.json') || file.endsWith('.tmp.json')) continue;
    results.push(JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as BenchResult);
  }
  return results;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.list) {
    for (const b of BENCHMARKS) console.log(`${b.name.padEnd(16)} ${b.description}`);
    return;
  }
  const unknown = (options.only ?? []).filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const selected: Benchmark[] = options.only === null ? BENCHMARKS : BENCHMARKS.filter((b) => options.only!.includes(b.name));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const command = ['pnpm bench', ...process.argv.slice(2).filter((a) => a !== '--')].join(' ');
  const failures: string[] = [];
  for (const bench of selected) {
    const started = Date.now();
    const loadAtStart = loadavg()[0]!;
    const log = (message: string) => console.log(`[${bench.name}] ${message}`);
    log('start');
    try {
      const outcome = await bench.run({ quick: options.quick, durationSec: options.durationSec, log });
      const result: BenchResult = {
        name: bench.name,
        command,
        quick: options.quick,
        date: new Date(started).toISOString(),
        durationSec: Math.round((Date.now() - started) / 100) / 10,
        machine: { ...machineInfo(), loadAverage: { start: loadAtStart, end: loadavg()[0]! } },
        ...outcome,
      };
      writeFileSync(join(RESULTS_DIR, `${bench.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      for (const t of result.targets) log(`${t.measure}: ${t.actual} (target ${t.target}: ${t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED'})`);
      log(`done in ${result.durationSec} s`);
      // Regenerated after every benchmark, so an interrupted run still leaves its figures.
      writeFileSync(DOC_PATH, renderBenchmarksDoc(readResults(), BENCHMARKS.map((b) => b.name), INTRO));
    } catch (error) {
      failures.push(bench.name);
      console.error(`[${bench.name}] could not run:`, error);
    }
  }
  writeFileSync(DOC_PATH, renderBenchmarksDoc(readResults(), BENCHMARKS.map((b) => b.name), INTRO));
  console.log(`wrote ${DOC_PATH}`);
  if (failures.length > 0) {
    console.error(`benchmarks that could not run: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
