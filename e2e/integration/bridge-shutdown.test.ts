/**
 * Graceful shutdown: stop accepting, close every session with 1001 (the page gets every byte
 * first, the server gets a FIN), refuse upgrades still connecting with 503, and cut what is left
 * at the deadline. Also through the command: SIGTERM and SIGINT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBridge, type SessionRecord } from '@rtmp-web/bridge';
import { logRecords, startBridgeCommand } from '../../packages/bridge/test/support/command';
import { closeOf, expectRefusal, openPage, readBytes, silentLogger, startEchoServer, startTcpServer, waitUntil } from '../../packages/bridge/test/support/peers';

describe('bridge graceful shutdown', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('closes every session with 1001, ends each server connection, refuses pending upgrades, stops accepting', async () => {
    const ends: number[] = [];
    const server = await startTcpServer((socket) => {
      socket.pipe(socket);
      socket.on('end', () => ends.push(Date.now()));
    });
    cleanups.push(() => server.close());
    const bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${server.port}`, 'hang.test:1935'],
      lookup: (host) => (host === 'hang.test' ? new Promise<string[]>(() => {}) : Promise.resolve(['127.0.0.1'])),
      logger: silentLogger,
    });
    const records: SessionRecord[] = [];
    bridge.on('session-close', (record) => records.push(record));
    let closeEvent: { forced: number } | null = null;
    bridge.on('close', (event) => (closeEvent = event));

    const pages = await Promise.all([0, 1, 2].map(() => openPage(`${bridge.url}?target=127.0.0.1:${server.port}`)));
    // Bytes in flight are delivered before the close frame.
    const echoed = readBytes(pages[0]!, 100_000);
    pages[0]!.send(Buffer.alloc(100_000, 7));
    expect((await echoed).byteLength).toBe(100_000);
    const closes = pages.map((ws) => closeOf(ws));
    const pending = expectRefusal(`${bridge.url}?target=hang.test:1935`);
    await waitUntil(() => bridge.stats().pendingUpgrades === 1, 5000, 'the pending upgrade');

    const started = Date.now();
    await bridge.close(5000);
    expect(Date.now() - started).toBeLessThan(4000);
    for (const closed of await Promise.all(closes)) expect(closed).toEqual({ code: 1001, reason: 'bridge shutting down' });
    expect(await pending).toMatchObject({ status: 503, reason: 'shutting-down' });
    expect(ends).toHaveLength(3);
    expect(records.map((r) => [r.closeReason, r.closeCode, r.closedBy])).toEqual(Array(3).fill(['shutdown', 1001, 'bridge']));
    expect(closeEvent).toEqual({ forced: 0 });
    // No longer listening.
    await expect(openPage(`${bridge.url}?target=127.0.0.1:${server.port}`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // close() is idempotent.
    await bridge.close();
  });

  it('cuts a page that does not answer the close frame once the deadline passes', async () => {
    const echo = await startEchoServer();
    cleanups.push(() => echo.close());
    const bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], logger: silentLogger });
    const records: SessionRecord[] = [];
    bridge.on('session-close', (record) => records.push(record));
    let closeEvent: { forced: number } | null = null;
    bridge.on('close', (event) => (closeEvent = event));
    const stubborn = await openPage(`${bridge.url}?target=127.0.0.1:${echo.port}`);
    stubborn.pause(); // never reads the close frame, so never answers it
    const closed = closeOf(stubborn);
    const started = Date.now();
    await bridge.close(400);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(3000);
    expect(closeEvent).toEqual({ forced: 1 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ closeReason: 'shutdown', closedBy: 'bridge' });
    stubborn.resume();
    await closed;
    expect(echo.sockets.every((socket) => socket.destroyed)).toBe(true);
  });
});

describe('rtmp-web bridge: signals', () => {
  it.each([['SIGTERM'], ['SIGINT']] as const)('on %s closes sessions with 1001 and exits 0', async (signal) => {
    const echo = await startEchoServer();
    const command = await startBridgeCommand(['--port', '0', '--allow', `127.0.0.1:${echo.port}`, '--shutdown-deadline', '3000']);
    try {
      const ws = await openPage(`${command.url}?target=127.0.0.1:${echo.port}`);
      const echoed = readBytes(ws, 4);
      ws.send(Buffer.from('ping'));
      expect((await echoed).toString()).toBe('ping');
      const closed = closeOf(ws);
      command.child.kill(signal);
      expect(await closed).toEqual({ code: 1001, reason: 'bridge shutting down' });
      expect(await command.exit).toBe(0);
      expect(command.stderr()).toContain(`${signal}: closing sessions`);
      const session = logRecords(command.stdout()).find((record) => record['event'] === 'session');
      expect(session).toMatchObject({ closeReason: 'shutdown', closeCode: 1001, bytesToPage: 4, bytesToUpstream: 4 });
      expect(ws.readyState).toBe(WebSocket.CLOSED);
    } finally {
      if (command.child.exitCode === null) command.child.kill('SIGKILL');
      await echo.close();
    }
  });
});
