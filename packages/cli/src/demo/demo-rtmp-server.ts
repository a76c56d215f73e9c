import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { CodedError } from '@rtmp-web/bytes';
import { readFlvFile, TypedEmitter } from '@rtmp-web/rtmp';
import { prepareClip } from './clip';
import type { DemoClip, PrepareClipOptions } from './clip';
import { DemoError } from './errors';
import { LiveTimeline } from './live-timeline';
import { liveMetadataBody } from './metadata';
import { DemoRtmpConnection } from './demo-rtmp-connection';
import type { LiveViewer } from './demo-rtmp-connection';
import { DEFAULT_VIEWER_FLOW_LIMITS } from './viewer-flow';
import type { ViewerFlowLimits } from './viewer-flow';

export const DEFAULT_DEMO_RTMP_PORT = 19350;

/** The clip bundled with the package (see packages/cli/assets/README.md). */
export const BUNDLED_CLIP_URL = new URL('../../assets/demo-clip.flv', import.meta.url);

export interface DemoRtmpServerOptions {
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 19350. */
  port?: number;
  /** The one application name accepted by connect. Default 'live'. */
  app?: string;
  /** The one stream name accepted by play. Default 'demo'. */
  streamName?: string;
  /** FLV bytes to loop. Default: the bundled clip. */
  clip?: Uint8Array;
  /** Shorten the loop or set its period (tests use a short loop to cross the seam quickly). */
  clipOptions?: PrepareClipOptions;
  /** Outgoing chunk size announced after connect (RTMP 1.0 §5.4.1). Default 4096, as nginx-rtmp. */
  chunkSize?: number;
  /** Window Acknowledgement Size and Set Peer Bandwidth announced after connect. Default 2,500,000. */
  windowAckSize?: number;
  /** Per-viewer queue limits (drop video, then disconnect). */
  flow?: Partial<ViewerFlowLimits>;
  /** Most simultaneous connections; more are closed at once. Default 64. */
  maxConnections?: number;
  /** A connection must complete the handshake and connect within this time. Default 10 s. */
  connectTimeoutMs?: number;
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
}

export interface DemoRtmpServerEvents {
  connection: { connectionId: number; remoteAddress: string; remotePort: number };
  /** A viewer started (or resumed) playing; `timestamp` is where it joined the live timeline. */
  play: { connectionId: number; streamId: number; streamName: string; timestamp: number };
  /** A viewer read too slowly: its video is being dropped, or it was disconnected. */
  'slow-viewer': { connectionId: number; action: 'drop-video' | 'disconnect'; queuedBytes: number };
  /** A connection ended; `error` says why when it was not a normal close. */
  disconnect: { connectionId: number; error?: CodedError };
}

export interface DemoRtmpServerStats {
  connections: number;
  viewers: number;
  /** Milliseconds on the live timeline (since the server started). */
  liveTimeMs: number;
  /** Frames broadcast so far (the next sequence number). */
  framesBroadcast: number;
  loopDurationMs: number;
}

/**
 * The built-in demo source: a small RTMP server that plays one bundled clip as an endless
 * live stream, `rtmp://HOST:PORT/live/demo`.
 *
 * One shared clock drives one timeline (LiveTimeline), and every viewer gets the same frames
 * at the same moment with the same timestamps: a joining viewer first receives the sequence
 * headers and the frames since the latest keyframe (a GOP cache), then follows the broadcast
 * paced in real time.
 */
export class DemoRtmpServer extends TypedEmitter<DemoRtmpServerEvents> {
  readonly host: string;
  readonly app: string;
  readonly streamName: string;
  readonly clip: DemoClip;
  readonly timeline: LiveTimeline;
  /** The metadata body sent to every viewer (the clip's, minus file-only fields). */
  readonly metadataBody: Uint8Array | null;
  readonly flowLimits: ViewerFlowLimits;
  readonly chunkSize: number;
  readonly windowAckSize: number;
  readonly connectTimeoutMs: number;
  private readonly server: net.Server;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly maxConnections: number;
  private readonly connections = new Set<DemoRtmpConnection>();
  private readonly viewers = new Set<LiveViewer>();
  private nextSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextConnectionId = 1;
  private boundPort = 0;
  private closing: Promise<void> | null = null;

