/**
 * The player in Chromium against real RTMP servers: nginx-rtmp, node-media-server v4 and
 * `ffmpeg -listen 1`, each fed by an ffmpeg publisher (testsrc2 + sine), reached through the
 * bridge, played by the demo app with `?src=&bridge=` (muted autoplay, no clicks).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { encoderArgs } from '../servers/ffmpeg';
import { useDemoApp } from './support/demo-app';
import { SERVER_KINDS, withStack, type Stack } from './support/stack';
import { collectPageErrors, testPatternScores, videoFigures, waitForPlayback, waitForState } from './support/page-probes';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demo = useDemoApp();

/**
 * The picture is testsrc2: at least five of its six colour bars where they should be. testsrc2
 * moves a box and a gradient across the bars, so one frame can hide two of them: up to five
 * frames, 200 ms apart, get the chance; the best one is reported on failure.
 */
async function expectTestPattern(page: Page): Promise<void> {
  let best: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const scores = await testPatternScores(page);
    if (scores.filter((s) => s >= 0.6).length > best.filter((s) => s >= 0.6).length) best = scores;
    if (best.filter((s) => s >= 0.6).length >= 5) break;
    await page.waitForTimeout(200);
  }
  expect(best.filter((s) => s >= 0.6).length, `best bar scores ${best.join(', ')}`).toBeGreaterThanOrEqual(5);
}

async function openPlayer(page: Page, stack: Stack, extra: Record<string, string | number> = {}): Promise<void> {
  await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url, ...extra }));
}

/** Adds the measured figures to the report (annotations) and to the test output. */
async function reportFigures(page: Page, kind: string, testInfo: TestInfo): Promise<void> {
  const figures = await page.evaluate(() => ({
    ttff: window.__rtmpDemo?.firstFrame ?? null,
    latencies: window.__rtmpDemo?.latencies ?? [],
    stats: window.__rtmpPlayer ? { ...window.__rtmpPlayer.stats, tracks: null } : null,
  }));
  const latencies = [...figures.latencies].slice(2).sort((a, b) => a - b);
  const pick = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]! * 1000) : null);
  const line =
    `${kind}: time to first frame ${Math.round(figures.ttff?.firstFrame ?? NaN)} ms ` +
    `(ws ${Math.round(figures.ttff?.wsOpen ?? NaN)}, handshake ${Math.round(figures.ttff?.handshake ?? NaN)}, connect ${Math.round(figures.ttff?.connect ?? NaN)}, ` +
    `play ${Math.round(figures.ttff?.play ?? NaN)}, first media ${Math.round(figures.ttff?.firstMedia ?? NaN)}); ` +
    `reported latency p50 ${pick(0.5)} ms, p90 ${pick(0.9)} ms, max ${pick(1)} ms over ${latencies.length} samples`;
  testInfo.annotations.push({ type: 'figures', description: line });
  console.log(line);
}

