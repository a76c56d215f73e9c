import type net from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { BridgeLimits } from './options';
import { TokenBucket } from './token-bucket';
import type { UpstreamReader } from './upstream-reader';

/**
 * WebSocket close codes the bridge sends after the upgrade (RFC 6455 §7.4.1, IANA registry).
 * A page that sees 1006 (no close frame) was cut off: ping timeout or forced shutdown.
 */
export const CloseCode = {
  /** The RTMP server closed the connection (FIN): everything it sent was flushed first. */
  Normal: 1000,
  /** The bridge is shutting down. */
  GoingAway: 1001,
  /** Invalid WebSocket framing from the page (unmasked or compressed frame, reserved bits...). */
  ProtocolError: 1002,
  /** A text frame: the bridge carries binary RTMP bytes only. */
  UnsupportedData: 1003,
  /** Policy: idle timeout, too many fragments. */
  PolicyViolation: 1008,
  /** A message larger than maxMessageBytes. */
  MessageTooBig: 1009,
  /** The RTMP server connection failed (reset, error). */
  UpstreamError: 1011,
  /** maxSessionMs reached: reconnect. */
  TryAgainLater: 1013,
} as const;

/** Why a session ended: the `reason` of its log record and of the session-closes metric. */
export type SessionCloseReason =
  | 'page-closed'
  | 'upstream-closed'
  | 'upstream-error'
  | 'idle-timeout'
  | 'max-age'
  | 'ping-timeout'
  | 'message-too-big'
  | 'too-many-fragments'
  | 'text-frame'
  | 'protocol-error'
  | 'shutdown'
  | 'forced';

export interface SessionInfo {
  id: string;
  /** Client address (X-Forwarded-For when trustProxy). */
  peer: string;
  origin: string | null;
  /** `host:port` as the page (or its token) named it. */
  target: string;
  tls: boolean;
  /** The checked address the bridge connected to. */
  address: string;
  /** Token subject, when a token was used. */
  subject: string | null;
  connectMs: number;
}

/** The one record logged per session when it ends. */
export interface SessionRecord extends SessionInfo {
  bytesToPage: number;
  bytesToUpstream: number;
  durationMs: number;
  /** The close code the bridge sent or received; 1006 when the connection was cut without one. */
  closeCode: number;
  closeReason: SessionCloseReason;
  closedBy: 'page' | 'upstream' | 'bridge';
}

export interface SessionStats extends SessionInfo {
  openedAt: number;
  bytesToPage: number;
  bytesToUpstream: number;
  /** Bytes accepted for the page but not yet written to its socket (ws.bufferedAmount). */
  bufferedToPage: number;
  /** Bytes accepted for the server but not yet written to its socket. */
  bufferedToUpstream: number;
  /** Highest bufferedToPage seen after a send: the memory bound the backpressure keeps. */
  peakBufferedToPage: number;
  peakBufferedToUpstream: number;
  /** Whether the bridge is not reading from the server now (page slow, or rate limit). */
  upstreamReadPaused: boolean;
  /** Whether the bridge is not reading from the page now (server slow, or rate limit). */
  pageReadPaused: boolean;
  /** How many times reading from each side was paused. */
  upstreamPauses: number;
  pagePauses: number;
}

/**
 * Pauses a reader while at least one reason holds (backpressure, rate limit) and resumes it when
 * the last reason is released, so two independent brakes cannot resume each other's pause.
 */
class ReadGate {
  private readonly reasons = new Set<string>();
  pauses = 0;
  rateTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pause: () => void,
    private readonly resume: () => void,
  ) {}

  get paused(): boolean {
    return this.reasons.size > 0;
  }

  hold(reason: string): void {
    if (this.reasons.has(reason)) return;
    if (this.reasons.size === 0) {
      this.pauses++;
      this.pause();
    }
    this.reasons.add(reason);
  }

  release(reason: string): void {
    if (!this.reasons.delete(reason)) return;
    if (this.reasons.size === 0) this.resume();
  }

  releaseAll(): void {
    if (this.reasons.size === 0) return;
    this.reasons.clear();
    this.resume();
  }
}

