import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { bytesEqual, concatBytes, splitAtEveryBoundary, toHex } from '@rtmp-web/bytes';
import { ClientHandshake, ServerHandshake, enableHandshakeWithoutWebCrypto } from '../../src/handshake';
import type { ClientHandshakeStep, ServerHandshakeStep } from '../../src/handshake';
import { RtmpError } from '../../src/errors';
import type { ProtocolTap } from '../../src/types';
import { seededRandom } from './seeded-random';

const FP_KEY = Buffer.from('Genuine Adobe Flash Player 001');
const FMS_KEY = Buffer.from('Genuine Adobe Flash Media Server 001');

/** Independent check of the digest position and HMAC, with node:crypto instead of WebCrypto. */
function digestAt(packet: Uint8Array, layout: 'digest-first' | 'key-first', key: Buffer): { offset: number; valid: boolean } {
  const base = layout === 'digest-first' ? 8 : 772;
  const offset = ((packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!) % 728) + base + 4;
  const hmac = createHmac('sha256', key).update(packet.subarray(0, offset)).update(packet.subarray(offset + 32)).digest();
  return { offset, valid: Buffer.from(packet.subarray(offset, offset + 32)).equals(hmac) };
}

async function run(
  client: ClientHandshake,
  server: ServerHandshake,
  extraAfterS2 = new Uint8Array(0),
  extraAfterC2 = new Uint8Array(0),
): Promise<{ c0c1: Uint8Array; s0s1s2: Uint8Array; clientDone: Extract<ClientHandshakeStep, { status: 'done' }>; serverDone: Extract<ServerHandshakeStep, { status: 'done' }> }> {
  const c0c1 = await client.start();
  const answer = await server.push(c0c1);
  expect(answer.status).toBe('need-more');
  const s0s1s2 = answer.send!;
  expect(s0s1s2.length).toBe(3073);
  const clientDone = await client.push(concatBytes([s0s1s2, extraAfterS2]));
  if (clientDone.status !== 'done') throw new Error('client not done');
  const serverDone = await server.push(concatBytes([clientDone.c2, extraAfterC2]));
  if (serverDone.status !== 'done') throw new Error('server not done');
  return { c0c1, s0s1s2, clientDone, serverDone };
}

