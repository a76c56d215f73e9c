import { describe, expect, it } from 'vitest';
import { UpstreamAllowlist, parseAllowlistEntry } from '../src/allowlist';
import { BridgeError } from '../src/errors';
import { parseIp } from '../src/ip-address';
import { parseTarget } from '../src/target';

const names = (list: UpstreamAllowlist, text: string) => {
  const t = parseTarget(text);
  return list.allowsTarget(t.host, t.ip, t.port);
};
const refuses = (list: UpstreamAllowlist, address: string, port: number) => list.refusesAddress(parseIp(address)!, port);

describe('parseAllowlistEntry', () => {
  it('reads every documented entry form', () => {
    expect(parseAllowlistEntry('Live.Example.com:1935')).toMatchObject({ kind: 'name', name: 'live.example.com', wildcard: 'none', port: 1935 });
    expect(parseAllowlistEntry('*.example.com:*')).toMatchObject({ kind: 'name', name: 'example.com', wildcard: 'subdomains', port: '*' });
    expect(parseAllowlistEntry('*:1935')).toMatchObject({ kind: 'name', wildcard: 'any', port: 1935 });
    expect(parseAllowlistEntry('127.0.0.1:19350')).toMatchObject({ kind: 'address', range: { family: 4, prefixLength: 32 }, port: 19350 });
    expect(parseAllowlistEntry('[::1]:1935')).toMatchObject({ kind: 'address', range: { family: 6, prefixLength: 128 }, port: 1935 });
    expect(parseAllowlistEntry('10.0.0.0/8:*')).toMatchObject({ kind: 'address', range: { family: 4, prefixLength: 8 }, port: '*' });
    expect(parseAllowlistEntry('[fd00::/8]:1935')).toMatchObject({ kind: 'address', range: { family: 6, prefixLength: 8 }, port: 1935 });
  });

  it('refuses entries without a port, bad ports, unbracketed IPv6 and wildcard addresses', () => {
    for (const text of ['example.com', 'example.com:0', 'example.com:x', '::1:1935', '*.10.0.0.1:1935', '10.0.0.0/33:1935', '[::1/129]:1935', 'bad host:1935', '*.*.com:1935']) {
      expect(() => parseAllowlistEntry(text), text).toThrow(BridgeError);
    }
  });
});

describe('UpstreamAllowlist', () => {
  it('matches names exactly, subdomain wildcards below the domain only, and ports exactly or *', () => {
    const list = new UpstreamAllowlist(['live.example.com:1935', '*.cdn.example.net:*', '203.0.113.7:1935']);
    expect(names(list, 'live.example.com:1935')).toBe(true);
    expect(names(list, 'LIVE.example.com.:1935')).toBe(true);
    expect(names(list, 'live.example.com:1936')).toBe(false);
    expect(names(list, 'evil-live.example.com:1935')).toBe(false);
    expect(names(list, 'live.example.com.evil.org:1935')).toBe(false);
    expect(names(list, 'a.cdn.example.net:443')).toBe(true);
    expect(names(list, 'a.b.cdn.example.net:1')).toBe(true);
    expect(names(list, 'cdn.example.net:443')).toBe(false);
    expect(names(list, 'xcdn.example.net:443')).toBe(false);
    expect(names(list, '203.0.113.7:1935')).toBe(true);
    expect(names(list, '203.0.113.8:1935')).toBe(false);
  });

  it('never lets a name entry or allowAny reach a non-public address; an address entry does', () => {
    const byName = new UpstreamAllowlist(['localhost:1935']);
    expect(names(byName, 'localhost:1935')).toBe(true);
    expect(refuses(byName, '127.0.0.1', 1935)).toBe('loopback');
    expect(refuses(byName, '::1', 1935)).toBe('loopback');
    expect(refuses(byName, '8.8.8.8', 1935)).toBeNull();

    const byAddress = new UpstreamAllowlist(['localhost:1935', '127.0.0.1:1935']);
    expect(refuses(byAddress, '127.0.0.1', 1935)).toBeNull();
    expect(refuses(byAddress, '127.0.0.1', 1936)).toBe('loopback');
    expect(refuses(byAddress, '127.0.0.2', 1935)).toBe('loopback');
    expect(refuses(byAddress, '::ffff:127.0.0.1', 1935)).toBe('ipv4-mapped'); // a different spelling is not the named address

    const anyPublic = new UpstreamAllowlist([], true);
    expect(names(anyPublic, 'anything.example:1935')).toBe(true);
    for (const [address, kind] of [
      ['10.1.2.3', 'private'],
      ['169.254.169.254', 'link-local'],
      ['100.64.1.1', 'cgnat'],
      ['fd00::1', 'unique-local'],
      ['0.0.0.0', 'unspecified'],
    ] as const) {
      expect(refuses(anyPublic, address, 1935)).toBe(kind);
    }

    const range = new UpstreamAllowlist(['10.0.0.0/8:1935', '[fd00::/8]:*']);
    expect(refuses(range, '10.200.0.1', 1935)).toBeNull();
    expect(refuses(range, '10.200.0.1', 80)).toBe('private');
    expect(refuses(range, '11.0.0.1', 1935)).toBeNull(); // public anyway
    expect(refuses(range, 'fd12::1', 443)).toBeNull();
    expect(refuses(range, '192.168.0.1', 1935)).toBe('private');
  });

  it('lets * name any host and any public address, still not private ones', () => {
    const list = new UpstreamAllowlist(['*:1935']);
    expect(names(list, 'x.example:1935')).toBe(true);
    expect(names(list, '8.8.8.8:1935')).toBe(true);
    expect(names(list, 'x.example:80')).toBe(false);
    expect(refuses(list, '192.168.1.1', 1935)).toBe('private');
  });
});