export interface SessionHooks {
  onBytesToPage(count: number): void;
  onBytesToUpstream(count: number): void;
  onEnd(record: SessionRecord): void;
}

const SEND_BINARY = { binary: true } as const;

/** ws error codes (ws/lib/receiver.js) mapped to our reason and the code ws closes with. */
const WS_ERROR_REASONS: Record<string, [SessionCloseReason, number]> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: ['message-too-big', CloseCode.MessageTooBig],
  WS_ERR_TOO_MANY_BUFFERED_PARTS: ['too-many-fragments', CloseCode.PolicyViolation],
};

/**
 * One page ↔ RTMP server pairing. Bytes pass through unchanged, one binary WebSocket message per
 * TCP read toward the page and one TCP write per message toward the server. Each direction
 * stops reading its source while the other side's queue is above its limit, so memory per
 * session stays bounded by roughly maxBufferedTo* + one read + one message, whatever the peers do.
 */
export class BridgeSession {
  readonly openedAt = Date.now();
  private bytesToPage = 0;
  private bytesToUpstream = 0;
  private peakBufferedToPage = 0;
  private peakBufferedToUpstream = 0;
  private readonly upstreamGate: ReadGate;
  private readonly pageGate: ReadGate;
  private readonly toPageBucket: TokenBucket | null;
  private readonly toUpstreamBucket: TokenBucket | null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastActivity = performance.now();
  private awaitingPong = false;
  private closeReason: SessionCloseReason | null = null;
  private closedBy: SessionRecord['closedBy'] | null = null;
  private sentCloseCode: number | null = null;
  private receivedCloseCode: number | null = null;
  private pageClosed = false;
  private upstreamClosed = false;
  private ended = false;

  constructor(
    readonly info: SessionInfo,
    private readonly ws: WebSocket,
    private readonly pageSocket: net.Socket,
    private readonly upstream: net.Socket,
    upstreamReader: UpstreamReader,
    private readonly limits: BridgeLimits,
    private readonly hooks: SessionHooks,
  ) {
    this.upstreamGate = new ReadGate(
      () => upstream.pause(),
      () => upstream.resume(),
    );
    this.pageGate = new ReadGate(
      () => ws.pause(),
      () => ws.resume(),
    );
    const now = performance.now();
    this.toPageBucket = limits.maxBytesPerSecondToPage > 0 ? new TokenBucket(limits.maxBytesPerSecondToPage, limits.maxBytesPerSecondToPage, now) : null;
    this.toUpstreamBucket = limits.maxBytesPerSecondToUpstream > 0 ? new TokenBucket(limits.maxBytesPerSecondToUpstream, limits.maxBytesPerSecondToUpstream, now) : null;

    upstreamReader.attach((chunk, release) => this.forwardToPage(chunk, release));
    upstream.on('end', () => this.onUpstreamEnd());
    upstream.on('error', () => this.onUpstreamError());
    upstream.on('close', () => this.onUpstreamClose());
    upstream.on('drain', () => this.pageGate.release('backpressure'));

    ws.on('message', (data: RawData, isBinary: boolean) => this.forwardToUpstream(toBuffer(data), isBinary));
    ws.on('error', (error: Error & { code?: string }) => this.onPageError(error));
    ws.on('close', (code: number) => this.onPageClose(code));
    ws.on('pong', () => (this.awaitingPong = false));
    pageSocket.on('drain', () => this.upstreamGate.release('backpressure'));

    if (limits.idleTimeoutMs > 0) this.schedule(limits.idleTimeoutMs, () => this.checkIdle());
    if (limits.maxSessionMs > 0) this.schedule(limits.maxSessionMs, () => this.closeByBridge('max-age', CloseCode.TryAgainLater, 'session age limit reached'));
    if (limits.pingIntervalMs > 0) this.schedule(limits.pingIntervalMs, () => this.sendPing());

    // The upstream may have failed between the connect and the upgrade.
    if (upstream.destroyed) this.onUpstreamError();
  }

