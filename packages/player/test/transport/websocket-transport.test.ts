import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import type { CodedError } from '@rtmp-web/bytes';
import { PlayerError } from '../../src/errors';
import { EARLY_DATA_WAIT_MS, WebSocketTransport, type WebSocketConstructor } from '../../src/transport/websocket-transport';

/**
 * The WHATWG WebSocket surface the transport uses, driven by the test: `accept(protocol)` plays
 * the bridge's 101 with a selected subprotocol, `refuse(code)` a failed upgrade.
 */
class FakeWebSocket {
  static created: FakeWebSocket[] = [];
  readonly url: URL;
  readonly protocols: string[];
  protocol = '';
  binaryType = 'blob';
  bufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  closedWith: number | null | undefined = undefined;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string, protocols?: string | string[]) {
    this.url = new URL(url);
    this.protocols = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
    FakeWebSocket.created.push(this);
  }

  send(bytes: Uint8Array): void {
    // The transport hands over views it will not touch again; keep a copy as the wire would.
    this.sent.push(new Uint8Array(bytes));
  }

  close(code?: number): void {
    this.closedWith = code ?? null;
  }

  accept(protocol = ''): void {
    this.protocol = protocol;
    this.onopen?.();
  }

  refuse(code = 1006): void {
    this.onerror?.();
    this.onclose?.({ code, reason: '' });
  }

  receive(bytes: Uint8Array): void {
    this.onmessage?.({ data: bytes.slice().buffer });
  }
}

const WebSocket = FakeWebSocket as unknown as WebSocketConstructor;
const BRIDGE = 'ws://bridge.example:8080/rtmp';
const options = { target: 'rtmp.example:1935', WebSocket };

/** C0 + the first bytes of C1 stand for a first send (the real one is 1537 bytes). */
const C0C1 = fromHex(`
  03           # C0: version 3
  00 00 00 00  # C1 time
  00 00 00 00  # C1 zero
  fb ff fe     # C1 random: base64url uses - and _ for these
`);
const C0C1_BASE64URL = 'AwAAAAAAAAAA-__-';
const C2 = fromHex('aa bb cc # C2 + connect, stood for by three bytes');

function socketAt(index = 0): FakeWebSocket {
  const socket = FakeWebSocket.created[index];
  if (!socket) throw new Error(`no socket #${index}`);
  return socket;
}

async function rejectionOf(promise: Promise<unknown>): Promise<PlayerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PlayerError);
    return error as PlayerError;
  }
  throw new Error('resolved');
}

