import { RtmpError } from '../errors';

/**
 * The simple-handshake answer (§5.2.3/§5.2.4): the peer's time, our read time in "time2",
 * then the peer's random bytes unchanged. C2 echoes S1 and S2 echoes C1 in the same way.
 */
export function echoPacket(peer: Uint8Array, readAt: number): Uint8Array {
  const out = peer.slice();
  new DataView(out.buffer, out.byteOffset, 8).setUint32(4, Math.floor(readAt) >>> 0);
  return out;
}

/** `count` bytes from an injected random source, checked (a short source would leave zeros in C1/S1). */
export function randomBytes(random: (count: number) => Uint8Array, count: number): Uint8Array {
  const bytes = random(count);
  if (bytes.length !== count) {
    throw new RtmpError('HANDSHAKE_FAILED', `random source returned ${bytes.length} bytes instead of ${count}`);
  }
  return bytes.slice();
}

/**
 * Runs the asynchronous handshake steps (their API returns promises) one after
 * another in push order, so pushes the caller does not await are still handled in the order
 * the bytes arrived. A failed step rejects its own promise and does not block the queue.
 */
export class HandshakeStepQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** push() after the handshake ended is a caller bug, reported the same way by both sides. */
export function checkAcceptsBytes(side: 'ClientHandshake' | 'ServerHandshake', state: string): void {
  if (state === 'done' || state === 'failed') {
    throw new RtmpError('HANDSHAKE_INVALID_STATE', `${side}.push() after the handshake ${state === 'done' ? 'completed' : 'failed'}`);
  }
}
