import type { ProtocolTap } from '../types';
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

export interface ServerHandshakeOptions {
  /** Source of random bytes (tests make it deterministic). Default crypto.getRandomValues. */
  random?: (count: number) => Uint8Array;
  /** Clock in milliseconds for time2 and tap events. Default Date.now. */
  now?: () => number;
  tap?: ProtocolTap;
  /** S1 bytes 4..7 when answering a digest client. Default 4.0.0.1. */
  version?: readonly [number, number, number, number];
  /**
   * Where to put the S1 digest. Default: the layout the client used, as servers usually do.
   * `false` answers every client with an unsigned S1 (a server that only speaks §5.2).
   */
  layout?: DigestLayout | 'same-as-client' | false;
}

export type ServerHandshakeStep =
  | { status: 'need-more'; send?: Uint8Array }
  | {
      status: 'done';
      /** S0+S1+S2, when C0+C1 and C2 arrived in the same push. */
      send?: Uint8Array;
      /** Bytes after C2 (the client's first chunks, usually `connect`). */
      remainder: Uint8Array;
      /** 'digest' when C1 bytes 4..7 are non-zero (the client claims the Flash dialect). */
      clientKind: 'simple' | 'digest';
      /** Whether C1 carried a valid digest in either layout. */
      clientDigestVerified: boolean;
      /** When we signed S1: whether C2 is signed over our S1 digest. */
      clientResponseVerified?: boolean;
      /** The layout of the client's C1 digest, when it verified. */
      clientLayout?: DigestLayout;
    };

const C0C1_LENGTH = 1 + HANDSHAKE_PACKET_SIZE;

/**
 * The server side (RTMP 1.0 §5.2): answers C0+C1 with S0+S1+S2 and completes after C2.
 * A client whose C1 carries a valid digest gets a signed S1 and a digest S2 (the Flash dialect);
 * any other client gets the simple handshake, S2 echoing C1. Used by test servers and tools.
 */
export class ServerHandshake {
  private readonly random: (count: number) => Uint8Array;
  private readonly now: () => number;
  private readonly tap: ProtocolTap | undefined;
  private readonly version: readonly [number, number, number, number];
  private readonly layoutOption: DigestLayout | 'same-as-client' | false;
  private readonly buffer = new HandshakeBuffer();
  private state: 'awaiting-c0c1' | 'awaiting-c2' | 'done' | 'failed' = 'awaiting-c0c1';
  private clientKind: 'simple' | 'digest' = 'simple';
  private clientLayout: DigestLayout | undefined;
  private s1Digest: Uint8Array | null = null;
  private readonly steps = new HandshakeStepQueue();

  constructor(options: ServerHandshakeOptions = {}) {
    this.random = options.random ?? defaultRandom;
    this.now = options.now ?? Date.now;
    this.tap = options.tap;
    this.version = options.version ?? [4, 0, 0, 1];
    this.layoutOption = options.layout ?? 'same-as-client';
  }

  /** Feed received bytes, however split. Calls are processed in order even if not awaited. */
  push(bytes: Uint8Array): Promise<ServerHandshakeStep> {
    // Copy now: the caller may reuse its buffer before the queued step runs.
    const copy = bytes.slice();
    return this.steps.run(() => this.step(copy));
  }

  private async step(bytes: Uint8Array): Promise<ServerHandshakeStep> {
    checkAcceptsBytes('ServerHandshake', this.state);
    this.buffer.push(bytes);
    try {
      let send: Uint8Array | undefined;
      if (this.state === 'awaiting-c0c1') {
        if (this.buffer.length >= 1) checkVersionByte(this.buffer.peek(0), 'C0');
        if (this.buffer.length < C0C1_LENGTH) return { status: 'need-more' };
        send = await this.answer(this.buffer.shift(C0C1_LENGTH));
        this.state = 'awaiting-c2';
      }
      if (this.buffer.length < HANDSHAKE_PACKET_SIZE) return send ? { status: 'need-more', send } : { status: 'need-more' };
      return await this.finish(send);
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  private async answer(c0c1: Uint8Array): Promise<Uint8Array> {
    const readAt = this.now();
    this.tap?.handshake?.({ direction: 'in', label: 'C0C1', bytes: c0c1.slice(), at: readAt });
    const c1 = c0c1.subarray(1);
    this.clientKind = packetVersion(c1) === '0.0.0.0' ? 'simple' : 'digest';
    const verified = this.clientKind === 'digest' ? await verifyPacket(c1, PLAYER_KEY) : null;

    const out = new Uint8Array(1 + 2 * HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
    s1.set(randomBytes(this.random, HANDSHAKE_PACKET_SIZE - 8), 8);
    const layout = this.layoutOption === 'same-as-client' ? verified?.layout : this.layoutOption || undefined;
    if (verified) this.clientLayout = verified.layout;
    if (verified && layout) {
      s1.set(this.version, 4);
      this.s1Digest = await signPacket(s1, layout, SERVER_KEY);
      s2.set(randomBytes(this.random, HANDSHAKE_PACKET_SIZE));
      await signResponse(s2, verified.digest, SERVER_FULL_KEY);
    } else {
      s2.set(echoPacket(c1, readAt));
    }
    this.tap?.handshake?.({ direction: 'out', label: 'S0S1S2', bytes: out.slice(), at: this.now() });
    return out;
  }

  private async finish(send: Uint8Array | undefined): Promise<ServerHandshakeStep> {
    const c2 = this.buffer.shift(HANDSHAKE_PACKET_SIZE);
    const remainder = this.buffer.take();
    this.tap?.handshake?.({ direction: 'in', label: 'C2', bytes: c2.slice(), at: this.now() });
    this.state = 'done';
    const done: ServerHandshakeStep = {
      status: 'done',
      remainder,
      clientKind: this.clientKind,
      clientDigestVerified: this.clientLayout !== undefined,
    };
    if (send) done.send = send;
    if (this.clientLayout) done.clientLayout = this.clientLayout;
    if (this.s1Digest) done.clientResponseVerified = await verifyResponse(c2, this.s1Digest, PLAYER_FULL_KEY);
    return done;
  }
}
