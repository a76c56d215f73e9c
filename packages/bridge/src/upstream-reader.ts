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

/** Small slabs: the read size Node itself uses; a live RTMP stream's reads rarely exceed it. */
export const SMALL_READ_BYTES = 64 * 1024;

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

/** A slab with less room than this left is retired and the next read goes into a new one. */
const MIN_SLAB_ROOM = 16 * 1024;

/**
 * One read buffer that successive reads fill front to back. Every chunk handed out is a view of
 * it and counts as pending until released; a retired slab whose chunks are all released goes
 * back to its pool. `release` is one bound function per slab, not a closure per chunk.
 */
class Slab {
  offset = 0;
  private pending = 0;
  private retired = false;

  constructor(
    readonly buffer: Buffer,
    private readonly pool: ReadBufferPool,
  ) {}

  room(): Buffer {
    return this.buffer.subarray(this.offset);
  }

  /** Takes the `bytes` just read at the offset as a pending chunk. */
  claim(bytes: number): Buffer {
    const chunk = this.buffer.subarray(this.offset, this.offset + bytes);
    this.offset += bytes;
    this.pending++;
    return chunk;
  }

  readonly release = (): void => {
    this.pending--;
    if (this.pending === 0 && this.retired) this.pool.give(this.buffer);
  };

  retire(): void {
    this.retired = true;
    if (this.pending === 0) this.pool.give(this.buffer);
  }
}

/**
 * Reads a plain TCP socket straight into pooled buffers of ours (`onread`: no Readable stream,
 * no 'data' events, no allocation and no copy per read). Reads fill a slab one after the other,
 * each chunk a view of it; the slab goes back to its pool once retired (nearly full) and every
 * chunk read into it has been released (written to the page). Two slab sizes:
 * - small slabs (64 KiB, the read size Node itself uses) while reads are small, as for a live
 *   stream: a 12 KiB read costs neither an allocation nor a copy;
 * - bulk slabs (`bulkPool.bufferBytes`, up to 256 KiB) once a read fills all the room it was
 *   given, i.e. the server sends faster than the bridge reads: one read syscall then takes up to
 *   a whole bulk slab and becomes one WebSocket message.
 * Chunks are consecutive in a slab, so what the queue toward the page pins is its own bytes plus
 * at most about two slabs. pause()/resume() on the socket stop and restart the reads themselves
 * (readStop/readStart): nothing is read while paused, not even one more chunk.
 */
export class PooledSocketReader implements UpstreamReader {
  private slab: Slab;
  private sink: UpstreamSink | null = null;
  /** Bytes read before the session attached (the server spoke before the upgrade completed). */
  private early: Buffer[] = [];
  private socket: net.Socket | null = null;

  constructor(
    private readonly smallPool: ReadBufferPool,
    private readonly bulkPool: ReadBufferPool,
  ) {
    this.slab = new Slab(smallPool.take(), smallPool);
  }

  /** The `onread` option for net.connect. */
  onreadOption(): net.OnReadOpts {
    return {
      buffer: () => this.slab.room(),
      callback: (bytes: number, buffer: Uint8Array) => this.onRead(bytes, buffer.byteLength),
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

  private onRead(bytes: number, offered: number): boolean {
    const slab = this.slab;
    const chunk = slab.claim(bytes);
    if (slab.buffer.byteLength - slab.offset < MIN_SLAB_ROOM) {
      slab.retire();
      // The kernel had at least as much as a good part of a slab: more is waiting, read in bulk.
      const pool = bytes === offered && bytes >= this.smallPool.bufferBytes / 2 ? this.bulkPool : this.smallPool;
      this.slab = new Slab(pool.take(), pool);
    }
    if (this.sink) {
      this.sink(chunk, slab.release);
      return true;
    }
    this.early.push(Buffer.from(chunk));
    slab.release();
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
