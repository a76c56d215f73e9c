import { randomUUID } from 'node:crypto';
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { pino } from 'pino';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { EARLY_DATA_SUBPROTOCOL, decodeEarlyData } from './early-data';
import { BridgeError, RefusalError, type RefusalReason } from './errors';
import { TypedEvents } from './events';
import { formatIp, parseIp } from './ip-address';
import { BridgeMetrics } from './metrics';
import { resolveOptions, type BridgeLogger, type BridgeOptions, type ResolvedBridgeOptions } from './options';
import { BridgeSession, type SessionInfo, type SessionRecord, type SessionStats } from './session';
import { formatTarget, parseTarget, sameTarget, type UpstreamTarget } from './target';
import { BRIDGE_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, TokenVerifier, extractToken } from './token';
import { openUpstream, systemLookup, type UpstreamConnection } from './upstream';
import { ReadBufferPool, SMALL_READ_BYTES } from './upstream-reader';

export interface RefusalEvent {
  reason: RefusalReason;
  status: number;
  peer: string;
  /** The message sent to the page in the HTTP response body. */
  message: string;
}

/** Events of a Bridge (one payload type each). */
export interface BridgeEvents {
  /** A WebSocket opened and its upstream is connected. */
  'session-open': SessionInfo;
  /** A session ended; the same record is logged. */
  'session-close': SessionRecord;
  /** An upgrade request was refused with an HTTP status. */
  refusal: RefusalEvent;
  /** The bridge finished closing; `forced` counts sessions cut at the deadline. */
  close: { forced: number };
}

export interface BridgeStats {
  sessionsActive: number;
  sessionsTotal: number;
  /** Upgrade requests admitted and still connecting upstream. */
  pendingUpgrades: number;
  bytesToPage: number;
  bytesToUpstream: number;
  refusals: Partial<Record<RefusalReason, number>>;
  sessions: SessionStats[];
}

export interface Bridge {
  /** `ws://host:port/path` (wss:// with serverTls); 127.0.0.1 stands for a wildcard bind address. */
  readonly url: string;
  readonly port: number;
  /** Where Prometheus scrapes, or null when metrics are off. */
  readonly metricsUrl: string | null;
  /**
   * Stops accepting, closes every session with 1001, and destroys what is still open after
   * `deadlineMs` (default 10 s). Idempotent: every call returns the same promise.
   */
  close(deadlineMs?: number): Promise<void>;
  on<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): () => void;
  off<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): void;
  stats(): BridgeStats;
}

/** TCP keepalive probe delay on both sockets of a session (issue item 8). */
const KEEPALIVE_MS = 30_000;
/**
 * Largest read from an RTMP server, as one WebSocket message: a quarter of maxBufferedToPage
 * (so the backpressure bound, limit + one read, stays close to the limit), at most 256 KiB.
 * Bulk reads of 256 KiB instead of 64 KiB cut the per-read work (syscall, send, frame) by four.
 */
const MAX_READ_BYTES = 256 * 1024;
/** Read buffers kept for reuse across sessions: 16 MiB of each size at most, idle. */
const MAX_FREE_READ_BYTES = 16 * 1024 * 1024;
/** How long a refused socket may linger after its HTTP response before it is destroyed. */
const REFUSAL_LINGER_MS = 1_000;

/**
 * Starts a bridge and resolves once it listens. Throws BridgeError BRIDGE_NO_ALLOWLIST without
 * `allow` entries or `allowAny`, BRIDGE_INVALID_OPTIONS / BRIDGE_INVALID_PATTERN on bad options,
 * BRIDGE_LISTEN_FAILED when the port cannot be bound.
 */
export async function createBridge(options: BridgeOptions): Promise<Bridge> {
  const config = resolveOptions(options);
  const verifier = config.token ? new TokenVerifier(config.token) : null;
  const logger: BridgeLogger = options.logger ?? createBridgeLogger();
  const bridge = new BridgeServer(config, verifier, logger, options.lookup ?? systemLookup);
  await bridge.listen();
  return bridge;
}

/** The default logger: pino, one JSON record per line on stdout. */
export function createBridgeLogger(level = 'info'): BridgeLogger {
  return pino({ name: 'rtmp-web-bridge', level });
}

interface PendingUpgrade {
  abort: AbortController;
}

