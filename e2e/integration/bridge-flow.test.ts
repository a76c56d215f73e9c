/**
 * Bytes through the bridge with real sockets on loopback: unchanged both ways, half-closes mapped
 * to close codes, one log record per session, Prometheus metrics, rtmps upstreams with verified
 * certificates and SNI, IPv6 targets, and wss:// with the bridge's own certificate.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createBridge, type Bridge, type SessionRecord } from '@rtmp-web/bridge';
import { makeLocalhostCertificate } from '../../packages/bridge/test/support/certs';
import {
  captureLogger,
  closeOf,
  expectRefusal,
  openPage,
  readBytes,
  sha256,
  silentLogger,
  startEchoServer,
  startTcpServer,
  waitUntil,
  type TcpServerHandle,
} from '../../packages/bridge/test/support/peers';

const unlimited = { maxBytesPerSecondToPage: 0, maxBytesPerSecondToUpstream: 0 };

/** Splits `bytes` into random-sized pieces (1..maxPiece). */
function randomPieces(bytes: Buffer, maxPiece: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.byteLength; ) {
    const size = 1 + Math.floor(Math.random() * maxPiece);
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

/** Sends pieces while respecting the socket's own buffer, so the test measures the bridge, not a queue. */
async function sendPieces(ws: WebSocket, pieces: Buffer[]): Promise<void> {
  for (const piece of pieces) {
    ws.send(piece);
    if (ws.bufferedAmount > 4 * 1024 * 1024) await waitUntil(() => ws.bufferedAmount < 1024 * 1024, 30_000, 'the page socket to drain');
  }
}

describe('bridge data flow', () => {
  const log = captureLogger();
  const records: SessionRecord[] = [];
  let bridge: Bridge;
  let echo: TcpServerHandle;
  /** Per connection: what the server received (hash), and the bytes it sent. */
  let exchange: TcpServerHandle;
  const exchangeResults: Array<Promise<{ received: string; receivedBytes: number }>> = [];
  const DOWN = randomBytes(8 * 1024 * 1024);

  beforeAll(async () => {
    echo = await startEchoServer();
    exchange = await startTcpServer((socket) => {
      const hash = createHash('sha256');
      let receivedBytes = 0;
      exchangeResults.push(
        new Promise((resolve) => {
          socket.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            receivedBytes += chunk.byteLength;
          });
          socket.on('end', () => {
            resolve({ received: hash.digest('hex'), receivedBytes });
            socket.end();
          });
        }),
      );
      void (async () => {
        for (const piece of randomPieces(DOWN, 100_000)) {
          if (!socket.write(piece)) await new Promise((resolve) => socket.once('drain', resolve));
        }
      })();
    });
    bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${echo.port}`, `127.0.0.1:${exchange.port}`],
      limits: unlimited,
      logger: log.logger,
    });
    bridge.on('session-close', (record) => records.push(record));
  });

  afterAll(async () => {
    await bridge?.close(2000);
    await echo?.close();
    await exchange?.close();
  });

  it('carries large random payloads unchanged in both directions at once, on three sessions at once', async () => {
    const sessions = await Promise.all(
      [0, 1, 2].map(async () => {
        const ws = await openPage(`${bridge.url}?target=127.0.0.1:${exchange.port}`);
        const up = randomBytes(6 * 1024 * 1024);
        const down = readBytes(ws, DOWN.byteLength, 60_000);
        await sendPieces(ws, randomPieces(up, 65536));
        return { ws, up, down: await down };
      }),
    );
    for (const { ws, up, down } of sessions) {
      expect(down.byteLength).toBe(DOWN.byteLength);
      expect(sha256(down)).toBe(sha256(DOWN));
      const closed = closeOf(ws);
      ws.close(1000, 'done');
      expect((await closed).code).toBe(1000);
      void up;
    }
    // The page's close ended the TCP side (FIN) after the last byte: the server saw all of it.
    const results = await Promise.all(exchangeResults);
    const expected = sessions.map(({ up }) => sha256(up)).sort();
    expect(results.map((result) => result.received).sort()).toEqual(expected);
    expect(results.every((result) => result.receivedBytes === 6 * 1024 * 1024)).toBe(true);
  });

  it('maps a server FIN to: every byte delivered, then close 1000', async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    const server = await startTcpServer((socket) => socket.end(payload));
    const finBridge = await createBridge({ port: 0, allow: [`127.0.0.1:${server.port}`], limits: unlimited, logger: silentLogger });
    const ended: SessionRecord[] = [];
    finBridge.on('session-close', (record) => ended.push(record));
    try {
      const ws = await openPage(`${finBridge.url}?target=127.0.0.1:${server.port}`);
      const received: Buffer[] = [];
      ws.on('message', (data: Buffer) => received.push(data));
      const { code, reason } = await closeOf(ws);
      expect(code).toBe(1000);
      expect(reason).toBe('upstream closed');
      expect(sha256(Buffer.concat(received))).toBe(sha256(payload));
      await waitUntil(() => ended.length === 1, 5000, 'the session record');
      expect(ended[0]).toMatchObject({ closeReason: 'upstream-closed', closedBy: 'upstream', closeCode: 1000, bytesToPage: payload.byteLength, bytesToUpstream: 0 });
    } finally {
      await finBridge.close(1000);
      await server.close();
    }
  });

  it('maps an upstream reset to close 1011', async () => {
    const server = await startTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const resetBridge = await createBridge({ port: 0, allow: [`127.0.0.1:${server.port}`], logger: silentLogger });
    try {
      const ws = await openPage(`${resetBridge.url}?target=127.0.0.1:${server.port}`);
      const closed = closeOf(ws);
      ws.send(Buffer.from([3]));
      expect((await closed).code).toBe(1011);
    } finally {
      await resetBridge.close(1000);
      await server.close();
    }
  });

  it('logs exactly one record per session, with the documented fields', async () => {
    await waitUntil(() => records.length === 3, 5000, 'three session records');
    const logged = log.records.filter((record) => record['event'] === 'session');
    expect(logged).toHaveLength(3);
    for (const record of logged) {
      expect(record).toMatchObject({
        msg: 'session closed',
        peer: '127.0.0.1',
        target: `127.0.0.1:${exchange.port}`,
        address: '127.0.0.1',
        tls: false,
        bytesToPage: DOWN.byteLength,
        bytesToUpstream: 6 * 1024 * 1024,
        closeCode: 1000,
        closeReason: 'page-closed',
        closedBy: 'page',
      });
      expect(typeof record['id']).toBe('string');
      expect(record['durationMs']).toBeGreaterThan(0);
      expect(record['connectMs']).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(logged.map((record) => record['id'])).size).toBe(3);
  });

  it('serves Prometheus metrics: sessions, bytes, refusals by reason, upstream connect time', async () => {
    expect(await expectRefusal(`${bridge.url}?target=127.0.0.1:1`)).toMatchObject({ status: 403 });
    const response = await fetch(bridge.metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('rtmp_web_bridge_sessions_total 3');
    expect(text).toContain('rtmp_web_bridge_sessions_active 0');
    expect(text).toContain(`rtmp_web_bridge_bytes_total{direction="to_page"} ${3 * DOWN.byteLength}`);
    expect(text).toContain(`rtmp_web_bridge_bytes_total{direction="to_upstream"} ${3 * 6 * 1024 * 1024}`);
    expect(text).toContain('rtmp_web_bridge_refusals_total{reason="target-not-allowed"} 1');
    expect(text).toContain('rtmp_web_bridge_refusals_total{reason="origin"} 0');
    expect(text).toContain('rtmp_web_bridge_upstream_connect_seconds_count 3');
    expect(text).toContain('rtmp_web_bridge_session_closes_total{reason="page-closed"} 3');
  });

  it('can serve metrics on a port of their own (then not on the bridge port)', async () => {
    const separate = await createBridge({ port: 0, allow: ['example.com:1935'], metrics: { port: 0 }, logger: silentLogger });
    try {
      expect(separate.metricsUrl).not.toContain(`:${separate.port}/`);
      expect((await fetch(separate.metricsUrl!)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${separate.port}/metrics`)).status).toBe(404);
    } finally {
      await separate.close(1000);
    }
    const none = await createBridge({ port: 0, allow: ['example.com:1935'], metrics: false, logger: silentLogger });
    try {
      expect(none.metricsUrl).toBeNull();
      expect((await fetch(`http://127.0.0.1:${none.port}/metrics`)).status).toBe(404);
    } finally {
      await none.close(1000);
    }
  });

  it('reaches an IPv6 target named as [::1]:port', async () => {
    const server = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const v6Bridge = await createBridge({ port: 0, allow: [`[::1]:${port}`], logger: silentLogger });
    try {
      const ws = await openPage(`${v6Bridge.url}?target=${encodeURIComponent(`[::1]:${port}`)}`);
      const payload = randomBytes(50_000);
      const echoed = readBytes(ws, payload.byteLength);
      ws.send(payload);
      expect(sha256(await echoed)).toBe(sha256(payload));
      expect(v6Bridge.stats().sessions[0]).toMatchObject({ target: `[::1]:${port}`, address: '::1' });
      ws.close(1000);
    } finally {
      await v6Bridge.close(1000);
      server.close();
    }
  });

  it('prints a throughput figure: through the bridge versus direct TCP (not asserted)', async () => {
    const size = 64 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const flood = await startTcpServer((socket) => {
      void (async () => {
        for (let sent = 0; sent < size; sent += block.byteLength) {
          if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
        }
        socket.end();
      })();
    });
    const fast = await createBridge({ port: 0, allow: [`127.0.0.1:${flood.port}`], limits: unlimited, logger: silentLogger });
    try {
      let started = performance.now();
      const direct = net.connect({ port: flood.port, host: '127.0.0.1' });
      let directBytes = 0;
      direct.on('data', (chunk: Buffer) => (directBytes += chunk.byteLength));
      await new Promise((resolve) => direct.on('end', resolve));
      const directMBps = size / 1e6 / ((performance.now() - started) / 1000);

      started = performance.now();
      const ws = await openPage(`${fast.url}?target=127.0.0.1:${flood.port}`);
      let bridgedBytes = 0;
      ws.on('message', (data: Buffer) => (bridgedBytes += data.byteLength));
      await closeOf(ws);
      const bridgedMBps = size / 1e6 / ((performance.now() - started) / 1000);
      expect(directBytes).toBe(size);
      expect(bridgedBytes).toBe(size);
      console.log(`throughput, 64 MiB server->page on loopback: direct TCP ${directMBps.toFixed(0)} MB/s, through the bridge ${bridgedMBps.toFixed(0)} MB/s`);
    } finally {
      await fast.close(1000);
      await flood.close();
    }
  });
});

