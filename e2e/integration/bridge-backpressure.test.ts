/**
 * Backpressure both ways, with real sockets: a page that stops reading must not make the bridge
 * buffer what the server keeps sending (the bridge stops reading from the server, and TCP flow
 * control stalls the server), and a server that stops reading must not make it buffer what the
 * page keeps sending. Memory is measured through the bridge's per-session stats.
 */
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge, type Bridge } from '@rtmp-web/bridge';
import { openPage, silentLogger, startTcpServer, waitUntil, type TcpServerHandle } from '../../packages/bridge/test/support/peers';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Waits until `value()` has not changed for `quietMs`. */
async function waitForQuiet(value: () => number, quietMs: number, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - started > timeoutMs) throw new Error('the value never settled');
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (value() !== last) {
      last = value();
      since = Date.now();
    }
  }
}

describe('bridge backpressure', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('stops reading from the server while the page does not read, with bounded buffers, and loses nothing', async () => {
    const total = 48 * MiB;
    const serverHash = createHash('sha256');
    let written = 0;
    let blockedOnDrain = false;
    const server: TcpServerHandle = await startTcpServer((socket) => {
      void (async () => {
        while (written < total) {
          const block = randomBytes(64 * KiB);
          serverHash.update(block);
          written += block.byteLength;
          if (!socket.write(block)) {
            blockedOnDrain = true;
            await new Promise((resolve) => socket.once('drain', resolve));
            blockedOnDrain = false;
          }
        }
        socket.end();
      })();
    });
    cleanups.push(() => server.close());
    const limit = 256 * KiB;
    const bridge: Bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${server.port}`],
      limits: { maxBufferedToPage: limit, maxBytesPerSecondToPage: 0, idleTimeoutMs: 0 },
      logger: silentLogger,
    });
    cleanups.push(() => bridge.close(1000));

    const ws = await openPage(`${bridge.url}?target=127.0.0.1:${server.port}`);
    ws.pause(); // the page stops reading its socket
    const pageHash = createHash('sha256');
    let received = 0;
    ws.on('message', (data: Buffer) => {
      pageHash.update(data);
      received += data.byteLength;
    });

    await waitUntil(() => blockedOnDrain && bridge.stats().sessions[0]?.upstreamReadPaused === true, 15_000, 'the server to block');
    // Let the last in-flight reads settle (a paused socket may finish one read), then require a
    // real stall: over half a second the server gets nothing more out, and the bridge holds no more.
    await waitForQuiet(() => written, 200);
    let peakSampled = 0;
    const writtenAtStall = written;
    const forwardedAtStall = bridge.stats().bytesToPage;
    for (let i = 0; i < 25; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      peakSampled = Math.max(peakSampled, bridge.stats().sessions[0]!.bufferedToPage);
    }
    const session = bridge.stats().sessions[0]!;
    expect(written).toBe(writtenAtStall);
    expect(bridge.stats().bytesToPage).toBe(forwardedAtStall);
    expect(written).toBeLessThan(total); // the server really is held back, not finished
    expect(session.upstreamReadPaused).toBe(true);
    expect(session.upstreamPauses).toBeGreaterThanOrEqual(1);
    // The bound: the limit plus one TCP read (64 KiB) plus a frame header.
    const bound = limit + 64 * KiB + 16;
    expect(session.peakBufferedToPage).toBeLessThanOrEqual(bound);
    expect(peakSampled).toBeLessThanOrEqual(bound);
    console.log(`page stalled: server blocked after ${(written / MiB).toFixed(1)} MiB, bridge peak buffered to page ${(session.peakBufferedToPage / KiB).toFixed(0)} KiB (limit ${limit / KiB} KiB)`);

    ws.resume(); // the page reads again: everything arrives, in order
    await waitUntil(() => received === total, 30_000, 'every byte at the page');
    expect(pageHash.digest('hex')).toBe(serverHash.digest('hex'));
    expect(bridge.stats().sessions[0]?.peakBufferedToPage ?? 0).toBeLessThanOrEqual(bound);
  });

  it('stops reading from the page while the server does not read, with bounded buffers, and loses nothing', async () => {
    let upstream: net.Socket | null = null;
    const serverHash = createHash('sha256');
    let received = 0;
    const server = await startTcpServer((socket) => {
      upstream = socket;
      socket.pause(); // the RTMP server stops reading
      socket.on('data', (chunk: Buffer) => {
        serverHash.update(chunk);
        received += chunk.byteLength;
      });
    });
    cleanups.push(() => server.close());
    const limit = 256 * KiB;
    const maxMessage = 64 * KiB;
    const bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${server.port}`],
      limits: { maxBufferedToUpstream: limit, maxMessageBytes: maxMessage, maxBytesPerSecondToUpstream: 0, idleTimeoutMs: 0 },
      logger: silentLogger,
    });
    cleanups.push(() => bridge.close(1000));

    const ws = await openPage(`${bridge.url}?target=127.0.0.1:${server.port}`);
    const total = 32 * MiB;
    const pageHash = createHash('sha256');
    for (let sent = 0; sent < total; sent += maxMessage) {
      const message = randomBytes(maxMessage);
      pageHash.update(message);
      ws.send(message); // the page keeps sending; its own library queues what the socket refuses
    }
    await waitUntil(() => bridge.stats().sessions[0]?.pageReadPaused === true, 15_000, 'the bridge to stop reading from the page');
    await waitForQuiet(() => bridge.stats().bytesToUpstream, 200);
    const forwardedAtStall = bridge.stats().bytesToUpstream;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bridge.stats().bytesToUpstream).toBe(forwardedAtStall);
    const session = bridge.stats().sessions[0]!;
    expect(session.pageReadPaused).toBe(true);
    expect(session.bytesToUpstream).toBeLessThan(total);
    expect(ws.bufferedAmount).toBeGreaterThan(0); // the rest waits at the page, not in the bridge
    // The bound: the limit plus what ws had already decoded when reading stopped (one socket
    // read and one message).
    const bound = limit + maxMessage + 64 * KiB;
    expect(session.peakBufferedToUpstream).toBeLessThanOrEqual(bound);
    console.log(`server stalled: bridge forwarded ${(session.bytesToUpstream / MiB).toFixed(1)} MiB, peak buffered to server ${(session.peakBufferedToUpstream / KiB).toFixed(0)} KiB (limit ${limit / KiB} KiB)`);

    upstream!.resume(); // the server reads again
    await waitUntil(() => received === total, 30_000, 'every byte at the server');
    expect(serverHash.digest('hex')).toBe(pageHash.digest('hex'));
    expect(bridge.stats().sessions[0]!.peakBufferedToUpstream).toBeLessThanOrEqual(bound);
    ws.close(1000);
  });
});