class BridgeServer implements Bridge {
  private readonly events = new TypedEvents<BridgeEvents>();
  private readonly metrics = new BridgeMetrics(() => ({ toPage: this.bytesToPage, toUpstream: this.bytesToUpstream }));
  private readonly readPools: { small: ReadBufferPool; bulk: ReadBufferPool };
  private readonly server: http.Server;
  private metricsServer: http.Server | null = null;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<BridgeSession>();
  private readonly pending = new Set<PendingUpgrade>();
  /** Sockets not yet upgraded (still in the HTTP handshake or connecting upstream). */
  private readonly handshaking = new Map<net.Socket, NodeJS.Timeout | null>();
  /** Open sockets per remote address (used when the socket address is the client's). */
  private readonly socketsByIp = new Map<string, number>();
  /** Sessions and pending upgrades per forwarded client address (used with trustProxy). */
  private readonly sessionsByClient = new Map<string, number>();
  private readonly overLimitSockets = new WeakSet<net.Socket>();
  private readonly pendingSockets = new WeakSet<net.Socket>();
  /** Upgrade requests whose early data was written upstream (they get the early subprotocol). */
  private readonly earlyWritten = new WeakSet<IncomingMessage>();
  /** Called whenever a session ends or a pending upgrade settles (shutdown waits on these). */
  private readonly changeWaiters = new Set<() => void>();
  private readonly refusalCounts: Partial<Record<RefusalReason, number>> = {};
  private sessionsTotal = 0;
  private bytesToPage = 0;
  private bytesToUpstream = 0;
  private closing: Promise<void> | null = null;
  private boundPort = 0;
  private metricsBoundPort = 0;

