import type { CodedError } from '@rtmp-web/bytes';
import type { AmfValue } from '@rtmp-web/amf';
import { decodeDataMessage, encodeUserControl } from '../messages';
import type { CommandInit, RtmpCommand } from '../messages';
import { parseAudioMessageTracks, parseVideoMessageTracks } from '../media';
import { RtmpError } from '../errors';
import { MSG_AUDIO, MSG_DATA_AMF0, MSG_DATA_AMF3, MSG_SHARED_OBJECT_AMF0, MSG_SHARED_OBJECT_AMF3, MSG_VIDEO } from '../messages/type-ids';
import type { MediaFrame, RtmpMessage } from '../types';
import type { CommandEvent, DataMessageEvent, NetConnection, SharedObjectEvent, StreamMessageSink } from './net-connection';
import { toStatusInfo } from './net-status';
import type { NetStreamStatus } from './net-status';
import { sessionError } from './session-errors';
import { TypedEmitter } from './typed-emitter';

export interface PlayOptions {
  /** -2 live or recorded (default), -1 live only, >= 0 recorded from that many ms (RTMP 1.0 §7.2.2.1). */
  start?: number;
  /** -1 until the end (default), 0 a single frame, > 0 that many ms. */
  duration?: number;
  /** Flush any previous playlist (default true). */
  reset?: boolean;
  /** SetBufferLength sent right after play, in ms (default 1000): some servers stop sending after ~15 s without one. */
  bufferMs?: number;
}

/** An audio or video message with the frame parsed from it. */
export interface MediaMessageEvent {
  message: RtmpMessage;
  /**
   * The parsed FLV/E-RTMP frames (more than one only for E-RTMP multitrack video). Empty for an
   * empty body (servers send those as markers) or a body that failed to parse (an `error` event
   * then reports why).
   */
  frames: MediaFrame[];
}

export interface NetStreamEvents {
  /** onStatus for this stream (NetStream.Play.Start, NetStream.Play.Stop, ...), also onPlayStatus data. */
  status: NetStreamStatus;
  audio: MediaMessageEvent;
  video: MediaMessageEvent;
  /** onMetaData, onTextData, onCuePoint, |RtmpSampleAccess and any other data message. */
  data: DataMessageEvent;
  sharedObject: SharedObjectEvent;
  /** Any command other than onStatus sent on this stream. */
  command: CommandEvent;
  streamBegin: { streamId: number };
  streamEOF: { streamId: number };
  streamDry: { streamId: number };
  streamIsRecorded: { streamId: number };
  bufferEmpty: { streamId: number };
  bufferReady: { streamId: number };
  /** A non-fatal problem with one message (undecodable media or data). Fatal problems close the connection. */
  error: CodedError;
  /** The stream is gone: deleted, or its connection closed (with the reason). */
  close: { error?: CodedError };
}

type PlayWaiter = { resolve(info: NetStreamStatus): void; reject(error: CodedError): void };

/**
 * One message stream on a NetConnection (RTMP 1.0 §7.2.2). Created by `NetConnection.createStream()`.
 * Every message carrying this stream id, and every user control event naming it, comes here.
 */
export class NetStream extends TypedEmitter<NetStreamEvents> implements StreamMessageSink {
  private playStart: Promise<NetStreamStatus> | null = null;
  private playWaiter: PlayWaiter | null = null;
  private deleted = false;
  private latestMetadata: AmfValue | undefined;

  /** @internal Use `NetConnection.createStream()`. */
  constructor(
    private readonly connection: NetConnection,
    /** The message stream id the server assigned. */
    readonly streamId: number,
  ) {
    super();
    connection.attachStream(streamId, this);
  }

