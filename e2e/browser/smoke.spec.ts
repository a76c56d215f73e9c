/**
 * The browser the player runs in: the system Chromium, driven by Playwright, can load a
 * page from a loopback HTTP server and its MSE accepts the codecs the player remuxes to
 * (H.264 High level 3.1 + AAC-LC in fragmented MP4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

let server: Server;
let origin: string;

test.beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>rtmp-web smoke</title><p id="hello">hello</p>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('Chromium loads a loopback page and its MSE supports H.264 High + AAC-LC', async ({ page, browserName }) => {
  expect(browserName).toBe('chromium');
  await page.goto(`${origin}/`);
  await expect(page.locator('#hello')).toHaveText('hello');
  const support = await page.evaluate(() => ({
    secure: window.isSecureContext,
    mse: typeof MediaSource === 'function',
    h264aac: MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"'),
    // A control that must be false, so the check above cannot pass by always saying yes.
    bogus: MediaSource.isTypeSupported('video/mp4; codecs="notacodec.1"'),
  }));
  expect(support).toEqual({ secure: true, mse: true, h264aac: true, bogus: false });
});
