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

/** In small mode, a slab with less room than this left is retired and a new one started. */
const MIN_SLAB_ROOM = 16 * 1024;

/**
 * Reads a plain TCP socket straight into buffers of ours (`onread`: no Readable stream, no
 * 'data' events, no allocation per read). Two modes:
 * - small (live streams, the usual case): reads go into a 64 KiB slab one after the other, each
 *   chunk a view of it, so a 12 KiB read costs neither an allocation nor a copy; a slab with
 *   little room left is left to the garbage collector with its chunks;
 * - bulk: once a read fills all the room it was given (the server sends faster than the bridge
 *   reads), reads go into the pool's larger buffers, so one read syscall takes up to
 *   `pool.bufferBytes` and becomes one WebSocket message; the buffer comes back through
 *   `release` once the page socket has written it. A read under half a buffer is copied out and
 *   the socket goes back to small mode, so a queued chunk never pins more than twice its size.
 * pause()/resume() on the socket stop and restart the reads themselves (readStop/readStart):
 * nothing is read while paused, not even one more chunk.
 */
export class PooledSocketReader implements UpstreamReader {
  private slab: Buffer;
  private offset = 0;
  /** The pooled buffer reads go into in bulk mode; null in small mode. */
  private bulk: Buffer | null = null;
  private sink: UpstreamSink | null = null;
  /** Bytes read before the session attached (the server spoke before the upgrade completed). */
  private early: Buffer[] = [];
  private socket: net.Socket | null = null;

  constructor(private readonly pool: ReadBufferPool) {
    this.slab = Buffer.allocUnsafeSlow(INITIAL_READ_BYTES);
  }

  /** The `onread` option for net.connect. */
  onreadOption(): net.OnReadOpts {
    return {
      buffer: () => this.bulk ?? this.slab.subarray(this.offset),
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
    const bulk = this.bulk;
    if (bulk) {
      if (bytes * 2 >= bulk.byteLength) {
        chunk = bulk.subarray(0, bytes);
        release = () => this.pool.give(bulk);
        this.bulk = this.pool.take();
      } else {
        // The burst is over: copy this read out and go back to small reads.
        chunk = Buffer.allocUnsafe(bytes);
        bulk.copy(chunk, 0, 0, bytes);
        this.pool.give(bulk);
        this.bulk = null;
      }
    } else {
      chunk = buffer.subarray(0, bytes);
      this.offset += bytes;
      if (this.slab.byteLength - this.offset < MIN_SLAB_ROOM) {
        this.slab = Buffer.allocUnsafeSlow(INITIAL_READ_BYTES);
        this.offset = 0;
      }
      // The kernel had at least as much as a good part of a slab: more is waiting, read in bulk.
      if (bytes === buffer.byteLength && bytes >= INITIAL_READ_BYTES / 2) this.bulk = this.pool.take();
    }
    if (this.sink) {
      this.sink(chunk, release);
      return true;
    }
    if (release) {
      chunk = Buffer.from(chunk);
      release();
    }
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
