import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '@rtmp-web/bytes';
import { classifyAddress, formatIp, parseIp, parseIpv4, parseIpv6, type AddressClass } from '../src/ip-address';

describe('parseIpv4', () => {
  it('reads dotted quads into four bytes', () => {
    expect(toHex(parseIpv4('127.0.0.1')!)).toBe('7f000001');
    expect(toHex(parseIpv4('255.255.255.255')!)).toBe('ffffffff');
    expect(toHex(parseIpv4('0.0.0.0')!)).toBe('00000000');
  });

  it('refuses shorthand, octal-looking and out-of-range forms that getaddrinfo would reinterpret', () => {
    for (const text of ['127.1', '0177.0.0.1', '127.0.0.01', '256.0.0.1', '1.2.3.4.5', '1.2.3.', '0x7f.0.0.1', ' 1.2.3.4', '1.2.3.-4', '']) {
      expect(parseIpv4(text), text).toBeNull();
    }
  });
});

describe('parseIpv6', () => {
  it('reads every RFC 4291 text form into sixteen bytes', () => {
    expect(toHex(parseIpv6('::1')!)).toBe('00000000000000000000000000000001');
    expect(toHex(parseIpv6('::')!)).toBe('00000000000000000000000000000000');
    expect(toHex(parseIpv6('2001:db8::8:800:200c:417a')!)).toBe('20010db80000000000080800200c417a');
    expect(toHex(parseIpv6('FE80:0:0:0:0:0:0:1')!)).toBe('fe800000000000000000000000000001');
    expect(toHex(parseIpv6('::ffff:127.0.0.1')!)).toBe('00000000000000000000ffff7f000001');
    expect(toHex(parseIpv6('64:ff9b::10.0.0.1')!)).toBe('0064ff9b00000000000000000a000001');
    expect(toHex(parseIpv6('1:2:3:4:5:6:1.2.3.4')!)).toBe('00010002000300040005000601020304');
    expect(toHex(parseIpv6('1::')!)).toBe('00010000000000000000000000000000');
  });

  it('refuses malformed text and zone ids', () => {
    for (const text of ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3', 'g::1', '1:2:3:4:5:6:7:8::', '']) {
      expect(parseIpv6(text), text).toBeNull();
    }
  });

  it('accepts exactly what Node accepts (zone ids aside) and round-trips through the RFC 5952 form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp({ family: 6, bytes });
        expect(isIPv6(text)).toBe(true);
        expect(parseIpv6(text)).toEqual(bytes);
        expect(parseIpv6(text.toUpperCase())).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        expect(parseIpv6(text) !== null).toBe(isIPv6(text));
      }),
    );
  });
});

describe('formatIp', () => {
  it('writes the canonical RFC 5952 text', () => {
    expect(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0002:0001')!)).toBe('2001:db8::2:1');
    expect(formatIp(parseIp('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(formatIp(parseIp('2001:0:0:1:0:0:0:1')!)).toBe('2001:0:0:1::1'); // the longest run is compressed
    expect(formatIp(parseIp('0:0:0:0:0:0:0:1')!)).toBe('::1');
    expect(formatIp(parseIp('10.1.2.3')!)).toBe('10.1.2.3');
  });
});

describe('classifyAddress', () => {
  const cases: Array<[string, AddressClass]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'], // cloud metadata service
    ['172.15.255.255', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'],
    ['::127.0.0.1', 'reserved'],
    ['64:ff9b::10.0.0.1', 'ipv6-translation'],
    ['2001::1', 'ipv6-translation'],
    ['2002:7f00:1::', 'ipv6-translation'],
    ['2001:db8::1', 'documentation'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['4000::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:81c::200e', 'public'],
  ];
  it.each(cases)('%s is %s', (text, kind) => {
    expect(classifyAddress(parseIp(text)!)).toBe(kind);
  });
});
