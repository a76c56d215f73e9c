/**
 * `rtmp-web demo` (and `pnpm start`): the built-in demo RTMP source, the bridge allowing only
 * that source, and the demo page served by Vite, then one line with the URL to open.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBridge } from '@rtmp-web/bridge';
import type { Bridge, BridgeLogger } from '@rtmp-web/bridge';
import { DEFAULT_DEMO_RTMP_PORT, DemoRtmpServer } from './demo-rtmp-server';
import { DemoError } from './errors';

export { DemoRtmpServer, DEFAULT_DEMO_RTMP_PORT, BUNDLED_CLIP_URL } from './demo-rtmp-server';
export type { DemoRtmpServerOptions, DemoRtmpServerEvents, DemoRtmpServerStats } from './demo-rtmp-server';
export { DemoError } from './errors';
export type { DemoErrorCode } from './errors';
export { prepareClip } from './clip';
export type { DemoClip, ClipFrame, PrepareClipOptions } from './clip';
export { LiveTimeline } from './live-timeline';
export { readOnMetaData, liveMetadataBody } from './metadata';

export const DEFAULT_BRIDGE_PORT = 8080;
export const DEFAULT_HTTP_PORT = 5173;

/** apps/demo, found from this file (packages/cli/src/demo) so the command works from any cwd. */
export const DEMO_APP_ROOT = fileURLToPath(new URL('../../../../apps/demo/', import.meta.url));

export interface DemoOptions {
  /** Address all three servers bind to and the page URL names. Default 127.0.0.1. */
  host?: string;
  rtmpPort?: number;
  bridgePort?: number;
  httpPort?: number;
  /** Write the bridge's per-session log records to stderr. Default false. */
  verbose?: boolean;
  /** Where progress and warnings go. Default process.stderr. */
  log?: (line: string) => void;
}

export interface RunningDemo {
  rtmp: DemoRtmpServer;
  bridge: Bridge;
  /** `rtmp://host:port/live/demo` */
  rtmpUrl: string;
  /** `ws://host:port/` */
  bridgeUrl: string;
  /** The demo page with `?src=` and `&bridge=` filled in: open it and it plays. */
  pageUrl: string;
  /** Stops the page server, the bridge and the RTMP source. Idempotent. */
  close(): Promise<void>;
}

/** The page URL that plays `rtmpUrl` through `bridgeUrl` with no clicks. */
export function demoPageUrl(httpBase: string, rtmpUrl: string, bridgeUrl: string): string {
  const base = httpBase.endsWith('/') ? httpBase : `${httpBase}/`;
  return `${base}?src=${encodeURIComponent(rtmpUrl)}&bridge=${encodeURIComponent(bridgeUrl)}`;
}

