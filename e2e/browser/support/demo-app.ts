/**
 * The demo app for browser tests: built once per test process with Vite into a temp folder and
 * served by a small static HTTP server on a free loopback port (deterministic and fast: no dev
 * server compiling on first request or re-optimising dependencies mid-test).
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { test } from '@playwright/test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO_ROOT = join(repoRoot, 'apps', 'demo');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

let built: Promise<string> | null = null;
const cleanups: Array<() => void> = [];
process.once('exit', () => cleanups.forEach((fn) => fn()));

/** Builds apps/demo once for this process; resolves with the output folder. */
export function buildDemoApp(): Promise<string> {
  built ??= (async () => {
    const { build } = await import('vite');
    const outDir = mkdtempSync(join(tmpdir(), 'rtmp-web-demo-'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    await build({ root: DEMO_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
    return outDir;
  })();
  return built;
}

export interface DemoApp {
  origin: string;
  /** The page URL with ?src=&bridge= and any extra parameters. */
  url(params: Record<string, string | number>): string;
  stop(): Promise<void>;
}

export async function startDemoApp(): Promise<DemoApp> {
  const dir = await buildDemoApp();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file)
      .then((body) => {
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        response.end(body);
      })
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url(params) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
      return `${origin}/?${query.toString()}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The demo app for every test of the spec file that calls this (at its top level): started in
 * beforeAll, stopped in afterAll. Read `.app` inside tests.
 */
export function useDemoApp(): { readonly app: DemoApp } {
  let app: DemoApp | null = null;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    app = await startDemoApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });
  return {
    get app(): DemoApp {
      if (!app) throw new Error('the demo app is not started: useDemoApp() must be called at the top level of the spec file');
      return app;
    },
  };
}
