import type { CodedError } from '@rtmp-web/bytes';
import type { Transport } from '@rtmp-web/rtmp';
import { PlayerError } from '../errors';
import type { PlayerErrorCode } from '../errors';
import { encodeBase64url } from './base64url';

export interface WebSocketTransportOptions {
  /** The RTMP server the bridge should reach, `host:port` (IPv6 as `[::1]:1935`). */
  target: string;
  /** Ask the bridge to open TLS to the target (rtmps). */
  tls?: boolean;
  /** A bridge token (JWT). Sent as the subprotocol `rtmp-web.token.<jwt>` (stays out of URLs and access logs) unless tokenIn is 'query'. */
  token?: string;
  tokenIn?: 'protocol' | 'query';
  /** Give up opening after this long (default 10000 ms). */
  timeoutMs?: number;
  /** WebSocket constructor (default globalThis.WebSocket): lets Node tools use the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /**
   * `open()` only: put the first bytes sent (RTMP C0+C1) in the upgrade request as `?early=`
   * (default true). A bridge that wrote them selects the `rtmp-web.early` subprotocol; with any
   * other answer they are sent as the first frame, so any bridge works. Turn it off only for a
   * relay that selects no subprotocol at all (browsers fail such an open when one was offered).
   */
  earlyData?: boolean;
}

/** How long `open()` waits for the first bytes to send as early data before it opens without them, ms. */
export const EARLY_DATA_WAIT_MS = 200;

/** The part of the WHATWG WebSocket constructor the transport uses. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** WebSocket close codes the bridge uses (RFC 6455 §7.4.1; docs/bridge.md). */
export const BridgeCloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  Abnormal: 1006,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  UpstreamError: 1011,
  TryAgainLater: 1013,
} as const;

/**
 * Turns a close code from the bridge into a typed error with a message in plain words, or null
 * for a normal close (1000: the RTMP server ended the connection and everything it sent arrived).
 */
export function describeBridgeClose(code: number, reason: string): PlayerError | null {
  const said = reason ? ` (bridge said: ${reason})` : '';
  const make = (errorCode: PlayerErrorCode, message: string, fatal = true) =>
    new PlayerError(errorCode, message + said, { fatal, details: { closeCode: code, reason } });
  switch (code) {
    case BridgeCloseCode.Normal:
      return null;
    case BridgeCloseCode.GoingAway:
      return make('TRANSPORT_WS_GOING_AWAY', 'The bridge is shutting down or restarting; reconnecting should work shortly.', false);
    case BridgeCloseCode.PolicyViolation:
      return make('TRANSPORT_WS_POLICY', 'The bridge closed the connection for breaking its policy (for example it was idle too long).');
    case BridgeCloseCode.MessageTooBig:
      return make('TRANSPORT_WS_TOO_BIG', 'The bridge closed the connection because a message was larger than it allows.');
    case BridgeCloseCode.UpstreamError:
      return make('TRANSPORT_WS_UPSTREAM_ERROR', 'The connection between the bridge and the RTMP server failed (the server reset or dropped it).', false);
    case BridgeCloseCode.TryAgainLater:
      return make('TRANSPORT_WS_TRY_LATER', 'The bridge ended the session (too old or too busy); try again in a moment.', false);
    case BridgeCloseCode.Abnormal:
      return make('TRANSPORT_WS_CLOSED', 'The connection to the bridge was lost without a goodbye (network drop, bridge crash or timeout).', false);
    default:
      return make('TRANSPORT_WS_CLOSED', `The bridge closed the connection with code ${code}.`, false);
  }
}

/** The subprotocol that offers early data, and that our bridge selects once it wrote them upstream. */
export const EARLY_DATA_SUBPROTOCOL = 'rtmp-web.early';
/** Largest first send carried as early data: the bridge's default maxEarlyDataBytes (docs/bridge.md). */
export const MAX_EARLY_DATA_BYTES = 4096;

