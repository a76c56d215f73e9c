/**
 * `rtmp-web bridge [options]`: runs the WebSocket-to-RTMP bridge until SIGTERM or SIGINT, then
 * shuts it down gracefully (every session gets close code 1001; whatever is still open after
 * --shutdown-deadline is cut). Options come from flags and/or a JSON config file; flags win.
 * Structured logs (pino, one JSON record per line) go to stdout; human notices to stderr.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BridgeError, DEFAULT_LIMITS, createBridge, createBridgeLogger, type BridgeLimits, type BridgeOptions } from '@rtmp-web/bridge';

export const BRIDGE_USAGE = `usage: rtmp-web bridge [options]

Forwards raw RTMP bytes between pages (WebSocket) and allowlisted RTMP servers (TCP or TLS).
A page connects to  ws://HOST:PORT/PATH?target=rtmp.example.com:1935  (add &tls=1 for rtmps).

  --config FILE               JSON config file (same names as below, see docs/bridge.md); flags win
  --host ADDR                 bind address (default 127.0.0.1)
  --port N                    port, 0 = any free port (default 8080)
  --path PATH                 the WebSocket path (default /)
  --allow PATTERN             allowed upstream, repeatable: host:port, *.example.com:1935,
                              *:1935, 203.0.113.7:*, 10.0.0.0/8:1935, [::1]:1935
  --allow-any                 allow every public upstream address (prints a warning)
  --origin ORIGIN             allowed page Origin, exact match, repeatable
  --token-secret-file FILE    require HS256/384/512 tokens signed with the secret in FILE
                              (or set RTMP_WEB_BRIDGE_TOKEN_SECRET)
  --token-public-key-file F   require RS/PS/ES/EdDSA tokens verified with this PEM public key
  --token-audience AUD        the token's required aud claim (required with tokens)
  --token-issuer ISS          the token's required iss claim
  --limit NAME=VALUE          override one limit, repeatable (names in docs/bridge.md)
  --metrics-path PATH         Prometheus endpoint (default /metrics on the bridge port)
  --metrics-port N            serve metrics on their own port instead
  --metrics-host ADDR         bind address of that port (default 127.0.0.1)
  --no-metrics                no metrics endpoint
  --upstream-ca-file FILE     extra CA certificates for rtmps upstreams
  --insecure-upstream-tls     do not verify rtmps certificates (testing only; prints a warning)
  --cert-file FILE            serve wss:// with this certificate chain (PEM) ...
  --key-file FILE             ... and this private key (PEM)
  --trust-proxy               take client addresses from X-Forwarded-For (behind your own proxy only)
  --shutdown-deadline MS      on SIGTERM/SIGINT, cut sessions still open after MS (default 10000)
  --log-level LEVEL           trace, debug, info, warn, error, silent (default info)
  -h, --help                  this text
`;

/** The config file: BridgeOptions plus file references and the command's own settings. */
export interface BridgeConfigFile {
  host?: string;
  port?: number;
  path?: string;
  allow?: string[];
  allowAny?: boolean;
  origins?: string[];
  token?: { secret?: string; secretFile?: string; publicKey?: string; publicKeyFile?: string; audience: string; issuer?: string; clockToleranceSec?: number };
  limits?: Partial<BridgeLimits>;
  metrics?: { path?: string; host?: string; port?: number } | false;
  tls?: { rejectUnauthorized?: boolean; ca?: string; caFile?: string };
  serverTls?: { cert?: string; certFile?: string; key?: string; keyFile?: string };
  trustProxy?: boolean;
  shutdownDeadlineMs?: number;
  logLevel?: string;
}

export interface BridgeCommandIo {
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

export interface ParsedBridgeCommand {
  options: BridgeOptions;
  shutdownDeadlineMs: number;
  logLevel: string;
  warnings: string[];
}

/** Parses flags (and the config file they name) into bridge options. Throws UsageError. */
export function parseBridgeArgs(argv: string[], env: Record<string, string | undefined> = process.env): ParsedBridgeCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        path: { type: 'string' },
        allow: { type: 'string', multiple: true },
        'allow-any': { type: 'boolean' },
        origin: { type: 'string', multiple: true },
        'token-secret-file': { type: 'string' },
        'token-public-key-file': { type: 'string' },
        'token-audience': { type: 'string' },
        'token-issuer': { type: 'string' },
        limit: { type: 'string', multiple: true },
        'metrics-path': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'no-metrics': { type: 'boolean' },
        'upstream-ca-file': { type: 'string' },
        'insecure-upstream-tls': { type: 'boolean' },
        'cert-file': { type: 'string' },
        'key-file': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        'shutdown-deadline': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values;
  if (flags.help) return 'help';

