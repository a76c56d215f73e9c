import { describe, expect, it } from 'vitest';
import { BridgeError } from '../src/errors';
import { formatTarget, normalizeHost, parseTarget } from '../src/target';

const plain = (text: string, tls?: boolean) => {
  const t = parseTarget(text, tls);
  return { host: t.host, port: t.port, tls: t.tls, ip: t.ip ? t.ip.family : null };
};

describe('parseTarget', () => {
  it('reads host:port, [v6]:port, bare hosts and RTMP URLs', () => {
    expect(plain('Live.Example.COM:1935')).toEqual({ host: 'live.example.com', port: 1935, tls: false, ip: null });
    expect(plain('live.example.com.:19350')).toEqual({ host: 'live.example.com', port: 19350, tls: false, ip: null });
    expect(plain('live.example.com')).toEqual({ host: 'live.example.com', port: 1935, tls: false, ip: null });
    expect(plain('live.example.com', true)).toEqual({ host: 'live.example.com', port: 443, tls: true, ip: null });
    expect(plain('127.0.0.1:19350')).toEqual({ host: '127.0.0.1', port: 19350, tls: false, ip: 4 });
    expect(plain('[::1]:1935')).toEqual({ host: '::1', port: 1935, tls: false, ip: 6 });
    expect(plain('[0:0:0:0:0:0:0:1]')).toEqual({ host: '::1', port: 1935, tls: false, ip: 6 });
    expect(plain('rtmp://live.example.com/app/stream')).toEqual({ host: 'live.example.com', port: 1935, tls: false, ip: null });
    expect(plain('RTMPS://live.example.com:8443/app?x=1')).toEqual({ host: 'live.example.com', port: 8443, tls: true, ip: null });
    expect(plain('rtmps://live.example.com')).toEqual({ host: 'live.example.com', port: 443, tls: true, ip: null });
    expect(plain('host:1935', true)).toEqual({ host: 'host', port: 1935, tls: true, ip: null });
  });

  it('refuses ambiguous or dangerous spellings with BRIDGE_INVALID_TARGET', () => {
    const bad = [
      '', // nothing
      '::1:1935', // unbracketed IPv6
      '[::1', // unterminated
      '[::1]1935', // no colon
      '[nothost]:1935',
      'host:0',
      'host:65536',
      'host:01935', // leading zero
      'host:+1935',
      'host:',
      'user@host:1935',
      'rtmp://user:pw@host/app',
      'http://host:1935/', // not an RTMP scheme
      '127.1:1935', // getaddrinfo shorthand for 127.0.0.1
      '0x7f.1:1935',
      '2130706433:1935', // decimal 127.0.0.1
      'host name:1935',
      'a..b:1935',
      '-host:1935',
      `${'a'.repeat(64)}.com:1935`,
    ];
    for (const text of bad) {
      expect(() => parseTarget(text), text).toThrow(BridgeError);
    }
    try {
      parseTarget('::1:1935');
    } catch (error) {
      expect((error as BridgeError).code).toBe('BRIDGE_INVALID_TARGET');
    }
  });

  it('refuses a tls flag that contradicts the URL scheme', () => {
    expect(() => parseTarget('rtmp://host/app', true)).toThrow(/contradicts/);
    expect(() => parseTarget('rtmps://host/app', false)).toThrow(/contradicts/);
    expect(parseTarget('rtmps://host/app', true).tls).toBe(true);
  });
});

describe('formatTarget', () => {
  it('brackets IPv6 so the port stays unambiguous', () => {
    expect(formatTarget(parseTarget('[::1]:1935'))).toBe('[::1]:1935');
    expect(formatTarget(parseTarget('Example.com'))).toBe('example.com:1935');
    expect(formatTarget(parseTarget('10.0.0.1:80'))).toBe('10.0.0.1:80');
  });
});

describe('normalizeHost', () => {
  it('canonicalizes addresses and lower-cases names', () => {
    expect(normalizeHost('::FFFF:7f00:1')?.host).toBe('::ffff:7f00:1');
    expect(normalizeHost('EXAMPLE.com.')?.host).toBe('example.com');
    expect(normalizeHost('under_score.internal')?.host).toBe('under_score.internal');
    expect(normalizeHost('1.2.3.4.')).toBeNull(); // a numeric last label is never a name
  });
});
