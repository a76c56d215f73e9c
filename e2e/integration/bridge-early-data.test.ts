/**
 * Early data (docs/bridge.md): a page's first bytes ride in the upgrade request as
 * `?early=<base64url>` and the bridge writes them upstream once every check has passed, before
 * it answers 101, selecting the `rtmp-web.early` subprotocol to say so. Real sockets on loopback:
 * a recording echo server stands in for the RTMP server, then nginx-rtmp answers a real C0+C1.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBridge, type Bridge, type SessionRecord } from '@rtmp-web/bridge';
import { ClientHandshake, NetConnection } from '@rtmp-web/rtmp';
import { captureLogger, closeOf, expectRefusal, silentLogger, startTcpServer, waitUntil, type TcpServerHandle } from '../../packages/bridge/test/support/peers';
import { signToken } from '../../packages/bridge/test/support/tokens';
import { WebSocketTransport } from '../../packages/player/src/transport/websocket-transport';
import { publishTestStream, startNginxRtmp, waitForStream, type NginxRtmpHandle, type Publisher } from '../servers/index';

const SECRET = 'early-data-secret-of-at-least-32-bytes';
const ORIGIN = 'https://player.example';
const EARLY = 'rtmp-web.early';

/** An echo server that also keeps, per connection, every byte it received in order. */
async function startRecordingEcho(): Promise<TcpServerHandle & { received: Buffer[][] }> {
  const received: Buffer[][] = [];
  const server = await startTcpServer((socket) => {
    const reads: Buffer[] = [];
    received.push(reads);
    socket.on('data', (data: Buffer) => {
      reads.push(Buffer.from(data));
      socket.write(data);
    });
  });
  return Object.assign(server, { received });
}

interface OpenedPage {
  ws: WebSocket;
  /** Every message from the bridge, collected from the moment the socket exists. */
  messages: Buffer[];
  bytes(): Buffer;
}

