import type { CodedError } from '@rtmp-web/bytes';
import type { Transport } from '../types';

/**
 * One end of an in-memory byte pipe. Bytes sent on one end arrive at the other end's `onData`
 * on a later microtask, the way a socket delivers them after the sender returns, so code under
 * test cannot rely on re-entrant delivery. Used by the session tests with a scripted server
 * on the other end, and by anyone who wants to run a client and a server in one process.
 */
export class MemoryTransport implements Transport {
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClose: ((error?: CodedError) => void) | null = null;
  /** Every byte run passed to `send`, in order, when created with `recordSent` (tests assert on how writes were grouped). */
  readonly sent: Uint8Array[] = [];
  peer: MemoryTransport | null = null;

  constructor(private readonly recordSent = false) {}
  private closed = false;
  private readonly pendingDeliveries: Uint8Array[] = [];
  private deliveryScheduled = false;

  get isClosed(): boolean {
    return this.closed;
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    // The receiver owns what it gets (ChunkReader rewrites its input in place), so the record is a copy of its own.
    if (this.recordSent) this.sent.push(copy.slice());
    this.peer?.receive(copy);
  }

  close(_reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    queueMicrotask(() => {
      this.onClose?.();
      peer?.closeFromPeer();
    });
  }

  /** Closes this end as a failed connection would: `onClose` gets the error, the peer sees a plain close. */
  fail(error: CodedError): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    queueMicrotask(() => {
      this.onClose?.(error);
      peer?.closeFromPeer();
    });
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.pendingDeliveries.push(bytes);
    if (this.deliveryScheduled) return;
    this.deliveryScheduled = true;
    queueMicrotask(() => {
      this.deliveryScheduled = false;
      // Delivered one run at a time, in order; a run that arrives after close is dropped.
      while (this.pendingDeliveries.length > 0 && !this.closed) this.onData?.(this.pendingDeliveries.shift()!);
      this.pendingDeliveries.length = 0;
    });
  }

  private closeFromPeer(): void {
    if (this.closed) return;
    // Deliver what was already in flight before reporting the close, as TCP would.
    queueMicrotask(() => {
      if (this.closed) return;
      this.closed = true;
      this.onClose?.();
    });
  }
}

/**
 * Two connected in-memory transports: what one sends, the other receives. With `recordSent`
 * each end also keeps a copy of everything it sent in `sent` (memory grows with the traffic).
 */
export function createMemoryTransportPair(options: { recordSent?: boolean } = {}): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(options.recordSent ?? false);
  const b = new MemoryTransport(options.recordSent ?? false);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