  /** The arguments of the latest onMetaData (usually one ECMA array), if any arrived. */
  get metadata(): AmfValue | undefined {
    return this.latestMetadata;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /**
   * Sends `play` and then SetBufferLength for this stream, in one write. Resolves at
   * NetStream.Play.Start; rejects with STREAM_NOT_FOUND (NetStream.Play.StreamNotFound),
   * STREAM_PLAY_FAILED (NetStream.Play.Failed or any other error status), or the connection's
   * close reason. Servers that wait for a publisher may never answer: apply your own timeout.
   */
  play(name: string, options: PlayOptions = {}): Promise<NetStreamStatus> {
    if (this.deleted) return Promise.reject(sessionError('STREAM_DELETED', `stream ${this.streamId} was deleted`, { streamId: this.streamId }, { fatal: false }));
    const { command, control } = this.beginPlay(name, options);
    try {
      this.connection.sendCommandWithControl(command, this.streamId, control);
    } catch (error) {
      this.playWaiter?.reject(error as CodedError);
      this.playWaiter = null;
    }
    return this.playStart!;
  }

  /**
   * @internal Starts waiting for NetStream.Play.Start and returns what `play` sends (the play
   * command and its SetBufferLength); the caller writes them (`play()`, or the connection when
   * it pipelines play behind createStream).
   */
  beginPlay(name: string, options: PlayOptions): { command: CommandInit; control: Uint8Array } {
    this.playWaiter?.reject(sessionError('STREAM_PLAY_FAILED', 'superseded by a newer play()', { streamId: this.streamId }, { fatal: false }));
    this.playStart = new Promise<NetStreamStatus>((resolve, reject) => {
      this.playWaiter = { resolve, reject };
    });
    this.playStart.catch(() => undefined);
    const start = options.start ?? -2;
    const duration = options.duration ?? -1;
    const reset = options.reset ?? true;
    const bufferMs = options.bufferMs ?? 1000;
    return {
      command: { name: 'play', transactionId: 0, commandObject: null, args: [name, start, duration, reset] },
      control: encodeUserControl({ event: 'SetBufferLength', streamId: this.streamId, bufferLengthMs: bufferMs }),
    };
  }

  /**
   * @internal The server assigned another stream id than the one a pipelined play went out on
   * (see `NetConnection.createStreamAndPlay`): this stream stops receiving, quietly.
   */
  abandon(error: CodedError): void {
    this.deleted = true;
    this.connection.detachStream(this.streamId);
    const waiter = this.playWaiter;
    this.playWaiter = null;
    waiter?.reject(error);
  }

  /** The promise of the latest `play()`: resolves at NetStream.Play.Start. */
  waitForPlayStart(): Promise<NetStreamStatus> {
    return this.playStart ?? Promise.reject(sessionError('STREAM_NOT_PLAYING', 'play() has not been called on this stream', { streamId: this.streamId }, { fatal: false }));
  }

  /** SetBufferLength (User Control 3, RTMP 1.0 §7.1.7) for this stream. */
  setBufferLength(ms: number): void {
    this.connection.sendUserControl(encodeUserControl({ event: 'SetBufferLength', streamId: this.streamId, bufferLengthMs: ms }));
  }

  /** `pause` (§7.2.2.8): pause or resume at `positionMs`. */
  pause(paused: boolean, positionMs = 0): void {
    this.sendStreamCommand('pause', [paused, positionMs]);
  }

  /** `seek` (§7.2.2.7) to `positionMs` in a recorded stream. */
  seek(positionMs: number): void {
    this.sendStreamCommand('seek', [positionMs]);
  }

  /** `receiveAudio` (§7.2.2.2). */
  receiveAudio(enabled: boolean): void {
    this.sendStreamCommand('receiveAudio', [enabled]);
  }

  /** `receiveVideo` (§7.2.2.3). */
  receiveVideo(enabled: boolean): void {
    this.sendStreamCommand('receiveVideo', [enabled]);
  }

  /** `closeStream`: stop playing but keep the stream id for another play(). */
  closeStream(): void {
    this.sendStreamCommand('closeStream', []);
  }

  /** `deleteStream` (§7.2.2.3) at stream 0; idempotent. The stream stops receiving anything. */
  deleteStream(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.connection.detachStream(this.streamId);
    if (this.connection.isConnected) this.connection.send('deleteStream', null, [this.streamId], 0);
    this.finish(sessionError('STREAM_DELETED', `stream ${this.streamId} was deleted`, { streamId: this.streamId }, { fatal: false }), false);
  }

  // ---- StreamMessageSink (called by NetConnection) ----

  /** @internal */
  handleMessage(message: RtmpMessage): void {
    if (this.deleted) return;
    switch (message.type) {
      case MSG_AUDIO:
      case MSG_VIDEO:
        this.handleMedia(message);
        return;
      case MSG_DATA_AMF0:
      case MSG_DATA_AMF3:
        this.handleData(message);
        return;
      case MSG_SHARED_OBJECT_AMF0:
      case MSG_SHARED_OBJECT_AMF3:
        try {
          this.emit('sharedObject', { ...this.connection.decodeWith(message, 'shared object message', this.connection.codecs.sharedObjects?.decode), streamId: this.streamId, timestamp: message.timestamp });
        } catch (error) {
          this.emit('error', nonFatal(error, 'MESSAGE_MALFORMED'));
        }
        return;
      default:
        return;
    }
  }

  /** @internal */
  handleCommand(command: RtmpCommand, _timestamp: number): void {
    if (this.deleted) return;
    if (command.name === 'onStatus') {
      this.handleStatus(toStatusInfo(command.args[0]));
      return;
    }
    this.emit('command', { command, streamId: this.streamId });
  }

  /** @internal */
  handleControl(event: 'streamBegin' | 'streamEOF' | 'streamDry' | 'streamIsRecorded' | 'bufferEmpty' | 'bufferReady'): void {
    if (this.deleted) return;
    this.emit(event, { streamId: this.streamId });
  }

  /** @internal */
  handleClose(error: CodedError): void {
    this.finish(error, true);
  }

  // ---- internals ----

  private handleMedia(message: RtmpMessage): void {
    let frames: MediaFrame[] = [];
    if (message.payload.byteLength > 0) {
      try {
        frames = message.type === MSG_AUDIO ? parseAudioMessageTracks(message.payload, message.timestamp) : parseVideoMessageTracks(message.payload, message.timestamp);
      } catch (error) {
        this.emit('error', nonFatal(error, 'MEDIA_MALFORMED'));
      }
    }
    this.emit(message.type === MSG_AUDIO ? 'audio' : 'video', { message, frames });
  }

  private handleData(message: RtmpMessage): void {
    let data: { name: string; args: AmfValue[] };
    try {
      data = this.connection.decodeWith(message, 'data message', decodeDataMessage);
    } catch (error) {
      this.emit('error', nonFatal(error, 'MESSAGE_MALFORMED'));
      return;
    }
    if (data.name === 'onMetaData') this.latestMetadata = data.args[0];
    this.emit('data', { name: data.name, args: data.args, timestamp: message.timestamp, streamId: this.streamId });
    // FMS/Wowza report the end of a recorded stream as data: onPlayStatus {code: NetStream.Play.Complete}.
    if (data.name === 'onPlayStatus') this.handleStatus(toStatusInfo(data.args[0]));
  }

  private handleStatus(info: NetStreamStatus): void {
    this.emit('status', info);
    const waiter = this.playWaiter;
    if (!waiter) return;
    if (info.code === 'NetStream.Play.Start') {
      this.playWaiter = null;
      waiter.resolve(info);
    } else if (info.code === 'NetStream.Play.StreamNotFound') {
      this.playWaiter = null;
      waiter.reject(sessionError('STREAM_NOT_FOUND', `stream not found${info.description ? `: ${info.description}` : ''}`, { info: info.raw, statusCode: info.code }, { fatal: false }));
    } else if (info.level === 'error' || info.code === 'NetStream.Play.Failed') {
      this.playWaiter = null;
      waiter.reject(
        sessionError('STREAM_PLAY_FAILED', `play failed: ${info.code}${info.description ? ` (${info.description})` : ''}`, { info: info.raw, statusCode: info.code }, { fatal: false }),
      );
    }
  }

  private sendStreamCommand(name: string, args: AmfValue[]): void {
    if (this.deleted) throw sessionError('STREAM_DELETED', `cannot send ${name}: stream ${this.streamId} was deleted`, { streamId: this.streamId }, { fatal: false });
    this.connection.send(name, null, args, this.streamId);
  }

  private finish(error: CodedError, fromConnection: boolean): void {
    const waiter = this.playWaiter;
    this.playWaiter = null;
    waiter?.reject(error);
    if (fromConnection) this.deleted = true;
    this.emit('close', fromConnection ? { error } : {});
  }
}

/** Problems with one message are reported as non-fatal: the connection itself is still sound. */
function nonFatal(error: unknown, fallbackCode: string): CodedError {
  const coded = error instanceof Error && 'code' in error && 'category' in error ? (error as CodedError) : undefined;
  if (coded && !coded.fatal) return coded;
  const code = coded instanceof RtmpError ? coded.code : fallbackCode;
  const details = coded ? { ...coded.details, causeCode: coded.code } : {};
  return new RtmpError(code, error instanceof Error ? error.message : String(error), { cause: error, fatal: false, details });
}
