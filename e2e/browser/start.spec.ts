/**
 * `pnpm start` as a user runs it: a child process started from the repository root, the URL
 * it prints opened in Chromium, the bundled clip playing through the bridge, then Ctrl+C
 * (SIGINT) stopping everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { freePort } from '../servers';
import { videoFigures, waitForPlayback, waitForState } from './support/page-probes';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface StartedDemo {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Exit code, or the signal that ended pnpm itself. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Runs `pnpm start -- <flags>` in its own process group and waits for the printed URL. */
async function runPnpmStart(flags: string[]): Promise<StartedDemo> {
  const child = spawn('pnpm', ['start', '--', ...flags], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 45 s:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /rtmp-web demo is running: open (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited with ${code} before printing a URL:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** SIGINT to the whole process group (what Ctrl+C in a terminal does); SIGKILL if it lingers. */
async function stopGroup(demo: StartedDemo, graceMs: number): Promise<number | NodeJS.Signals | null | 'killed'> {
  const pid = demo.child.pid!;
  try {
    process.kill(-pid, 'SIGINT');
  } catch {
    return demo.exited;
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  const result = await Promise.race([demo.exited, timeout]);
  if (result !== 'timeout') return result;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await demo.exited;
  return 'killed';
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('pnpm start prints a URL that plays the built-in demo stream in Chromium, and Ctrl+C stops it', async ({ page }) => {
  test.setTimeout(120_000);
  const [rtmpPort, bridgePort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const demo = await runPnpmStart(['--rtmp-port', String(rtmpPort), '--bridge-port', String(bridgePort), '--http-port', String(httpPort)]);
  let stopped = false;
  try {
    const printed = new URL(demo.url);
    expect(printed.origin).toBe(`http://127.0.0.1:${httpPort}`);
    expect(printed.searchParams.get('src')).toBe(`rtmp://127.0.0.1:${rtmpPort}/live/demo`);
    expect(printed.searchParams.get('bridge')).toBe(`ws://127.0.0.1:${bridgePort}/`);

    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(demo.url);
    // The dev server compiles the page's modules on first request: allow for that before playing.
    await waitForState(page, 'playing', 40_000);
    const { start, end } = await waitForPlayback(page, 3, 40_000);
    expect(end.currentTime - start.currentTime).toBeGreaterThanOrEqual(3);
    // 25 fps for 3 s is 75 frames; the decoded-frame counter trails currentTime at the start of
    // playback and on a loaded machine (2 shared cores), so ask for 40% of them.
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 30);
    expect([end.videoWidth, end.videoHeight]).toEqual([640, 360]);
    expect(end.audioBytes).toBeGreaterThan(0);
    expect(end.state).toBe('playing');
    expect(pageErrors).toEqual([]);

    // Still live a moment later: the picture keeps moving and no frame is dropped en masse.
    const later = await waitForPlayback(page, 1, 15_000);
    expect(later.end.decodedFrames).toBeGreaterThan(end.decodedFrames);
    // Dropped frames are the player's business (it may skip to the live edge after the GOP
    // burst); they are reported, not asserted.
    const figures = await videoFigures(page);
    test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
    console.log(`pnpm start demo: ${JSON.stringify(figures)}`);

    const code = await stopGroup(demo, 15_000);
    stopped = true;
    // pnpm itself takes the default action on SIGINT (it dies of it, as in a terminal); the demo
    // process under it must shut down by itself, close its ports and leave no process behind.
    expect(['SIGINT', 0], demo.output()).toContain(code);
    await expect.poll(() => demo.output(), { timeout: 5_000 }).toContain('rtmp-web demo: stopping');
    await expect.poll(() => groupAlive(demo.child.pid!), { timeout: 10_000 }).toBe(false);
    for (const port of [rtmpPort, bridgePort, httpPort]) expect(await portAcceptsConnections(port), `port ${port} still open`).toBe(false);
  } finally {
    if (!stopped) await stopGroup(demo, 5_000);
  }
});
