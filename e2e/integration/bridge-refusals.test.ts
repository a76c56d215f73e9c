/**
 * Every refusal of the bridge, with real sockets on loopback: each abuse gets its exact HTTP
 * status (before any WebSocket opens) or close code (after), and a legitimate session on the
 * same bridge keeps echoing intact bytes the whole time.
 */
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createBridge, type Bridge, type SessionRecord } from '@rtmp-web/bridge';
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
import { closeCodeOf, rawConnect, rawUpgrade, encodeClientFrame } from '../../packages/bridge/test/support/raw-websocket';
import { signToken } from '../../packages/bridge/test/support/tokens';

const SECRET = 'integration-secret-of-at-least-32-bytes';
const ORIGIN = 'https://player.example';

/** A page that keeps sending small random chunks and checks that the echo matches, byte for byte. */
function startSteadySession(ws: WebSocket) {
  const sent: Buffer[] = [];
  const received: Buffer[] = [];
  let receivedBytes = 0;
  ws.on('message', (data: Buffer) => {
    received.push(data);
    receivedBytes += data.byteLength;
  });
  const timer = setInterval(() => {
    const chunk = randomBytes(1 + Math.floor(Math.random() * 4096));
    sent.push(chunk);
    ws.send(chunk);
  }, 15);
  return {
    receivedBytes: () => receivedBytes,
    async stopAndVerify() {
      clearInterval(timer);
      const all = Buffer.concat(sent);
      await waitUntil(() => receivedBytes >= all.byteLength, 10_000, 'the steady session to drain');
      expect(receivedBytes).toBe(all.byteLength);
      expect(sha256(Buffer.concat(received))).toBe(sha256(all));
      expect(ws.readyState).toBe(ws.OPEN);
      return all.byteLength;
    },
  };
}