for (const kind of SERVER_KINDS) {
  test.describe(`player against ${kind}`, () => {
    test('plays the test pattern with audio: time advances 5 s, frames decode, no page errors', async ({ page }, testInfo) => {
      test.setTimeout(90_000);
      const pageErrors = collectPageErrors(page);
      await withStack(kind, {}, testInfo, async (stack) => {
        await openPlayer(page, stack);
        await waitForState(page, 'playing');
        const { start, end } = await waitForPlayback(page, 5);
        expect(end.currentTime - start.currentTime).toBeGreaterThanOrEqual(5);
        const detail = JSON.stringify({ start, end, timeline: await page.evaluate(() => window.__rtmpDemo!.timeline.slice(-30)) });
        expect(end.decodedFrames, detail).toBeGreaterThan(start.decodedFrames + 75); // 25 fps for 5 s, with slack
        expect(end.paused).toBe(false);
        expect({ width: end.videoWidth, height: end.videoHeight }).toEqual({ width: 640, height: 360 });
        // audio is decoded, and keeps being decoded
        expect(end.audioBytes).toBeGreaterThan(start.audioBytes);
        const tracks = await page.evaluate(() => window.__rtmpPlayer!.stats.tracks);
        expect(tracks?.video?.codec).toMatch(/^avc1\.64/);
        expect(tracks?.audio?.codec).toBe('mp4a.40.2');
        // the picture is testsrc2: each of the six colour bars is where it should be
        await expectTestPattern(page);
        // the time to first frame has every stage, in order
        const ttff = await page.evaluate(() => window.__rtmpDemo!.firstFrame);
        expect(ttff).not.toBeNull();
        const stages = [ttff!.wsOpen, ttff!.handshake, ttff!.connect, ttff!.play, ttff!.firstMedia, ttff!.firstFrame];
        expect(stages.every((v) => typeof v === 'number' && v >= 0)).toBe(true);
        // in order; media may arrive in the same read as Play.Start, so firstMedia is only after connect
        expect(ttff!.wsOpen!).toBeLessThanOrEqual(ttff!.handshake!);
        expect(ttff!.handshake!).toBeLessThanOrEqual(ttff!.connect!);
        expect(ttff!.connect!).toBeLessThanOrEqual(ttff!.play!);
        expect(ttff!.connect!).toBeLessThanOrEqual(ttff!.firstMedia!);
        expect(ttff!.firstMedia!).toBeLessThanOrEqual(ttff!.firstFrame!);
        // the page shows the state in words
        await expect(page.locator('#state')).toHaveText('playing');
        // the player measured its latency end to end and holds it low on loopback
        const latency = await page.evaluate(() => window.__rtmpPlayer!.latency);
        expect(latency.latency).not.toBeNull();
        expect(latency.latency!).toBeGreaterThan(0);
        expect(latency.latency!).toBeLessThan(1.5);
        await reportFigures(page, kind, testInfo);
      });
      expect(pageErrors).toEqual([]);
    });

    test('an audio-only stream starts without any configuration', async ({ page }, testInfo) => {
      test.setTimeout(60_000);
      const pageErrors = collectPageErrors(page);
      await withStack(kind, { video: false }, testInfo, async (stack) => {
        await openPlayer(page, stack);
        await waitForState(page, 'playing');
        const { start, end } = await waitForPlayback(page, 3);
        expect(end.audioBytes).toBeGreaterThan(start.audioBytes);
        const tracks = await page.evaluate(() => window.__rtmpPlayer!.stats.tracks);
        expect(tracks?.video).toBeNull();
        expect(tracks?.audio?.codec).toBe('mp4a.40.2');
      });
      expect(pageErrors).toEqual([]);
    });

    test('a video-only stream starts without any configuration', async ({ page }, testInfo) => {
      test.setTimeout(60_000);
      const pageErrors = collectPageErrors(page);
      await withStack(kind, { audio: false }, testInfo, async (stack) => {
        await openPlayer(page, stack);
        await waitForState(page, 'playing');
        const { start, end } = await waitForPlayback(page, 3);
        expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 40);
        const tracks = await page.evaluate(() => window.__rtmpPlayer!.stats.tracks);
        expect(tracks?.audio).toBeNull();
        expect(tracks?.video?.codec).toMatch(/^avc1\./);
      });
      expect(pageErrors).toEqual([]);
    });

    if (kind !== 'ffmpeg') {
      // `ffmpeg -listen 1` serves the one stream it encodes: there is no "other" stream to ask for.
      test('a missing stream shows a clear error in plain words', async ({ page }, testInfo) => {
        test.setTimeout(60_000);
        await withStack(kind, { noPublisher: true }, testInfo, async (stack) => {
          await openPlayer(page, stack, { noMediaMs: 3000 });
          const box = page.locator('#error:visible, #notice:visible');
          await expect(box).toBeVisible({ timeout: 20_000 });
          const text = (await box.innerText()).toLowerCase();
          expect(text).toMatch(/does not exist|no video or audio|nobody is publishing|not found/);
          const codes = await page.evaluate(() => window.__rtmpDemo!.errors.map((e) => e.code));
          expect(codes.some((code) => code === 'STREAM_NOT_FOUND' || code === 'PLAYER_NO_MEDIA')).toBe(true);
          await testInfo.attach('missing-stream', { body: `${kind}: ${codes.join(', ')}\n${text}`, contentType: 'text/plain' });
        });
      });
    }

    test('reconnects and plays again after the server is killed and restarted', async ({ page }, testInfo) => {
      test.setTimeout(120_000);
      const pageErrors = collectPageErrors(page);
      await withStack(kind, {}, testInfo, async (stack) => {
        await openPlayer(page, stack);
        await waitForState(page, 'playing');
        await waitForPlayback(page, 1);
        await stack.server.restart!();
        // In the history, not the current state: a restarted `ffmpeg -listen 1` serves at once,
        // so the player may be connecting again already.
        await page.waitForFunction(() => window.__rtmpDemo!.states.includes('reconnecting'), undefined, { timeout: 15_000, polling: 100 });
        await stack.publish();
        await waitForState(page, 'playing', 30_000);
        const { start, end } = await waitForPlayback(page, 3);
        expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames);
        const hook = await page.evaluate(() => ({ states: window.__rtmpDemo!.states, reconnects: window.__rtmpPlayer!.stats.reconnects }));
        expect(hook.reconnects).toBeGreaterThanOrEqual(1);
        expect(hook.states).toContain('reconnecting');
        expect(hook.states.lastIndexOf('playing')).toBeGreaterThan(hook.states.indexOf('reconnecting'));
      });
      expect(pageErrors).toEqual([]);
    });
  });
}

