/**
 * The stream inspector in Chromium against real RTMP servers (nginx-rtmp and node-media-server
 * v4, fed by an ffmpeg publisher of testsrc2 640x360 + sine): the demo page opened on its
 * Inspector view with ?src=&bridge= records the player's session from the first byte.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { formatTrace, importSession } from '@rtmp-web/inspector';
import { readFlvFile } from '@rtmp-web/rtmp';
import { publishTestStream, waitForStream, type Publisher } from '../servers/index';
import { useDemoApp } from './support/demo-app';
import { collectPageErrors } from './support/page-probes';
import { withStack, type Stack } from './support/stack';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const demo = useDemoApp();

async function openInspector(page: Page, stack: Stack): Promise<void> {
  await page.setViewportSize({ width: 1480, height: 1200 });
  await page.goto(demo.app.url({ src: stack.src, bridge: stack.bridge.url, view: 'inspector' }));
  await expect(page.getByTestId('inspector')).toBeVisible();
}

for (const kind of ['nginx', 'nms'] as const) {
  test.describe(`inspector against ${kind}`, () => {
    test('shows the handshake, onStatus codes, onMetaData, chunks, codec details and live charts; an export imports back identical', async ({ page }, testInfo) => {
      test.setTimeout(90_000);
      const pageErrors = collectPageErrors(page);
      await withStack(kind, {}, testInfo, async (stack) => {
        await openInspector(page, stack);
        const timeline = page.getByTestId('timeline');

        // The real handshake: our C0C1 (digest offer), the server's S0S1S2 with its version bytes, C2.
        await expect(timeline.locator('[data-kind="handshake"]', { hasText: 'C0C1 sent' })).toContainText('1537 bytes, offers the digest handshake');
        await expect(timeline.locator('[data-kind="handshake"]', { hasText: 'S0S1S2 received' })).toContainText(/3073 bytes, server version \d+\.\d+\.\d+\.\d+, RTMP version 3/);
        await expect(timeline.locator('[data-kind="handshake"]', { hasText: 'C2 sent' })).toHaveCount(1);
        await expect(page.getByTestId('handshake-summary')).toContainText(/digest handshake · server version [\d.]+ · server digest (not )?verified · round trip \d+ ms/);
        // The server's control messages and the real onStatus codes, in order.
        await expect(timeline.locator('[data-kind="control"]', { hasText: 'Window Ack Size' }).first()).toBeVisible();
        await expect(timeline.locator('[data-code="NetConnection.Connect.Success"]')).toHaveCount(1);
        await expect(timeline.locator('[data-code="NetStream.Play.Start"]')).toHaveCount(1);
        const codes = await timeline.locator('[data-code]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.code));
        expect(codes.indexOf('NetConnection.Connect.Success')).toBeLessThan(codes.indexOf('NetStream.Play.Start'));
        await expect(timeline.locator('[data-kind="media"]', { hasText: 'first video message on stream' })).toHaveCount(1);

        // The log shows onMetaData decoded with the publisher's size; its AMF tree has wire types.
        const log = page.getByTestId('message-log');
        await page.getByTestId('filter-type').selectOption('data');
        const metadataRow = log.locator('.log-row', { hasText: 'onMetaData' }).first();
        await expect(metadataRow).toContainText('width: 640');
        await expect(metadataRow).toContainText('height: 360');
        await metadataRow.click();
        const tree = page.getByTestId('amf-tree');
        const amfNode = (type: string, key: string) => tree.locator(`[data-amf-type="${type}"]`).filter({ has: page.locator('.k', { hasText: new RegExp(`^${key}$`) }) });
        await expect(amfNode('AMF0 string', 'handler')).toContainText('"onMetaData"');
        await expect(amfNode('AMF0 number', 'width')).toContainText('640');
        await expect(amfNode('AMF0 number', 'height')).toContainText('360');
        // Its chunks: the first has a full header (fmt 0 or 1) and the hex dump colours the header fields.
        await page.getByTestId('tab-chunks').click();
        const firstChunk = page.getByTestId('chunk-table').locator('tr[data-fmt]').first();
        expect(['0', '1']).toContain(await firstChunk.getAttribute('data-fmt'));
        await expect(page.getByTestId('hex').locator('[data-field="message type"]').first()).toHaveText('12'); // type 18 = 0x12
        await expect(page.getByTestId('hex').locator('[data-field="message length"]').first()).toHaveCount(1);

        // Codec details from the AVC and AAC configurations.
        await expect(page.locator('[data-track="video"]')).toHaveAttribute('data-codec', /^avc1\.64/);
        await expect(page.locator('[data-track="video"]')).toHaveAttribute('data-width', '640');
        await expect(page.locator('[data-track="video"]')).toHaveAttribute('data-height', '360');
        await expect(page.locator('[data-track="audio"]')).toHaveAttribute('data-codec', 'mp4a.40.2');
        await expect(page.locator('[data-track="audio"]')).toContainText('44100 Hz');

        // Live charts draw non-empty series (each a value per second): wait for 4 seconds of them.
        await expect(async () => {
          const lengths = await page.evaluate(() => window.__rtmpInspector!.seriesLengths());
          expect(Object.keys(lengths).sort()).toEqual(['bitrate', 'drift', 'fps', 'gop', 'latency']);
          for (const name of ['bitrate', 'fps', 'latency', 'drift', 'gop']) expect(lengths[name], name).toBeGreaterThanOrEqual(4);
        }).toPass({ timeout: 30_000, intervals: [500] });

        // Hidden behind the Player tab, the inspector keeps recording but does not redraw (its
        // buffer line stays as it was while messages keep arriving); shown again, it catches up.
        const bufferLine = page.getByTestId('buffer');
        await page.locator('#tab-player').click();
        await expect(page.getByTestId('inspector')).toBeHidden();
        const shownBefore = await bufferLine.textContent();
        const recordedBefore = await page.evaluate(() => window.__rtmpInspector!.recording().messages.length);
        await page.waitForTimeout(1500);
        expect(await page.evaluate(() => window.__rtmpInspector!.recording().messages.length)).toBeGreaterThan(recordedBefore);
        expect(await bufferLine.textContent()).toBe(shownBefore);
        await page.locator('#tab-inspector').click();
        await expect(bufferLine).not.toHaveText(shownBefore!, { timeout: 2000 });
        const report = await page.evaluate(() => window.__rtmpInspector!.report());
        const video = report.tracks.find((t) => t.kind === 'video')!;
        expect(video.frameRate).toBeGreaterThan(23);
        expect(video.frameRate).toBeLessThan(27);
        // The publisher sends a keyframe every second (-g 25 at 25 fps).
        const closed = report.gops.filter((g) => g.durationMs !== undefined);
        expect(closed.length).toBeGreaterThanOrEqual(2);
        for (const gop of closed) expect(gop.durationMs).toBe(1000);
        // A clean stream: no jumps, no missing headers, nothing about metadata.
        const ids = (await page.evaluate(() => window.__rtmpInspector!.diagnostics())).map((d) => d.id);
        expect(ids).not.toContain('timestamp-jump');
        expect(ids).not.toContain('timestamp-backwards');
        expect(ids).not.toContain('missing-sequence-header');
        expect(ids).not.toContain('metadata-mismatch');

        if (kind === 'nginx') await saveScreenshot(page, testInfo);

        // Export FLV: the download parses as FLV with both tracks and the AVC sequence header first.
        const [flvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-flv').click()]);
        const flvPath = testInfo.outputPath('media.flv');
        await flvDownload.saveAs(flvPath);
        const { readFile } = await import('node:fs/promises');
        const flv = readFlvFile(new Uint8Array(await readFile(flvPath)));
        expect(flv.header.hasAudio && flv.header.hasVideo).toBe(true);
        const firstVideo = flv.tags.find((t) => t.tagType === 9)!;
        expect([...firstVideo.data.subarray(0, 2)]).toEqual([0x17, 0x00]);

        // Export the session, then import the file: the same messages, now offline.
        await page.getByTestId('pause').click(); // freeze the log so the counts compare
        const [sessionDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-session').click()]);
        const sessionPath = testInfo.outputPath('session.json');
        await sessionDownload.saveAs(sessionPath);
        const text = await readFile(sessionPath, 'utf8');
        const exported = importSession(text);
        expect(exported.messages.length).toBeGreaterThan(100);
        await page.getByTestId('import-input').setInputFiles(sessionPath);
        await expect(page.getByTestId('inspector-mode')).toContainText('offline: session.json');
        const imported = await page.evaluate(() => window.__rtmpInspector!.exportSession());
        expect(importSession(imported)).toEqual(exported);
        await expect(page.getByTestId('log-count')).toContainText(`of ${exported.messages.length.toLocaleString('en-US')} shown`);
        await expect(page.getByTestId('timeline').locator('[data-code="NetStream.Play.Start"]')).toHaveCount(1);
      });
      expect(pageErrors).toEqual([]);
    });
  });
}

test('a publisher whose timestamps jump produces the timestamp-jump diagnostic', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  let publisher: Publisher | undefined;
  await withStack('nginx', { noPublisher: true }, testInfo, async (stack) => {
    try {
      // Timestamps jump forward by 5 s once the input reaches 8 s (launcher option timestampJumpAtSec),
      // late enough that the page is playing before it happens.
      publisher = await publishTestStream(stack.src, { timestampJumpAtSec: 8 });
      await waitForStream(stack.server, stack.app, stack.stream);
      await openInspector(page, stack);
      const diagnostic = page.locator('[data-diagnostic="timestamp-jump"]');
      await expect(diagnostic).toBeVisible({ timeout: 30_000 });
      await expect(diagnostic).toContainText(/Timestamps jump ahead of the clock \((video|audio)/);
      await expect(diagnostic).toContainText(/jumped from \d+ ms to \d+ ms \(\+\d+ ms\) while only \d+ ms passed on the wall clock/);
      const found = (await page.evaluate(() => window.__rtmpInspector!.diagnostics())).find((d) => d.id === 'timestamp-jump')!;
      const jump = Number(/\(\+(\d+) ms\)/.exec(found.detail)![1]);
      expect(jump).toBeGreaterThan(4500);
      expect(jump).toBeLessThan(6500);
      // The diagnostic points at the message that shows it.
      await diagnostic.getByRole('button', { name: /show message #\d+/ }).click();
      await expect(page.getByTestId('detail-header')).toContainText(`#${found.messageIndex} ← received`);
    } catch (error) {
      await testInfo.attach('publisher-logs', { body: publisher?.logs() ?? '', contentType: 'text/plain' });
      const session = await page.evaluate(() => window.__rtmpInspector?.exportSession()).catch(() => undefined);
      if (session) await testInfo.attach('inspector-trace', { body: formatTrace(importSession(session)), contentType: 'text/plain' });
      throw error;
    } finally {
      await publisher?.stop();
    }
  });
});

/** The docs screenshot: written to docs/images when RTMP_WEB_UPDATE_DOCS=1, always attached to the report. */
async function saveScreenshot(page: Page, testInfo: TestInfo): Promise<void> {
  const forDocs = process.env.RTMP_WEB_UPDATE_DOCS === '1';
  // For the docs, let the charts fill up a little more.
  if (forDocs) await page.waitForTimeout(12_000);
  // Select something worth showing in the detail pane: the onStatus NetStream.Play.Start command.
  await page.getByTestId('filter-type').selectOption('all');
  await page.getByTestId('timeline').locator('[data-code="NetStream.Play.Start"]').click();
  await page.getByTestId('tab-decoded').click();
  await page.getByTestId('timeline').evaluate((list) => (list.scrollTop = 0));
  const path = forDocs ? join(repoRoot, 'docs', 'images', 'inspector.png') : testInfo.outputPath('inspector.png');
  mkdirSync(dirname(path), { recursive: true });
  await page.getByTestId('inspector').screenshot({ path });
  await testInfo.attach('inspector', { path, contentType: 'image/png' });
}
