import type { CodedError } from '@rtmp-web/bytes';
import type { Transport } from '@rtmp-web/rtmp';
import { PlayerError } from '../errors';
import type { PlayerErrorCode } from '../errors';

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
}

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

/**
 * The page's Transport (packages/rtmp/src/types.ts): raw RTMP bytes in binary WebSocket frames to
 * the bridge, which forwards them to the RTMP server over TCP/TLS. No framing of our own.
 */
export class WebSocketTransport implements Transport {
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClose: ((error?: CodedError) => void) | null = null;
  private closed = false;
  private closedByUs = false;
  private received = 0;
  private sent = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.onmessage = (event: MessageEvent) => {
      if (this.closed) return;
      const data = event.data;
      if (!(data instanceof ArrayBuffer)) return; // the bridge never sends text; ignore anything else
      this.received += data.byteLength;
      this.onData?.(new Uint8Array(data));
    };
    socket.onclose = (event: CloseEvent) => this.finish(this.closedByUs ? null : describeBridgeClose(event.code, event.reason));
    socket.onerror = null;
  }

  /**
   * Opens `<bridgeUrl>?target=host:port[&tls=1]` and resolves once the WebSocket is open.
   * Rejects with TRANSPORT_WS_BAD_URL, TRANSPORT_WS_TIMEOUT, or TRANSPORT_WS_OPEN_FAILED: a bridge
   * that refuses with an HTTP status before the upgrade (403 target not allowed, 401 token, 502/503
   * upstream down) looks to a browser exactly like an unreachable bridge, because browsers hide
   * the status of a failed upgrade; the message says so.
   */
  static connect(bridgeUrl: string, options: WebSocketTransportOptions): Promise<WebSocketTransport> {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    let url: URL;
    try {
      url = new URL(bridgeUrl);
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`scheme ${url.protocol} is not ws: or wss:`);
    } catch (cause) {
      return Promise.reject(
        new PlayerError('TRANSPORT_WS_BAD_URL', `The bridge address "${bridgeUrl}" is not a ws:// or wss:// URL.`, { cause, details: { bridgeUrl } }),
      );
    }
    if (!Ctor) {
      return Promise.reject(new PlayerError('TRANSPORT_WS_OPEN_FAILED', 'This environment has no WebSocket.', { details: { bridgeUrl } }));
    }
    url.searchParams.set('target', options.target);
    if (options.tls) url.searchParams.set('tls', '1');
    const protocols: string[] = [];
    if (options.token) {
      if (options.tokenIn === 'query') url.searchParams.set('token', options.token);
      else protocols.push('rtmp-web', `rtmp-web.token.${options.token}`);
    }
    const shownUrl = `${url.origin}${url.pathname}?target=${options.target}${options.tls ? '&tls=1' : ''}`;
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = protocols.length ? new Ctor(url.toString(), protocols) : new Ctor(url.toString());
      } catch (cause) {
        reject(new PlayerError('TRANSPORT_WS_BAD_URL', `The bridge address "${bridgeUrl}" was refused by the browser.`, { cause }));
        return;
      }
      socket.binaryType = 'arraybuffer';
      const timer = setTimeout(() => {
        fail(new PlayerError('TRANSPORT_WS_TIMEOUT', `The bridge at ${shownUrl} did not answer within ${options.timeoutMs ?? 10_000} ms.`, { fatal: false }));
        try {
          socket.close();
        } catch {
          /* already failing */
        }
      }, options.timeoutMs ?? 10_000);
      const fail = (error: PlayerError) => {
        clearTimeout(timer);
        socket.onopen = socket.onclose = socket.onerror = null;
        reject(error);
      };
      socket.onerror = () => {
        /* the close event that follows carries the code */
      };
      socket.onclose = (event: CloseEvent) =>
        fail(
          new PlayerError(
            'TRANSPORT_WS_OPEN_FAILED',
            `Could not open the WebSocket to the bridge at ${shownUrl}. Either the bridge is not running there, or it refused ` +
              `this request before the upgrade (target not in its allowlist, missing or wrong token, Origin not allowed, or the ` +
              `RTMP server ${options.target} is unreachable). Browsers hide the bridge's HTTP status; its log has the reason.`,
            { fatal: false, details: { closeCode: event.code, target: options.target, bridgeUrl: shownUrl } },
          ),
        );
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new WebSocketTransport(socket));
      };
    });
  }

  /** Bytes received and sent so far. */
  get bytes(): { received: number; sent: number } {
    return { received: this.received, sent: this.sent };
  }

  /** The WebSocket's own send buffer (bytes not yet handed to the network). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.sent += bytes.byteLength;
    // A view of a plain ArrayBuffer (never shared memory): sends exactly the view's bytes.
    this.socket.send(bytes as Uint8Array<ArrayBuffer>);
  }

  close(_reason?: string): void {
    if (this.closed) return;
    this.closedByUs = true;
    try {
      this.socket.close(1000);
    } catch {
      /* closing a socket that is already closing */
    }
    this.finish(null);
  }

  private finish(error: PlayerError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.onmessage = this.socket.onclose = this.socket.onerror = null;
    const onClose = this.onClose;
    this.onClose = null;
    if (error) onClose?.(error);
    else onClose?.();
  }
}