/** Everything needed to create the socket, checked before any socket exists. */
interface OpenPlan {
  Ctor: WebSocketConstructor;
  /** As the caller gave it. */
  bridgeUrl: string;
  url: URL;
  /** The URL as errors show it: no token, no early bytes. */
  shownUrl: string;
  tokenProtocols: string[];
  target: string;
  timeoutMs: number;
}

/**
 * The page's Transport (packages/rtmp/src/types.ts): raw RTMP bytes in binary WebSocket frames to
 * the bridge, which forwards them to the RTMP server over TCP/TLS. No framing of our own.
 *
 * `open()` hands the transport over at once and creates the WebSocket at the first `send()`,
 * with those bytes (C0+C1) in the upgrade request, so the RTMP handshake overlaps the upgrade
 * and S0+S1+S2 are already on their way when `opened` resolves (one round trip saved). Sends
 * made before the socket is open wait in order.
 */
export class WebSocketTransport implements Transport {
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClose: ((error?: CodedError) => void) | null = null;
  /** Resolves once the WebSocket is open; rejects with TRANSPORT_WS_* as `connect()` does. */
  readonly opened: Promise<void>;
  private socket: WebSocket | null = null;
  private state: 'waiting' | 'opening' | 'open' | 'closed' = 'waiting';
  /** Sends made before the socket opened, in order; with early data, the first is in the URL. */
  private queue: Uint8Array[] = [];
  private earlyInUrl = false;
  private accepted = false;
  private closedByUs = false;
  private received = 0;
  private sent = 0;
  private openTimer: ReturnType<typeof setTimeout> | null = null;
  private lazyTimer: ReturnType<typeof setTimeout> | null = null;
  private settleOpen: { resolve: () => void; reject: (error: PlayerError) => void } | null = null;

  private constructor(
    private readonly plan: OpenPlan | null,
    private readonly earlyData: boolean,
  ) {
    this.opened = new Promise<void>((resolve, reject) => {
      this.settleOpen = { resolve, reject };
    });
    // Callers that only use onClose must not see an unhandled rejection.
    this.opened.catch(() => undefined);
  }

  /**
   * A transport to `<bridgeUrl>?target=host:port[&tls=1]`, returned at once; the WebSocket is
   * created at the first `send()` (NetConnection.connect sends C0+C1 within a few microtasks),
   * carrying those bytes as early data, or without them if nothing was sent within
   * EARLY_DATA_WAIT_MS (at once when early data is off). Failures reject `opened` and are reported to `onClose`, with the errors of
   * `connect()`.
   */
  static open(bridgeUrl: string, options: WebSocketTransportOptions): WebSocketTransport {
    const planned = planOpen(bridgeUrl, options);
    if (planned instanceof PlayerError) {
      const failed = new WebSocketTransport(null, false);
      // Later, so that whoever takes the transport has set onClose by then.
      queueMicrotask(() => failed.failOpen(planned));
      return failed;
    }
    const transport = new WebSocketTransport(planned, options.earlyData ?? true);
    transport.startOpenTimer();
    // Without early data, nothing to wait for; with it, wait (a bounded while) for C0+C1: signing
    // C1 goes through WebCrypto, a round trip to another thread that a loaded machine can stretch
    // past a zero-delay timer, and opening without the bytes costs a round trip.
    transport.lazyTimer = setTimeout(() => transport.createSocket(), options.earlyData === false ? 0 : EARLY_DATA_WAIT_MS);
    return transport;
  }

  /**
   * Opens `<bridgeUrl>?target=host:port[&tls=1]` and resolves once the WebSocket is open (no
   * early data). Rejects with TRANSPORT_WS_BAD_URL, TRANSPORT_WS_TIMEOUT, or
   * TRANSPORT_WS_OPEN_FAILED: a bridge that refuses with an HTTP status before the upgrade (403
   * target not allowed, 401 token, 502/503 upstream down) looks to a browser exactly like an
   * unreachable bridge, because browsers hide the status of a failed upgrade; the message says so.
   */
  static connect(bridgeUrl: string, options: WebSocketTransportOptions): Promise<WebSocketTransport> {
    const planned = planOpen(bridgeUrl, options);
    if (planned instanceof PlayerError) return Promise.reject(planned);
    const transport = new WebSocketTransport(planned, false);
    transport.startOpenTimer();
    transport.createSocket();
    return transport.opened.then(() => transport);
  }

