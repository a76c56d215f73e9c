import type net from 'node:net';
import { CodedError } from '@rtmp-web/bytes';
import { amf3Codec } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import {
  ChunkReader,
  ChunkStreamId,
  ChunkWriter,
  MessageType,
  ServerHandshake,
  decodeCommand,
  decodeUserControl,
  encodeAcknowledgement,
  encodeCommand,
  encodeDataMessage,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeUserControl,
  encodeWindowAckSize,
} from '@rtmp-web/rtmp';
import type { RtmpMessage } from '@rtmp-web/rtmp';
import { DemoError } from './errors';
import type { DemoRtmpServer } from './demo-rtmp-server';
import { ViewerFlowControl } from './viewer-flow';

/**
 * Chunk streams the demo server writes on (RTMP 1.0 §5.3.1.1 leaves the choice to the
 * sender). Commands and control reuse the core's ids; media goes on their own chunk streams
 * so audio and video each keep compact fmt 1-3 headers.
 */
const Csid = {
  Control: ChunkStreamId.ProtocolControl,
  Command: ChunkStreamId.Command,
  StreamStatus: 5,
  Audio: 6,
  Video: 7,
} as const;

/** Status info object of onStatus / _result / _error (level, code, description). */
type StatusInfo = { level: 'status' | 'error' | 'warning'; code: string; description: string } & Record<string, AmfValue>;

/** One playing NetStream of one connection, as the server's broadcast loop sees it. */
export interface LiveViewer {
  /** Called once before the first deliver: sends metadata and sequence headers at `timestamp`. */
  start(fromSeq: number, timestamp: number): void;
  /** Sends frame `seq` of the live timeline if the viewer wants it and its queue allows. */
  deliver(seq: number): void;
}

/**
 * One client connection of the demo server: handshake (ServerHandshake), chunk stream
 * (ChunkReader/ChunkWriter), the NetConnection commands a player sends, and the NetStreams it
 * plays. Anything malformed ends this connection only.
 */
export class DemoRtmpConnection {
  private readonly handshake = new ServerHandshake();
  private readonly reader = new ChunkReader({ maxMessageSize: 1024 * 1024, maxChunkStreams: 16 });
  private readonly writer = new ChunkWriter();
  private phase: 'handshake' | 'awaiting-connect' | 'connected' | 'closing' | 'closed' = 'handshake';
  /** Received bytes are handled strictly in order; the handshake step is async (its API returns promises). */
  private inbound: Promise<void> = Promise.resolve();
  private bytesReceived = 0;
  private lastAcknowledged = 0;
  /** Window Acknowledgement Size the client announced: we owe it an Acknowledgement per window (§5.4.4). */
  private peerWindow = 0;
  private nextStreamId = 1;
  private readonly streams = new Map<number, StreamViewer | null>();
  private readonly connectTimer: NodeJS.Timeout;
  private closeError: CodedError | undefined;

  constructor(
    private readonly server: DemoRtmpServer,
    private readonly socket: net.Socket,
    readonly id: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (bytes: Buffer) => {
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.inbound = this.inbound.then(() => this.receive(view)).catch((error: unknown) => this.fail(error));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.closed());
    this.connectTimer = setTimeout(() => {
      if (this.phase === 'handshake' || this.phase === 'awaiting-connect') {
        this.fail(new DemoError('DEMO_VIEWER_PROTOCOL', `no connect within ${server.connectTimeoutMs} ms`));
      }
    }, server.connectTimeoutMs);
  }

  private isOpen(): boolean {
    return this.phase !== 'closed' && this.phase !== 'closing';
  }