beforeEach(() => {
  FakeWebSocket.created = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WebSocketTransport.open (early data)', () => {
  it('creates the socket at the first send, with the bytes as early= and rtmp-web.early offered', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    expect(FakeWebSocket.created).toHaveLength(0);
    await Promise.resolve(); // NetConnection sends C0+C1 a few microtasks after connect()
    transport.send(C0C1);
    const socket = socketAt();
    expect(socket.url.searchParams.get('target')).toBe('rtmp.example:1935');
    expect(socket.url.searchParams.get('early')).toBe(C0C1_BASE64URL);
    expect(`${socket.url.origin}${socket.url.pathname}`).toBe('ws://bridge.example:8080/rtmp');
    expect(socket.protocols).toEqual(['rtmp-web.early', 'rtmp-web']);
    expect(socket.binaryType).toBe('arraybuffer');
    expect(socket.sent).toHaveLength(0);
  });

  it('sends nothing again when the bridge selected rtmp-web.early, then queued sends in order', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    transport.send(C0C1);
    transport.send(C2);
    transport.send(fromHex('dd'));
    const socket = socketAt();
    expect(transport.bufferedAmount).toBe(C0C1.byteLength + 4);
    socket.accept('rtmp-web.early');
    await transport.opened;
    expect(transport.earlyDataAccepted).toBe(true);
    expect(socket.sent).toEqual([C2, fromHex('dd')]);
    transport.send(fromHex('ee ff'));
    expect(socket.sent.at(-1)).toEqual(fromHex('ee ff'));
    expect(transport.bytes).toEqual({ received: 0, sent: C0C1.byteLength + 6 });
  });

  it('sends the early bytes as the first frame when the answer is not rtmp-web.early (older bridge, other relay)', async () => {
    for (const protocol of ['rtmp-web', '']) {
      FakeWebSocket.created = [];
      const transport = WebSocketTransport.open(BRIDGE, options);
      transport.send(C0C1);
      transport.send(C2);
      socketAt().accept(protocol);
      await transport.opened;
      expect(transport.earlyDataAccepted).toBe(false);
      expect(socketAt().sent).toEqual([C0C1, C2]);
    }
  });

  it('keeps its own copy of queued bytes (the caller may reuse its buffer)', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    const reused = C0C1.slice();
    transport.send(reused);
    reused.fill(0);
    socketAt().accept('rtmp-web');
    await transport.opened;
    expect(socketAt().sent).toEqual([C0C1]);
  });

  it('offers the token beside rtmp-web.early (protocol) or puts it in the query', async () => {
    const viaProtocol = WebSocketTransport.open(BRIDGE, { ...options, token: 'a.b.c' });
    viaProtocol.send(C0C1);
    expect(socketAt(0).protocols).toEqual(['rtmp-web.early', 'rtmp-web', 'rtmp-web.token.a.b.c']);
    expect(socketAt(0).url.searchParams.get('token')).toBeNull();
    const viaQuery = WebSocketTransport.open(BRIDGE, { ...options, token: 'a.b.c', tokenIn: 'query', tls: true });
    viaQuery.send(C0C1);
    expect(socketAt(1).protocols).toEqual(['rtmp-web.early', 'rtmp-web']);
    expect(socketAt(1).url.searchParams.get('token')).toBe('a.b.c');
    expect(socketAt(1).url.searchParams.get('tls')).toBe('1');
    viaProtocol.close();
    viaQuery.close();
  });

  it('opens without early data when nothing is sent within EARLY_DATA_WAIT_MS, and at once when turned off', async () => {
    vi.useFakeTimers();
    const transport = WebSocketTransport.open(BRIDGE, options);
    expect(FakeWebSocket.created).toHaveLength(0);
    vi.advanceTimersByTime(EARLY_DATA_WAIT_MS - 1);
    expect(FakeWebSocket.created).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(socketAt().url.searchParams.has('early')).toBe(false);
    expect(socketAt().protocols).toEqual([]);
    transport.send(C0C1);
    socketAt().accept('');
    await transport.opened;
    expect(socketAt().sent).toEqual([C0C1]);

    const off = WebSocketTransport.open(BRIDGE, { ...options, earlyData: false });
    off.send(C0C1);
    expect(socketAt(1).url.searchParams.has('early')).toBe(false);
    expect(socketAt(1).protocols).toEqual([]);
    socketAt(1).accept('');
    await off.opened;
    expect(socketAt(1).sent).toEqual([C0C1]);
  });

  it('sends a first write over 4096 bytes as a frame, not in the URL', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    const big = new Uint8Array(4097).fill(7);
    transport.send(big);
    expect(socketAt().url.searchParams.has('early')).toBe(false);
    socketAt().accept('');
    await transport.opened;
    expect(socketAt().sent).toEqual([big]);
  });

  it('delivers received bytes and maps the bridge close codes once open', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    const data: Uint8Array[] = [];
    const closes: (CodedError | undefined)[] = [];
    transport.onData = (bytes) => data.push(bytes);
    transport.onClose = (error) => closes.push(error);
    transport.send(C0C1);
    socketAt().accept('rtmp-web.early');
    await transport.opened;
    socketAt().receive(fromHex('03 01 02'));
    expect(data).toEqual([fromHex('03 01 02')]);
    socketAt().onclose?.({ code: 1011, reason: 'upstream error' });
    expect(closes.map((error) => error?.code)).toEqual(['TRANSPORT_WS_UPSTREAM_ERROR']);
    expect(transport.bytes.received).toBe(3);
  });
});

