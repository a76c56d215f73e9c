/**
 * One real streaming stack for a browser test: an RTMP server (nginx-rtmp, node-media-server v4
 * or `ffmpeg -listen 1`), an ffmpeg publisher of testsrc2 + sine, and the bridge allowing only
 * that server. Everything on loopback; stop() ends all of it.
 */
import type { TestInfo } from '@playwright/test';
import { createBridge, createBridgeLogger, type Bridge } from '@rtmp-web/bridge';
import {
  publishTestStream,
  startFfmpegServer,
  startNginxRtmp,
  startNodeMediaServer,
  waitForStream,
  type Publisher,
  type PublisherOptions,
  type RtmpServerHandle,
} from '../../servers/index';

export type ServerKind = 'nginx' | 'nms' | 'ffmpeg';
export const SERVER_KINDS: readonly ServerKind[] = ['nginx', 'nms', 'ffmpeg'];

export interface Stack {
  kind: ServerKind;
  server: RtmpServerHandle;
  bridge: Bridge;
  /** The RTMP URL of the published stream. */
  src: string;
  app: string;
  stream: string;
  publisher: Publisher | null;
  /** (Re)starts the publisher (nginx/nms), e.g. after a server restart. */
  publish(): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

export interface StackOptions extends PublisherOptions {
  /** Do not publish anything (a server with no stream). */
  noPublisher?: boolean;
  stream?: string;
}

export async function startStack(kind: ServerKind, options: StackOptions = {}): Promise<Stack> {
  const app = 'live';
  const stream = options.stream ?? `test${Math.floor(Math.random() * 1e6)}`;
  const publisherOptions: PublisherOptions = {
    ...(options.video !== undefined ? { video: options.video } : {}),
    ...(options.audio !== undefined ? { audio: options.audio } : {}),
    ...(options.gopFrames !== undefined ? { gopFrames: options.gopFrames } : {}),
  };
  const server: RtmpServerHandle =
    kind === 'nginx'
      ? await startNginxRtmp()
      : kind === 'nms'
        ? await startNodeMediaServer()
        : await startFfmpegServer({ app, stream, ...publisherOptions });
  let bridge: Bridge | null = null;
  let publisher: Publisher | null = null;
  const stack: Stack = {
    kind,
    server,
    get bridge() {
      return bridge!;
    },
    src: server.url(app, stream),
    app,
    stream,
    get publisher() {
      return publisher;
    },
    async publish() {
      if (kind === 'ffmpeg') return;
      await publisher?.stop();
      publisher = await publishTestStream(server.url(app, stream), publisherOptions);
      await waitForStream(server, app, stream);
    },
    async stop() {
      await Promise.allSettled([publisher?.stop(), bridge?.close(1000)]);
      await server.stop();
    },
    logs() {
      return `--- ${kind} ---\n${server.logs()}\n--- publisher ---\n${publisher?.logs() ?? ''}`;
    },
  };
  try {
    bridge = await createBridge({
      host: '127.0.0.1',
      port: 0,
      allow: [`127.0.0.1:${server.port}`],
      metrics: false,
      logger: createBridgeLogger(process.env['BRIDGE_LOG'] ?? 'warn'),
    });
    if (!options.noPublisher) await stack.publish();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Runs `body` with a fresh stack, attaches the servers' logs to the report when it fails, and always stops the stack. */
export async function withStack(kind: ServerKind, options: StackOptions, testInfo: TestInfo, body: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack(kind, options);
  try {
    await body(stack);
  } catch (error) {
    await testInfo.attach('server-logs', { body: stack.logs(), contentType: 'text/plain' });
    throw error;
  } finally {
    await stack.stop();
  }
}