  /** Bytes queued in the socket and not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  destroy(error?: CodedError): void {
    if (error && !this.closeError) this.closeError = error;
    this.socket.destroy();
  }

  private fail(error: unknown): void {
    if (this.phase === 'closed') return;
    const coded =
      error instanceof CodedError
        ? error
        : new DemoError('DEMO_VIEWER_PROTOCOL', `connection ${this.id} failed: ${String(error)}`, { cause: error });
    this.destroy(coded);
  }

  private closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.connectTimer);
    for (const viewer of this.streams.values()) if (viewer) this.server.removeViewer(viewer);
    this.streams.clear();
    this.server.notify('disconnect', this.closeError ? { connectionId: this.id, error: this.closeError } : { connectionId: this.id });
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    if (this.phase === 'closed' || this.phase === 'closing') return;
    this.bytesReceived += bytes.byteLength;
    if (this.phase === 'handshake') {
      const step = await this.handshake.push(bytes);
      if (step.send) this.send(step.send);
      if (step.status === 'need-more') return;
      this.phase = 'awaiting-connect';
      bytes = step.remainder;
    }
    for (const message of this.reader.push(bytes)) {
      this.handle(message);
      if (!this.isOpen()) return;
    }
    this.acknowledge();
  }

  /** RTMP 1.0 §5.4.3: once the peer's window of bytes has arrived, say how many we have (u32, wraps). */
  private acknowledge(): void {
    if (this.peerWindow <= 0 || this.bytesReceived - this.lastAcknowledged < this.peerWindow) return;
    this.lastAcknowledged = this.bytesReceived;
    this.write(Csid.Control, MessageType.Acknowledgement, 0, 0, encodeAcknowledgement(this.bytesReceived % 0x100000000));
  }

  private handle(message: RtmpMessage): void {
    switch (message.type) {
      case MessageType.WindowAckSize:
        if (message.payload.byteLength >= 4) {
          this.peerWindow = new DataView(message.payload.buffer, message.payload.byteOffset, 4).getUint32(0);
        }
        return;
      case MessageType.UserControl: {
        const event = decodeUserControl(message.payload);
        // §7.1.7: a PingRequest is answered with a PingResponse carrying the same timestamp.
        if (event.event === 'PingRequest' && event.timestamp !== undefined) {
          this.write(Csid.Control, MessageType.UserControl, 0, 0, encodeUserControl({ event: 'PingResponse', timestamp: event.timestamp }));
        }
        return;
      }
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.command(message);
        return;
      default:
        // Set Chunk Size and Abort are applied by the ChunkReader itself; Acknowledgements,
        // Set Peer Bandwidth, data and media from a player need no answer.
        return;
    }
  }

  private command(message: RtmpMessage): void {
    // Viewers that asked for objectEncoding 3 send type-17 commands with AMF3 values.
    const command = decodeCommand(message, { amf3: amf3Codec });
    const args = command.args;
    if (this.phase === 'awaiting-connect') {
      if (command.name !== 'connect') {
        throw new DemoError('DEMO_VIEWER_PROTOCOL', `expected connect, got ${command.name}`, { details: { command: command.name } });
      }
      this.connect(command.transactionId, command.commandObject);
      return;
    }
    const streamId = message.streamId;
    switch (command.name) {
      case 'createStream': {
        const id = this.nextStreamId++;
        this.streams.set(id, null);
        this.sendCommand(Csid.Command, 0, '_result', command.transactionId, null, [id]);
        return;
      }
      case 'play':
        if (this.streams.has(streamId)) this.play(streamId, args[0], args[3]);
        return;
      case 'pause':
        if (this.streams.has(streamId)) this.pause(streamId, args[0] === true);
        return;
      case 'receiveAudio':
      case 'receiveVideo': {
        const viewer = this.streams.get(streamId);
        if (viewer) viewer.setReceive(command.name === 'receiveAudio' ? 'audio' : 'video', args[0] !== false);
        return;
      }
      case 'closeStream':
        this.stop(streamId);
        return;
      case 'deleteStream': {
        const id = typeof args[0] === 'number' ? args[0] : streamId;
        this.stop(id);
        this.streams.delete(id);
        return;
      }
      case 'publish':
        this.sendStatus(streamId, {
          level: 'error',
          code: 'NetStream.Publish.BadName',
          description: 'the rtmp-web demo source only plays its bundled clip; it does not accept publishing',
        });
        return;
      case '_result':
      case '_error':
      case '_checkbw':
      case 'onBWDone':
        return;
      default:
        // FCSubscribe, getStreamLength, releaseStream...: a call we do not implement. Answer
        // calls that wait for a result so the client does not hang on them.
        if (command.transactionId > 0) {
          this.sendCommand(Csid.Command, 0, '_error', command.transactionId, null, [
            { level: 'error', code: 'NetConnection.Call.Failed', description: `the demo source has no method "${command.name}"` },
          ]);
        }
    }
  }

