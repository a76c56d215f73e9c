import { BridgeError } from './errors';
import { classifyAddress, parseIpRange, parseIpv6, rangeContains, type AddressClass, type IpAddress, type IpRange } from './ip-address';
import { normalizeHost, parsePort } from './target';

/**
 * One allowlist entry. Written as `host:port`, `*.example.com:port`, `*:port`, `1.2.3.4:port`,
 * `[::1]:port`, `10.0.0.0/8:port` or `[fd00::/8]:port`; the port may be `*`.
 */
export type AllowlistEntry =
  | { kind: 'name'; name: string; wildcard: 'none' | 'subdomains' | 'any'; port: number | '*'; text: string }
  | { kind: 'address'; range: IpRange; port: number | '*'; text: string };

export function parseAllowlistEntry(text: string): AllowlistEntry {
  const fail = (why: string) => new BridgeError('BRIDGE_INVALID_PATTERN', `allowlist entry "${text}": ${why}`, { entry: text });
  const trimmed = text.trim();
  let hostPart: string;
  let portPart: string;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close === -1 || trimmed[close + 1] !== ':') throw fail('expected [address]:port');
    hostPart = trimmed.slice(1, close);
    portPart = trimmed.slice(close + 2);
    const slash = hostPart.indexOf('/');
    if (!parseIpv6(slash === -1 ? hostPart : hostPart.slice(0, slash))) throw fail('invalid IPv6 address');
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon === -1) throw fail('a port (or *) is required, e.g. example.com:1935');
    hostPart = trimmed.slice(0, colon);
    portPart = trimmed.slice(colon + 1);
    if (hostPart.includes(':')) throw fail('write IPv6 addresses in brackets, e.g. [::1]:1935');
  }
  let port: number | '*';
  if (portPart === '*') port = '*';
  else {
    const parsed = parsePort(portPart);
    if (parsed === null) throw fail('the port must be 1..65535 or *');
    port = parsed;
  }

  if (hostPart.includes('/')) {
    const range = parseIpRange(hostPart);
    if (!range) throw fail('invalid address range');
    return { kind: 'address', range, port, text: trimmed };
  }
  if (hostPart === '*') return { kind: 'name', name: '', wildcard: 'any', port, text: trimmed };
  const subdomains = hostPart.startsWith('*.');
  const normalized = normalizeHost(subdomains ? hostPart.slice(2) : hostPart);
  if (!normalized) throw fail('invalid host name');
  if (normalized.ip) {
    if (subdomains) throw fail('a wildcard cannot apply to an address');
    const ip = normalized.ip;
    return { kind: 'address', range: { family: ip.family, bytes: ip.bytes, prefixLength: ip.bytes.length * 8 }, port, text: trimmed };
  }
  return { kind: 'name', name: normalized.host, wildcard: subdomains ? 'subdomains' : 'none', port, text: trimmed };
}

/**
 * The upstream policy. Two questions, both must pass:
 *
 * 1. May the page name this target? A host name must match a name entry (`*.example.com`
 *    matches `a.example.com` and `a.b.example.com`, not `example.com`; `*` matches every name and
 *    every address); an address literal must fall in an address entry. `allowAny` says yes to all.
 * 2. May the bridge connect to this resolved address? A public address: yes. Any other class
 *    (loopback, private, link-local, CGNAT, ULA, IPv4-mapped, unspecified, ...): only when an
 *    address entry (exact or range, with the port) contains it. Neither a name entry nor
 *    `allowAny` ever opens a non-public address, so `localhost:1935` in the list does not reach
 *    127.0.0.1 unless `127.0.0.1:1935` is listed too, and a public name whose DNS answer is
 *    private (DNS rebinding) is refused.
 */
export class UpstreamAllowlist {
  readonly entries: readonly AllowlistEntry[];

  constructor(
    entries: readonly (string | AllowlistEntry)[],
    readonly allowAny = false,
  ) {
    this.entries = entries.map((entry) => (typeof entry === 'string' ? parseAllowlistEntry(entry) : entry));
  }

  /** Question 1: may a page name `host` (normalized, see `normalizeHost`) on `port`? */
  allowsTarget(host: string, ip: IpAddress | null, port: number): boolean {
    if (this.allowAny) return true;
    return this.entries.some((entry) => {
      if (!portMatches(entry.port, port)) return false;
      if (entry.kind === 'address') return ip !== null && rangeContains(entry.range, ip);
      if (entry.wildcard === 'any') return true;
      if (ip !== null) return false;
      if (entry.wildcard === 'subdomains') return host.endsWith(`.${entry.name}`);
      return host === entry.name;
    });
  }

  /** Question 2: may the bridge connect to `address` on `port`? Returns the refusal class or null. */
  refusesAddress(address: IpAddress, port: number): AddressClass | null {
    const kind = classifyAddress(address);
    if (kind === 'public') return null;
    const named = this.entries.some(
      (entry) => entry.kind === 'address' && portMatches(entry.port, port) && rangeContains(entry.range, address),
    );
    return named ? null : kind;
  }

  describe(): string[] {
    return this.entries.map((entry) => entry.text);
  }
}

function portMatches(pattern: number | '*', port: number): boolean {
  return pattern === '*' || pattern === port;
}
