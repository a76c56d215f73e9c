/**
 * Real peers for bridge tests: TCP servers standing in for an RTMP server, a `ws` client standing
 * in for the page, and a logger that keeps pino's records. Everything listens on 127.0.0.1 and
 * every helper returns a way to stop what it started.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { WebSocket, type ClientOptions } from 'ws';
import type { BridgeLogger } from '../../src/index';

export interface TcpServerHandle {
  port: number;
  /** Sockets accepted so far (open or closed). */
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** A TCP server that runs `onSocket` for each connection; close() destroys every socket it accepted. */
export async function startTcpServer(onSocket: (socket: net.Socket) => void): Promise<TcpServerHandle> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back (the stand-in for an RTMP server in byte-level tests). */
export function startEchoServer(): Promise<TcpServerHandle> {
  return startTcpServer((socket) => socket.pipe(socket));
}

export interface RefusalSeen {
  status: number;
  reason: string | undefined;
  body: string;
}

/** Opens a page connection; resolves when the WebSocket is open, rejects with the HTTP refusal otherwise. */
export function openPage(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], options);
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (body += part));
      res.on('end', () => {
        const refusal: RefusalSeen = { status: res.statusCode ?? 0, reason: res.headers['x-bridge-refusal'] as string | undefined, body };
        reject(Object.assign(new Error(`refused ${refusal.status}`), { refusal }));
        ws.terminate();
      });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Expects the upgrade to be refused and returns what the page saw. */
export async function expectRefusal(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<RefusalSeen> {
  try {
    const ws = await openPage(url, options);
    ws.terminate();
  } catch (error) {
    const refusal = (error as { refusal?: RefusalSeen }).refusal;
    if (refusal) return refusal;
    throw error;
  }
  throw new Error('the upgrade was accepted');
}

/** Resolves with the close code and reason the page received. */
export function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve({ code: 1006, reason: '' });
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Collects `count` bytes of binary messages. */
export function readBytes(ws: WebSocket, count: number, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`timed out after ${total} of ${count} bytes`));
    }, timeoutMs);
    function onMessage(data: Buffer) {
      parts.push(data);
      total += data.byteLength;
      if (total >= count) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(Buffer.concat(parts));
      }
    }
    ws.on('message', onMessage);
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pino logger whose records land in `records` (parsed JSON), as the production logger writes them. */
export function captureLogger(): { logger: BridgeLogger; records: Record<string, unknown>[]; text: () => string } {
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(line);
        records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  // Synchronous by construction: pino writes each record to the stream as it is logged.
  const logger = pino({ level: 'debug' }, stream);
  return { logger, records, text: () => lines.join('\n') };
}

export const silentLogger: BridgeLogger = pino({ level: 'silent' });

/** Polls `check` until it returns true. */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