/** Opens a page with messages collected from the start (the echo of early data can follow the 101 at once). */
function openCollecting(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<OpenedPage> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    const messages: Buffer[] = [];
    ws.on('message', (data: Buffer) => messages.push(data));
    ws.once('open', () => resolve({ ws, messages, bytes: () => Buffer.concat(messages) }));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`refused ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('bridge early data (recording echo server)', () => {
  let echo: Awaited<ReturnType<typeof startRecordingEcho>>;
  let outside: TcpServerHandle;
  let bridge: Bridge;
  let guarded: Bridge;
  const log = captureLogger();
  const records: SessionRecord[] = [];

  beforeAll(async () => {
    echo = await startRecordingEcho();
    outside = await startTcpServer(() => {});
    bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${echo.port}`], logger: log.logger, limits: { maxEarlyDataBytes: 2048 } });
    bridge.on('session-close', (record) => records.push(record));
    guarded = await createBridge({
      port: 0,
      allow: [`127.0.0.1:${echo.port}`],
      origins: [ORIGIN],
      token: { secret: SECRET, audience: 'rtmp-web' },
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await bridge?.close(2000);
    await guarded?.close(2000);
    await echo?.close();
    await outside?.close();
  });

  const target = () => `127.0.0.1:${echo.port}`;

  it('writes the early bytes upstream once, first, ahead of the first frame, and selects rtmp-web.early', async () => {
    const early = randomBytes(1537);
    const frame = randomBytes(3073);
    const connectionsBefore = echo.received.length;
    const page = await openCollecting(`${bridge.url}?target=${target()}&early=${b64(early)}`, [EARLY, 'rtmp-web']);
    expect(page.ws.protocol).toBe(EARLY);
    page.ws.send(frame);
    await waitUntil(() => page.bytes().byteLength >= early.byteLength + frame.byteLength, 5000, 'the echo');
    const upstream = Buffer.concat(echo.received[connectionsBefore]!);
    expect(upstream).toEqual(Buffer.concat([early, frame]));
    expect(page.bytes()).toEqual(Buffer.concat([early, frame]));
    const live = bridge.stats().sessions.find((session) => session.bytesToUpstream > 0)!;
    expect(live.bytesToUpstream).toBe(early.byteLength + frame.byteLength);
    const closed = closeOf(page.ws);
    page.ws.close(1000);
    await closed;
    await waitUntil(() => records.length > 0, 5000, 'the session record');
    expect(records.at(-1)).toMatchObject({ bytesToUpstream: early.byteLength + frame.byteLength, bytesToPage: early.byteLength + frame.byteLength });
    // The bytes never reach the log, neither raw nor encoded.
    expect(log.text()).not.toContain(b64(early).slice(0, 40));
  });

  it('selects rtmp-web.early only when early bytes were written', async () => {
    const noEarly = await openCollecting(`${bridge.url}?target=${target()}`, [EARLY, 'rtmp-web']);
    expect(noEarly.ws.protocol).toBe('rtmp-web');
    noEarly.ws.terminate();
    // A client that sends early bytes without offering the protocol still has them written (the
    // parameter is the request); it just gets no acknowledgement.
    const early = randomBytes(16);
    const connectionsBefore = echo.received.length;
    const unacknowledged = await openCollecting(`${bridge.url}?target=${target()}&early=${b64(early)}`, ['rtmp-web']);
    expect(unacknowledged.ws.protocol).toBe('rtmp-web');
    await waitUntil(() => unacknowledged.bytes().byteLength >= 16, 5000, 'the echo');
    expect(Buffer.concat(echo.received[connectionsBefore]!)).toEqual(early);
    unacknowledged.ws.terminate();
  });

  it('refuses invalid base64url (400) and oversize early data (413) before connecting upstream', async () => {
    const connectionsBefore = echo.received.length;
    const refusalsBefore = bridge.stats().refusals;
    expect(await expectRefusal(`${bridge.url}?target=${target()}&early=AAAA%2B%2F`, { protocols: [EARLY, 'rtmp-web'] })).toMatchObject({
      status: 400,
      reason: 'bad-request',
      body: 'early data is not base64url (RFC 4648 §5)\n',
    });
    expect(await expectRefusal(`${bridge.url}?target=${target()}&early=AB`, { protocols: [EARLY, 'rtmp-web'] })).toMatchObject({ status: 400, reason: 'bad-request' });
    expect(await expectRefusal(`${bridge.url}?target=${target()}&early=${b64(randomBytes(2049))}`, { protocols: [EARLY, 'rtmp-web'] })).toMatchObject({
      status: 413,
      reason: 'early-data-too-large',
      body: 'early data of 2049 bytes is over the limit of 2048\n',
    });
    // 2048 bytes, the limit itself, pass.
    const atLimit = await openCollecting(`${bridge.url}?target=${target()}&early=${b64(randomBytes(2048))}`, [EARLY, 'rtmp-web']);
    expect(atLimit.ws.protocol).toBe(EARLY);
    atLimit.ws.terminate();
    expect(echo.received.length).toBe(connectionsBefore + 1);
    expect(bridge.stats().refusals['early-data-too-large']).toBe((refusalsBefore['early-data-too-large'] ?? 0) + 1);
    const refusalLogs = log.records.filter((record) => record['event'] === 'refusal' && record['reason'] === 'early-data-too-large');
    expect(refusalLogs.at(-1)).toMatchObject({ status: 413, msg: 'early data of 2049 bytes is over the limit of 2048' });
  });

  it('writes nothing for a refused target', async () => {
    const early = b64(randomBytes(1537));
    expect(await expectRefusal(`${bridge.url}?target=127.0.0.1:${outside.port}&early=${early}`, { protocols: [EARLY, 'rtmp-web'] })).toMatchObject({
      status: 403,
      reason: 'target-not-allowed',
    });
    expect(outside.sockets).toHaveLength(0);
  });

  it('keeps token auth exactly as before, with and without early data (subprotocol and query)', async () => {
    const jwt = await signToken(SECRET, { target: target() });
    const early = randomBytes(1537);
    const page = { Origin: ORIGIN };

    // Token in the subprotocol list, early data acknowledged.
    let before = echo.received.length;
    const viaProtocol = await openCollecting(`${guarded.url}?early=${b64(early)}`, [EARLY, 'rtmp-web', `rtmp-web.token.${jwt}`], page);
    expect(viaProtocol.ws.protocol).toBe(EARLY);
    await waitUntil(() => viaProtocol.bytes().byteLength >= early.byteLength, 5000, 'the echo');
    expect(Buffer.concat(echo.received[before]!)).toEqual(early);
    viaProtocol.ws.terminate();

    // Token in the query, early data acknowledged.
    before = echo.received.length;
    const viaQuery = await openCollecting(`${guarded.url}?token=${jwt}&early=${b64(early)}`, [EARLY, 'rtmp-web'], page);
    expect(viaQuery.ws.protocol).toBe(EARLY);
    await waitUntil(() => viaQuery.bytes().byteLength >= early.byteLength, 5000, 'the echo');
    expect(Buffer.concat(echo.received[before]!)).toEqual(early);
    viaQuery.ws.terminate();

    // Without early data, as today: rtmp-web beside the token, or the token protocol alone.
    const plain = await openCollecting(guarded.url, ['rtmp-web', `rtmp-web.token.${jwt}`], page);
    expect(plain.ws.protocol).toBe('rtmp-web');
    plain.ws.terminate();
    const tokenOnly = await openCollecting(guarded.url, [`rtmp-web.token.${jwt}`], page);
    expect(tokenOnly.ws.protocol).toBe(`rtmp-web.token.${jwt}`);
    tokenOnly.ws.terminate();

    // Refused requests with early data write nothing: no token, a foreign Origin, a forged token.
    before = echo.received.length;
    expect(await expectRefusal(`${guarded.url}?target=${target()}&early=${b64(early)}`, { protocols: [EARLY, 'rtmp-web'], headers: page })).toMatchObject({ status: 401, reason: 'token-missing' });
    expect(await expectRefusal(`${guarded.url}?early=${b64(early)}`, { protocols: [EARLY, 'rtmp-web', `rtmp-web.token.${jwt}`], headers: { Origin: 'https://evil.example' } })).toMatchObject({
      status: 403,
      reason: 'origin',
    });
    const forged = await signToken('another-secret-of-at-least-32-bytes!!', { target: target() });
    expect(await expectRefusal(`${guarded.url}?early=${b64(early)}`, { protocols: [EARLY, 'rtmp-web', `rtmp-web.token.${forged}`], headers: page })).toMatchObject({
      status: 401,
      reason: 'token-invalid',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(echo.received.length).toBe(before);
  });

  it('counts early bytes against the page rate limit like any message', async () => {
    const limited = await createBridge({ port: 0, allow: [target()], logger: silentLogger, limits: { maxBytesPerSecondToUpstream: 2048 } });
    try {
      const before = echo.received.length;
      // 4096 early bytes against a 2048-byte bucket: one second of debt before the page is read again.
      const page = await openCollecting(`${limited.url}?target=${target()}&early=${b64(randomBytes(4096))}`, [EARLY, 'rtmp-web']);
      const opened = performance.now();
      page.ws.send(Buffer.from([1]));
      await waitUntil(() => page.bytes().byteLength >= 4097, 5000, 'the throttled frame');
      expect(performance.now() - opened).toBeGreaterThan(800);
      expect(Buffer.concat(echo.received[before]!).byteLength).toBe(4097);
      expect(limited.stats().sessions[0]).toMatchObject({ bytesToUpstream: 4097, pageReadPaused: false });
      page.ws.terminate();
    } finally {
      await limited.close(2000);
    }
  });
});

