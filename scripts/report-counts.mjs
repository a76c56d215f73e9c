/**
 * Test counts from the JSON reports of Vitest and Playwright, by this project's rules:
 * anything that did not pass (failed, skipped, todo, flaky) is a failure, and a failed
 * run whose report does not show why counts as one failure.
 * Each function returns { passed, failed, note? }.
 */

/** Vitest's json reporter: one entry per test file, one assertionResult per test. */
export function countVitest(report, exitCode) {
  if (!report || !Array.isArray(report.testResults)) return { passed: 0, failed: 1, note: 'no vitest report' };
  let passed = 0;
  let failed = 0;
  for (const file of report.testResults) {
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    let failedHere = 0;
    for (const test of tests) {
      if (test.status === 'passed') passed += 1;
      else failedHere += 1; // failed, skipped, pending, todo
    }
    // A file that failed to load (syntax error, failing beforeAll) reports no failed test.
    if (file.status === 'failed' && failedHere === 0) failedHere = 1;
    failed += failedHere;
  }
  if (exitCode !== 0 && failed === 0) return { passed, failed: 1, note: `vitest exited with ${exitCode}` };
  return { passed, failed };
}

/** Playwright's json reporter: stats.expected = passed, unexpected = failed. */
export function countPlaywright(report, exitCode) {
  if (!report || typeof report.stats !== 'object') return { passed: 0, failed: 1, note: 'no playwright report' };
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats;
  // Global errors (config or spec file that cannot load) are not tests but are failures.
  const globalErrors = Array.isArray(report.errors) ? report.errors.length : 0;
  let failed = unexpected + flaky + skipped + globalErrors;
  if (exitCode !== 0 && failed === 0) failed = 1;
  return { passed: expected, failed };
}
