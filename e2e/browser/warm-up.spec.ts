/**
 * The player's warm-up (packages/player/src/warm-up): imported in a page that has not loaded a
 * stream yet, the player runs its own code once on a synthetic stream, in idle time, with nothing
 * leaving the page; a page that loads a stream at once skips it. Either way the real stream plays.
 */
import { expect, test, type Page } from '@playwright/test';
import { useDemoApp } from './support/demo-app';
import { withStack } from './support/stack';
import { waitForPlayback, waitForState } from './support/page-probes';

const demo = useDemoApp();

/** Console errors and warnings, page errors, and every WebSocket the page opens. */
function watchPage(page: Page): { problems: string[]; sockets: string[] } {
  const watched = { problems: [] as string[], sockets: [] as string[] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') watched.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  page.on('websocket', (socket) => watched.sockets.push(socket.url()));
  return watched;
}

test('a page that has loaded no stream yet warms the player up on a synthetic stream, silently and inside the page; then a real stream plays', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const watched = watchPage(page);
  await withStack('nms', {}, testInfo, async (stack) => {
    // The stream is named in the URL but not autoplayed: the page waits for a click.
    await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url, autoplay: 0 }));
    await page.waitForFunction(() => window.__rtmpDemo?.warmUp !== 'pending', undefined, { timeout: 15_000 });
    const warmUp = await page.evaluate(() => window.__rtmpDemo!.warmUp);
    expect(warmUp).not.toBeNull();
    expect(warmUp).not.toBe('pending');
    const result = warmUp as Exclude<typeof warmUp, null | 'pending'>;
    expect(result.reason).toBeUndefined();
    expect(result.completed).toBe(true);
    // Both tracks' init segments, and a media segment for (almost) every one of the 50 video and 86 audio frames.
    expect(result.initSegments).toBe(2);
    expect(result.mediaSegments).toBeGreaterThanOrEqual(130);
    expect(result.states).toEqual(['connecting', 'buffering', 'ended', 'idle']);
    // The in-memory socket is not a network one, and the warm-up said nothing.
    expect(watched.sockets).toEqual([]);
    expect(watched.problems).toEqual([]);
    // The page's own player is untouched by it.
    expect(await page.evaluate(() => window.__rtmpPlayer!.state)).toBe('idle');

    await page.locator('#play').click();
    await waitForState(page, 'playing');
    const { start, end } = await waitForPlayback(page, 3);
    expect(end.decodedFrames).toBeGreaterThan(start.decodedFrames + 40);
    expect({ width: end.videoWidth, height: end.videoHeight }).toEqual({ width: 640, height: 360 });
    expect(watched.sockets).toHaveLength(1);
    expect(watched.sockets[0]).toContain(stack.bridge.url.replace(/\/$/, ''));
    const ttff = await page.evaluate(() => window.__rtmpDemo!.firstFrame);
    expect(typeof ttff?.firstFrame).toBe('number');
    expect(watched.problems).toEqual([]);
  });
});

test('a page that loads a stream at once skips the warm-up and plays', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const watched = watchPage(page);
  await withStack('nms', {}, testInfo, async (stack) => {
    // warmup=1: the demo would cancel it itself when it autoplays; this is the player's own rule.
    await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url, warmup: 1 }));
    await waitForState(page, 'playing');
    await page.waitForFunction(() => window.__rtmpDemo?.warmUp !== 'pending', undefined, { timeout: 15_000 });
    expect(await page.evaluate(() => window.__rtmpDemo!.warmUp)).toBeNull();
    await waitForPlayback(page, 2);
    expect(watched.sockets).toHaveLength(1);
    expect(watched.problems).toEqual([]);
  });
});

test('a page that cancels the warm-up (the demo with ?warmup=0) runs none', async ({ page }) => {
  const watched = watchPage(page);
  await page.goto(demo.app.url({ warmup: 0 }));
  await page.waitForFunction(() => window.__rtmpDemo?.warmUp !== 'pending', undefined, { timeout: 15_000 });
  expect(await page.evaluate(() => window.__rtmpDemo!.warmUp)).toBeNull();
  expect(await page.evaluate(() => window.__rtmpPlayer!.state)).toBe('idle');
  expect(watched.problems).toEqual([]);
});