/** Starts the three servers; on any failure, what already started is stopped again. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A wildcard bind still needs a concrete address in URLs (the page and the bridge connect to it).
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const urlHost = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const rtmp = await DemoRtmpServer.listen({ host, port: options.rtmpPort ?? DEFAULT_DEMO_RTMP_PORT });
    stops.push(() => rtmp.close());
    const rtmpUrl = `rtmp://${urlHost}:${rtmp.port}/${rtmp.app}/${rtmp.streamName}`;

    const { createServer } = await import('vite');
    const vite = await createServer({
      root: DEMO_APP_ROOT,
      configFile: join(DEMO_APP_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      clearScreen: false,
      // 5173 is every Vite project's default; when it is taken, take the next free port and
      // print that one rather than fail.
      server: { host, port: options.httpPort ?? DEFAULT_HTTP_PORT, strictPort: false },
    });
    stops.push(() => vite.close());
    await vite.listen();
    const address = vite.httpServer?.address();
    const httpPort = typeof address === 'object' && address ? address.port : (options.httpPort ?? DEFAULT_HTTP_PORT);
    const origins = [`http://${urlHost}:${httpPort}`];
    if (publicHost === '127.0.0.1' || publicHost === '::1') origins.push(`http://localhost:${httpPort}`);

    const bridge = await createBridge({
      host,
      port: options.bridgePort ?? DEFAULT_BRIDGE_PORT,
      // Only the built-in source, and only for the demo page: the demo bridge is not an open
      // relay (docs/demo.md says how to run a bridge for other servers).
      allow: [`${urlHost}:${rtmp.port}`],
      origins,
      logger: demoBridgeLogger(log, options.verbose ?? false),
    });
    stops.push(() => bridge.close(2000));
    const bridgeUrl = `ws://${urlHost}:${bridge.port}/`;
    const pageUrl = demoPageUrl(`http://${urlHost}:${httpPort}/`, rtmpUrl, bridgeUrl);

    let closing: Promise<void> | null = null;
    return { rtmp, bridge, rtmpUrl, bridgeUrl, pageUrl, close: () => (closing ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const USAGE = `usage: rtmp-web demo [options]

Starts the built-in demo: an RTMP server looping a bundled H.264/AAC clip as a live stream,
the WebSocket bridge (allowing only that server), and the demo page. Then prints the URL to open.

options:
  --host <address>      address the three servers listen on and the URLs name (default 127.0.0.1)
  --rtmp-port <port>    demo RTMP server port (default ${DEFAULT_DEMO_RTMP_PORT}); stream rtmp://HOST:PORT/live/demo
  --bridge-port <port>  WebSocket bridge port (default ${DEFAULT_BRIDGE_PORT})
  --http-port <port>    demo page port (default ${DEFAULT_HTTP_PORT}; the next free one if taken)
  --verbose             log every bridge session to stderr
  -h, --help            show this help

Stop with Ctrl+C.`;

interface ParsedArgs {
  options: DemoOptions;
  help: boolean;
}

/** Parses `--flag value` and `--flag=value`; throws DemoError DEMO_BAD_OPTION with a plain message. */
export function parseDemoArgs(argv: readonly string[]): ParsedArgs {
  const options: DemoOptions = {};
  let help = false;
  const ports = { '--rtmp-port': 'rtmpPort', '--bridge-port': 'bridgePort', '--http-port': 'httpPort' } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new DemoError('DEMO_BAD_OPTION', `${flag} needs a value`);
      return value;
    };
    // `pnpm start -- --flag` passes the "--" through: it only separates pnpm's options from ours.
    if (arg === '--') continue;
    if (flag === '-h' || flag === '--help') help = true;
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--host') {
      const value = takeValue();
      if (value === '') throw new DemoError('DEMO_BAD_OPTION', '--host needs an address');
      options.host = value.replace(/^\[(.*)\]$/, '$1');
    } else if (flag in ports) {
      const value = takeValue();
      const port = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(port >= 0 && port <= 65535)) throw new DemoError('DEMO_BAD_OPTION', `${flag} must be a port number 0..65535, got "${value}"`);
      options[ports[flag as keyof typeof ports]] = port;
    } else {
      throw new DemoError('DEMO_BAD_OPTION', `unknown option "${arg}"`);
    }
  }
  return { options, help };
}

/**
 * The `rtmp-web demo` command. Resolves with the exit code once the demo has stopped
 * (SIGINT/SIGTERM, or `signal` aborted): 0 after a clean stop, 1 when it could not start,
 * 2 for a usage error.
 */
export async function runDemoCommand(argv: string[], io: { signal?: AbortSignal } = {}): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseDemoArgs(argv);
  } catch (error) {
    process.stderr.write(`rtmp-web demo: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let demo: RunningDemo;
  try {
    demo = await startDemo(parsed.options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(`rtmp-web demo: ${(error as Error).message}${code ? ` (${code})` : ''}\n`);
    return 1;
  }

  process.stdout.write(
    [
      `rtmp-web demo is running: open ${demo.pageUrl}`,
      `  RTMP source  ${demo.rtmpUrl}   (also playable with: ffplay ${demo.rtmpUrl})`,
      `  bridge       ${demo.bridgeUrl}   (allows only the demo source)`,
      '  Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  process.stderr.write('rtmp-web demo: stopping\n');
  await demo.close();
  return 0;
}

/**
 * The bridge logs one record per session at info level; in the demo that is noise on the
 * terminal the user reads the URL from, so info and debug go to stderr only with --verbose.
 */
function demoBridgeLogger(log: (line: string) => void, verbose: boolean): BridgeLogger {
  const line = (level: string, object: Record<string, unknown>, message?: string) =>
    log(`[bridge] ${level} ${message ?? ''} ${JSON.stringify(object)}`.replace(/\s+/g, ' ').trim());
  return {
    debug: (object, message) => verbose && line('debug', object, message),
    info: (object, message) => verbose && line('info', object, message),
    warn: (object, message) => line('warn', object, message),
    error: (object, message) => line('error', object, message),
  };
}
