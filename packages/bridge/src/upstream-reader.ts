import type net from 'node:net';

/**
 * Receives the bytes read from the RTMP server. `release` (null when there is nothing to give
 * back) must be called once `chunk` is no longer referenced, i.e. when the page socket has
 * written it; its memory is then reused for a later read.
 */
export type UpstreamSink = (chunk: Buffer, release: (() => void) | null) => void;

/** How bytes come off an upstream socket: `attach` starts delivering them to the session. */
export interface UpstreamReader {
  attach(sink: UpstreamSink): void;
}

/** The first read buffer of a socket: a live RTMP stream's reads rarely exceed it. */
export const INITIAL_READ_BYTES = 64 * 1024;

/**
 * Full-size read buffers shared by the sessions of one bridge. A buffer comes back once the page
 * socket has written the chunk that was read into it, so a bulk transfer reuses the same few
 * blocks instead of allocating (and later collecting) a fresh one per read, which is what the
 * default socket reading costs: a new 64 KiB allocation per read, external memory that V8 must
 * then sweep.
 */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly maxFree: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  give(buffer: Buffer): void {
    if (buffer.byteLength === this.bufferBytes && this.free.length < this.maxFree) this.free.push(buffer);
  }
}

/**
 * Reads a plain TCP socket straight into buffers of ours (`onread`, no Readable stream, no
 * 'data' events), so one read syscall can take up to `pool.bufferBytes` and becomes one
 * WebSocket message:
 * - a socket starts with a 64 KiB buffer (what Node would use) and moves to the pool's larger
 *   buffers once a read fills its buffer, i.e. once the server sends faster than the bridge reads;
 * - a read that fills at least half its buffer is handed over as is (no copy) and the buffer
 *   comes back through `release`; a smaller read is copied out and the buffer is read into again,
 *   so a queued chunk never pins more than twice its size, and memory held toward the page stays
 *   within about twice maxBufferedToPage plus one read.
 * pause()/resume() on the socket stop and restart the reads themselves (readStop/readStart):
 * nothing is read while paused, not even one more chunk.
 */
export class PooledSocketReader implements UpstreamReader {
  private current: Buffer;
  private sink: UpstreamSink | null = null;
  /** Bytes read before the session attached (the server spoke before the upgrade completed). */
  private early: Buffer[] = [];
  private socket: net.Socket | null = null;

  constructor(private readonly pool: ReadBufferPool) {
    this.current = Buffer.allocUnsafeSlow(Math.min(INITIAL_READ_BYTES, pool.bufferBytes));
  }

  /** The `onread` option for net.connect. */
  onreadOption(): net.OnReadOpts {
    return {
      buffer: () => this.current,
      callback: (bytes: number, buffer: Uint8Array) => this.onRead(bytes, buffer as Buffer),
    };
  }

  /** The socket read into; needed to pause it when bytes arrive before a sink is attached. */
  bind(socket: net.Socket): void {
    this.socket = socket;
  }

  attach(sink: UpstreamSink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink(chunk, null);
    // Reads stopped (onRead returned false) while there was no sink; start them again.
    if (early.length > 0) this.socket?.resume();
  }

  private onRead(bytes: number, buffer: Buffer): boolean {
    let chunk: Buffer;
    let release: (() => void) | null = null;
    if (bytes * 2 >= buffer.byteLength) {
      chunk = buffer.subarray(0, bytes);
      const full = bytes === buffer.byteLength;
      if (buffer.byteLength === this.pool.bufferBytes) release = () => this.pool.give(buffer);
      // A full read means more is waiting: read in the larger pooled buffers from now on.
      this.current = full || this.current.byteLength === this.pool.bufferBytes ? this.pool.take() : Buffer.allocUnsafeSlow(this.current.byteLength);
    } else {
      chunk = Buffer.allocUnsafe(bytes);
      buffer.copy(chunk, 0, 0, bytes);
    }
    if (this.sink) {
      this.sink(chunk, release);
      return true;
    }
    if (release) chunk = Buffer.from(chunk);
    release?.();
    this.early.push(chunk);
    return false;
  }
}

/** TLS sockets cannot read into caller buffers: their bytes come as 'data' events. */
export class StreamReader implements UpstreamReader {
  constructor(private readonly socket: net.Socket) {}

  attach(sink: UpstreamSink): void {
    this.socket.on('data', (chunk: Buffer) => sink(chunk, null));
  }
}