test('through the alternative sink (mpegts.js\'s whole player, ?sink=mpegts-player) the test pattern plays with audio', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const pageErrors = collectPageErrors(page);
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  await withStack('nginx', {}, testInfo, async (stack) => {
    await openPlayer(page, stack, { sink: 'mpegts-player' });
    await waitForState(page, 'playing');
    const { start, end } = await waitForPlayback(page, 4);
    expect(end.currentTime - start.currentTime).toBeGreaterThanOrEqual(4);
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 60);
    expect(end.audioBytes).toBeGreaterThan(start.audioBytes);
    const tracks = await page.evaluate(() => window.__rtmpPlayer!.stats.tracks);
    expect(tracks?.video?.codec).toMatch(/^avc1\.64/);
    expect(tracks?.audio?.codec).toBe('mp4a.40.2');
    await expectTestPattern(page);
    // it really went through the whole mpegts.js bundle (its chunk in the built app, or Vite's
    // pre-bundled copy of the package's main under the dev server)
    expect(scripts.filter((path) => /\/(mpegts-[\w-]+|[\w@]*mpegts__js)\.js$/.test(path)), scripts.join('\n')).toHaveLength(1);
    await reportFigures(page, 'nginx via mpegts.js player sink', testInfo);
  });
  expect(pageErrors).toEqual([]);
});

test('a bridge that refuses the target is explained (browsers hide the HTTP status)', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  await withStack('nginx', { noPublisher: true }, testInfo, async (stack) => {
    // the bridge allows only stack.server.port; ask for another port
    await page.goto(demo.app.url({ src: `rtmp://127.0.0.1:${stack.server.port + 1}/live/x`, bridge: stack.bridge.url }));
    await expect(page.locator('#error')).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('#error')).toContainText('Cannot reach the stream through the bridge');
    await expect(page.locator('#state')).toHaveText('error');
    const codes = await page.evaluate(() => window.__rtmpDemo!.errors.map((e) => e.code));
    expect(codes).toContain('TRANSPORT_WS_OPEN_FAILED');
  });
});

test('joining mid-GOP it starts at the live edge without a stall: the start jump is made paused, before playback', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  // The element's own media events, in order, with paused and currentTime at each.
  await page.addInitScript({
    content: `
      window.__mediaEvents = [];
      document.addEventListener('DOMContentLoaded', () => {
        const video = document.querySelector('video');
        for (const name of ['play', 'playing', 'seeking', 'seeked', 'waiting']) {
          video.addEventListener(name, () => window.__mediaEvents.push({ name, paused: video.paused, time: video.currentTime }));
        }
      });
    `,
  });
  // node-media-server sends its GOP cache on play; a 4 s GOP makes the join land mid-GOP, so the
  // buffer starts seconds behind the live edge and the player must jump before it plays.
  await withStack('nms', { gopFrames: 100 }, testInfo, async (stack) => {
    await openPlayer(page, stack);
    await waitForState(page, 'playing');
    await waitForPlayback(page, 2);
    const events = await page.evaluate(() => (window as unknown as { __mediaEvents: { name: string; paused: boolean; time: number }[] }).__mediaEvents);
    const firstPlay = events.findIndex((e) => e.name === 'play');
    expect(firstPlay, JSON.stringify(events)).toBeGreaterThan(0);
    const beforePlay = events.slice(0, firstPlay);
    // The start jump happened, paused, and was over before play().
    const seek = beforePlay.find((e) => e.name === 'seeking');
    expect(seek, JSON.stringify(events)).toBeDefined();
    expect(seek!.paused).toBe(true);
    expect(seek!.time, JSON.stringify(events)).toBeGreaterThan(0.3);
    expect(beforePlay.map((e) => e.name)).toContain('seeked');
    // No 'waiting' up to the first 'playing': nothing the viewer sees as a stall at start.
    const firstPlaying = events.findIndex((e) => e.name === 'playing');
    expect(events.slice(0, firstPlaying).filter((e) => e.name === 'waiting'), JSON.stringify(events)).toEqual([]);
    // The element's autoplay attribute was taken over by the player (given back on detach).
    expect(await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).autoplay)).toBe(false);
  });
});

