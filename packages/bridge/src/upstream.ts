import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { UpstreamAllowlist } from './allowlist';
import { RefusalError } from './errors';
import { formatIp, parseIp, type IpAddress } from './ip-address';
import { formatTarget, type UpstreamTarget } from './target';
import { PooledSocketReader, StreamReader, type ReadBufferPool, type UpstreamReader } from './upstream-reader';

export interface UpstreamConnection {
  socket: net.Socket;
  /** Where its bytes come from: attach a sink to receive them (before that they are held). */
  reader: UpstreamReader;
  /** The checked address the socket is connected to. */
  address: string;
  /** Milliseconds spent resolving and connecting (and the TLS handshake). */
  connectMs: number;
}

export interface OpenUpstreamOptions {
  allowlist: UpstreamAllowlist;
  lookup: (hostname: string) => Promise<string[]>;
  timeoutMs: number;
  tls: { rejectUnauthorized: boolean; ca: string | undefined };
  /** Aborted when the page goes away or the bridge shuts down. */
  signal: AbortSignal;
  /** TCP keepalive probe delay on the upstream socket. */
  keepAliveMs: number;
  /** Read buffers for plain TCP upstreams (see PooledSocketReader): small and bulk slabs. */
  readPools: { small: ReadBufferPool; bulk: ReadBufferPool };
}

/** The system resolver: getaddrinfo, so /etc/hosts applies, every address in resolver order. */
export async function systemLookup(hostname: string): Promise<string[]> {
  const results = await dnsLookup(hostname, { all: true, verbatim: true });
  return results.map((result) => result.address);
}

/**
 * Resolves the target once, checks every address against the allowlist, and connects to a
 * checked address (never to the name again), so a DNS answer that changes between the check and
 * the connect (DNS rebinding) cannot redirect the bridge. If any address of the name is refused,
 * the whole target is refused: a name that mixes public and private answers is not trusted.
 * Addresses are tried in resolver order within one overall deadline.
 */
export async function openUpstream(target: UpstreamTarget, options: OpenUpstreamOptions): Promise<UpstreamConnection> {
  if (options.signal.aborted) throw new RefusalError('shutting-down', 'connection abandoned');
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const label = formatTarget(target);

  let addresses: IpAddress[];
  if (target.ip) {
    addresses = [target.ip];
  } else {
    let answers: string[];
    try {
      answers = await withDeadline(options.lookup(target.host), deadline, options.signal, () => {
        throw new RefusalError('upstream-timeout', `resolving ${target.host} timed out`);
      });
    } catch (error) {
      if (error instanceof RefusalError) throw error;
      throw new RefusalError('dns-failed', `cannot resolve ${target.host}`, error);
    }
    addresses = answers.map((answer) => parseIp(answer)).filter((ip): ip is IpAddress => ip !== null);
    if (addresses.length === 0) throw new RefusalError('dns-failed', `${target.host} has no address`);
  }

  for (const address of addresses) {
    const refusedClass = options.allowlist.refusesAddress(address, target.port);
    if (refusedClass) {
      throw new RefusalError(
        'target-private-address',
        target.ip
          ? `${label} is a ${refusedClass} address that the allowlist does not name`
          : `${label} resolves to a ${refusedClass} address that the allowlist does not name`,
      );
    }
  }

  let lastError: RefusalError | null = null;
  for (const address of addresses) {
    if (options.signal.aborted) break;
    if (performance.now() >= deadline) break;
    try {
      const { socket, reader } = await connectOnce(target, formatIp(address), deadline, options);
      return { socket, reader, address: formatIp(address), connectMs: performance.now() - started };
    } catch (error) {
      lastError = error instanceof RefusalError ? error : new RefusalError('upstream-refused', `cannot connect to ${label}`, error);
      // A certificate that fails verification will not pass on another address of the same name.
      if (lastError.reason === 'upstream-tls') break;
    }
  }
  if (options.signal.aborted) throw new RefusalError('shutting-down', 'connection abandoned');
  throw lastError ?? new RefusalError('upstream-timeout', `connecting to ${label} timed out`);
}

function connectOnce(
  target: UpstreamTarget,
  address: string,
  deadline: number,
  options: OpenUpstreamOptions,
): Promise<{ socket: net.Socket; reader: UpstreamReader }> {
  return new Promise((resolve, reject) => {
    const label = formatTarget(target);
    let socket: net.Socket;
    let reader: UpstreamReader;
    if (target.tls) {
      socket = tls.connect({
        host: address,
        port: target.port,
        // SNI and the certificate identity check use the name the page asked for; an IP
        // literal target has no SNI (RFC 6066 §3) and is checked against the address.
        ...(target.ip ? {} : { servername: target.host }),
        rejectUnauthorized: options.tls.rejectUnauthorized,
        ...(options.tls.ca !== undefined ? { ca: options.tls.ca } : {}),
      });
      reader = new StreamReader(socket);
    } else {
      // Plain TCP reads straight into the bridge's own buffers (fewer, larger reads, no
      // allocation per read): the hot path of every session.
      const pooled = new PooledSocketReader(options.readPools.small, options.readPools.bulk);
      socket = net.connect({ host: address, port: target.port, onread: pooled.onreadOption() });
      pooled.bind(socket);
      reader = pooled;
    }
    const timer = setTimeout(() => fail(new RefusalError('upstream-timeout', `connecting to ${label} timed out`)), Math.max(0, deadline - performance.now()));
    const onAbort = () => fail(new RefusalError('shutting-down', 'connection abandoned'));
    options.signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off(target.tls ? 'secureConnect' : 'connect', onConnect);
    };
    function fail(error: RefusalError) {
      cleanup();
      socket.destroy();
      reject(error);
    }
    function onError(error: NodeJS.ErrnoException) {
      // Over TLS, an error after the TCP connect is a TLS failure (certificate, protocol).
      if (tcpConnected) {
        fail(new RefusalError('upstream-tls', `TLS to ${label} failed: ${error.code ?? error.message}`, error));
      } else {
        fail(new RefusalError('upstream-refused', `cannot connect to ${label}: ${error.code ?? error.message}`, error));
      }
    }
    function onConnect() {
      cleanup();
      // RTMP is latency-sensitive and already batches into chunks: no Nagle delay (issue item 8).
      socket.setNoDelay(true);
      socket.setKeepAlive(true, options.keepAliveMs);
      resolve({ socket, reader });
    }
    let tcpConnected = false;
    if (target.tls) socket.once('connect', () => (tcpConnected = true));
    socket.once('error', onError);
    socket.once(target.tls ? 'secureConnect' : 'connect', onConnect);
    if (options.signal.aborted) onAbort();
  });
}

function withDeadline<T>(promise: Promise<T>, deadline: number, signal: AbortSignal, onTimeout: () => never): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onTimeout();
      } catch (error) {
        reject(error);
      }
    }, Math.max(0, deadline - performance.now()));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RefusalError('shutting-down', 'connection abandoned'));
    };
    if (signal.aborted) {
      promise.catch(() => {});
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