  constructor(
    private readonly config: ResolvedBridgeOptions,
    private readonly verifier: TokenVerifier | null,
    private readonly logger: BridgeLogger,
    private readonly lookup: (hostname: string) => Promise<string[]>,
  ) {
    const bulkBytes = Math.max(SMALL_READ_BYTES, Math.min(MAX_READ_BYTES, Math.floor(config.limits.maxBufferedToPage / 4)));
    this.readPools = {
      small: new ReadBufferPool(SMALL_READ_BYTES, MAX_FREE_READ_BYTES / SMALL_READ_BYTES),
      bulk: new ReadBufferPool(bulkBytes, MAX_FREE_READ_BYTES / bulkBytes),
    };
    this.server = config.serverTls
      ? https.createServer({ cert: config.serverTls.cert, key: config.serverTls.key, handshakeTimeout: config.limits.handshakeTimeoutMs })
      : http.createServer();
    // Sockets still in their HTTP handshake are bounded too; beyond this the kernel backlog waits.
    this.server.maxConnections = config.limits.maxConnections * 2;
    const wsOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      clientTracking: false,
      // No compression (issue item 5): RTMP media does not compress, and inflate is a memory
      // amplifier; a compressed frame (RSV1) is then a protocol error (close 1002).
      perMessageDeflate: false,
      maxPayload: config.limits.maxMessageBytes,
      maxFragments: config.limits.maxFragments,
      closeTimeout: config.limits.closeTimeoutMs,
      // A browser sees one selected protocol. `rtmp-web.early` tells the page its early bytes
      // went upstream (so it must not send them again); the token, if any, was read from the
      // offered list whatever is selected, so it need not be echoed.
      handleProtocols: (protocols, request) => {
        if (protocols.has(EARLY_DATA_SUBPROTOCOL) && this.earlyWritten.has(request)) return EARLY_DATA_SUBPROTOCOL;
        if (protocols.has(BRIDGE_SUBPROTOCOL)) return BRIDGE_SUBPROTOCOL;
        for (const protocol of protocols) if (protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return protocol;
        return false;
      },
    };
    this.wss = new WebSocketServer(wsOptions);
    // With TLS, the socket that carries HTTP (and is upgraded) is the TLSSocket; the TLS
    // handshake itself is bounded by the server's handshakeTimeout.
    if (config.serverTls) this.server.on('secureConnection', (socket: net.Socket) => this.onConnection(socket));
    else this.server.on('connection', (socket: net.Socket) => this.onConnection(socket));
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => void this.onUpgrade(req, socket, head));
    this.server.on('clientError', (_error: Error, socket: net.Socket) => {
      if (socket.writable && !socket.destroyed) this.refuse(socket, this.peerOf(socket, null), new RefusalError('bad-request', 'malformed HTTP request'));
      else socket.destroy();
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `${this.config.serverTls ? 'wss' : 'ws'}://${urlHost(this.config.host)}:${this.boundPort}${this.config.path}`;
  }

  get metricsUrl(): string | null {
    const metrics = this.config.metrics;
    if (!metrics) return null;
    if (metrics.port === null) return `${this.config.serverTls ? 'https' : 'http'}://${urlHost(this.config.host)}:${this.boundPort}${metrics.path}`;
    return `http://${urlHost(metrics.host ?? '127.0.0.1')}:${this.metricsBoundPort}${metrics.path}`;
  }

  on<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof BridgeEvents>(event: K, listener: (payload: BridgeEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  stats(): BridgeStats {
    return {
      sessionsActive: this.sessions.size,
      sessionsTotal: this.sessionsTotal,
      pendingUpgrades: this.pending.size,
      bytesToPage: this.bytesToPage,
      bytesToUpstream: this.bytesToUpstream,
      refusals: { ...this.refusalCounts },
      sessions: [...this.sessions].map((session) => session.stats()),
    };
  }

  async listen(): Promise<void> {
    await listenOn(this.server, this.config.host, this.config.port);
    this.boundPort = (this.server.address() as net.AddressInfo).port;
    const metrics = this.config.metrics;
    if (metrics && metrics.port !== null) {
      this.metricsServer = http.createServer((req, res) => {
        if (pathOf(req.url) === metrics.path) void this.serveMetrics(res);
        else respond(res, 404, 'not found');
      });
      try {
        await listenOn(this.metricsServer, metrics.host ?? '127.0.0.1', metrics.port);
      } catch (error) {
        this.server.close();
        throw error;
      }
      this.metricsBoundPort = (this.metricsServer.address() as net.AddressInfo).port;
    }
    const { allowlist } = this.config;
    this.logger.info(
      { event: 'listening', url: this.url, metrics: this.metricsUrl, allow: allowlist.describe(), allowAny: allowlist.allowAny, origins: this.config.origins ? [...this.config.origins] : null, tokens: this.verifier !== null, limits: this.config.limits },
      'bridge listening',
    );
    if (allowlist.allowAny) this.logger.warn({ event: 'allow-any' }, 'allow-any: every public upstream address is reachable through this bridge');
    if (!this.config.origins) this.logger.warn({ event: 'no-origins' }, 'no Origin allowlist: pages from any site can use this bridge');
  }

  close(deadlineMs = 10_000): Promise<void> {
    this.closing ??= this.shutdown(deadlineMs);
    return this.closing;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    this.logger.info({ event: 'shutdown', sessions: this.sessions.size, deadlineMs }, 'bridge shutting down');
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const pending of this.pending) pending.abort.abort();
    for (const [socket, timer] of this.handshaking) {
      if (timer) clearTimeout(timer);
      if (!this.isPendingUpgrade(socket)) socket.destroy();
    }
    for (const session of this.sessions) session.shutdown();

    let forced = 0;
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), deadlineMs).unref());
    const drained = new Promise<'drained'>((resolve) => {
      const check = () => {
        if (this.sessions.size === 0 && this.pending.size === 0) {
          this.changeWaiters.delete(check);
          resolve('drained');
        }
      };
      this.changeWaiters.add(check);
      check();
    });
    if ((await Promise.race([drained, deadline])) === 'deadline') {
      forced = this.sessions.size;
      for (const session of this.sessions) session.forceClose();
      this.server.closeAllConnections();
      for (const socket of this.handshaking.keys()) socket.destroy();
      await drained;
    }
    await serverClosed;
    if (this.metricsServer) {
      const metricsServer = this.metricsServer;
      await new Promise<void>((resolve) => {
        metricsServer.close(() => resolve());
        metricsServer.closeAllConnections();
      });
    }
    this.wss.close();
    this.logger.info({ event: 'closed', forced }, 'bridge closed');
    this.events.emit('close', { forced }, (error) => this.listenerFailed(error));
  }

  private notifyChange(): void {
    for (const waiter of [...this.changeWaiters]) waiter();
  }

  private isPendingUpgrade(socket: net.Socket): boolean {
    return this.pendingSockets.has(socket);
  }

  private onConnection(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    socket.setKeepAlive(true, KEEPALIVE_MS);
    const timer = setTimeout(() => {
      this.handshaking.delete(socket);
      if (!socket.destroyed) {
        this.refuse(socket, this.peerOf(socket, null), new RefusalError('handshake-timeout', 'the upgrade request took too long'));
      }
    }, this.config.limits.handshakeTimeoutMs);
    timer.unref();
    this.handshaking.set(socket, timer);

    if (!this.config.trustProxy) {
      const ip = this.peerOf(socket, null);
      const count = (this.socketsByIp.get(ip) ?? 0) + 1;
      this.socketsByIp.set(ip, count);
      // Over the limit: answered with 429 once its request arrives (an HTTP client needs a
      // response to a request, not a reset), or by the handshake timeout.
      if (count > this.config.limits.maxConnectionsPerIp) this.overLimitSockets.add(socket);
      socket.once('close', () => {
        const left = (this.socketsByIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.socketsByIp.delete(ip);
        else this.socketsByIp.set(ip, left);
      });
    }
    socket.once('close', () => {
      const pendingTimer = this.handshaking.get(socket);
      if (pendingTimer) clearTimeout(pendingTimer);
      this.handshaking.delete(socket);
    });
  }

  private stopHandshakeTimer(socket: net.Socket): void {
    const timer = this.handshaking.get(socket);
    if (timer) clearTimeout(timer);
    if (this.handshaking.has(socket)) this.handshaking.set(socket, null);
  }

  /** Plain HTTP: the metrics endpoint, 426 on the WebSocket path, 404 elsewhere. No files are served. */
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stopHandshakeTimer(req.socket);
    const path = pathOf(req.url);
    const metrics = this.config.metrics;
    if (metrics && metrics.port === null && path === metrics.path && req.method === 'GET') {
      void this.serveMetrics(res);
    } else if (path === this.config.path) {
      respond(res, 426, 'this endpoint speaks WebSocket only', { Upgrade: 'websocket' });
    } else {
      respond(res, 404, 'not found');
    }
  }

  private async serveMetrics(res: ServerResponse): Promise<void> {
    try {
      const body = await this.metrics.text();
      res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
    } catch {
      respond(res, 500, 'metrics unavailable');
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    this.stopHandshakeTimer(socket);
    socket.on('error', () => {});
    const peer = this.peerOf(socket, req);
    let clientCounted = false;
    const pending: PendingUpgrade = { abort: new AbortController() };
    let upstream: UpstreamConnection | null = null;
    const onSocketClose = () => pending.abort.abort();
    try {
      // Synchronous checks first, and the capacity slot is taken in the same tick as the count
      // is checked, so concurrent upgrades cannot all squeeze past the limit.
      const { url, early } = this.checkRequest(req, socket, peer, () => {
        clientCounted = true;
      });
      this.pending.add(pending);
      this.pendingSockets.add(socket);
      socket.once('close', onSocketClose);
      const { target, subject } = await this.authorize(req, url);
      upstream = await openUpstream(target, {
        allowlist: this.config.allowlist,
        lookup: this.lookup,
        timeoutMs: this.config.limits.upstreamConnectTimeoutMs,
        tls: this.config.upstreamTls,
        signal: pending.abort.signal,
        keepAliveMs: KEEPALIVE_MS,
        readPools: this.readPools,
      });
      upstream.socket.on('error', () => {});
      this.metrics.upstreamConnectSeconds.observe(upstream.connectMs / 1000);
      if (this.closing) throw new RefusalError('shutting-down', 'the bridge is shutting down');
      if (socket.destroyed || !socket.readable || !socket.writable) {
        upstream.socket.destroy();
        this.releaseClient(peer, clientCounted);
        return;
      }
      const connected = upstream;
      // Early data (docs/bridge.md): every check has passed and the page is still there, so the
      // page's first bytes (RTMP C0+C1) leave now, and the server's answer is on its way while
      // the 101 goes back. The session counts them as the page's first message.
      if (early) {
        connected.socket.write(early);
        this.earlyWritten.add(req);
      }
      let upgraded = false;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        this.handshaking.delete(socket);
        this.startSession(ws, socket, connected, { peer, target, subject, origin: headerText(req.headers.origin) ?? null }, clientCounted, early?.byteLength ?? 0);
      });
      if (!upgraded) {
        connected.socket.destroy();
        this.releaseClient(peer, clientCounted);
      }
    } catch (error) {
      upstream?.socket.destroy();
      this.releaseClient(peer, clientCounted);
      const refusal =
        error instanceof RefusalError
          ? error
          : error instanceof BridgeError && error.code === 'BRIDGE_INVALID_TARGET'
            ? new RefusalError('target-invalid', error.message)
            : new RefusalError('bad-request', 'request refused');
      if (!(error instanceof BridgeError)) this.logger.error({ event: 'upgrade-error', peer, err: String(error) }, 'unexpected error during upgrade');
      this.refuse(socket, peer, refusal);
    } finally {
      socket.off('close', onSocketClose);
      this.pending.delete(pending);
      this.pendingSockets.delete(socket);
      this.notifyChange();
    }
  }

  /**
   * The checks that need nothing but the request, cheapest first; takes the per-client slot
   * (trustProxy) and calls `countClient` when it did. Throws RefusalError.
   */
  private checkRequest(req: IncomingMessage, socket: net.Socket, peer: string, countClient: () => void): { url: URL; early: Buffer | null } {
    const { limits } = this.config;
    if (this.closing) throw new RefusalError('shutting-down', 'the bridge is shutting down');
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    if (url.pathname !== this.config.path) throw new RefusalError('not-found', 'not found');
    checkWebSocketRequest(req);
    const early = decodeEarlyData(url.searchParams, limits.maxEarlyDataBytes);

    if (this.overLimitSockets.has(socket)) {
      throw new RefusalError('too-many-connections-per-ip', `more than ${limits.maxConnectionsPerIp} connections from one address`);
    }
    if (this.sessions.size + this.pending.size >= limits.maxConnections) {
      throw new RefusalError('too-many-connections', 'the bridge is at its connection limit');
    }
    if (this.config.trustProxy) {
      const count = this.sessionsByClient.get(peer) ?? 0;
      if (count >= limits.maxConnectionsPerIp) {
        throw new RefusalError('too-many-connections-per-ip', `more than ${limits.maxConnectionsPerIp} connections from one address`);
      }
      this.sessionsByClient.set(peer, count + 1);
      countClient();
    }
    return { url, early };
  }

  /** Origin, token and target: who may connect, and where to. Throws RefusalError. */
  private async authorize(req: IncomingMessage, url: URL): Promise<{ target: UpstreamTarget; subject: string | null }> {
    // RFC 6455 §10.2: Origin is what a browser cannot forge; exact string comparison.
    if (this.config.origins) {
      const origin = headerText(req.headers.origin);
      if (!origin) throw new RefusalError('origin', 'an Origin header is required');
      if (!this.config.origins.has(origin)) throw new RefusalError('origin', 'origin not allowed');
    }

    const tlsParam = url.searchParams.get('tls');
    let tlsFlag: boolean | undefined;
    if (tlsParam !== null) {
      if (tlsParam === '1' || tlsParam === 'true') tlsFlag = true;
      else if (tlsParam === '0' || tlsParam === 'false') tlsFlag = false;
      else throw new RefusalError('target-invalid', 'tls must be 1 or 0');
    }
    const targetParam = url.searchParams.get('target');
    let target: UpstreamTarget | null = null;
    if (targetParam !== null) {
      try {
        target = parseTarget(targetParam, tlsFlag);
      } catch (error) {
        throw new RefusalError('target-invalid', error instanceof Error ? error.message : 'invalid target');
      }
    }

    let subject: string | null = null;
    if (this.verifier) {
      const token = extractToken(req.headers, url.searchParams);
      if (!token) throw new RefusalError('token-missing', 'a token is required');
      const verified = await this.verifier.verify(token);
      subject = verified.subject ?? null;
      if (target && !sameTarget(target, verified.target)) {
        throw new RefusalError('token-target', 'the token does not allow this target');
      }
      target = verified.target;
    }
    if (!target) throw new RefusalError('target-missing', 'name the RTMP server with ?target=host:port');
    if (!this.config.allowlist.allowsTarget(target.host, target.ip, target.port)) {
      throw new RefusalError('target-not-allowed', `${formatTarget(target)} is not in the allowlist`);
    }
    return { target, subject };
  }

  private startSession(
    ws: WebSocket,
    socket: net.Socket,
    upstream: UpstreamConnection,
    request: { peer: string; target: UpstreamTarget; subject: string | null; origin: string | null },
    clientCounted: boolean,
    earlyBytes: number,
  ): void {
    const info: SessionInfo = {
      id: randomUUID(),
      peer: request.peer,
      origin: request.origin,
      target: formatTarget(request.target),
      tls: request.target.tls,
      address: upstream.address,
      subject: request.subject,
      connectMs: Math.round(upstream.connectMs * 10) / 10,
    };
    // Byte totals are plain numbers on the hot path; the metrics read them at scrape time.
    const session = new BridgeSession(info, ws, socket, upstream.socket, upstream.reader, this.config.limits, {
      onBytesToPage: (count) => {
        this.bytesToPage += count;
      },
      onBytesToUpstream: (count) => {
        this.bytesToUpstream += count;
      },
      onEnd: (record) => {
        this.sessions.delete(session);
        this.releaseClient(request.peer, clientCounted);
        this.metrics.sessionsActive.dec();
        this.metrics.closes.inc({ reason: record.closeReason });
        this.metrics.sessionSeconds.observe(record.durationMs / 1000);
        this.logger.info({ event: 'session', ...record }, 'session closed');
        this.events.emit('session-close', record, (error) => this.listenerFailed(error));
        this.notifyChange();
      },
    });
    if (earlyBytes > 0) session.countEarlyBytes(earlyBytes);
    this.sessions.add(session);
    this.sessionsTotal++;
    this.metrics.sessionsTotal.inc();
    this.metrics.sessionsActive.inc();
    this.logger.debug({ event: 'session-open', ...info }, 'session opened');
    this.events.emit('session-open', info, (error) => this.listenerFailed(error));
    if (this.closing) session.shutdown();
  }

  private releaseClient(peer: string, counted: boolean): void {
    if (!counted) return;
    const left = (this.sessionsByClient.get(peer) ?? 1) - 1;
    if (left <= 0) this.sessionsByClient.delete(peer);
    else this.sessionsByClient.set(peer, left);
  }

  /** Writes the HTTP refusal (status, reason header, a one-line body) and closes the socket. */
  private refuse(socket: net.Socket, peer: string, refusal: RefusalError): void {
    this.refusalCounts[refusal.reason] = (this.refusalCounts[refusal.reason] ?? 0) + 1;
    this.metrics.refusals.inc({ reason: refusal.reason });
    this.logger.warn({ event: 'refusal', peer, reason: refusal.reason, status: refusal.status }, refusal.message);
    this.events.emit('refusal', { reason: refusal.reason, status: refusal.status, peer, message: refusal.message }, (error) => this.listenerFailed(error));
    if (socket.destroyed) return;
    const body = `${refusal.message}\n`;
    const retry = refusal.status === 503 || refusal.status === 429 ? 'Retry-After: 5\r\n' : '';
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Bridge-Refusal: ${refusal.reason}\r\n` +
        retry +
        '\r\n' +
        body,
    );
    // Read and drop whatever the client still sends, so closing does not turn into a reset
    // that could discard the response; then destroy after a short linger.
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private peerOf(socket: net.Socket, req: IncomingMessage | null): string {
    if (req && this.config.trustProxy) {
      const forwarded = headerText(req.headers['x-forwarded-for']);
      const last = forwarded?.split(',').pop()?.trim();
      const ip = last ? parseIp(last) : null;
      if (ip) return formatIp(ip);
    }
    return normalizePeer(socket.remoteAddress);
  }

  private listenerFailed(error: unknown): void {
    this.logger.error({ event: 'listener-error', err: String(error) }, 'a bridge event listener threw');
  }
}

/** RFC 6455 §4.2.1 checks, made before the upstream connect so a bad request costs nothing. */
function checkWebSocketRequest(req: IncomingMessage): void {
  if (req.method !== 'GET') throw new RefusalError('bad-request', 'WebSocket upgrades use GET');
  if (headerText(req.headers.upgrade)?.toLowerCase() !== 'websocket') throw new RefusalError('bad-request', 'Upgrade: websocket required');
  const key = headerText(req.headers['sec-websocket-key']);
  if (!key || !/^[+/0-9A-Za-z]{22}==$/.test(key)) throw new RefusalError('bad-request', 'invalid Sec-WebSocket-Key');
  const version = headerText(req.headers['sec-websocket-version']);
  if (version !== '13' && version !== '8') throw new RefusalError('bad-request', 'Sec-WebSocket-Version 13 required');
  const protocols = headerText(req.headers['sec-websocket-protocol']);
  if (protocols !== undefined && !/^\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*,\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*\s*$/.test(protocols)) {
    throw new RefusalError('bad-request', 'invalid Sec-WebSocket-Protocol');
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function normalizePeer(address: string | undefined): string {
  if (!address) return 'unknown';
  const ip = parseIp(address);
  if (!ip) return address;
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; count them as a.b.c.d.
  if (ip.family === 6 && ip.bytes.subarray(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff) {
    return formatIp({ family: 4, bytes: ip.bytes.subarray(12) });
  }
  return formatIp(ip);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

function respond(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers });
  res.end(body);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listenOn(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(new BridgeError('BRIDGE_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, { host, port }, error));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