  private constructor(options: DemoRtmpServerOptions) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.app = options.app ?? 'live';
    this.streamName = options.streamName ?? 'demo';
    const flv = options.clip ?? new Uint8Array(readFileSync(BUNDLED_CLIP_URL));
    this.clip = prepareClip(readFlvFile(flv).tags, options.clipOptions);
    this.timeline = new LiveTimeline(this.clip);
    this.metadataBody = this.clip.metadata ? liveMetadataBody(this.clip.metadata) : null;
    this.flowLimits = { ...DEFAULT_VIEWER_FLOW_LIMITS, ...options.flow };
    this.chunkSize = options.chunkSize ?? 4096;
    this.windowAckSize = options.windowAckSize ?? 2_500_000;
    this.maxConnections = options.maxConnections ?? 64;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Starts the server; resolves once it listens. Throws DemoError DEMO_LISTEN_FAILED. */
  static async listen(options: DemoRtmpServerOptions = {}): Promise<DemoRtmpServer> {
    const port = options.port ?? DEFAULT_DEMO_RTMP_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DemoError('DEMO_BAD_OPTION', `invalid RTMP port ${port}`);
    const server = new DemoRtmpServer(options);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new DemoError('DEMO_LISTEN_FAILED', `the demo RTMP server cannot listen on ${server.host}:${port}: ${error.code ?? error.message}`, {
            cause: error,
            details: { host: server.host, port, errno: error.code },
          }),
        );
      };
      server.server.once('error', onError);
      server.server.listen(port, server.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    const address = server.server.address();
    server.boundPort = typeof address === 'object' && address ? address.port : port;
    return server;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `rtmp://host:port/app/stream`, the URL a player opens. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `rtmp://${host}:${this.boundPort}/${this.app}/${this.streamName}`;
  }

  /** Milliseconds on the live timeline. */
  liveTimeMs(): number {
    return this.now() - this.startedAt;
  }

  stats(): DemoRtmpServerStats {
    return {
      connections: this.connections.size,
      viewers: this.viewers.size,
      liveTimeMs: this.liveTimeMs(),
      framesBroadcast: this.nextSeq,
      loopDurationMs: this.timeline.periodMs,
    };
  }

  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.viewers.clear();
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const connection of [...this.connections]) connection.destroy();
      await closed;
      this.removeAllListeners();
    })();
    return this.closing;
  }

  /** @internal Called by a connection's play: sends the start of the live stream and subscribes. */
  addViewer(viewer: LiveViewer): number {
    const liveMs = this.advance();
    const joinSeq = this.timeline.joinSeq(liveMs);
    const timestamp = this.timeline.timestampOf(joinSeq);
    viewer.start(joinSeq, timestamp);
    for (let seq = joinSeq; seq < this.nextSeq; seq++) viewer.deliver(seq);
    this.viewers.add(viewer);
    this.schedule(liveMs);
    return timestamp;
  }

  /** @internal */
  removeViewer(viewer: LiveViewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** @internal How connections report events on the server's events map. */
  notify<K extends keyof DemoRtmpServerEvents>(event: K, payload: DemoRtmpServerEvents[K]): void {
    this.emit(event, payload);
  }

  /** Broadcasts every frame due by now; returns the live time used. */
  private advance(): number {
    const liveMs = this.liveTimeMs();
    const due = this.timeline.dueCount(liveMs);
    if (this.viewers.size === 0) {
      this.nextSeq = Math.max(this.nextSeq, due);
      return liveMs;
    }
    for (; this.nextSeq < due; this.nextSeq++) {
      for (const viewer of [...this.viewers]) viewer.deliver(this.nextSeq);
    }
    return liveMs;
  }

  private schedule(liveMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.viewers.size === 0 || this.closing) return;
    const delay = Math.max(0, this.timeline.timestampOf(this.nextSeq) - liveMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule(this.advance());
    }, Math.ceil(delay));
  }

  private accept(socket: net.Socket): void {
    if (this.closing || this.connections.size >= this.maxConnections) {
      socket.destroy();
      return;
    }
    const connectionId = this.nextConnectionId++;
    const connection = new DemoRtmpConnection(this, socket, connectionId);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    this.notify('connection', { connectionId, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
  }
}