  stats(): SessionStats {
    return {
      ...this.info,
      openedAt: this.openedAt,
      bytesToPage: this.bytesToPage,
      bytesToUpstream: this.bytesToUpstream,
      bufferedToPage: this.ws.bufferedAmount,
      bufferedToUpstream: this.upstream.writableLength,
      peakBufferedToPage: this.peakBufferedToPage,
      peakBufferedToUpstream: this.peakBufferedToUpstream,
      upstreamReadPaused: this.upstreamGate.paused,
      pageReadPaused: this.pageGate.paused,
      upstreamPauses: this.upstreamGate.pauses,
      pagePauses: this.pageGate.pauses,
    };
  }

  /**
   * Bytes the bridge wrote upstream for the page before the upgrade (early data): counted like
   * a message from the page, in the byte totals and against the page's rate limit.
   */
  countEarlyBytes(count: number): void {
    this.bytesToUpstream += count;
    this.hooks.onBytesToUpstream(count);
    if (this.toUpstreamBucket) this.throttle(this.toUpstreamBucket, count, this.pageGate);
  }

  /** Graceful shutdown: close frame 1001, then the normal close path ends the TCP side. */
  shutdown(): void {
    this.closeByBridge('shutdown', CloseCode.GoingAway, 'bridge shutting down');
  }

  /** Immediate end: no close handshake, both sockets destroyed. */
  forceClose(): void {
    if (!this.closeReason) {
      this.closeReason = 'forced';
      this.closedBy = 'bridge';
    }
    this.ws.terminate();
    this.upstream.destroy();
  }

