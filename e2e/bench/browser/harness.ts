/**
 * Browser side of the benchmarks: builds the two bench pages with Vite, serves them on
 * loopback, and drives the system Chromium with playwright-core.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../../playwright.config';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Built pages live outside the repository (the linter would read them otherwise). */
const PAGES_DIR = join(tmpdir(), 'rtmp-web-bench-pages');
export type PageName = 'ours' | 'mpegts';

export interface PageBuild {
  name: PageName;
  ok: boolean;
  /** The bundler's error when the page does not build (our player while its imports land). */
  error?: string;
}

/** Builds page/<name>.ts into <tmp>/rtmp-web-bench-pages/<name>/bench.js. */
async function buildPage(name: PageName): Promise<PageBuild> {
  const outDir = join(PAGES_DIR, name);
  rmSync(outDir, { recursive: true, force: true });
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      root: HERE,
      build: {
        outDir,
        emptyOutDir: true,
        minify: false,
        sourcemap: false,
        target: 'es2022',
        lib: { entry: join(HERE, 'page', `${name}.ts`), formats: ['es'], fileName: 'bench' },
      },
    });
    return { name, ok: existsSync(join(outDir, 'bench.js')) };
  } catch (error) {
    // eslint-disable-next-line no-control-regex
    const text = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, '');
    const lines = text.split('\n').filter((l) => /^\s*\[[A-Z_]+\]/.test(l)).map((l) => l.trim());
    return { name, ok: false, error: (lines.length > 0 ? lines : text.split('\n').slice(0, 2)).slice(0, 4).join('; ') };
  }
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html; charset=utf-8' };

export interface BenchSite {
  origin: string;
  pages: Record<PageName, PageBuild>;
  close(): Promise<void>;
}

/** Builds both pages and serves /<name>/ (an HTML shell with a muted <video>) and its files. */
export async function startBenchSite(): Promise<BenchSite> {
  const pages = { ours: await buildPage('ours'), mpegts: await buildPage('mpegts') };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/(ours|mpegts)\/(.*)$/.exec(url.pathname);
    if (!match) return void response.writeHead(404).end();
    const [, name, rest] = match;
    if (rest === '') {
      response.writeHead(200, { 'content-type': TYPES['.html']! });
      response.end(`<!doctype html><title>bench ${name}</title><video muted autoplay playsinline width="640" height="360"></video><script type="module" src="bench.js"></script>`);
      return;
    }
    const root = join(PAGES_DIR, name!);
    const file = normalize(join(root, rest!));
    if (!file.startsWith(root) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // Precise heap figures for the memory run.
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
}

export interface PageReport {
  firstFrameMs: number | null;
  latencies: number[];
  unreadable: number;
  presented: number;
  stalls: number;
  errors: string[];
  buffered: number;
  stages: Record<string, number | null> | null;
  playerStalls: number | null;
}

/** Opens a fresh page on /<name>/ (with `?query` when given) and calls its bench.start(options). */
export async function openBenchPage(browser: Browser, site: BenchSite, name: PageName, options: Record<string, unknown>, query = ''): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/${name}/${query ? `?${query}` : ''}`);
  await page.waitForFunction(() => 'bench' in window);
  await page.evaluate((o) => (window as unknown as { bench: { start(o: unknown): void } }).bench.start(o), options);
  return page;
}

export async function readReport(page: Page): Promise<PageReport> {
  return page.evaluate(() => (window as unknown as { bench: { report(): PageReport } }).bench.report());
}

export async function closeBenchPage(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { bench: { stop(): void } }).bench.stop()).catch(() => undefined);
  await page.close();
}