  /** Bytes received and sent so far. */
  get bytes(): { received: number; sent: number } {
    return { received: this.received, sent: this.sent };
  }

  /** Whether the bridge took the first bytes from the upgrade request (it selected `rtmp-web.early`). */
  get earlyDataAccepted(): boolean {
    return this.accepted;
  }

  /** The WebSocket's own send buffer (bytes not yet handed to the network), plus sends waiting for the open. */
  get bufferedAmount(): number {
    let queued = 0;
    for (const bytes of this.queue) queued += bytes.byteLength;
    return (this.state === 'open' ? this.socket!.bufferedAmount : 0) + queued;
  }

  send(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.sent += bytes.byteLength;
    if (this.state === 'open') {
      // A view of a plain ArrayBuffer (never shared memory): sends exactly the view's bytes.
      this.socket!.send(bytes as Uint8Array<ArrayBuffer>);
      return;
    }
    // The caller may reuse its buffer once send returns; the queue keeps its own copy.
    this.queue.push(bytes.slice());
    if (this.state === 'waiting') this.createSocket();
  }

  close(_reason?: string): void {
    if (this.state === 'closed') return;
    this.closedByUs = true;
    const wasOpen = this.state === 'open';
    this.clearTimers();
    if (this.socket) {
      try {
        this.socket.close(1000);
      } catch {
        /* closing a socket that is already closing */
      }
    }
    if (!wasOpen) this.rejectOpen(new PlayerError('TRANSPORT_WS_CLOSED', 'The transport was closed before the WebSocket to the bridge opened.', { fatal: false }));
    this.finish(null);
  }

  private startOpenTimer(): void {
    const plan = this.plan!;
    this.openTimer = setTimeout(() => {
      this.openTimer = null;
      this.failOpen(new PlayerError('TRANSPORT_WS_TIMEOUT', `The bridge at ${plan.shownUrl} did not answer within ${plan.timeoutMs} ms.`, { fatal: false }));
    }, plan.timeoutMs);
  }

  /** Creates the WebSocket; the first queued send, when there is one, rides in the URL. */
  private createSocket(): void {
    if (this.state !== 'waiting' || !this.plan) return;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    this.state = 'opening';
    const plan = this.plan;
    const url = new URL(plan.url);
    const protocols = [...plan.tokenProtocols];
    const first = this.queue[0];
    if (this.earlyData && first && first.byteLength > 0 && first.byteLength <= MAX_EARLY_DATA_BYTES) {
      url.searchParams.set('early', encodeBase64url(first));
      this.earlyInUrl = true;
      // `rtmp-web` is the answer of a bridge without early data; the token, if any, follows.
      protocols.unshift(EARLY_DATA_SUBPROTOCOL, ...(protocols.length ? [] : ['rtmp-web']));
    }
    let socket: WebSocket;
    try {
      socket = protocols.length ? new plan.Ctor(url.toString(), protocols) : new plan.Ctor(url.toString());
    } catch (cause) {
      this.failOpen(new PlayerError('TRANSPORT_WS_BAD_URL', `The bridge address "${plan.bridgeUrl}" was refused by the browser.`, { cause }));
      return;
    }
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onerror = () => {
      /* the close event that follows carries the code */
    };
    socket.onclose = (event: CloseEvent) =>
      this.failOpen(
        new PlayerError(
          'TRANSPORT_WS_OPEN_FAILED',
          `Could not open the WebSocket to the bridge at ${plan.shownUrl}. Either the bridge is not running there, or it refused ` +
            `this request before the upgrade (target not in its allowlist, missing or wrong token, Origin not allowed, or the ` +
            `RTMP server ${plan.target} is unreachable). Browsers hide the bridge's HTTP status; its log has the reason.` +
            (this.earlyInUrl
              ? ` If the relay is not rtmp-web's bridge (websockify, a proxy), turn early data off (earlyData: false): browsers fail an upgrade whose answer selects none of the offered subprotocols.`
              : ''),
          { fatal: false, details: { closeCode: event.code, target: plan.target, bridgeUrl: plan.shownUrl } },
        ),
      );
    socket.onopen = () => this.onOpen(socket);
  }