describe('ClientHandshake / ServerHandshake in memory', () => {
  it('simple: C1 has zero version, S2 and C2 echo the peer random bytes, remainders are kept', async () => {
    let clock = 1000;
    const now = () => (clock += 5);
    const client = new ClientHandshake({ kind: 'simple', random: seededRandom(1), now });
    const server = new ServerHandshake({ random: seededRandom(2), now });
    const { c0c1, s0s1s2, clientDone, serverDone } = await run(client, server, Uint8Array.of(0xaa), Uint8Array.of(1, 2, 3));
    expect(c0c1[0]).toBe(3);
    expect([...c0c1.subarray(1, 9)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // time 0, version 0
    expect([...s0s1s2.subarray(1, 9)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // an unsigned S1
    // S2 = C1's time, our time2, C1's random bytes (§5.2.4)
    expect(s0s1s2.subarray(1 + 1536 + 8)).toEqual(c0c1.subarray(9));
    expect(clientDone.c2.subarray(8)).toEqual(s0s1s2.subarray(9, 1537));
    expect(clientDone.c2.subarray(0, 4)).toEqual(s0s1s2.subarray(1, 5));
    expect(clientDone.result).toEqual({ kind: 'simple', serverDigestVerified: false, serverVersion: '0.0.0.0', serverTime: 0, roundTripMs: 10 });
    expect(clientDone.remainder).toEqual(Uint8Array.of(0xaa));
    expect(serverDone.clientKind).toBe('simple');
    expect(serverDone.clientDigestVerified).toBe(false);
    expect(serverDone.remainder).toEqual(Uint8Array.of(1, 2, 3));
  });

  for (const layout of ['digest-first', 'key-first'] as const) {
    it(`digest, ${layout}: both sides sign and verify, S2 and C2 carry response digests`, async () => {
      const client = new ClientHandshake({ layout, random: seededRandom(3), now: () => 0 });
      const server = new ServerHandshake({ random: seededRandom(4), now: () => 0 });
      const { c0c1, s0s1s2, clientDone, serverDone } = await run(client, server);
      const c1 = c0c1.subarray(1);
      expect([...c1.subarray(4, 8)]).toEqual([9, 0, 124, 2]);
      expect(digestAt(c1, layout, FP_KEY).valid).toBe(true);
      const s1 = s0s1s2.subarray(1, 1537);
      expect(digestAt(s1, layout, FMS_KEY).valid).toBe(true); // the server answers in the client's layout
      expect(clientDone.result).toMatchObject({ kind: 'digest', serverDigestVerified: true, layout, serverVersion: '4.0.0.1' });
      expect(clientDone.s2Verified).toBe(true);
      expect(serverDone).toMatchObject({ clientKind: 'digest', clientDigestVerified: true, clientLayout: layout, clientResponseVerified: true });
      // C2's last 32 bytes = HMAC(HMAC(full player key, S1 digest), C2[0..1504]), checked with node:crypto.
      const fullPlayerKey = Buffer.concat([FP_KEY, Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex')]);
      const s1Digest = s1.subarray(digestAt(s1, layout, FMS_KEY).offset, digestAt(s1, layout, FMS_KEY).offset + 32);
      const key = createHmac('sha256', fullPlayerKey).update(s1Digest).digest();
      const c2 = clientDone.c2;
      expect(Buffer.from(c2.subarray(1504)).equals(createHmac('sha256', key).update(c2.subarray(0, 1504)).digest())).toBe(true);
    });
  }

  it('digest without WebCrypto (a page outside a secure context has no crypto.subtle): a clear error, or, once enabled, the same bytes signed and verified by our SHA-256', async () => {
    const withSubtle = await run(new ClientHandshake({ random: seededRandom(5), now: () => 0 }), new ServerHandshake({ random: seededRandom(6), now: () => 0 }));
    const realCrypto = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: realCrypto.getRandomValues.bind(realCrypto) });
    try {
      expect(globalThis.crypto.subtle).toBeUndefined();
      // Opt-in: without it, a clear error names the ways out.
      const refused = await new ClientHandshake({ random: seededRandom(5), now: () => 0 }).start().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RtmpError);
      expect((refused as RtmpError).code).toBe('HANDSHAKE_NO_WEBCRYPTO');
      expect((refused as RtmpError).message).toContain('enableHandshakeWithoutWebCrypto()');
      enableHandshakeWithoutWebCrypto();
      const without = await run(new ClientHandshake({ random: seededRandom(5), now: () => 0 }), new ServerHandshake({ random: seededRandom(6), now: () => 0 }));
      expect(without.clientDone.result).toMatchObject({ kind: 'digest', serverDigestVerified: true });
      expect(without.serverDone).toMatchObject({ clientDigestVerified: true, clientResponseVerified: true });
      // Byte for byte what WebCrypto produced from the same random bytes.
      expect(toHex(without.c0c1)).toBe(toHex(withSubtle.c0c1));
      expect(toHex(without.s0s1s2)).toBe(toHex(withSubtle.s0s1s2));
      expect(toHex(without.clientDone.c2)).toBe(toHex(withSubtle.clientDone.c2));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a digest client against a server that does not sign S1 reports serverDigestVerified false and echoes S1', async () => {
    const client = new ClientHandshake({ random: seededRandom(5), now: () => 0 });
    const server = new ServerHandshake({ random: seededRandom(6), layout: false, now: () => 0 });
    const { s0s1s2, clientDone, serverDone } = await run(client, server);
    expect(clientDone.result.kind).toBe('digest');
    expect(clientDone.result.serverDigestVerified).toBe(false);
    expect(clientDone.result.layout).toBeUndefined();
    expect(clientDone.s2Verified).toBeUndefined();
    expect(clientDone.c2.subarray(8)).toEqual(s0s1s2.subarray(9, 1537));
    // The server still saw a valid client digest; it just chose not to answer in kind.
    expect(serverDone.clientDigestVerified).toBe(true);
    expect(serverDone.clientResponseVerified).toBeUndefined();
  });

  it('a server that puts a version but a wrong digest in S1 is not verified', async () => {
    const client = new ClientHandshake({ random: seededRandom(7), now: () => 0 });
    await client.start();
    const response = new Uint8Array(3073);
    response[0] = 3;
    response.set([3, 5, 1, 1], 5); // S1 version 3.5.1.1, random all zero: no valid digest anywhere
    const done = await client.push(response);
    expect(done.status === 'done' && done.result).toMatchObject({ serverDigestVerified: false, serverVersion: '3.5.1.1' });
  });

  it('a C1 with a version but no valid digest is a digest client that did not verify', async () => {
    const server = new ServerHandshake({ random: seededRandom(8) });
    const c0c1 = new Uint8Array(1537);
    c0c1[0] = 3;
    c0c1.set([10, 0, 32, 2], 5);
    const step = await server.push(c0c1);
    // Unverified clients get the simple answer: S2 echoes C1's random bytes.
    expect(step.send!.subarray(1537 + 8)).toEqual(c0c1.subarray(9));
    const done = await server.push(new Uint8Array(1536));
    expect(done).toMatchObject({ status: 'done', clientKind: 'digest', clientDigestVerified: false });
  });

  it('the client result is the same however S0S1S2 (+ 2 extra bytes) is split', async () => {
    const reference = new ServerHandshake({ random: seededRandom(10), now: () => 0 });
    const c0c1 = await new ClientHandshake({ random: seededRandom(9), now: () => 0 }).start();
    const s0s1s2 = (await reference.push(c0c1)).send!;
    const input = concatBytes([s0s1s2, Uint8Array.of(0xc3, 0x02)]);
    let expected: object | undefined;
    for (const parts of splitAtEveryBoundary(input)) {
      const client = new ClientHandshake({ random: seededRandom(9), now: () => 0 });
      await client.start();
      // Once the handshake is done, later bytes belong to the chunk reader: append them to the remainder.
      let done: ClientHandshakeStep | undefined;
      for (const part of parts) {
        if (done?.status === 'done') done.remainder = concatBytes([done.remainder, part]);
        else done = await client.push(part);
      }
      if (done?.status !== 'done') throw new Error(`split ${parts.length}: not done`);
      // Compare as hex: deep equality over 1536-byte arrays, 3000 times, is what would make this test slow.
      const summary = { ...done, c2: toHex(done.c2), remainder: toHex(done.remainder) };
      expected ??= summary;
      expect(summary).toEqual(expected);
    }
    expect(expected).toMatchObject({ status: 'done', remainder: 'c302', result: { serverDigestVerified: true }, s2Verified: true });
  }, 120_000);

  it('the server result is the same however C0C1 + C2 + remainder is split', async () => {
    const client = new ClientHandshake({ random: seededRandom(11), now: () => 0 });
    const first = new ServerHandshake({ random: seededRandom(12), now: () => 0 });
    const c0c1 = await client.start();
    const s0s1s2 = (await first.push(c0c1)).send!;
    const clientDone = await client.push(s0s1s2);
    if (clientDone.status !== 'done') throw new Error('unreachable');
    const input = concatBytes([c0c1, clientDone.c2, Uint8Array.of(7, 7)]);
    for (const parts of splitAtEveryBoundary(input)) {
      const server = new ServerHandshake({ random: seededRandom(12), now: () => 0 });
      const sent: Uint8Array[] = [];
      let done: ServerHandshakeStep | undefined;
      for (const part of parts) {
        if (done?.status === 'done') {
          done.remainder = concatBytes([done.remainder, part]);
          continue;
        }
        const step = await server.push(part);
        if (step.send) sent.push(step.send);
        if (step.status === 'done') done = step;
      }
      expect(bytesEqual(concatBytes(sent), s0s1s2)).toBe(true);
      expect(done?.status === 'done' && { ...done, send: undefined, remainder: toHex(done.remainder) }).toEqual({
        status: 'done',
        send: undefined,
        clientKind: 'digest',
        clientDigestVerified: true,
        clientLayout: 'digest-first',
        clientResponseVerified: true,
        remainder: '0707',
      });
    }
  }, 120_000);

  it('pushes that are not awaited are still processed in order', async () => {
    const client = new ClientHandshake({ random: seededRandom(13), now: () => 0 });
    const server = new ServerHandshake({ random: seededRandom(14), now: () => 0 });
    const s0s1s2 = (await server.push(await client.start())).send!;
    const steps = await Promise.all([client.push(s0s1s2.subarray(0, 1000)), client.push(s0s1s2.subarray(1000))]);
    expect(steps.map((s) => s.status)).toEqual(['need-more', 'done']);
  });
});

describe('handshake errors', () => {
  it('S0 other than 3 fails with HANDSHAKE_BAD_VERSION as soon as the byte arrives', async () => {
    const client = new ClientHandshake({ random: seededRandom(1) });
    await client.start();
    const error = await client.push(Uint8Array.of(6)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtmpError);
    expect(error).toMatchObject({ code: 'HANDSHAKE_BAD_VERSION', category: 'handshake', fatal: true, details: { version: 6 } });
    expect((error as Error).message).toContain('RTMPE');
    // A failed handshake stays failed.
    await expect(client.push(Uint8Array.of(3))).rejects.toMatchObject({ code: 'HANDSHAKE_INVALID_STATE' });
  });

  it('an HTTP answer (a wrong port) fails on its first byte', async () => {
    const client = new ClientHandshake({ kind: 'simple' });
    await client.start();
    await expect(client.push(new TextEncoder().encode('HTTP/1.1 400'))).rejects.toMatchObject({ code: 'HANDSHAKE_BAD_VERSION', details: { version: 0x48 } });
  });

  it('C0 other than 3 fails on the server', async () => {
    const server = new ServerHandshake();
    await expect(server.push(Uint8Array.of(4, 0, 0))).rejects.toMatchObject({ code: 'HANDSHAKE_BAD_VERSION', details: { version: 4 } });
  });

  it('push before start, start twice and push after done are state errors', async () => {
    const client = new ClientHandshake({ kind: 'simple', random: seededRandom(1) });
    await expect(client.push(Uint8Array.of(3))).rejects.toMatchObject({ code: 'HANDSHAKE_INVALID_STATE' });
    const c0c1 = await client.start();
    await expect(client.start()).rejects.toMatchObject({ code: 'HANDSHAKE_INVALID_STATE' });
    const server = new ServerHandshake({ random: seededRandom(2) });
    const done = await client.push((await server.push(c0c1)).send!);
    expect(done.status).toBe('done');
    await expect(client.push(Uint8Array.of(0))).rejects.toMatchObject({ code: 'HANDSHAKE_INVALID_STATE' });
  });
});

describe('handshake taps', () => {
  it('report every handshake packet with direction and label', async () => {
    const seen: string[] = [];
    const tap = (side: string): ProtocolTap => ({
      handshake: (event) => seen.push(`${side} ${event.direction} ${event.label} ${event.bytes.length}`),
    });
    await run(
      new ClientHandshake({ random: seededRandom(1), tap: tap('client') }),
      new ServerHandshake({ random: seededRandom(2), tap: tap('server') }),
    );
    expect(seen).toEqual([
      'client out C0C1 1537',
      'server in C0C1 1537',
      'server out S0S1S2 3073',
      'client in S0S1S2 3073',
      'client out C2 1536',
      'server in C2 1536',
    ]);
  });
});