  /**
   * connect (RTMP 1.0 §7.2.1.1). On success the usual server order: Window Acknowledgement
   * Size, Set Peer Bandwidth, Set Chunk Size, StreamBegin 0, then `_result`.
   */
  private connect(transactionId: number, commandObject: AmfValue): void {
    const properties = asRecord(commandObject);
    const app = normalizeName(typeof properties?.app === 'string' ? properties.app : '');
    const objectEncoding = properties?.objectEncoding === 3 ? 3 : 0;
    if (app !== this.server.app) {
      this.sendCommand(Csid.Command, 0, '_error', transactionId, null, [
        {
          level: 'error',
          code: 'NetConnection.Connect.Rejected',
          description: `application "${app}" not found: the rtmp-web demo source only has "${this.server.app}" (${this.server.url})`,
        },
      ]);
      // Let the _error reach the client, then close (as FMS and nginx-rtmp do).
      this.phase = 'closing';
      clearTimeout(this.connectTimer);
      this.socket.end();
      return;
    }
    this.phase = 'connected';
    clearTimeout(this.connectTimer);
    const window = this.server.windowAckSize;
    this.write(Csid.Control, MessageType.WindowAckSize, 0, 0, encodeWindowAckSize(window));
    this.write(Csid.Control, MessageType.SetPeerBandwidth, 0, 0, encodeSetPeerBandwidth(window, 2));
    this.write(Csid.Control, MessageType.SetChunkSize, 0, 0, encodeSetChunkSize(this.server.chunkSize));
    this.write(Csid.Control, MessageType.UserControl, 0, 0, encodeUserControl({ event: 'StreamBegin', streamId: 0 }));
    this.sendCommand(Csid.Command, 0, '_result', transactionId, { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 }, [
      { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding },
    ]);
  }

  private play(streamId: number, nameArg: AmfValue | undefined, resetArg: AmfValue | undefined): void {
    this.stop(streamId);
    const name = normalizeName(typeof nameArg === 'string' ? nameArg : '');
    if (name !== this.server.streamName) {
      this.sendStatus(streamId, {
        level: 'error',
        code: 'NetStream.Play.StreamNotFound',
        description: `stream "${name}" not found: the rtmp-web demo source only has "${this.server.streamName}" (${this.server.url})`,
        details: name,
      });
      return;
    }
    // Live play, as FMS and nginx-rtmp answer it: StreamBegin, Play.Reset (unless the client
    // passed reset=false), Play.Start, |RtmpSampleAccess; then metadata and media.
    this.write(Csid.Control, MessageType.UserControl, 0, 0, encodeUserControl({ event: 'StreamBegin', streamId }));
    if (resetArg !== false) {
      this.sendStatus(streamId, { level: 'status', code: 'NetStream.Play.Reset', description: `Playing and resetting ${name}.`, details: name });
    }
    this.sendStatus(streamId, { level: 'status', code: 'NetStream.Play.Start', description: `Started playing ${name}.`, details: name });
    this.write(Csid.StreamStatus, MessageType.DataAmf0, streamId, 0, encodeDataMessage({ name: '|RtmpSampleAccess', args: [true, true] }));
    this.subscribe(streamId);
  }

  private pause(streamId: number, paused: boolean): void {
    const name = this.server.streamName;
    if (paused) {
      this.stop(streamId);
      this.sendStatus(streamId, { level: 'status', code: 'NetStream.Pause.Notify', description: `Pausing ${name}.`, details: name });
    } else if (!this.streams.get(streamId)) {
      // Live resume: back to the live edge at its latest keyframe, not where it paused.
      this.sendStatus(streamId, { level: 'status', code: 'NetStream.Unpause.Notify', description: `Unpausing ${name}.`, details: name });
      this.subscribe(streamId);
    }
  }

  private subscribe(streamId: number): void {
    const viewer = new StreamViewer(this, this.server, streamId);
    this.streams.set(streamId, viewer);
    const timestamp = this.server.addViewer(viewer);
    this.server.notify('play', { connectionId: this.id, streamId, streamName: this.server.streamName, timestamp });
  }

  private stop(streamId: number): void {
    const viewer = this.streams.get(streamId);
    if (!viewer) return;
    this.server.removeViewer(viewer);
    this.streams.set(streamId, null);
  }

