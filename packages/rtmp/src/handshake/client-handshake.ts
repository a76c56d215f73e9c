import { RtmpError } from '../errors';
import type { HandshakeResult, ProtocolTap } from '../types';
import {
  HANDSHAKE_PACKET_SIZE,
  PLAYER_FULL_KEY,
  PLAYER_KEY,
  RTMP_VERSION,
  SERVER_FULL_KEY,
  SERVER_KEY,
  defaultRandom,
  packetVersion,
  signPacket,
  signResponse,
  verifyPacket,
  verifyResponse,
} from './digest';
import type { DigestLayout } from './digest';
import { HandshakeBuffer, checkVersionByte } from './handshake-buffer';
import { HandshakeStepQueue, checkAcceptsBytes, echoPacket, randomBytes } from './handshake-packet';

export interface ClientHandshakeOptions {
  /** 'digest' (default) sends a Flash-Player-9 style signed C1; 'simple' sends RTMP 1.0 §5.2.3 zeros. */
  kind?: 'simple' | 'digest';
  /** Where the C1 digest goes (digest kind only). Default 'digest-first', as Flash and FFmpeg do. */
  layout?: DigestLayout;
  /** C1 bytes 4..7 for the digest kind. Default 9.0.124.2 (a Flash Player 9 version servers accept). */
  version?: readonly [number, number, number, number];
  /** Source of random bytes (tests make it deterministic). Default crypto.getRandomValues. */
  random?: (count: number) => Uint8Array;
  /** Clock in milliseconds for roundTripMs and tap events. Default Date.now. */
  now?: () => number;
  tap?: ProtocolTap;
}

export type ClientHandshakeStep =
  | { status: 'need-more' }
  | {
      status: 'done';
      /** Send this before (or in the same write as) the first chunk. */
      c2: Uint8Array;
      /** Bytes that arrived after S2; feed them to the ChunkReader. */
      remainder: Uint8Array;
      result: HandshakeResult;
      /** Digest kind with a verified S1 only: whether S2 is signed over our C1 digest. */
      s2Verified?: boolean;
    };

const RESPONSE_LENGTH = 1 + 2 * HANDSHAKE_PACKET_SIZE; // S0 + S1 + S2

/**
 * The client side of the RTMP handshake (RTMP 1.0 §5.2): `start()` gives C0+C1, `push()` takes
 * whatever arrived until S0+S1+S2 are complete and then returns C2. With the digest kind it also
 * checks whether the server signed S1 (in either layout), which says the server speaks the Flash
 * dialect; an unsigned S1 is not an error, C2 then simply echoes S1 as in the simple handshake.
 */
export class ClientHandshake {
  private readonly kind: 'simple' | 'digest';
  private readonly layout: DigestLayout;
  private readonly version: readonly [number, number, number, number];
  private readonly random: (count: number) => Uint8Array;
  private readonly now: () => number;
  private readonly tap: ProtocolTap | undefined;
  private readonly buffer = new HandshakeBuffer();
  private state: 'initial' | 'started' | 'done' | 'failed' = 'initial';
  private c1Digest: Uint8Array | null = null;
  private startedAt = 0;
  private readonly steps = new HandshakeStepQueue();

  constructor(options: ClientHandshakeOptions = {}) {
    this.kind = options.kind ?? 'digest';
    this.layout = options.layout ?? 'digest-first';
    this.version = options.version ?? [9, 0, 124, 2];
    this.random = options.random ?? defaultRandom;
    this.now = options.now ?? Date.now;
    this.tap = options.tap;
  }

  /** C0 + C1 (1537 bytes). Call once, before any push. */
  async start(): Promise<Uint8Array> {
    if (this.state !== 'initial') {
      throw new RtmpError('HANDSHAKE_INVALID_STATE', 'ClientHandshake.start() may only be called once');
    }
    this.state = 'started';
    const c0c1 = new Uint8Array(1 + HANDSHAKE_PACKET_SIZE);
    c0c1[0] = RTMP_VERSION;
    const c1 = c0c1.subarray(1);
    // Time (4 bytes) stays 0: it is the epoch of our chunk timestamps, which start at 0 (§5.2.3).
    c1.set(randomBytes(this.random, HANDSHAKE_PACKET_SIZE - 8), 8);
    if (this.kind === 'digest') {
      c1.set(this.version, 4);
      this.c1Digest = await signPacket(c1, this.layout, PLAYER_KEY);
    }
    this.startedAt = this.now();
    this.tap?.handshake?.({ direction: 'out', label: 'C0C1', bytes: c0c1.slice(), at: this.startedAt });
    return c0c1;
  }

  /** Feed received bytes, however split. Calls are processed in order even if not awaited. */
  push(bytes: Uint8Array): Promise<ClientHandshakeStep> {
    // Copy now: the caller may reuse its buffer before the queued step runs.
    const copy = bytes.slice();
    return this.steps.run(() => this.step(copy));
  }

  private async step(bytes: Uint8Array): Promise<ClientHandshakeStep> {
    if (this.state === 'initial') {
      throw new RtmpError('HANDSHAKE_INVALID_STATE', 'ClientHandshake.push() before start()');
    }
    checkAcceptsBytes('ClientHandshake', this.state);
    this.buffer.push(bytes);
    try {
      if (this.buffer.length >= 1) checkVersionByte(this.buffer.peek(0), 'S0');
      if (this.buffer.length < RESPONSE_LENGTH) return { status: 'need-more' };
      return await this.finish();
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  private async finish(): Promise<ClientHandshakeStep> {
    const all = this.buffer.take();
    const receivedAt = this.now();
    const response = all.subarray(0, RESPONSE_LENGTH);
    const remainder = all.slice(RESPONSE_LENGTH);
    const s1 = response.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = response.subarray(1 + HANDSHAKE_PACKET_SIZE);
    this.tap?.handshake?.({ direction: 'in', label: 'S0S1S2', bytes: response.slice(), at: receivedAt });

    const serverTime = new DataView(s1.buffer, s1.byteOffset, 4).getUint32(0);
    const serverVersion = packetVersion(s1);
    let c2: Uint8Array;
    let serverDigestVerified = false;
    let layout: DigestLayout | undefined;
    let s2Verified: boolean | undefined;
    // A server that answers with version 0 in S1 is doing the simple handshake; only a non-zero
    // version can carry a digest, and only a digest client looks for one.
    const verified = this.kind === 'digest' && serverVersion !== '0.0.0.0' ? await verifyPacket(s1, SERVER_KEY) : null;
    if (verified) {
      serverDigestVerified = true;
      layout = verified.layout;
      c2 = randomBytes(this.random, HANDSHAKE_PACKET_SIZE);
      await signResponse(c2, verified.digest, PLAYER_FULL_KEY);
      s2Verified = this.c1Digest ? await verifyResponse(s2, this.c1Digest, SERVER_FULL_KEY) : false;
    } else {
      c2 = echoPacket(s1, receivedAt);
    }
    this.state = 'done';
    this.tap?.handshake?.({ direction: 'out', label: 'C2', bytes: c2.slice(), at: this.now() });
    const result: HandshakeResult = {
      kind: this.kind,
      serverDigestVerified,
      serverVersion,
      serverTime,
      roundTripMs: Math.max(0, receivedAt - this.startedAt),
    };
    if (layout) result.layout = layout;
    const done: ClientHandshakeStep = { status: 'done', c2, remainder, result };
    if (s2Verified !== undefined) done.s2Verified = s2Verified;
    return done;
  }
}