describe('WebSocketTransport open failures (the same errors as connect)', () => {
  const openFailedMessage =
    'Could not open the WebSocket to the bridge at ws://bridge.example:8080/rtmp?target=rtmp.example:1935. Either the bridge is not running there, ' +
    'or it refused this request before the upgrade (target not in its allowlist, missing or wrong token, Origin not allowed, or the RTMP server ' +
    "rtmp.example:1935 is unreachable). Browsers hide the bridge's HTTP status; its log has the reason.";

  it('rejects opened with TRANSPORT_WS_OPEN_FAILED and tells onClose the same', async () => {
    const transport = WebSocketTransport.open(BRIDGE, { ...options, token: 'secret.jwt.here' });
    const closes: (CodedError | undefined)[] = [];
    transport.onClose = (error) => closes.push(error);
    transport.send(C0C1);
    socketAt().refuse(1006);
    const error = await rejectionOf(transport.opened);
    expect(error.code).toBe('TRANSPORT_WS_OPEN_FAILED');
    expect(error.fatal).toBe(false);
    // Early data was offered: the message also says how to reach a relay that is not our bridge.
    expect(error.message).toBe(
      `${openFailedMessage} If the relay is not rtmp-web's bridge (websockify, a proxy), turn early data off (earlyData: false): ` +
        'browsers fail an upgrade whose answer selects none of the offered subprotocols.',
    );
    // Neither the early bytes nor the token appear in what the page shows.
    expect(error.message).not.toContain(C0C1_BASE64URL);
    expect(JSON.stringify(error.details)).not.toContain('secret');
    expect(error.details).toEqual({ closeCode: 1006, target: 'rtmp.example:1935', bridgeUrl: 'ws://bridge.example:8080/rtmp?target=rtmp.example:1935' });
    expect(closes).toEqual([error]);
    transport.send(C2); // ignored after the failure
    expect(socketAt().sent).toEqual([]);

    // connect() fails with the very same error.
    const connecting = WebSocketTransport.connect(BRIDGE, options);
    socketAt(1).refuse(1006);
    const legacy = await rejectionOf(connecting);
    expect(legacy.code).toBe('TRANSPORT_WS_OPEN_FAILED');
    expect(legacy.message).toBe(openFailedMessage);
  });

  it('times out with TRANSPORT_WS_TIMEOUT and closes the socket', async () => {
    vi.useFakeTimers();
    const transport = WebSocketTransport.open(BRIDGE, { ...options, timeoutMs: 500 });
    transport.send(C0C1);
    vi.advanceTimersByTime(500);
    const error = await rejectionOf(transport.opened);
    expect(error.code).toBe('TRANSPORT_WS_TIMEOUT');
    expect(error.message).toBe('The bridge at ws://bridge.example:8080/rtmp?target=rtmp.example:1935 did not answer within 500 ms.');
    expect(socketAt().closedWith).toBeNull();
  });

  it('rejects a bad URL with TRANSPORT_WS_BAD_URL, reported to onClose after it is set', async () => {
    const transport = WebSocketTransport.open('http://bridge.example/', options);
    const closes: (CodedError | undefined)[] = [];
    transport.onClose = (error) => closes.push(error);
    transport.send(C0C1);
    const error = await rejectionOf(transport.opened);
    expect(error.code).toBe('TRANSPORT_WS_BAD_URL');
    expect(error.message).toBe('The bridge address "http://bridge.example/" is not a ws:// or wss:// URL.');
    expect(closes).toEqual([error]);
    expect(FakeWebSocket.created).toHaveLength(0);
  });

  it('rejects with TRANSPORT_WS_CLOSED when closed before the open, and closes the socket with 1000', async () => {
    const transport = WebSocketTransport.open(BRIDGE, options);
    const closes: (CodedError | undefined)[] = [];
    transport.onClose = (error) => closes.push(error);
    transport.send(C0C1);
    transport.close();
    const error = await rejectionOf(transport.opened);
    expect(error.code).toBe('TRANSPORT_WS_CLOSED');
    expect(socketAt().closedWith).toBe(1000);
    expect(closes).toEqual([undefined]);
    socketAt().accept('rtmp-web.early'); // a late open changes nothing
    expect(socketAt().sent).toEqual([]);
  });
});

describe('WebSocketTransport.connect (no early data)', () => {
  it('opens at once, as before, and resolves with an open transport', async () => {
    const connecting = WebSocketTransport.connect(BRIDGE, { ...options, token: 'a.b.c' });
    const socket = socketAt();
    expect(socket.url.searchParams.has('early')).toBe(false);
    expect(socket.protocols).toEqual(['rtmp-web', 'rtmp-web.token.a.b.c']);
    socket.accept('rtmp-web');
    const transport = await connecting;
    transport.send(C0C1);
    expect(socket.sent).toEqual([C0C1]);
  });
});