  let file: BridgeConfigFile = {};
  let baseDir = process.cwd();
  if (flags.config !== undefined) {
    const configPath = resolve(flags.config);
    baseDir = dirname(configPath);
    try {
      file = JSON.parse(readFileSync(configPath, 'utf8')) as BridgeConfigFile;
    } catch (error) {
      throw new UsageError(`cannot read config ${flags.config}: ${(error as Error).message}`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new UsageError(`config ${flags.config} must hold a JSON object`);
  }
  const readText = (path: string, what: string) => {
    try {
      return readFileSync(resolve(baseDir, path), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const readFlagText = (path: string, what: string) => {
    try {
      return readFileSync(resolve(path), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`);
    }
  };
  const integer = (text: string, what: string) => {
    if (!/^[0-9]+$/.test(text)) throw new UsageError(`${what} must be a whole number: ${text}`);
    return Number(text);
  };

  const warnings: string[] = [];
  const options: BridgeOptions = {};
  const host = flags.host ?? file.host;
  if (host !== undefined) options.host = host;
  const port = flags.port !== undefined ? integer(flags.port, '--port') : file.port;
  if (port !== undefined) options.port = port;
  const path = flags.path ?? file.path;
  if (path !== undefined) options.path = path;
  const allow = flags.allow ?? file.allow;
  if (allow !== undefined) options.allow = allow;
  const allowAny = flags['allow-any'] ?? file.allowAny;
  if (allowAny) {
    options.allowAny = true;
    warnings.push('WARNING: --allow-any: pages may reach every public RTMP server through this bridge (non-public addresses still need --allow).');
  }
  const origins = flags.origin ?? file.origins;
  if (origins !== undefined) options.origins = origins;
  if (!origins || origins.length === 0) warnings.push('notice: no --origin given: pages from any web site may use this bridge.');

  // Tokens: flags override the file field by field.
  const fileToken = file.token;
  let secret = fileToken?.secret ?? (fileToken?.secretFile !== undefined ? readText(fileToken.secretFile, 'token secret file').trim() : undefined);
  let publicKey = fileToken?.publicKey ?? (fileToken?.publicKeyFile !== undefined ? readText(fileToken.publicKeyFile, 'token public key file') : undefined);
  if (flags['token-secret-file'] !== undefined) {
    secret = readFlagText(flags['token-secret-file'], 'token secret file').trim();
    publicKey = undefined;
  } else if (flags['token-public-key-file'] !== undefined) {
    publicKey = readFlagText(flags['token-public-key-file'], 'token public key file');
    secret = undefined;
  } else if (secret === undefined && publicKey === undefined && env['RTMP_WEB_BRIDGE_TOKEN_SECRET']) {
    secret = env['RTMP_WEB_BRIDGE_TOKEN_SECRET'];
  }
  const audience = flags['token-audience'] ?? fileToken?.audience;
  const issuer = flags['token-issuer'] ?? fileToken?.issuer;
  if (secret !== undefined || publicKey !== undefined) {
    if (!audience) throw new UsageError('tokens need --token-audience');
    options.token = {
      audience,
      ...(secret !== undefined ? { secret } : {}),
      ...(publicKey !== undefined ? { publicKey } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      ...(fileToken?.clockToleranceSec !== undefined ? { clockToleranceSec: fileToken.clockToleranceSec } : {}),
    };
  } else if (audience !== undefined || issuer !== undefined) {
    throw new UsageError('--token-audience/--token-issuer need a token key (--token-secret-file or --token-public-key-file)');
  }

  const limits: Partial<BridgeLimits> = { ...(file.limits ?? {}) };
  for (const entry of flags.limit ?? []) {
    const match = /^([A-Za-z]+)=([0-9]+)$/.exec(entry);
    if (!match) throw new UsageError(`--limit takes NAME=NUMBER: ${entry}`);
    const name = match[1]!;
    if (!(name in DEFAULT_LIMITS)) throw new UsageError(`unknown limit ${name} (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    limits[name as keyof BridgeLimits] = Number(match[2]);
  }
  if (Object.keys(limits).length > 0) options.limits = limits;

  if (flags['no-metrics'] || file.metrics === false) {
    options.metrics = false;
  } else {
    const fileMetrics = file.metrics || {};
    const metrics: { path?: string; host?: string; port?: number } = { ...fileMetrics };
    if (flags['metrics-path'] !== undefined) metrics.path = flags['metrics-path'];
    if (flags['metrics-port'] !== undefined) metrics.port = integer(flags['metrics-port'], '--metrics-port');
    if (flags['metrics-host'] !== undefined) metrics.host = flags['metrics-host'];
    options.metrics = metrics;
  }

  const upstreamTls: { rejectUnauthorized?: boolean; ca?: string } = {};
  const caFile = flags['upstream-ca-file'] ?? file.tls?.caFile;
  const ca = caFile !== undefined ? (flags['upstream-ca-file'] !== undefined ? readFlagText(caFile, 'CA file') : readText(caFile, 'CA file')) : file.tls?.ca;
  if (ca !== undefined) upstreamTls.ca = ca;
  if (flags['insecure-upstream-tls'] || file.tls?.rejectUnauthorized === false) {
    upstreamTls.rejectUnauthorized = false;
    warnings.push('WARNING: upstream TLS certificates are NOT verified (--insecure-upstream-tls).');
  }
  if (Object.keys(upstreamTls).length > 0) options.tls = upstreamTls;

  const certFile = flags['cert-file'];
  const keyFile = flags['key-file'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--cert-file and --key-file go together');
  if (certFile !== undefined && keyFile !== undefined) {
    options.serverTls = { cert: readFlagText(certFile, 'certificate'), key: readFlagText(keyFile, 'key') };
  } else if (file.serverTls) {
    const cert = file.serverTls.cert ?? (file.serverTls.certFile !== undefined ? readText(file.serverTls.certFile, 'certificate') : undefined);
    const key = file.serverTls.key ?? (file.serverTls.keyFile !== undefined ? readText(file.serverTls.keyFile, 'key') : undefined);
    if (cert === undefined || key === undefined) throw new UsageError('serverTls needs a certificate and a key');
    options.serverTls = { cert, key };
  }
  if (flags['trust-proxy'] ?? file.trustProxy) options.trustProxy = true;

  const shutdownDeadlineMs = flags['shutdown-deadline'] !== undefined ? integer(flags['shutdown-deadline'], '--shutdown-deadline') : (file.shutdownDeadlineMs ?? 10_000);
  const logLevel = flags['log-level'] ?? file.logLevel ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) throw new UsageError(`unknown log level ${logLevel}`);
  return { options, shutdownDeadlineMs, logLevel, warnings };
}

/**
 * Runs the bridge until SIGTERM/SIGINT. Exit codes: 0 after a clean shutdown, 1 when the
 * bridge cannot start (e.g. port in use), 2 on a usage or configuration error (including a
 * missing allowlist).
 */
export async function runBridgeCommand(argv: string[], io: BridgeCommandIo = { stderr: (text) => process.stderr.write(text), env: process.env }): Promise<number> {
  let command: ParsedBridgeCommand | 'help';
  try {
    command = parseBridgeArgs(argv, io.env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`rtmp-web bridge: ${error.message}\n\n${BRIDGE_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (command === 'help') {
    process.stdout.write(BRIDGE_USAGE);
    return 0;
  }
  const logger = createBridgeLogger(command.logLevel);
  let bridge;
  try {
    bridge = await createBridge({ ...command.options, logger });
  } catch (error) {
    if (error instanceof BridgeError) {
      io.stderr(`rtmp-web bridge: ${error.message}\n`);
      return error.code === 'BRIDGE_LISTEN_FAILED' ? 1 : 2;
    }
    throw error;
  }
  for (const warning of command.warnings) io.stderr(`${warning}\n`);
  io.stderr(`rtmp-web bridge: listening on ${bridge.url}${bridge.metricsUrl ? ` (metrics ${bridge.metricsUrl})` : ''}\n`);

  const running = bridge;
  await new Promise<void>((resolveStopped) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      io.stderr(`rtmp-web bridge: ${signal}: closing sessions (deadline ${command.shutdownDeadlineMs} ms)\n`);
      void running.close(command.shutdownDeadlineMs).then(resolveStopped);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  io.stderr('rtmp-web bridge: stopped\n');
  return 0;
}
