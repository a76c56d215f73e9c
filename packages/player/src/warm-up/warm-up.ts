import { createMemoryTransportPair } from '@rtmp-web/rtmp';
import type { MemoryTransport } from '@rtmp-web/rtmp';
import { FlvMseSink } from '../media/flv-mse-sink';
import type { FlvPipeline, FlvPipelineFactory, MseSinkOptions, PlayerMediaSinkFactory } from '../media/flv-mse-sink';
import { MpegtsFlvRemuxer, loadRemuxModules } from '../media/mpegts-remux-sink';
import type { RemuxModules } from '../media/mpegts-remux-sink';
import { RtmpPlayer } from '../player';
import { decodeBase64url } from '../transport/base64url';
import { EARLY_DATA_SUBPROTOCOL } from '../transport/websocket-transport';
import type { WebSocketConstructor } from '../transport/websocket-transport';
import { SyntheticLiveServer } from './synthetic-live-server';
import type { SyntheticStreamShape } from './synthetic-live-server';

/** What one warm-up did. */
export interface WarmUpResult {
  /** The synthetic stream played to its end (false: stopped early, or it failed). */
  completed: boolean;
  /** Why it did not complete, in plain words. */
  reason?: string;
  durationMs: number;
  /** fMP4 segments the remuxer produced (and nothing appended anywhere). */
  initSegments: number;
  mediaSegments: number;
  /** Player states passed through, in order. */
  states: string[];
}

export interface WarmUpOptions {
  stream?: SyntheticStreamShape;
  /** Checked between batches of frames: true stops the warm-up (a real load has started). */
  shouldStop?: () => boolean;
  /** Where the remuxer comes from (default: loadRemuxModules). */
  loadModules?: () => Promise<RemuxModules>;
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

const WARM_UP_URL = 'rtmp://warm-up.invalid/live/warm-up';
const WARM_UP_BRIDGE = 'ws://warm-up.invalid/';

/**
 * Runs the page side of a whole playback once on a synthetic stream, so the code a first load()
 * runs is already compiled and has type feedback: RtmpPlayer, WebSocketTransport (on an in-memory
 * socket), the handshake (digest, signed with WebCrypto), the chunk reader and writer, AMF0, the
 * session, NetStream's media parsing, the FLV muxer and mpegts.js's demuxer and MP4 remuxer. Only
 * MSE is left out: the segments are counted, not appended, and the element is a detached one.
 * Measured on the time-to-first-frame bench page: V8 running this code for the first time was most
 * of our start-up (docs/player.md, "Warm-up"). Nothing leaves the page.
 */
export async function runWarmUp(options: WarmUpOptions = {}): Promise<WarmUpResult> {
  const startedAt = performance.now();
  const counts = { initSegments: 0, mediaSegments: 0 };
  const states: string[] = [];
  const shouldStop = options.shouldStop ?? (() => false);
  const load = options.loadModules ?? loadRemuxModules;
  const modules = await load();
  const result = (completed: boolean, reason?: string): WarmUpResult => ({
    completed,
    ...(reason ? { reason } : {}),
    durationMs: performance.now() - startedAt,
    ...counts,
    states,
  });
  if (shouldStop()) return result(false, 'a player started before the warm-up');

  const sink: PlayerMediaSinkFactory = Object.assign((media: HTMLMediaElement, sinkOptions: MseSinkOptions) => new FlvMseSink(media, countingPipeline(modules, counts), sinkOptions), {
    preload: () => Promise.resolve(modules),
  });
  const player = new RtmpPlayer({
    WebSocket: inMemoryWebSocket(options.stream ?? {}, shouldStop),
    sink,
    reconnect: { enabled: false },
    mpegtsLogLevel: 'silent',
  });
  const media = document.createElement('video');
  media.muted = true;
  try {
    return await new Promise<WarmUpResult>((resolve) => {
      const timer = setTimeout(() => resolve(result(false, `the synthetic stream did not end within ${options.timeoutMs ?? 5000} ms`)), options.timeoutMs ?? 5000);
      const finish = (value: WarmUpResult) => {
        clearTimeout(timer);
        resolve(value);
      };
      player.on('state', (change) => {
        states.push(change.to);
        if (change.to === 'ended') finish(result(true));
        else if (change.to === 'error') finish(result(false, change.reason));
        else if (shouldStop()) finish(result(false, 'a player started during the warm-up'));
      });
      player.attachMedia(media);
      player.load(WARM_UP_URL, { bridge: WARM_UP_BRIDGE });
    });
  } finally {
    player.destroy();
  }
}

/** A pipeline that remuxes (mpegts.js's demuxer and remuxer) and counts the segments instead of appending them. */
function countingPipeline(modules: RemuxModules, counts: { initSegments: number; mediaSegments: number }): FlvPipelineFactory {
  return (_media, _tracks, hooks): FlvPipeline => {
    const remuxer = new MpegtsFlvRemuxer(modules, {
      initSegment: () => counts.initSegments++,
      mediaSegment: () => counts.mediaSegments++,
      error: (error) => hooks.failed(error),
    });
    return {
      write: (bytes) => remuxer.push(bytes),
      destroy: () => remuxer.destroy(),
    };
  };
}

/**
 * The part of a browser WebSocket that WebSocketTransport uses, connected to a SyntheticLiveServer
 * through an in-memory pipe. It takes early data (`?early=`) as rtmp-web's bridge does.
 */
function inMemoryWebSocket(shape: SyntheticStreamShape, shouldStop: () => boolean): WebSocketConstructor {
  class InMemoryWebSocket {
    binaryType: BinaryType = 'blob';
    protocol = '';
    readyState = 0;
    onopen: ((event: Event) => void) | null = null;
    onmessage: ((event: MessageEvent) => void) | null = null;
    onclose: ((event: CloseEvent) => void) | null = null;
    onerror: ((event: Event) => void) | null = null;
    private readonly pipe: MemoryTransport;

    constructor(url: string, protocols?: string | string[]) {
      const [client, server] = createMemoryTransportPair();
      this.pipe = client;
      new SyntheticLiveServer(server, shape, shouldStop);
      const early = new URL(url).searchParams.get('early');
      const offered = typeof protocols === 'string' ? [protocols] : (protocols ?? []);
      client.onData = (bytes) => {
        if (this.readyState !== 1) return;
        // MemoryTransport delivers a fresh copy: its buffer is exactly these bytes.
        this.onmessage?.(new MessageEvent('message', { data: bytes.buffer }));
      };
      client.onClose = () => this.closed();
      setTimeout(() => {
        if (this.readyState !== 0) return;
        if (early !== null && offered.includes(EARLY_DATA_SUBPROTOCOL)) {
          client.send(decodeBase64url(early));
          this.protocol = EARLY_DATA_SUBPROTOCOL;
        }
        this.readyState = 1;
        this.onopen?.(new Event('open'));
      }, 0);
    }

    send(data: ArrayBufferView | ArrayBuffer): void {
      if (this.readyState !== 1) return;
      this.pipe.send(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }

    close(): void {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      this.pipe.close();
    }

    private closed(): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.(new CloseEvent('close', { code: 1000, reason: '', wasClean: true }));
    }
  }
  return InMemoryWebSocket as unknown as WebSocketConstructor;
}
