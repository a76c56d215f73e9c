/**
 * `<rtmp-player>` inside media-chrome's `<media-controller>` (slot="media"): media-chrome only
 * speaks the HTMLMediaElement API and its events, so this proves the element delegates them.
 * Against nginx-rtmp with an ffmpeg publisher, through the bridge.
 */
import { expect, test } from '@playwright/test';
import { useDemoApp } from './support/demo-app';
import { startStack, type Stack } from './support/stack';

const demo = useDemoApp();
let stack: Stack;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stack = await startStack('nginx');
});

test.afterAll(async () => {
  await stack?.stop();
});

test('<rtmp-player> plays in <media-controller> and obeys its play button', async ({ page }) => {
  test.setTimeout(60_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${demo.app.origin}/element.html?src=${encodeURIComponent(stack.src)}&bridge=${encodeURIComponent(stack.bridge.url)}`);

  const element = page.locator('rtmp-player');
  await expect(element).toHaveAttribute('state', 'playing', { timeout: 20_000 });
  // media-chrome saw the media element play (it mirrors media state onto the controller)
  const controller = page.locator('media-controller');
  await expect(controller).not.toHaveAttribute('mediapaused', /.*/, { timeout: 10_000 });

  // the delegated API reads the inner <video>
  const api = await page.evaluate(() => {
    const el = window.__rtmpElement!;
    return { paused: el.paused, muted: el.muted, readyState: el.readyState, buffered: el.buffered.length, width: el.videoWidth, time: el.currentTime };
  });
  expect(api).toMatchObject({ paused: false, muted: true, width: 640 });
  expect(api.readyState).toBeGreaterThanOrEqual(2);
  expect(api.buffered).toBeGreaterThan(0);

  // events of the inner <video> are re-dispatched on the host
  const timeupdates = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let count = 0;
        window.__rtmpElement!.addEventListener('timeupdate', () => count++);
        setTimeout(() => resolve(count), 1500);
      }),
  );
  expect(timeupdates).toBeGreaterThan(2);

  // media-chrome's play button pauses and resumes through the element
  await page.evaluate(() => {
    const log: string[] = [];
    (window as unknown as { __mediaEvents: string[] }).__mediaEvents = log;
    for (const type of ['play', 'pause', 'playing', 'waiting', 'seeking', 'seeked', 'emptied', 'loadstart']) {
      window.__rtmpElement!.addEventListener(type, () => log.push(`${type} @${window.__rtmpElement!.currentTime.toFixed(2)}`));
    }
    window.__rtmpElement!.addEventListener('rtmpstate', (event) => log.push(`state ${(event as CustomEvent<{ to: string }>).detail.to}`));
  });
  await page.locator('media-play-button').click();
  try {
    await expect.poll(() => page.evaluate(() => window.__rtmpElement!.paused)).toBe(true);
  } catch (error) {
    // What the element and media-chrome did after the click, for a failure that does not reproduce locally.
    const seen = await page.evaluate(() => ({
      events: (window as unknown as { __mediaEvents: string[] }).__mediaEvents,
      controllerPaused: document.querySelector('media-controller')!.hasAttribute('mediapaused'),
      state: window.__rtmpElement!.player.state,
    }));
    throw new Error(`the element did not pause after the play button was clicked: ${JSON.stringify(seen)}`, { cause: error });
  }
  await expect(controller).toHaveAttribute('mediapaused', /.*/);
  const pausedAt = await page.evaluate(() => window.__rtmpElement!.currentTime);
  await page.waitForTimeout(1000);
  // a paused player stays paused: the player does not force playback against the person
  expect(await page.evaluate(() => window.__rtmpElement!.paused)).toBe(true);
  expect(await page.evaluate(() => window.__rtmpElement!.currentTime)).toBeCloseTo(pausedAt, 1);

  await page.locator('media-play-button').click();
  await expect.poll(() => page.evaluate(() => window.__rtmpElement!.paused)).toBe(false);
  // resuming a live stream goes back to the live edge: the playhead jumps past the pause
  await expect.poll(() => page.evaluate(() => window.__rtmpElement!.currentTime), { timeout: 5000 }).toBeGreaterThan(pausedAt + 0.8);
  await expect.poll(() => page.evaluate(() => window.__rtmpElement!.player.latency.latency ?? 99), { timeout: 3000 }).toBeLessThan(0.6);

  // the mute button toggles the element's muted property
  await page.locator('media-mute-button').click();
  await expect.poll(() => page.evaluate(() => window.__rtmpElement!.muted)).toBe(false);
  expect(pageErrors).toEqual([]);
});