test('the figures the player reports are consistent with the element, and the page shows them', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await withStack('nginx', {}, testInfo, async (stack) => {
    await openPlayer(page, stack);
    await waitForState(page, 'playing');
    await waitForPlayback(page, 3);
    const stats = await page.evaluate(() => window.__rtmpPlayer!.stats);
    const figures = await videoFigures(page);
    expect(stats.decodedFrames).toBeGreaterThan(0);
    expect(stats.decodedFrames).toBeLessThanOrEqual(figures.decodedFrames);
    expect(stats.video.perSecond).toBeGreaterThan(15); // 25 fps publisher
    expect(stats.video.kbps).toBeGreaterThan(50);
    expect(stats.audio.perSecond).toBeGreaterThan(20); // AAC at 44.1 kHz: ~43 frames/s
    expect(stats.presentedFps ?? 0).toBeGreaterThan(15);
    expect(stats.buffer).not.toBeNull();
    expect(stats.bytesReceived).toBeGreaterThan(50_000);
    expect(stats.reconnects).toBe(0);
    // the page shows them: every stat filled, the charts drawing, the first-frame stages listed
    await expect(page.locator('[data-stat="latency"]')).toHaveText(/\d+ ms/);
    await expect(page.locator('[data-stat="tracks"]')).toHaveText(/avc1\.64\w+ \+ mp4a\.40\.2/);
    const points = await page.locator('.spark canvas').evaluateAll((canvases) => canvases.map((c) => Number((c as HTMLCanvasElement).dataset['points'])));
    expect(points).toHaveLength(4);
    expect(Math.min(...points), `chart points ${points.join(', ')}`).toBeGreaterThan(1);
    await expect(page.locator('#ttff [data-stage="firstFrame"] .value')).toHaveText(/\d+ ms/);
    // a screenshot of the demo playing: in the report, and in the docs when asked (RTMP_WEB_DOCS_SCREENSHOTS=1)
    const forDocs = Boolean(process.env['RTMP_WEB_DOCS_SCREENSHOTS']);
    await page.waitForTimeout(forDocs ? 30_000 : 2000); // charts with some history for the docs
    // the native controls' overlay would hide the picture in a still image
    await page.evaluate(() => ((document.querySelector('video') as HTMLVideoElement).controls = false));
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).readyState === 4);
    const path = forDocs ? join(repoRoot, 'docs', 'images', 'demo-player.png') : testInfo.outputPath('demo-player.png');
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach('demo-player', { path, contentType: 'image/png' });
  });
});

test('back from a busy or hidden tab, the player is at the live edge, and audio kept priority', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  const pageErrors = collectPageErrors(page);
  await withStack('nginx', {}, testInfo, async (stack) => {
    await openPlayer(page, stack);
    await waitForState(page, 'playing');
    await waitForPlayback(page, 2);
    const before = await videoFigures(page);
    // The tab goes to the background and its main thread gets no time for 3 s (what a throttled
    // background tab or a busy page does to a player): the media thread plays the little buffer
    // there is, the socket queues 3 s of messages.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
      const end = performance.now() + 3000;
      while (performance.now() < end) {
        /* busy */
      }
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // Soon after, the player is back near the live edge, not 3 s behind (it does not wait for
    // playbackRate to drain 3 s, which would take over 12 s at 1.25x). Generous bounds: the
    // machine may be shared with other work.
    await expect.poll(() => page.evaluate(() => window.__rtmpPlayer!.latency.latency ?? 99), { timeout: 4000, intervals: [100] }).toBeLessThan(1);
    const seeks = await page.evaluate(() => window.__rtmpDemo!.timeline.filter((e) => e.event === 'seek').map((e) => e.detail ?? ''));
    expect(seeks.some((s) => s.startsWith('live-edge-requested') || s.startsWith('far-behind'))).toBe(true);
    // audio priority: the backlog's video was dropped up to a keyframe, its audio was not
    const stats = await page.evaluate(() => window.__rtmpPlayer!.stats);
    expect(stats.droppedVideoMessages).toBeGreaterThan(0);
    const { start, end } = await waitForPlayback(page, 2);
    expect(end.audioBytes).toBeGreaterThan(start.audioBytes);
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 25);
    expect(end.decodedFrames).toBeGreaterThan(before.decodedFrames);
    expect(await page.evaluate(() => window.__rtmpPlayer!.state)).toBe('playing');
  });
  expect(pageErrors).toEqual([]);
});

