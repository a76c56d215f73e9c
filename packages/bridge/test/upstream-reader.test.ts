import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PooledSocketReader, ReadBufferPool, type UpstreamSink } from '../src/upstream-reader';
import { startTcpServer } from './support/peers';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('ReadBufferPool', () => {
  it('hands out buffers of its size and reuses the ones given back, up to maxFree', () => {
    const pool = new ReadBufferPool(128 * KiB, 2);
    const a = pool.take();
    const b = pool.take();
    const c = pool.take();
    expect([a.byteLength, b.byteLength, c.byteLength]).toEqual([128 * KiB, 128 * KiB, 128 * KiB]);
    pool.give(a);
    pool.give(b);
    pool.give(c); // over maxFree: dropped
    pool.give(Buffer.alloc(64 * KiB)); // not one of its size: dropped
    const again = [pool.take(), pool.take()];
    expect(again).toContain(a);
    expect(again).toContain(b);
    const fresh = pool.take();
    expect(fresh).not.toBe(c);
    expect(fresh.byteLength).toBe(128 * KiB);
  });
});

/** A loopback server and a client socket reading through a PooledSocketReader. */
async function connectReader(onServerSocket: (socket: net.Socket) => void, bulkPool: ReadBufferPool) {
  const server = await startTcpServer(onServerSocket);
  const reader = new PooledSocketReader(new ReadBufferPool(64 * KiB, 4), bulkPool);
  const socket = net.connect({ host: '127.0.0.1', port: server.port, onread: reader.onreadOption() });
  reader.bind(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { server, reader, socket };
}

function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not reached'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('PooledSocketReader (real loopback sockets)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('delivers bytes that arrived before attach first, then the rest, and still emits end', async () => {
    let serverSocket: net.Socket | null = null;
    const { server, reader, socket } = await connectReader((s) => {
      serverSocket = s;
      s.write(Buffer.from('early bytes'));
    }, new ReadBufferPool(64 * KiB, 4));
    cleanups.push(() => server.close(), () => void socket.destroy());
    // Let the early bytes be read with no sink: the reader keeps them and stops reading.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    reader.attach((chunk) => chunks.push(Buffer.from(chunk)));
    serverSocket!.end(Buffer.from(' and late ones'));
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('early bytes and late ones');
  });

  it('never reuses a buffer before its chunk is released: 16 MiB arrive intact with releases held back', async () => {
    const total = 16 * MiB;
    const sent = createHash('sha256');
    let written = 0;
    const { server, reader, socket } = await connectReader((s) => {
      void (async () => {
        while (written < total) {
          // Mixed sizes: small writes keep the reader in small mode, bursts push it to bulk mode.
          const block = randomBytes(written % (3 * MiB) < MiB ? 7 * KiB + (written % 5000) : 512 * KiB);
          sent.update(block);
          written += block.byteLength;
          if (!s.write(block)) await new Promise((resolve) => s.once('drain', resolve));
        }
        s.end();
      })();
    }, new ReadBufferPool(256 * KiB, 8));
    cleanups.push(() => server.close(), () => void socket.destroy());

    const received = createHash('sha256');
    let bytes = 0;
    let largest = 0;
    // Chunks wait in a queue, as they would toward a slow page; each is hashed only when it is
    // released, so a buffer reused too early would change the hash.
    const queue: Array<{ chunk: Buffer; release: (() => void) | null }> = [];
    const drain = (keep: number) => {
      while (queue.length > keep) {
        const { chunk, release } = queue.shift()!;
        received.update(chunk);
        release?.();
      }
    };
    const sink: UpstreamSink = (chunk, release) => {
      bytes += chunk.byteLength;
      largest = Math.max(largest, chunk.byteLength);
      queue.push({ chunk, release });
      drain(6);
    };
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    reader.attach(sink);
    await ended;
    drain(0);
    expect(bytes).toBe(written);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(largest).toBeLessThanOrEqual(256 * KiB);
  });

  it('reads nothing while the socket is paused, and everything after resume', async () => {
    let serverSocket: net.Socket | null = null;
    const { server, reader, socket } = await connectReader((s) => (serverSocket = s), new ReadBufferPool(64 * KiB, 4));
    cleanups.push(() => server.close(), () => void socket.destroy());
    let bytes = 0;
    reader.attach((chunk, release) => {
      bytes += chunk.byteLength;
      release?.();
    });
    serverSocket!.write(randomBytes(10 * KiB));
    await waitFor(() => bytes === 10 * KiB);
    socket.pause();
    serverSocket!.write(randomBytes(100 * KiB));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(bytes).toBe(10 * KiB);
    socket.resume();
    await waitFor(() => bytes === 110 * KiB);
  });
});