describe('bridge early data with nginx-rtmp', () => {
  let nginx: NginxRtmpHandle;
  let publisher: Publisher;
  let bridge: Bridge;

  beforeAll(async () => {
    nginx = await startNginxRtmp();
    publisher = await publishTestStream(nginx.url('live', 'early'), { durationSec: 60, width: 320, height: 180, fps: 25 });
    await waitForStream(nginx, 'live', 'early');
    bridge = await createBridge({ port: 0, allow: [`127.0.0.1:${nginx.port}`], logger: silentLogger });
  });

  afterAll(async () => {
    await bridge?.close(2000);
    await publisher?.stop();
    await nginx?.stop();
  });

  it('a real C0+C1 in the upgrade request: S0+S1+S2 follow the open with nothing sent', async () => {
    const handshake = new ClientHandshake({ kind: 'simple' });
    const c0c1 = await handshake.start();
    const page = await openCollecting(`${bridge.url}?target=127.0.0.1:${nginx.port}&early=${b64(c0c1)}`, [EARLY, 'rtmp-web']);
    expect(page.ws.protocol).toBe(EARLY);
    await waitUntil(() => page.bytes().byteLength >= 1 + 1536 * 2, 5000, 'S0S1S2');
    const step = await handshake.push(new Uint8Array(page.bytes()));
    expect(step.status).toBe('done');
    page.ws.terminate();
  });

  it('NetConnection over the page transport (WebSocketTransport.open with ws) plays through an early-data open', async () => {
    const transport = WebSocketTransport.open(bridge.url, { target: `127.0.0.1:${nginx.port}`, WebSocket: WebSocket as never });
    const connection = new NetConnection();
    const connecting = connection.connect(nginx.url('live', 'early'), { transport });
    const playing = connection.createStreamAndPlay('early', { bufferMs: 100 });
    await transport.opened;
    expect(transport.earlyDataAccepted).toBe(true);
    expect((await connecting).info.code).toBe('NetConnection.Connect.Success');
    const stream = await playing;
    const frames: number[] = [];
    stream.on('video', (event) => frames.push(event.frames.length));
    await stream.waitForPlayStart();
    await waitUntil(() => frames.length >= 5, 10_000, 'video frames');
    connection.close();
  });
});