  private onOpen(socket: WebSocket): void {
    if (this.state !== 'opening') return;
    this.clearTimers();
    this.state = 'open';
    socket.onopen = null;
    socket.onmessage = (event: MessageEvent) => {
      if (this.state === 'closed') return;
      const data = event.data;
      if (!(data instanceof ArrayBuffer)) return; // the bridge never sends text; ignore anything else
      this.received += data.byteLength;
      this.onData?.(new Uint8Array(data));
    };
    socket.onclose = (event: CloseEvent) => this.finish(this.closedByUs ? null : describeBridgeClose(event.code, event.reason));
    // Only our bridge selects rtmp-web.early, and only after writing the bytes upstream; an
    // older bridge or another relay answers otherwise, and the bytes go as the first frame.
    this.accepted = this.earlyInUrl && socket.protocol === EARLY_DATA_SUBPROTOCOL;
    const queued = this.queue;
    this.queue = [];
    for (let i = this.accepted ? 1 : 0; i < queued.length; i++) socket.send(queued[i] as Uint8Array<ArrayBuffer>);
    this.settleOpen?.resolve();
    this.settleOpen = null;
  }

  private failOpen(error: PlayerError): void {
    if (this.state === 'open' || this.state === 'closed') return;
    this.clearTimers();
    const socket = this.socket;
    if (socket) {
      socket.onopen = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {
        /* already failing */
      }
    }
    this.rejectOpen(error);
    this.finish(error);
  }

  private rejectOpen(error: PlayerError): void {
    this.settleOpen?.reject(error);
    this.settleOpen = null;
  }

  private clearTimers(): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.openTimer = this.lazyTimer = null;
  }

  private finish(error: PlayerError | null): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue = [];
    if (this.socket) this.socket.onmessage = this.socket.onclose = this.socket.onerror = this.socket.onopen = null;
    const onClose = this.onClose;
    this.onClose = null;
    if (error) onClose?.(error);
    else onClose?.();
  }
}

/** Checks the URL and the environment and builds the request, without creating anything. */
function planOpen(bridgeUrl: string, options: WebSocketTransportOptions): OpenPlan | PlayerError {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  let url: URL;
  try {
    url = new URL(bridgeUrl);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`scheme ${url.protocol} is not ws: or wss:`);
  } catch (cause) {
    return new PlayerError('TRANSPORT_WS_BAD_URL', `The bridge address "${bridgeUrl}" is not a ws:// or wss:// URL.`, { cause, details: { bridgeUrl } });
  }
  if (!Ctor) return new PlayerError('TRANSPORT_WS_OPEN_FAILED', 'This environment has no WebSocket.', { details: { bridgeUrl } });
  url.searchParams.set('target', options.target);
  if (options.tls) url.searchParams.set('tls', '1');
  const tokenProtocols: string[] = [];
  if (options.token) {
    if (options.tokenIn === 'query') url.searchParams.set('token', options.token);
    else tokenProtocols.push('rtmp-web', `rtmp-web.token.${options.token}`);
  }
  return {
    Ctor,
    bridgeUrl,
    url,
    shownUrl: `${url.origin}${url.pathname}?target=${options.target}${options.tls ? '&tls=1' : ''}`,
    tokenProtocols,
    target: options.target,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}
