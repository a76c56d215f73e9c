#!/usr/bin/env node
/**
 * `pnpm test`: every check the project has, in order — lint, typecheck, Vitest (unit and
 * integration projects), Playwright (browser), bundle-size budgets — with their output streamed
 * as it comes. Then one final line, `N passed, N failed`, counted from the JSON reports:
 *   - lint, typecheck and the bundle-size check count as one test each;
 *   - skipped or todo tests count as failed (this project does not skip);
 *   - a step that fails without a report, or whose report does not explain its failure
 *     (a file that cannot load, an unhandled error), counts as one more failure.
 * The exit code is 0 only when nothing failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countPlaywright, countVitest } from './report-counts.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.reports');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(label, command, args) {
  process.stdout.write(`\n=== ${label}: ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.once('error', (error) => {
      process.stderr.write(`${label}: could not start: ${error.message}\n`);
      resolve(-1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0)));
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

mkdirSync(reports, { recursive: true });
const vitestReport = join(reports, 'vitest.json');
const playwrightReport = join(reports, 'e2e.json');
// Stale reports must never be counted for a step that crashed this time.
rmSync(vitestReport, { force: true });
rmSync(playwrightReport, { force: true });

const results = [];

const lint = await run('lint', bin('eslint'), ['.']);
results.push({ step: 'lint', passed: lint === 0 ? 1 : 0, failed: lint === 0 ? 0 : 1 });

const typecheck = await run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
results.push({ step: 'typecheck', passed: typecheck === 0 ? 1 : 0, failed: typecheck === 0 ? 0 : 1 });

const vitest = await run('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${vitestReport}`,
]);
results.push({ step: 'vitest', ...countVitest(existsSync(vitestReport) ? readJson(vitestReport) : undefined, vitest) });

const playwright = await run('playwright', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts']);
results.push({
  step: 'playwright',
  ...countPlaywright(existsSync(playwrightReport) ? readJson(playwrightReport) : undefined, playwright),
});

// Issue 6: a bundle budget overrun fails the build (the benchmark itself never does). Both
// budgets are enforced: the protocol core (the AMF0 client: AMF3 and shared objects are opt-in
// codecs) at 20 KB gzip, the whole player with mpegts.js at 80 KB. The core sits just under its
// budget: what is added to it must be paid for in the same change.
const size = await run('size', bin('tsx'), ['e2e/bench/bundle-size.ts', '--enforce', 'core,player']);
results.push({ step: 'size', passed: size === 0 ? 1 : 0, failed: size === 0 ? 0 : 1 });

process.stdout.write('\n');
for (const { step, passed, failed, note } of results) {
  process.stdout.write(`  ${step.padEnd(10)} ${passed} passed, ${failed} failed${note ? ` (${note})` : ''}\n`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;