describe('bridge TLS', () => {
  const certificate = makeLocalhostCertificate();
  let server: tls.Server;
  let port: number;
  const servernames: Array<string | false | null> = [];

  beforeAll(async () => {
    server = tls.createServer({ cert: certificate.cert, key: certificate.key }, (socket) => {
      servernames.push(socket.servername);
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    server?.close();
  });

  it('opens rtmps upstreams with certificate verification and SNI set to the host name', async () => {
    const bridge = await createBridge({ port: 0, allow: [`localhost:${port}`, `127.0.0.1:${port}`], tls: { ca: certificate.cert }, logger: silentLogger });
    try {
      for (const query of [`target=localhost:${port}&tls=1`, `target=${encodeURIComponent(`rtmps://localhost:${port}/live`)}`, `target=127.0.0.1:${port}&tls=1`]) {
        const ws = await openPage(`${bridge.url}?${query}`);
        const payload = randomBytes(200_000);
        const echoed = readBytes(ws, payload.byteLength);
        ws.send(payload);
        expect(sha256(await echoed)).toBe(sha256(payload));
        expect(bridge.stats().sessions.find((s) => s.tls)).toBeDefined();
        const closed = closeOf(ws);
        ws.close(1000);
        await closed;
      }
      // A host name goes out as SNI; an IP literal target carries none (RFC 6066 §3).
      expect(servernames).toEqual(['localhost', 'localhost', false]);
    } finally {
      await bridge.close(1000);
    }
  });

  it('refuses (502) an upstream whose certificate does not verify', async () => {
    const strict = await createBridge({ port: 0, allow: [`localhost:${port}`, `127.0.0.1:${port}`], logger: silentLogger });
    try {
      const refusal = await expectRefusal(`${strict.url}?target=localhost:${port}&tls=1`);
      expect(refusal).toMatchObject({ status: 502, reason: 'upstream-tls' });
      expect(refusal.body).toMatch(/SELF_SIGNED|self.signed/i);
    } finally {
      await strict.close(1000);
    }
  });

  it('serves wss:// with its own certificate', async () => {
    const echo = await startEchoServer();
    const secure = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], serverTls: certificate, logger: silentLogger });
    try {
      expect(secure.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
      const ws = await openPage(`${secure.url.replace('127.0.0.1', 'localhost')}?target=127.0.0.1:${echo.port}`, { ca: certificate.cert });
      const payload = randomBytes(100_000);
      const echoed = readBytes(ws, payload.byteLength);
      ws.send(payload);
      expect(sha256(await echoed)).toBe(sha256(payload));
      ws.close(1000);
    } finally {
      await secure.close(1000);
      await echo.close();
    }
  });
});
