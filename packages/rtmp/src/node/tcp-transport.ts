import * as net from 'node:net';
import * as tls from 'node:tls';
import type { CodedError } from '@rtmp-web/bytes';
import type { Transport } from '../types';
import { sessionError } from '../session/session-errors';

export interface TcpTransportOptions {
  /** Give up connecting after this many milliseconds (default 10000). */
  timeoutMs?: number;
  /** Open TLS (RTMPS) instead of plain TCP; `true` uses the host name for SNI and verifies the certificate. */
  tls?: boolean | tls.ConnectionOptions;
}

/**
 * RTMP over a Node TCP (or TLS) socket. Nagle is disabled because RTMP writes are small,
 * latency-sensitive commands and acknowledgements.
 */
export class TcpTransport implements Transport {
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClose: ((error?: CodedError) => void) | null = null;
  private closed = false;
  private failure: CodedError | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      // A plain Uint8Array view (no Buffer-only methods). Node gives each read a Buffer of its own
      // (TCP and TLS alike), so it is handed on as it is: ChunkReader takes ownership of it.
      this.onData?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= sessionError('TRANSPORT_ERROR', `socket error: ${error.code ?? error.message}`, { errno: error.code }, { cause: error });
    });
    socket.on('close', () => this.finish());
  }

  static connect(host: string, port: number, options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const useTls = options.tls !== undefined && options.tls !== false;
      const tlsOptions = typeof options.tls === 'object' ? options.tls : {};
      const socket = useTls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...tlsOptions })
        : net.connect({ host, port });
      const readyEvent = useTls ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(sessionError('TRANSPORT_CONNECT_FAILED', `connecting to ${host}:${port} timed out after ${timeoutMs} ms`, { host, port, timeoutMs }));
      }, timeoutMs);
      const onError = (error: NodeJS.ErrnoException): void => {
        cleanup();
        socket.destroy();
        reject(
          sessionError('TRANSPORT_CONNECT_FAILED', `cannot connect to ${host}:${port}: ${error.code ?? error.message}`, { host, port, errno: error.code }, { cause: error }),
        );
      };
      const onReady = (): void => {
        cleanup();
        socket.setNoDelay(true);
        resolve(new TcpTransport(socket));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off(readyEvent, onReady);
      };
      socket.once('error', onError);
      socket.once(readyEvent, onReady);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  /** Flushes what was written, then closes; a peer that does not finish the close is cut off after 1 s. */
  close(_reason?: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 1000);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(this.failure);
  }
}
