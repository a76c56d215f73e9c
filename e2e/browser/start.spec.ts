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
  exited: Promise<number | null>;
}

/** Runs `pnpm start -- <flags>` in its own process group and waits for the printed URL. */
async function runPnpmStart(flags: string[]): Promise<StartedDemo> {
  const child = spawn('pnpm', ['start', '--', ...flags], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
async function stopGroup(demo: StartedDemo, graceMs: number): Promise<number | null | 'killed'> {
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
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 50); // 25 fps for 3 s, with slack
    expect([end.videoWidth, end.videoHeight]).toEqual([640, 360]);
    expect(end.audioBytes).toBeGreaterThan(0);
    expect(end.state).toBe('playing');
    expect(pageErrors).toEqual([]);

    // Still live a moment later: the picture keeps moving and no frame is dropped en masse.
    const later = await waitForPlayback(page, 1, 15_000);
    expect(later.end.decodedFrames).toBeGreaterThan(end.decodedFrames);
    expect((await videoFigures(page)).droppedFrames).toBeLessThan(10);

    const code = await stopGroup(demo, 15_000);
    stopped = true;
    expect(code, demo.output()).toBe(0);
    expect(demo.output()).toContain('rtmp-web demo: stopping');
    for (const port of [rtmpPort, bridgePort, httpPort]) expect(await portAcceptsConnections(port), `port ${port} still open`).toBe(false);
  } finally {
    if (!stopped) await stopGroup(demo, 5_000);
  }
});
