/**
 * Time and rate limits of a session, with real sockets: idle timeout (1008), maximum session age
 * (1013), keepalive pings (an unanswered ping cuts the page), and byte rates each way.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBridge, type BridgeLimits, type SessionRecord } from '@rtmp-web/bridge';
import { closeOf, openPage, readBytes, sha256, silentLogger, startEchoServer, startTcpServer, waitUntil } from '../../packages/bridge/test/support/peers';

describe('bridge session limits', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function echoBridge(limits: Partial<BridgeLimits>) {
    const echo = await startEchoServer();
    cleanups.push(() => echo.close());
    const bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], limits, logger: silentLogger });
    cleanups.push(() => bridge.close(1000));
    const records: SessionRecord[] = [];
    bridge.on('session-close', (record) => records.push(record));
    return { bridge, records, url: `${bridge.url}?target=127.0.0.1:${echo.port}` };
  }

  it('closes an idle session with 1008, and activity in either direction keeps it open', async () => {
    const { url, records } = await echoBridge({ idleTimeoutMs: 300 });
    const busy = await openPage(url);
    const quiet = await openPage(url);
    const quietClosed = closeOf(quiet);
    const started = Date.now();
    const pinger = setInterval(() => busy.send(Buffer.from([1])), 80);
    const { code } = await quietClosed;
    expect(code).toBe(1008);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the idle timeout
    expect(busy.readyState).toBe(WebSocket.OPEN);
    clearInterval(pinger);
    expect((await closeOf(busy)).code).toBe(1008);
    await waitUntil(() => records.length === 2, 5000, 'two records');
    expect(records.map((r) => [r.closeReason, r.closeCode, r.closedBy])).toEqual([
      ['idle-timeout', 1008, 'bridge'],
      ['idle-timeout', 1008, 'bridge'],
    ]);
  });

  it('closes a session at its maximum age with 1013 (reconnect), even while it is busy', async () => {
    const { url, records } = await echoBridge({ maxSessionMs: 400 });
    const ws = await openPage(url);
    const started = Date.now();
    const pump = setInterval(() => ws.send(randomBytes(1000)), 20);
    const { code, reason } = await closeOf(ws);
    clearInterval(pump);
    expect(code).toBe(1013);
    expect(reason).toBe('session age limit reached');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    await waitUntil(() => records.length === 1, 5000, 'the record');
    expect(records[0]).toMatchObject({ closeReason: 'max-age', closeCode: 1013 });
  });

  it('pings the page, and cuts a page that stops answering pings (no close frame: 1006)', async () => {
    const { url, records } = await echoBridge({ pingIntervalMs: 100, pingTimeoutMs: 150 });
    const answering = await openPage(url);
    let pings = 0;
    answering.on('ping', () => pings++);
    const silent = await openPage(url, { autoPong: false });
    const { code } = await closeOf(silent);
    expect(code).toBe(1006);
    await waitUntil(() => records.length === 1, 5000, 'the record');
    expect(records[0]).toMatchObject({ closeReason: 'ping-timeout', closedBy: 'bridge' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close(1000);
  });

  it('holds each direction to its byte rate without losing bytes', async () => {
    const rate = 1024 * 1024;
    const size = 3 * rate; // one second of burst, then two seconds at the rate
    const down = randomBytes(size);
    let upReceived = 0;
    let upDoneAt = 0;
    const server = await startTcpServer((socket) => {
      socket.write(down);
      socket.on('data', (chunk: Buffer) => {
        upReceived += chunk.byteLength;
        if (upReceived === size) upDoneAt = Date.now();
      });
    });
    cleanups.push(() => server.close());
    const bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${server.port}`],
      limits: { maxBytesPerSecondToPage: rate, maxBytesPerSecondToUpstream: rate },
      logger: silentLogger,
    });
    cleanups.push(() => bridge.close(1000));
    const ws = await openPage(`${bridge.url}?target=127.0.0.1:${server.port}`);
    const started = Date.now();
    const received = readBytes(ws, size, 20_000);
    for (let offset = 0; offset < size; offset += 32 * 1024) ws.send(randomBytes(32 * 1024));
    const downBytes = await received;
    const downMs = Date.now() - started;
    await waitUntil(() => upReceived === size, 20_000, 'the upstream bytes');
    const upMs = upDoneAt - started;
    expect(sha256(downBytes)).toBe(sha256(down));
    expect(downMs).toBeGreaterThanOrEqual(1700);
    expect(upMs).toBeGreaterThanOrEqual(1700);
    expect(downMs).toBeLessThan(8000);
    expect(upMs).toBeLessThan(8000);
    console.log(`rate limit 1 MiB/s, 3 MiB each way: to page ${downMs} ms, to server ${upMs} ms`);
    ws.close(1000);
  });
});