  /** `release` gives the chunk's read buffer back once the page socket has written it. */
  private forwardToPage(chunk: Buffer, release: (() => void) | null): void {
    if (this.pageClosed || this.ws.readyState !== this.ws.OPEN) {
      release?.();
      return;
    }
    this.lastActivity = performance.now();
    this.bytesToPage += chunk.byteLength;
    this.hooks.onBytesToPage(chunk.byteLength);
    // ws frames it without copying (a server does not mask) and calls back once written.
    if (release) this.ws.send(chunk, SEND_BINARY, release);
    else this.ws.send(chunk, SEND_BINARY);
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.peakBufferedToPage) this.peakBufferedToPage = buffered;
    // The page reads slowly: stop reading from the server until the page socket drains. TCP
    // flow control then pushes back on the RTMP server itself.
    if (buffered >= this.limits.maxBufferedToPage) this.upstreamGate.hold('backpressure');
    if (this.toPageBucket) this.throttle(this.toPageBucket, chunk.byteLength, this.upstreamGate);
  }

  private forwardToUpstream(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.closeByBridge('text-frame', CloseCode.UnsupportedData, 'binary frames only');
      return;
    }
    if (this.upstreamClosed || this.upstream.writableEnded) return;
    this.lastActivity = performance.now();
    this.bytesToUpstream += data.byteLength;
    this.hooks.onBytesToUpstream(data.byteLength);
    const accepted = this.upstream.write(data);
    const buffered = this.upstream.writableLength;
    if (buffered > this.peakBufferedToUpstream) this.peakBufferedToUpstream = buffered;
    // The server reads slowly: stop reading from the page until the TCP socket drains.
    if (!accepted && buffered >= this.limits.maxBufferedToUpstream) this.pageGate.hold('backpressure');
    if (this.toUpstreamBucket) this.throttle(this.toUpstreamBucket, data.byteLength, this.pageGate);
  }

  /**
   * Rate limit: after a read that overdraws the bucket, stop reading that source until the debt
   * is paid. One timer per direction; a later overdraw replaces it with a longer wait.
   */
  private throttle(bucket: TokenBucket, bytes: number, gate: ReadGate): void {
    const waitMs = bucket.take(bytes, performance.now());
    if (waitMs === 0) return;
    gate.hold('rate');
    if (gate.rateTimer) {
      clearTimeout(gate.rateTimer);
      this.timers.delete(gate.rateTimer);
    }
    gate.rateTimer = this.schedule(waitMs, () => {
      gate.rateTimer = null;
      gate.release('rate');
    });
  }

  /** Server FIN: everything it sent is already queued on the WebSocket ahead of the close frame. */
  private onUpstreamEnd(): void {
    this.upstreamClosed = true;
    this.closeByPeer('upstream-closed', 'upstream', CloseCode.Normal, 'upstream closed');
  }

  private onUpstreamError(): void {
    this.upstreamClosed = true;
    this.closeByPeer('upstream-error', 'upstream', CloseCode.UpstreamError, 'upstream error');
  }

  private onUpstreamClose(): void {
    this.upstreamClosed = true;
    if (!this.pageClosed) this.closeByPeer('upstream-error', 'upstream', CloseCode.UpstreamError, 'upstream closed unexpectedly');
    this.maybeEnd();
  }

  private onPageError(error: Error & { code?: string }): void {
    const mapped = (error.code && WS_ERROR_REASONS[error.code]) || (['protocol-error', CloseCode.ProtocolError] as [SessionCloseReason, number]);
    if (!this.closeReason) {
      this.closeReason = mapped[0];
      this.closedBy = 'bridge';
      // ws closes the connection itself with the matching status code.
      this.sentCloseCode = mapped[1];
    }
  }

  private onPageClose(code: number): void {
    this.pageClosed = true;
    this.receivedCloseCode = code;
    if (!this.closeReason) {
      this.closeReason = 'page-closed';
      this.closedBy = 'page';
    }
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Page gone: half-close the TCP side so the server sees FIN after the last bytes we wrote,
    // and destroy it if the server does not close within closeTimeoutMs.
    if (!this.upstream.destroyed) {
      // Keep reading (and discarding) so the server's FIN is seen.
      this.upstreamGate.releaseAll();
      this.upstream.end();
      const timer = setTimeout(() => this.upstream.destroy(), this.limits.closeTimeoutMs);
      timer.unref();
      this.upstream.once('close', () => clearTimeout(timer));
    }
    this.maybeEnd();
  }

  private closeByPeer(reason: SessionCloseReason, by: SessionRecord['closedBy'], code: number, text: string): void {
    if (!this.closeReason) {
      this.closeReason = reason;
      this.closedBy = by;
    }
    this.closeWebSocket(code, text);
  }

  private closeByBridge(reason: SessionCloseReason, code: number, text: string): void {
    if (!this.closeReason) {
      this.closeReason = reason;
      this.closedBy = 'bridge';
    }
    this.closeWebSocket(code, text);
  }

  private closeWebSocket(code: number, text: string): void {
    if (this.pageClosed || this.ws.readyState === this.ws.CLOSING || this.ws.readyState === this.ws.CLOSED) return;
    this.sentCloseCode ??= code;
    // ws queues the close frame behind data already sent, so the page gets every byte first;
    // it then waits closeTimeoutMs for the page's close frame before destroying the socket.
    this.ws.close(code, text);
    // ws must keep reading to see the page's close frame, whatever brake was on.
    this.pageGate.releaseAll();
  }

  private checkIdle(): void {
    const idleFor = performance.now() - this.lastActivity;
    if (idleFor >= this.limits.idleTimeoutMs) {
      this.closeByBridge('idle-timeout', CloseCode.PolicyViolation, 'idle timeout');
    } else {
      this.schedule(this.limits.idleTimeoutMs - idleFor, () => this.checkIdle());
    }
  }

  private sendPing(): void {
    if (this.pageClosed) return;
    this.awaitingPong = true;
    this.ws.ping();
    this.schedule(this.limits.pingTimeoutMs, () => {
      if (this.awaitingPong && !this.pageClosed) {
        if (!this.closeReason) {
          this.closeReason = 'ping-timeout';
          this.closedBy = 'bridge';
        }
        // A page that does not answer pings will not answer a close frame either.
        this.ws.terminate();
      }
    });
    this.schedule(this.limits.pingIntervalMs, () => this.sendPing());
  }

  private schedule(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  private maybeEnd(): void {
    if (this.ended || !this.pageClosed || !this.upstreamClosed) return;
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.hooks.onEnd({
      ...this.info,
      bytesToPage: this.bytesToPage,
      bytesToUpstream: this.bytesToUpstream,
      durationMs: Date.now() - this.openedAt,
      closeCode: this.sentCloseCode ?? this.receivedCloseCode ?? 1006,
      closeReason: this.closeReason ?? 'page-closed',
      closedBy: this.closedBy ?? 'page',
    });
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