  /** @internal StreamViewer's way out when its queue passed the hard limit. */
  dropViewer(viewer: StreamViewer, queuedBytes: number): void {
    this.server.removeViewer(viewer);
    this.server.notify('slow-viewer', { connectionId: this.id, action: 'disconnect', queuedBytes });
    this.destroy(
      new DemoError('DEMO_VIEWER_TOO_SLOW', `viewer ${this.id} fell ${queuedBytes} bytes behind and was disconnected`, {
        fatal: true,
        details: { queuedBytes, limit: this.server.flowLimits.disconnectAboveBytes },
      }),
    );
  }

  sendStatus(streamId: number, info: StatusInfo): void {
    this.sendCommand(Csid.StreamStatus, streamId, 'onStatus', 0, null, [info]);
  }

  private sendCommand(csid: number, streamId: number, name: string, transactionId: number, commandObject: AmfValue, args: AmfValue[]): void {
    this.write(csid, MessageType.CommandAmf0, streamId, 0, encodeCommand({ name, transactionId, commandObject, args }, 0));
  }

  /** @internal Chunks one message and queues it on the socket. */
  write(csid: number, type: number, streamId: number, timestamp: number, payload: Uint8Array): void {
    if (this.phase === 'closed' || this.socket.destroyed) return;
    this.send(this.writer.write({ csid, type, streamId, timestamp, payload }));
  }

  private send(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
}

/** The media side of one playing NetStream. */
class StreamViewer implements LiveViewer {
  private readonly flow: ViewerFlowControl;
  private fromSeq = Number.POSITIVE_INFINITY;
  private receiveAudio = true;
  private receiveVideo = true;

  constructor(
    private readonly connection: DemoRtmpConnection,
    private readonly server: DemoRtmpServer,
    private readonly streamId: number,
  ) {
    this.flow = new ViewerFlowControl(server.flowLimits);
  }

  setReceive(kind: 'audio' | 'video', on: boolean): void {
    if (kind === 'audio') this.receiveAudio = on;
    else this.receiveVideo = on;
  }

  start(fromSeq: number, timestamp: number): void {
    this.fromSeq = fromSeq;
    const clip = this.server.clip;
    const ts = wrap32(timestamp);
    // onMetaData at timestamp 0, as nginx-rtmp sends it: FFmpeg's FLV demuxer turns a metadata
    // message with a non-zero timestamp into a stray subtitle stream.
    if (this.server.metadataBody) this.connection.write(Csid.StreamStatus, MessageType.DataAmf0, this.streamId, 0, this.server.metadataBody);
    // Sequence headers first (FLV v10.1 E.4.3.1 AVCPacketType 0, E.4.2.2 AACPacketType 0): no
    // decoder can use a frame before its configuration.
    if (clip.videoConfig) this.connection.write(Csid.Video, MessageType.Video, this.streamId, ts, clip.videoConfig);
    if (clip.audioConfig) this.connection.write(Csid.Audio, MessageType.Audio, this.streamId, ts, clip.audioConfig);
  }

  deliver(seq: number): void {
    if (seq < this.fromSeq) return;
    const { frame, timestamp } = this.server.timeline.frameAt(seq);
    if (frame.kind === 'audio' ? !this.receiveAudio : !this.receiveVideo) return;
    const wasDropping = this.flow.isDroppingVideo;
    const decision = this.flow.decide({ kind: frame.kind, keyframe: frame.joinPoint }, this.connection.queuedBytes);
    if (decision === 'disconnect') {
      this.connection.dropViewer(this, this.connection.queuedBytes);
      return;
    }
    if (decision === 'drop') {
      if (!wasDropping) this.server.notify('slow-viewer', { connectionId: this.connection.id, action: 'drop-video', queuedBytes: this.connection.queuedBytes });
      return;
    }
    const csid = frame.kind === 'audio' ? Csid.Audio : Csid.Video;
    const type = frame.kind === 'audio' ? MessageType.Audio : MessageType.Video;
    this.connection.write(csid, type, this.streamId, wrap32(timestamp), frame.data);
  }
}

/** RTMP timestamps are 32-bit milliseconds and wrap after ~49.7 days (RTMP 1.0 §5.3.1.3). */
function wrap32(timestamp: number): number {
  return timestamp % 0x100000000;
}

/** App and stream names as clients send them: drop a query string and surrounding slashes. */
function normalizeName(name: string): string {
  const query = name.indexOf('?');
  return (query >= 0 ? name.slice(0, query) : name).replace(/^\/+|\/+$/g, '');
}

function asRecord(value: AmfValue): Record<string, AmfValue> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? (value as Record<string, AmfValue>) : null;
}
