import { UpstreamAllowlist } from './allowlist';
import { BridgeError } from './errors';

/**
 * Per-connection and per-bridge limits. Every one has a default (DEFAULT_LIMITS), documented in
 * docs/bridge.md; 0 turns off the limits marked "0 = off".
 */
export interface BridgeLimits {
  /** Sessions in total, counting upgrades still connecting upstream. Over it: HTTP 503. */
  maxConnections: number;
  /** Open connections from one client address (handshaking or carrying a session). Over it: HTTP 429. */
  maxConnectionsPerIp: number;
  /** From TCP accept to a complete upgrade request. Over it: HTTP 408 and the socket is closed. */
  handshakeTimeoutMs: number;
  /** DNS lookup plus TCP (and TLS) connect to the RTMP server. Over it: HTTP 504. */
  upstreamConnectTimeoutMs: number;
  /** No bytes either way for this long: close 1008. 0 = off. */
  idleTimeoutMs: number;
  /** A session older than this is closed with 1013 (reconnect). 0 = off. */
  maxSessionMs: number;
  /** Server-to-page byte rate, sustained (bursts up to one second's worth). 0 = off. */
  maxBytesPerSecondToPage: number;
  /** Page-to-server byte rate, sustained (bursts up to one second's worth). 0 = off. */
  maxBytesPerSecondToUpstream: number;
  /** Largest WebSocket message from the page, all fragments together. Over it: close 1009. */
  maxMessageBytes: number;
  /** Most frames one message may be split into. Over it: close 1008. */
  maxFragments: number;
  /**
   * Largest `early=` payload (decoded bytes) an upgrade request may carry: bytes written upstream
   * before the upgrade completes, e.g. RTMP C0+C1 (1537 bytes). Over it: HTTP 413. 0 refuses any.
   */
  maxEarlyDataBytes: number;
  /** Bytes queued toward the page above which the bridge stops reading from the server. */
  maxBufferedToPage: number;
  /** Bytes queued toward the server above which the bridge stops reading from the page. */
  maxBufferedToUpstream: number;
  /** WebSocket ping interval. 0 = off. */
  pingIntervalMs: number;
  /** A ping not answered within this time ends the session (no close frame: the page is gone). */
  pingTimeoutMs: number;
  /** How long a closing handshake (or the server's FIN after ours) may take before the socket is destroyed. */
  closeTimeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<BridgeLimits> = Object.freeze({
  maxConnections: 1000,
  maxConnectionsPerIp: 16,
  handshakeTimeoutMs: 5_000,
  upstreamConnectTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxSessionMs: 24 * 3600_000,
  maxBytesPerSecondToPage: 8 * MiB,
  maxBytesPerSecondToUpstream: 4 * MiB,
  maxMessageBytes: 1 * MiB,
  maxFragments: 128,
  maxEarlyDataBytes: 4096,
  maxBufferedToPage: 1 * MiB,
  maxBufferedToUpstream: 1 * MiB,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 20_000,
  closeTimeoutMs: 5_000,
});

/** Any object with pino's four level methods (pino itself, or a test double writing records). */
export interface BridgeLogger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

export interface BridgeTokenOptions {
  /** HMAC secret (HS256/384/512), at least 32 bytes. */
  secret?: string;
  /** PEM public key (SPKI): RSA (RS256..PS512), EC (ES256..ES512) or Ed25519 (EdDSA). */
  publicKey?: string;
  /** Required `aud` claim. */
  audience: string;
  /** Required `iss` claim, when set. */
  issuer?: string;
  /** Clock skew accepted on exp/nbf, seconds. Default 30. */
  clockToleranceSec?: number;
}

export interface BridgeOptions {
  /** Bind address. Default 127.0.0.1: exposing the bridge is a decision, not an accident. */
  host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  /** The one WebSocket path. Default '/'. */
  path?: string;
  /** Upstream allowlist entries (see UpstreamAllowlist). Required unless allowAny. */
  allow?: string[];
  /** Allow every public upstream address. Non-public addresses still need an allowlist entry. */
  allowAny?: boolean;
  /** Exact Origin values accepted. When set, a request without Origin is refused. */
  origins?: string[];
  /** Require a signed token naming the upstream target. */
  token?: BridgeTokenOptions;
  limits?: Partial<BridgeLimits>;
  /** Pino or compatible. Default: pino at level info on stdout. */
  logger?: BridgeLogger;
  /** Prometheus endpoint. Default `{ path: '/metrics' }` on the bridge's own port; `false` turns it off. */
  metrics?: { path?: string; host?: string; port?: number } | false;
  /** Upstream TLS (rtmps). Certificates are verified unless rejectUnauthorized is false. */
  tls?: { rejectUnauthorized?: boolean; ca?: string };
  /** Serve wss:// with this certificate instead of ws:// (or terminate TLS at a reverse proxy). */
  serverTls?: { cert: string; key: string };
  /** Take the client address from the last X-Forwarded-For entry (only behind your own proxy). */
  trustProxy?: boolean;
  /** DNS seam: every address of a host name. Default: the system resolver (getaddrinfo). */
  lookup?: (hostname: string) => Promise<string[]>;
}

/** BridgeOptions with defaults applied and everything validated. */
export interface ResolvedBridgeOptions {
  host: string;
  port: number;
  path: string;
  allowlist: UpstreamAllowlist;
  origins: ReadonlySet<string> | null;
  token: BridgeTokenOptions | null;
  limits: BridgeLimits;
  metrics: { path: string; host: string | null; port: number | null } | null;
  upstreamTls: { rejectUnauthorized: boolean; ca: string | undefined };
  serverTls: { cert: string; key: string } | null;
  trustProxy: boolean;
}

export function resolveOptions(options: BridgeOptions): ResolvedBridgeOptions {
  const allow = options.allow ?? [];
  if (allow.length === 0 && !options.allowAny) {
    throw new BridgeError(
      'BRIDGE_NO_ALLOWLIST',
      'refusing to start without an upstream allowlist: pass allow entries (e.g. "rtmp.example.com:1935") or allowAny',
    );
  }
  const invalid = (message: string) => new BridgeError('BRIDGE_INVALID_OPTIONS', message);
  const path = options.path ?? '/';
  if (!path.startsWith('/') || /[?#\s]/.test(path)) throw invalid(`path must start with / and hold no query: ${path}`);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`invalid port ${port}`);

  const limits: BridgeLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    if (!(name in DEFAULT_LIMITS)) throw invalid(`unknown limit "${name}"`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`limit ${name} must be a number >= 0`);
    limits[name as keyof BridgeLimits] = value;
  }
  for (const name of ['maxConnections', 'maxConnectionsPerIp', 'handshakeTimeoutMs', 'upstreamConnectTimeoutMs', 'maxMessageBytes', 'maxFragments', 'closeTimeoutMs'] as const) {
    if (limits[name] < 1) throw invalid(`limit ${name} must be at least 1`);
  }
  // Below the stream high-water mark a socket never asks for 'drain', and the paused side would
  // never resume; 64 KiB also keeps one full TCP read in flight.
  for (const name of ['maxBufferedToPage', 'maxBufferedToUpstream'] as const) {
    if (limits[name] < 65536) throw invalid(`limit ${name} must be at least 65536`);
  }
  if (limits.pingIntervalMs > 0 && limits.pingTimeoutMs < 1) throw invalid('limit pingTimeoutMs must be at least 1');

  const token = options.token ?? null;
  if (token) {
    if (!token.audience) throw invalid('token.audience is required');
    if (!token.secret === !token.publicKey) throw invalid('token needs exactly one of secret or publicKey');
    if (token.secret !== undefined && new TextEncoder().encode(token.secret).byteLength < 32) {
      throw invalid('token.secret must be at least 32 bytes (HS256 needs a 256-bit key)');
    }
  }

  let metrics: ResolvedBridgeOptions['metrics'] = null;
  if (options.metrics !== false) {
    const m = options.metrics ?? {};
    const metricsPath = m.path ?? '/metrics';
    if (!metricsPath.startsWith('/')) throw invalid('metrics.path must start with /');
    if (m.port === undefined && metricsPath === path) throw invalid('metrics.path must differ from the WebSocket path');
    metrics = { path: metricsPath, host: m.host ?? (m.port !== undefined ? '127.0.0.1' : null), port: m.port ?? null };
  }

  return {
    host: options.host ?? '127.0.0.1',
    port,
    path,
    allowlist: new UpstreamAllowlist(allow, options.allowAny ?? false),
    origins: options.origins && options.origins.length > 0 ? new Set(options.origins) : null,
    token,
    limits,
    metrics,
    upstreamTls: { rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, ca: options.tls?.ca },
    serverTls: options.serverTls ?? null,
    trustProxy: options.trustProxy ?? false,
  };
}