describe('bridge refusals (origins + tokens + allowlist)', () => {
  let echo: TcpServerHandle;
  let nameOnly: TcpServerHandle;
  let closedPort: number;
  let bridge: Bridge;
  let base: string;
  let steady: ReturnType<typeof startSteadySession>;
  let steadyWs: WebSocket;
  const log = captureLogger();
  const issued: string[] = [];
  const records: SessionRecord[] = [];
  const lookups: string[] = [];

  const token = async (target: string, options: { expiresInSec?: number; audience?: string } = {}) => {
    const jwt = await signToken(SECRET, { target }, options);
    issued.push(jwt);
    return jwt;
  };
  /** Page options for a legitimate request to `target`. */
  const legit = async (target: string) => ({ headers: { Origin: ORIGIN }, protocols: ['rtmp-web', `rtmp-web.token.${await token(target)}`] });

  beforeAll(async () => {
    echo = await startEchoServer();
    nameOnly = await startTcpServer(() => {});
    const closed = await startTcpServer(() => {});
    closedPort = closed.port;
    await closed.close();
    bridge = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${echo.port}`, `localhost:${nameOnly.port}`, 'rebind.test:1935', 'hang.test:1935', `127.0.0.1:${closedPort}`],
      origins: [ORIGIN],
      token: { secret: SECRET, audience: 'rtmp-web' },
      limits: { maxMessageBytes: 65536, maxFragments: 4, handshakeTimeoutMs: 400, upstreamConnectTimeoutMs: 500, maxBytesPerSecondToPage: 0, maxBytesPerSecondToUpstream: 0 },
      logger: log.logger,
      // The DNS seam: a rebinding answer (public + private) and a resolver that never answers.
      lookup: async (host) => {
        lookups.push(host);
        if (host === 'rebind.test') return ['93.184.216.34', '10.0.0.7'];
        if (host === 'hang.test') return new Promise<string[]>(() => {});
        return (await dnsLookup(host, { all: true })).map((answer) => answer.address);
      },
    });
    bridge.on('session-close', (record) => records.push(record));
    base = bridge.url;
    steadyWs = await openPage(`${base}?target=127.0.0.1:${echo.port}`, await legit(`127.0.0.1:${echo.port}`));
    expect(steadyWs.protocol).toBe('rtmp-web'); // the token subprotocol is not echoed back
    steady = startSteadySession(steadyWs);
  });

  afterAll(async () => {
    steadyWs?.terminate();
    await bridge?.close(2000);
    await echo?.close();
    await nameOnly?.close();
  });

  it('answers 404 off the WebSocket path and 426/404 to plain HTTP (no files are served)', async () => {
    expect(await expectRefusal(`${base}elsewhere?target=127.0.0.1:${echo.port}`, await legit(`127.0.0.1:${echo.port}`))).toMatchObject({ status: 404, reason: 'not-found' });
    const http = base.replace('ws://', 'http://');
    expect((await fetch(http)).status).toBe(426);
    expect((await fetch(`${http}index.html`)).status).toBe(404);
    expect((await fetch(`${http}../package.json`)).status).toBe(404);
  });

  it('refuses a missing or foreign Origin with 403', async () => {
    const jwt = await token(`127.0.0.1:${echo.port}`);
    const url = `${base}?target=127.0.0.1:${echo.port}&token=${jwt}`;
    expect(await expectRefusal(url)).toMatchObject({ status: 403, reason: 'origin' });
    expect(await expectRefusal(url, { headers: { Origin: 'https://evil.example' } })).toMatchObject({ status: 403, reason: 'origin' });
    expect(await expectRefusal(url, { headers: { Origin: 'https://player.example.evil.org' } })).toMatchObject({ status: 403, reason: 'origin' });
    // The same request with the right Origin opens: the token in the query works too.
    const ws = await openPage(url, { headers: { Origin: ORIGIN } });
    const closed = closeOf(ws);
    ws.close(1000);
    expect((await closed).code).toBe(1000);
  });

  it('refuses missing (401), expired (401), forged (401), wrong-audience (401) and wrong-target (403) tokens', async () => {
    const target = `127.0.0.1:${echo.port}`;
    const page = { headers: { Origin: ORIGIN } };
    expect(await expectRefusal(`${base}?target=${target}`, page)).toMatchObject({ status: 401, reason: 'token-missing' });
    const expired = await token(target, { expiresInSec: -120 });
    expect(await expectRefusal(`${base}?target=${target}&token=${expired}`, page)).toMatchObject({ status: 401, reason: 'token-expired' });
    const forged = await signToken('a-different-secret-of-32-bytes-or-more', { target });
    expect(await expectRefusal(`${base}?target=${target}&token=${forged}`, page)).toMatchObject({ status: 401, reason: 'token-invalid' });
    const [header, payload] = (await token(target)).split('.');
    expect(await expectRefusal(`${base}?target=${target}&token=${header}.${payload}.AAAA`, page)).toMatchObject({ status: 401, reason: 'token-invalid' });
    const otherAudience = await token(target, { audience: 'another-service' });
    expect(await expectRefusal(`${base}?target=${target}&token=${otherAudience}`, page)).toMatchObject({ status: 401, reason: 'token-invalid' });
    const forOther = await token(`localhost:${nameOnly.port}`);
    expect(await expectRefusal(`${base}?target=${target}&token=${forOther}`, page)).toMatchObject({ status: 403, reason: 'token-target' });
    expect(await expectRefusal(`${base}?target=${target}&tls=1`, await legit(target))).toMatchObject({ status: 403, reason: 'token-target' });
  });

  it('refuses targets outside the allowlist (403) and malformed ones (400)', async () => {
    expect(await expectRefusal(`${base}?target=example.org:1935`, await legit('example.org:1935'))).toMatchObject({ status: 403, reason: 'target-not-allowed' });
    expect(await expectRefusal(`${base}?target=127.0.0.1:${echo.port + 1}`, await legit(`127.0.0.1:${echo.port + 1}`))).toMatchObject({ status: 403, reason: 'target-not-allowed' });
    expect(await expectRefusal(`${base}?target=${encodeURIComponent('::1:1935')}`, await legit(`127.0.0.1:${echo.port}`))).toMatchObject({ status: 400, reason: 'target-invalid' });
  });

  it('refuses a host name that resolves to a private address (403), and never connects to it', async () => {
    // localhost is allowed by name, but 127.0.0.1 is loopback and the allowlist does not name it for this port.
    const refusal = await expectRefusal(`${base}?target=localhost:${nameOnly.port}`, await legit(`localhost:${nameOnly.port}`));
    expect(refusal).toMatchObject({ status: 403, reason: 'target-private-address' });
    expect(refusal.body).toContain('loopback');
    // A rebinding-style answer: one public and one private address. The whole name is refused.
    expect(await expectRefusal(`${base}?target=rebind.test:1935`, await legit('rebind.test:1935'))).toMatchObject({ status: 403, reason: 'target-private-address' });
    expect(lookups.filter((host) => host === 'rebind.test')).toHaveLength(1); // resolved once
    expect(nameOnly.sockets).toHaveLength(0);
  });

  it('answers 502 when the server refuses the connection and 504 when resolving or connecting takes too long', async () => {
    expect(await expectRefusal(`${base}?target=127.0.0.1:${closedPort}`, await legit(`127.0.0.1:${closedPort}`))).toMatchObject({ status: 502, reason: 'upstream-refused' });
    const started = Date.now();
    expect(await expectRefusal(`${base}?target=hang.test:1935`, await legit('hang.test:1935'))).toMatchObject({ status: 504, reason: 'upstream-timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('closes with 1009 on an oversize message, 1003 on a text frame, 1008 on too many fragments', async () => {
    const target = `127.0.0.1:${echo.port}`;
    const big = await openPage(`${base}?target=${target}`, await legit(target));
    const bigClosed = closeOf(big);
    big.send(Buffer.alloc(65537));
    expect((await bigClosed).code).toBe(1009);

    const text = await openPage(`${base}?target=${target}`, await legit(target));
    const textClosed = closeOf(text);
    text.send('connect please');
    expect((await textClosed).code).toBe(1003);

    const fragments = await openPage(`${base}?target=${target}`, await legit(target));
    const fragmentsClosed = closeOf(fragments);
    for (let i = 0; i < 5; i++) fragments.send(Buffer.from([i]), { fin: false });
    fragments.send(Buffer.from([9]), { fin: true });
    expect((await fragmentsClosed).code).toBe(1008);

    await waitUntil(() => ['message-too-big', 'text-frame', 'too-many-fragments'].every((reason) => records.some((r) => r.closeReason === reason)), 5000, 'the session records');
    expect(records.find((r) => r.closeReason === 'message-too-big')).toMatchObject({ closeCode: 1009, closedBy: 'bridge' });
    expect(records.find((r) => r.closeReason === 'text-frame')).toMatchObject({ closeCode: 1003, closedBy: 'bridge' });
    expect(records.find((r) => r.closeReason === 'too-many-fragments')).toMatchObject({ closeCode: 1008, closedBy: 'bridge' });
  });

  it('never negotiates compression, and closes with 1002 on a compressed (RSV1) frame', async () => {
    const target = `127.0.0.1:${echo.port}`;
    const connection = await rawUpgrade(bridge.port, `/?target=${target}`, {
      Origin: ORIGIN,
      'Sec-WebSocket-Protocol': `rtmp-web, rtmp-web.token.${await token(target)}`,
      'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
    });
    expect(connection.status).toBe(101);
    expect(connection.headers.toLowerCase()).not.toContain('sec-websocket-extensions');
    connection.socket.write(encodeClientFrame({ opcode: 2, rsv1: true, payload: Buffer.from([0x02, 0x00]) }));
    expect(closeCodeOf(await connection.closeFrame())).toBe(1002);
    connection.socket.destroy();
  });

  it('answers 408 to a client that is too slow to send its upgrade request', async () => {
    const socket = await rawConnect(bridge.port);
    const started = Date.now();
    socket.write('GET /?target=x HTTP/1.1\r\nHost: bridge.test\r\n'); // and nothing more
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('X-Bridge-Refusal: handshake-timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('kept the legitimate session flowing through all of it, and never logged a token', async () => {
    const before = steady.receivedBytes();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(steady.receivedBytes()).toBeGreaterThan(before);
    const total = await steady.stopAndVerify();
    expect(total).toBeGreaterThan(0);

    const stats = bridge.stats();
    expect(stats.refusals).toMatchObject({ origin: 3, 'token-missing': 1, 'token-expired': 1, 'token-target': 2, 'target-not-allowed': 2, 'target-private-address': 2, 'upstream-refused': 1, 'upstream-timeout': 1, 'handshake-timeout': 1 });
    const metrics = await (await fetch(bridge.metricsUrl!)).text();
    expect(metrics).toContain('rtmp_web_bridge_refusals_total{reason="origin"} 3');
    expect(metrics).toContain('rtmp_web_bridge_refusals_total{reason="target-private-address"} 2');

    const logText = log.text();
    for (const jwt of issued) expect(logText).not.toContain(jwt.split('.')[2]!);
    expect(log.records.filter((r) => r['event'] === 'refusal').length).toBeGreaterThanOrEqual(15);
  });
});

describe('bridge address rules with allowAny', () => {
  let bridge: Bridge;
  let echo: TcpServerHandle;

  beforeAll(async () => {
    echo = await startEchoServer();
    bridge = await createBridge({ port: 0, allowAny: true, logger: silentLogger });
  });
  afterAll(async () => {
    await bridge?.close(1000);
    await echo?.close();
  });

  it('still refuses loopback, private, metadata, mapped and unspecified addresses (403) and a missing target (400)', async () => {
    for (const target of [`127.0.0.1:${echo.port}`, `localhost:${echo.port}`, `[::1]:${echo.port}`, `[::ffff:127.0.0.1]:${echo.port}`, '10.0.0.1:1935', '169.254.169.254:80', '100.64.0.1:1935', '[fd00::1]:1935', '0.0.0.0:1935']) {
      const refusal = await expectRefusal(`${bridge.url}?target=${encodeURIComponent(target)}`);
      expect([target, refusal.status, refusal.reason]).toEqual([target, 403, 'target-private-address']);
    }
    expect(echo.sockets).toHaveLength(0);
    expect(await expectRefusal(bridge.url)).toMatchObject({ status: 400, reason: 'target-missing' });
  });
});

describe('bridge connection limits', () => {
  let bridge: Bridge;
  let echo: TcpServerHandle;

  beforeAll(async () => {
    echo = await startEchoServer();
    bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], limits: { maxConnectionsPerIp: 2, maxConnections: 3 }, logger: silentLogger });
  });
  afterAll(async () => {
    await bridge?.close(1000);
    await echo?.close();
  });

  it('answers 429 over the per-address limit and 503 over the total, and keeps earlier sessions flowing', async () => {
    const url = `${bridge.url}?target=127.0.0.1:${echo.port}`;
    const first = await openPage(url, { localAddress: '127.0.0.2' });
    const second = await openPage(url, { localAddress: '127.0.0.2' });
    expect(await expectRefusal(url, { localAddress: '127.0.0.2' })).toMatchObject({ status: 429, reason: 'too-many-connections-per-ip' });
    const third = await openPage(url, { localAddress: '127.0.0.3' });
    expect(await expectRefusal(url, { localAddress: '127.0.0.4' })).toMatchObject({ status: 503, reason: 'too-many-connections' });

    const payload = randomBytes(100_000);
    const echoed = readBytes(first, payload.byteLength);
    first.send(payload);
    expect(sha256(await echoed)).toBe(sha256(payload));

    // A slot frees when a session ends.
    const closed = closeOf(second);
    second.close(1000);
    await closed;
    await waitUntil(() => bridge.stats().sessionsActive === 2, 5000, 'the session to end');
    const fourth = await openPage(url, { localAddress: '127.0.0.4' });
    for (const ws of [first, third, fourth]) ws.close(1000);
  });
});

describe('bridge behind a proxy (trustProxy)', () => {
  it('counts and logs clients by the last X-Forwarded-For address', async () => {
    const echo = await startEchoServer();
    const bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], trustProxy: true, limits: { maxConnectionsPerIp: 1 }, logger: silentLogger });
    try {
      const url = `${bridge.url}?target=127.0.0.1:${echo.port}`;
      // The proxy appends the address it saw; only that last entry is trusted.
      const first = await openPage(url, { headers: { 'X-Forwarded-For': '203.0.113.50, 198.51.100.1' } });
      expect(await expectRefusal(url, { headers: { 'X-Forwarded-For': '198.51.100.1' } })).toMatchObject({ status: 429, reason: 'too-many-connections-per-ip' });
      const other = await openPage(url, { headers: { 'X-Forwarded-For': '198.51.100.1, 198.51.100.2' } });
      expect(bridge.stats().sessions.map((s) => s.peer).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
      first.close(1000);
      other.close(1000);
    } finally {
      await bridge.close(1000);
      await echo.close();
    }
  });
});