test('a codec the browser cannot play is a clear error naming it, not a black screen', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  await withStack('nginx', { noPublisher: true }, testInfo, async (stack) => {
    // FLV's own Sorenson H.263 video (codec id 2) with AAC audio: real FLV, nothing a browser decodes
    const ffmpeg = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-re', '-f', 'lavfi', '-i', 'sine', '-c:v', 'flv1', '-g', '25', '-c:a', 'aac', '-f', 'flv', stack.src],
      { stdio: 'ignore' },
    );
    try {
      await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url }));
      await expect(page.locator('#error')).toBeVisible({ timeout: 20_000 });
      await expect(page.locator('#error')).toContainText('cannot play the stream’s codec');
      await expect(page.locator('#error')).toContainText('Sorenson H.263');
      await expect(page.locator('#state')).toHaveText('error');
      const error = await page.evaluate(() => window.__rtmpDemo!.errors.find((e) => e.code === 'MEDIA_UNSUPPORTED_CODEC'));
      expect(error).toMatchObject({ fatal: true });
    } finally {
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
        const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
        ffmpeg.kill('SIGKILL');
        await exited;
      }
    }
  });
});

test('a stall is detected and reported, and playback resumes when data flows again', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  const pageErrors = collectPageErrors(page);
  await withStack('nginx', { noPublisher: true }, testInfo, async (stack) => {
    // our own publisher, so the test can freeze it (SIGSTOP): the connection stays up, data stops
    const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...encoderArgs({}, true), '-f', 'flv', stack.src], { stdio: 'ignore' });
    try {
      await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url }));
      await waitForState(page, 'playing');
      await waitForPlayback(page, 1);
      ffmpeg.kill('SIGSTOP');
      await waitForState(page, 'buffering', 10_000);
      await expect.poll(() => page.evaluate(() => window.__rtmpDemo!.errors.map((e) => e.code)), { timeout: 10_000 }).toContain('MEDIA_STALLED');
      await expect(page.locator('#notice')).toContainText('Playback stalled');
      expect(await page.evaluate(() => window.__rtmpPlayer!.stats.stalls)).toBe(1);
      ffmpeg.kill('SIGCONT');
      await waitForState(page, 'playing', 20_000);
      const { start, end } = await waitForPlayback(page, 2);
      expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames);
      // the stall did not cost a reconnect: the same connection carried on
      expect(await page.evaluate(() => window.__rtmpPlayer!.stats.reconnects)).toBe(0);
    } finally {
      ffmpeg.kill('SIGCONT');
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
        const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
        ffmpeg.kill('SIGKILL');
        await exited;
      }
    }
  });
  expect(pageErrors).toEqual([]);
});

test('when the publisher stops the stream ends; when it publishes again the same connection plays on in a new pipeline', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const pageErrors = collectPageErrors(page);
  await withStack('nginx', {}, testInfo, async (stack) => {
    await openPlayer(page, stack);
    await waitForState(page, 'playing');
    await waitForPlayback(page, 1);
    await stack.publisher!.stop();
    await waitForState(page, 'ended', 15_000);
    await expect(page.locator('#state')).toHaveText('ended');
    await stack.publish();
    await waitForState(page, 'playing', 20_000);
    const { start, end } = await waitForPlayback(page, 2);
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames);
    const facts = await page.evaluate(() => ({
      errors: window.__rtmpDemo!.errors.map((e) => e.code),
      generation: window.__rtmpPlayer!.stats.tracks?.generation,
      reconnects: window.__rtmpPlayer!.stats.reconnects,
    }));
    // (nginx-rtmp says StreamEOF/StreamBegin, not Unpublish/PublishNotify, without publish_notify)
    // an ended stream is not a stall
    expect(facts.errors).not.toContain('MEDIA_STALLED');
    // timestamps restarted with the new publisher: a new MSE pipeline on the same element
    expect(facts.generation).toBeGreaterThanOrEqual(2);
    expect(facts.reconnects).toBe(0);
  });
  expect(pageErrors).toEqual([]);
});
