import { BridgeError } from './errors';
import { formatIp, parseIpv4, parseIpv6, type IpAddress } from './ip-address';

/** The RTMP server a page asks the bridge to reach. */
export interface UpstreamTarget {
  /** Lower-case host name without a trailing dot, or a canonical IP literal (IPv6 without brackets). */
  host: string;
  /** Set when `host` is an IP literal. */
  ip: IpAddress | null;
  port: number;
  /** Open the upstream connection with TLS (rtmps). */
  tls: boolean;
}

export const DEFAULT_RTMP_PORT = 1935;
export const DEFAULT_RTMPS_PORT = 443;

/**
 * Parses a target as the page writes it in `?target=`, or as a token's `target` claim:
 * `host:port`, `[v6]:port`, `host` (port 1935, or 443 with TLS), or an RTMP URL
 * `rtmp://host[:port]/app/...` / `rtmps://host[:port]/...` (the path is ignored: the page speaks
 * RTMP itself and names the app in its connect command).
 *
 * `tls` is the separate `tls=1` flag; it must not contradict an `rtmp://`/`rtmps://` scheme.
 * Throws BridgeError('BRIDGE_INVALID_TARGET') with a message safe to show the page.
 */
export function parseTarget(text: string, tls?: boolean): UpstreamTarget {
  let rest = text.trim();
  let schemeTls: boolean | undefined;
  const scheme = /^(rtmps?):\/\//i.exec(rest);
  if (scheme) {
    schemeTls = scheme[1]!.toLowerCase() === 'rtmps';
    rest = rest.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    if (end !== -1) rest = rest.slice(0, end);
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    throw invalid('only rtmp:// and rtmps:// URLs are accepted');
  }
  if (schemeTls !== undefined && tls !== undefined && schemeTls !== tls) {
    throw invalid('the tls flag contradicts the URL scheme');
  }
  const useTls = schemeTls ?? tls ?? false;
  if (rest.includes('@')) throw invalid('user information is not accepted in a target');

  let hostText: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw invalid('unterminated [IPv6] literal');
    hostText = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw invalid('expected :port after the [IPv6] literal');
      portText = after.slice(1);
    }
    if (!parseIpv6(hostText)) throw invalid('invalid IPv6 literal');
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) throw invalid('write IPv6 literals in brackets, e.g. [::1]:1935');
    const colon = rest.indexOf(':');
    hostText = colon === -1 ? rest : rest.slice(0, colon);
    portText = colon === -1 ? undefined : rest.slice(colon + 1);
  }

  const port = portText === undefined ? (useTls ? DEFAULT_RTMPS_PORT : DEFAULT_RTMP_PORT) : parsePort(portText);
  if (port === null) throw invalid('the port must be a number from 1 to 65535');
  const host = normalizeHost(hostText);
  if (!host) throw invalid('invalid host name');
  return { ...host, port, tls: useTls };
}

/** `host:port` with IPv6 in brackets: the form used in logs, metrics and allowlist entries. */
export function formatTarget(target: Pick<UpstreamTarget, 'host' | 'ip' | 'port'>): string {
  const host = target.ip?.family === 6 ? `[${target.host}]` : target.host;
  return `${host}:${target.port}`;
}

export function sameTarget(a: UpstreamTarget, b: UpstreamTarget): boolean {
  return a.host === b.host && a.port === b.port && a.tls === b.tls;
}

/** Decimal 1..65535 without sign or leading zeros; null otherwise. */
export function parsePort(text: string): number | null {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/**
 * Lower-cases and validates a host: an IP literal becomes its canonical text; a name must be
 * LDH labels (plus `_`, seen on internal hosts), at most 253 characters, and its last label must
 * not be numeric. That last rule matters: getaddrinfo reads `127.1` or `0x7f.1` as IPv4
 * shorthand, and a name that is really an address must go through the address rules.
 */
export function normalizeHost(text: string): { host: string; ip: IpAddress | null } | null {
  const v4 = parseIpv4(text);
  if (v4) {
    const ip: IpAddress = { family: 4, bytes: v4 };
    return { host: formatIp(ip), ip };
  }
  const v6 = parseIpv6(text);
  if (v6) {
    const ip: IpAddress = { family: 6, bytes: v6 };
    return { host: formatIp(ip), ip };
  }
  let name = text.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return null;
  const labels = name.split('.');
  for (const label of labels) {
    if (!/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label)) return null;
  }
  const last = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(last) || /^0x/.test(last)) return null;
  return { host: name, ip: null };
}

function invalid(message: string): BridgeError {
  return new BridgeError('BRIDGE_INVALID_TARGET', message);
}
