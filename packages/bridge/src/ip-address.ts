/**
 * IP address parsing and classification for the upstream policy. Pure: no DNS, no sockets.
 *
 * Addresses are handled as bytes (4 for IPv4, 16 for IPv6) so that every textual spelling of the
 * same address (`::1`, `0:0:0:0:0:0:0:1`, `::ffff:127.0.0.1`) compares equal after parsing, and
 * range checks are prefix comparisons instead of string games.
 */

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** Dotted quad, four decimal parts 0..255, no leading zeros (which some parsers read as octal). */
export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    out[i] = value;
  }
  return out;
}

/**
 * RFC 4291 §2.2 text forms: eight groups of 1-4 hex digits, one `::` for a run of zero groups,
 * and an optional dotted-quad tail for the last 32 bits. Zone ids (`%eth0`) are refused: a
 * bridge has no business reaching link-local scopes.
 */
export function parseIpv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return null;
  let head = text;
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.indexOf('.', lastColon) !== -1) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return null;
    head = text.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:1.2.3.4" leaves "a:b:" (drop the colon).
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsWanted = tail ? 6 : 8;
  const doubleColon = head.indexOf('::');
  if (doubleColon !== -1 && head.indexOf('::', doubleColon + 1) !== -1) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  let groups: number[];
  if (doubleColon === -1) {
    const all = parseGroups(head);
    if (!all || all.length !== groupsWanted) return null;
    groups = all;
  } else {
    const left = parseGroups(head.slice(0, doubleColon));
    const right = parseGroups(head.slice(doubleColon + 2));
    if (!left || !right) return null;
    const missing = groupsWanted - left.length - right.length;
    // "::" stands for at least one zero group (RFC 5952 §4.2.2 writes single groups out, but
    // RFC 4291 readers accept it, and so do we).
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    out[i * 2] = group >> 8;
    out[i * 2 + 1] = group & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

/** Parses an IPv4 or IPv6 literal (IPv6 without brackets). */
export function parseIp(text: string): IpAddress | null {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) return { family: 6, bytes: v6 };
  return null;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as "::"). */
export function formatIp(address: IpAddress): string {
  const b = address.bytes;
  if (address.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[i * 2]! << 8) | b[i * 2 + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  if (a.family !== b.family) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

/** An address prefix, e.g. 10.0.0.0/8 or fc00::/7. */
export interface IpRange {
  family: 4 | 6;
  bytes: Uint8Array;
  prefixLength: number;
}

export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const address = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!address || !/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return null;
  const prefixLength = Number(lengthText);
  if (prefixLength > address.bytes.length * 8) return null;
  return { family: address.family, bytes: address.bytes, prefixLength };
}

export function rangeContains(range: IpRange, address: IpAddress): boolean {
  if (range.family !== address.family) return false;
  let bits = range.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i]! & mask) !== (address.bytes[i]! & mask)) return false;
  }
  return true;
}

/**
 * Address classes the bridge refuses unless the allowlist names the address (or its range)
 * itself. 'public' is the only class reachable through a host-name entry or `allowAny`.
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'unique-local'
  | 'ipv4-mapped'
  | 'ipv6-translation'
  | 'multicast'
  | 'documentation'
  | 'reserved';

// IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and updates). Order matters:
// the first match wins, so narrower ranges come before the wider ranges that contain them.
const SPECIAL_RANGES: ReadonlyArray<readonly [string, AddressClass]> = [
  ['0.0.0.0/8', 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0/8', 'private'], // RFC 1918
  ['100.64.0.0/10', 'cgnat'], // RFC 6598 shared address space
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // includes 169.254.169.254, the cloud metadata service
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes 255.255.255.255 broadcast
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'ipv4-mapped'], // the kernel would connect to the embedded IPv4 address
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b::/96', 'ipv6-translation'], // NAT64 can embed any IPv4 address, private ones too
  ['64:ff9b:1::/48', 'ipv6-translation'],
  ['100::/64', 'reserved'], // discard-only
  ['2001:db8::/32', 'documentation'],
  ['2001::/32', 'ipv6-translation'], // Teredo
  ['2001::/23', 'reserved'], // IETF protocol assignments
  ['2002::/16', 'ipv6-translation'], // 6to4 embeds an IPv4 address
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
];

const PARSED_SPECIAL_RANGES = SPECIAL_RANGES.map(([text, kind]) => [parseIpRange(text)!, kind] as const);
const GLOBAL_UNICAST_V6 = parseIpRange('2000::/3')!;

export function classifyAddress(address: IpAddress): AddressClass {
  for (const [range, kind] of PARSED_SPECIAL_RANGES) {
    if (rangeContains(range, address)) return kind;
  }
  // Outside 2000::/3 nothing is assigned for global unicast today (RFC 4291 §2.4).
  if (address.family === 6 && !rangeContains(GLOBAL_UNICAST_V6, address)) return 'reserved';
  return 'public';
}
