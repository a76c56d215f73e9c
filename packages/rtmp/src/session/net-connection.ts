import type { CodedError } from '@rtmp-web/bytes';
import { concatBytes } from '@rtmp-web/bytes';
import type { AmfDecodeOptions, AmfEncodeOptions, AmfValue } from '@rtmp-web/amf';
import { ClientHandshake } from '../handshake';
import { ChunkReader, ChunkStreamId, ChunkWriter } from '../chunk';
import {
  controlMessage,
  decodeCommand,
  encodeCommand,
  decodeUserControl,
  encodeUserControl,
  decodeProtocolControl,
  encodeSetChunkSize,
  encodeAcknowledgement,
  encodeWindowAckSize,
  decodeDataMessage,
  unpackAggregate,
} from '../messages';
import type { CommandInit, RtmpCommand, SharedObjectMessage } from '../messages';
import { RtmpError } from '../errors';
import {
  MSG_ABORT,
  MSG_ACKNOWLEDGEMENT,
  MSG_AGGREGATE,
  MSG_AUDIO,
  MSG_COMMAND_AMF0,
  MSG_COMMAND_AMF3,
  MSG_DATA_AMF0,
  MSG_DATA_AMF3,
  MSG_SET_CHUNK_SIZE,
  MSG_SET_PEER_BANDWIDTH,
  MSG_SHARED_OBJECT_AMF0,
  MSG_SHARED_OBJECT_AMF3,
  MSG_USER_CONTROL,
  MSG_VIDEO,
  MSG_WINDOW_ACK_SIZE,
} from '../messages/type-ids';
import type { HandshakeResult, ProtocolTap, RtmpMessage, Transport } from '../types';
import { NetStream } from './net-stream';
import type { PlayOptions } from './net-stream';
import { toStatusInfo } from './net-status';
import type { NetConnectionStatus } from './net-status';
import { parseRtmpUrl } from './rtmp-url';
import type { RtmpUrl } from './rtmp-url';
import { sessionError } from './session-errors';
import { TypedEmitter } from './typed-emitter';
import { AcknowledgementWindow } from './acknowledgement-window';
import type { NetConnectionOptions, SessionCodecs } from './codecs';

export interface ConnectOptions {
  /** An open transport (TcpTransport in Node, WebSocketTransport in a page). The connection owns it from now on. */
  transport: Transport;
  /**
   * AMF encoding announced in connect (0 = AMF0, 3 = AMF3); later commands use what the server
   * confirms. Default 0. 3 needs the AMF3 codec (`new NetConnection({ codecs: { amf3: amf3Codec } })`):
   * without it connect rejects with SESSION_AMF3_NOT_ENABLED before anything is sent.
   */
  objectEncoding?: 0 | 3;
  /** connect's flashVer. Default `LNX 9,0,124,2` (what FFmpeg sends when playing). */
  flashVer?: string;
  swfUrl?: string;
  pageUrl?: string;
  /** Extra properties merged into the connect command object (e.g. E-RTMP `fourCcList`, `capsEx`). */
  properties?: Record<string, AmfValue>;
  /** Optional arguments after the command object (some applications read credentials from them). */
  connectArgs?: AmfValue[];
  /** Handshake dialect to offer. Default 'digest' (every open server also accepts 'simple'). */
  handshake?: 'simple' | 'digest';
  /** Observer of handshake bytes, chunks and messages in both directions. */
  tap?: ProtocolTap;
  /** Largest incoming message accepted (default: ChunkReader's, 16 MiB). */
  maxMessageSize?: number;
  /** Reject when handshake + connect take longer than this (default 15000 ms; 0 = no limit). */
  timeoutMs?: number;
  /** Chunk size announced for our direction after connect (default 4096). */
  outgoingChunkSize?: number;
  /** Window Acknowledgement Size we announce to the server (default 2500000, FFmpeg's value). */
  windowAckSize?: number;
  /** Clock for tap timestamps and the handshake round trip (default performance.now). */
  now?: () => number;
}

/** Options of `NetConnection.createStreamAndPlay`: play's, plus how the early play is sent. */
export interface PipelinedPlayOptions extends PlayOptions {
  /** The stream id play goes out on before createStream's answer (default 1). */
  expectedStreamId?: number;
  /** Called synchronously with each NetStream the play is sent on, before any of its messages can arrive. */
  onStream?: (stream: NetStream) => void;
}

export interface ConnectResult {
  /** The info object of connect's `_result` (code NetConnection.Connect.Success). */
  info: NetConnectionStatus;
  /** The `_result` command object: server properties such as fmsVer and capabilities. */
  properties: AmfValue;
  handshake: HandshakeResult;
  url: RtmpUrl;
}

export interface DataMessageEvent {
  name: string;
  args: AmfValue[];
  timestamp: number;
  streamId: number;
}

export interface SharedObjectEvent extends SharedObjectMessage {
  streamId: number;
  timestamp: number;
}

export interface CommandEvent {
  command: RtmpCommand;
  streamId: number;
}

export interface StreamControlEvent {
  streamId: number;
}

export interface CloseEvent {
  /** Why the connection ended; absent when `close()` was called. */
  error?: CodedError;
}

/** Everything a NetConnection reports; one payload type per event. */
export interface NetConnectionEvents {
  /** onStatus sent at stream 0 (e.g. NetConnection.Connect.Closed, NetConnection.Connect.AppShutdown). */
  status: NetConnectionStatus;
  /** Data messages (onMetaData and friends) sent at stream 0. */
  data: DataMessageEvent;
  /** Shared object messages (RTMP 1.0 §7.1.3), any stream. */
  sharedObject: SharedObjectEvent;
  /** A server-to-client call with no handler registered through `handle()`. */
  command: CommandEvent;
  /** User control events for any stream id (RTMP 1.0 §7.1.7); NetStreams get their own copy. */
  streamBegin: StreamControlEvent;
  streamEOF: StreamControlEvent;
  streamDry: StreamControlEvent;
  streamIsRecorded: StreamControlEvent;
  /** The server pinged us; the response has already been sent. */
  ping: { timestamp: number };
  /** A non-fatal problem (a message that could not be decoded, a handler that threw). */
  error: CodedError;
  /** The connection is over (once). */
  close: CloseEvent;
}

/** A server-to-client call handler; its return value is sent as `_result` when the call expects one. */
export type CallHandler = (args: AmfValue[], command: RtmpCommand) => AmfValue | void | Promise<AmfValue | void>;

type ConnectionState = 'idle' | 'handshaking' | 'connecting' | 'connected' | 'closed';

interface PendingCall {
  name: string;
  resolve(command: RtmpCommand): void;
  reject(error: CodedError): void;
}

/** Stream-level sink a NetStream registers to receive the messages of its message stream id. */
export interface StreamMessageSink {
  /** Audio, video, data and shared object messages of this stream id. */
  handleMessage(message: RtmpMessage): void;
  /** Commands sent on this stream id (onStatus and any other). */
  handleCommand(command: RtmpCommand, timestamp: number): void;
  handleControl(event: 'streamBegin' | 'streamEOF' | 'streamDry' | 'streamIsRecorded' | 'bufferEmpty' | 'bufferReady'): void;
  handleClose(error: CodedError): void;
}

const DEFAULT_FLASH_VERSION = 'LNX 9,0,124,2';
const DEFAULT_WINDOW_ACK_SIZE = 2_500_000;
const DEFAULT_OUTGOING_CHUNK_SIZE = 4096;
const CONNECT_TRANSACTION_ID = 1;

/**
 * The client side of an RTMP connection (RTMP 1.0 §7.2.1): handshake, connect, the protocol
 * control duties (acknowledgements, window sizes, pings) and remote calls. Media arrives on
 * NetStreams created with `createStream()`.
 */
export class NetConnection extends TypedEmitter<NetConnectionEvents> {
  private state: ConnectionState = 'idle';
  private transport: Transport | null = null;
  private tap: ProtocolTap | undefined;
  private now: () => number = () => performance.now();
  private handshake: ClientHandshake | null = null;
  private handshakeResult: HandshakeResult | null = null;
  private reader: ChunkReader | null = null;
  private writer: ChunkWriter;
  private readonly pendingInbound: Uint8Array[] = [];
  private handshakeRunning = false;
  private readonly pendingCalls = new Map<number, PendingCall>();
  /** Commands requested during the handshake, written right after connect. */
  private readonly callsAwaitingConnect: RtmpMessage[] = [];
  private nextTransactionId = CONNECT_TRANSACTION_ID + 1;
  private readonly handlers = new Map<string, CallHandler>();
  private readonly streams = new Map<number, StreamMessageSink>();
  private connectOptions: ConnectOptions | null = null;
  private connectUrl: RtmpUrl | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private connectSettle: { resolve(result: ConnectResult): void; reject(error: CodedError): void } | null = null;
  private objectEncoding: 0 | 3 = 0;
  private closeError: CodedError | undefined;

  // RTMP 1.0 §5.4.3: the server's window obliges us to report the bytes received.
  private readonly acknowledgements = new AcknowledgementWindow();
  private announcedWindowAckSize: number | null = null;
  private ownSettingsSent = false;
  /** Transport writes so far (to tell whether a server read was answered). */
  private writeCount = 0;
  /** Acknowledgements left to send for reads before media flows (see nudgeDuringSetup). */
  private setupNudgesLeft = 32;
  private lastPeerBandwidthLimitType: number | null = null;
  /** The opt-in codecs this connection was created with. */
  readonly codecs: SessionCodecs;
  /** AMF codec options of every command and data message: the AMF3 codec when enabled. */
  private readonly amfOptions: AmfDecodeOptions & AmfEncodeOptions;

  /**
   * `options.codecs` enables AMF3 and shared objects (`fullCodecs`, or `amf3Codec` and
   * `sharedObjectCodec` one by one); without them this is an AMF0 client (see SessionCodecs).
   */
  constructor(options: NetConnectionOptions = {}) {
    super();
    this.writer = new ChunkWriter({});
    this.codecs = options.codecs ?? {};
    this.amfOptions = this.codecs.amf3 ? { amf3: this.codecs.amf3 } : {};
  }

  /** Current protocol state; 'connected' once connect's `_result` arrived. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  /** Bytes received so far, handshake included (what Acknowledgements report, before the u32 wrap). */
  get bytesReceived(): number {
    return this.acknowledgements.bytesReceived;
  }

  /** The server's Window Acknowledgement Size, once it sent one. */
  get windowAckSize(): number | null {
    return this.acknowledgements.windowSize;
  }

  /** AMF encoding used for commands after connect (what the server confirmed). */
  get encoding(): 0 | 3 {
    return this.objectEncoding;
  }

  get url(): RtmpUrl | null {
    return this.connectUrl;
  }

  /**
   * Handshakes, sends `connect` and resolves with connect's `_result`. Rejects with
   * SESSION_CONNECT_REJECTED / SESSION_INVALID_APP / SESSION_CONNECT_FAILED (the server said no),
   * SESSION_CONNECT_TIMEOUT, TRANSPORT_CLOSED (the server hung up first, as nginx-rtmp does for an
   * unknown app) or any fatal handshake/chunk error. On rejection the connection is closed.
   */
  connect(url: string | RtmpUrl, options: ConnectOptions): Promise<ConnectResult> {
    if (this.state !== 'idle') {
      return Promise.reject(sessionError('SESSION_INVALID_STATE', `connect() called in state ${this.state}; a NetConnection connects once`, {}, { fatal: false }));
    }
    if (options.objectEncoding === 3 && !this.codecs.amf3) {
      // Refused before the transport is touched: the caller still owns it, nothing was sent.
      return Promise.reject(notEnabled('amf3', 'connect with objectEncoding 3', { objectEncoding: 3 }, false));
    }
    let parsed: RtmpUrl;
    try {
      parsed = typeof url === 'string' ? parseRtmpUrl(url) : url;
    } catch (error) {
      return Promise.reject(error as CodedError);
    }
    this.connectUrl = parsed;
    this.connectOptions = options;
    this.tap = options.tap;
    if (options.now) this.now = options.now;
    this.objectEncoding = options.objectEncoding ?? 0;
    this.transport = options.transport;
    // Both chunk codecs report chunks and whole messages to the tap themselves (incoming
    // messages before we dispatch them, outgoing ones as they are chunked).
    const tapOptions = this.tap ? { tap: this.tap, now: this.now } : {};
    this.reader = new ChunkReader({ ...(options.maxMessageSize ? { maxMessageSize: options.maxMessageSize } : {}), ...tapOptions });
    this.writer = new ChunkWriter(tapOptions);
    this.state = 'handshaking';

    const promise = new Promise<ConnectResult>((resolve, reject) => {
      this.connectSettle = { resolve, reject };
    });
    // Callers that never await the promise must not see an unhandled rejection.
    promise.catch(() => undefined);

    const timeoutMs = options.timeoutMs ?? 15_000;
    if (timeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        this.teardown(sessionError('SESSION_CONNECT_TIMEOUT', `no answer to connect within ${timeoutMs} ms (state ${this.state})`, { timeoutMs, state: this.state }));
      }, timeoutMs);
    }

    const transport = options.transport;
    transport.onData = (bytes) => this.receive(bytes);
    transport.onClose = (error) => {
      this.teardown(
        error ??
          sessionError(
            'TRANSPORT_CLOSED',
            this.state === 'connecting'
              ? 'the server closed the connection before answering connect (nginx-rtmp does this for an unknown application)'
              : this.state === 'handshaking'
                ? 'the server closed the connection during the handshake'
                : 'the server closed the connection',
            { state: this.state },
          ),
        false,
      );
    };

    this.handshake = new ClientHandshake({ kind: options.handshake ?? 'digest', now: this.now, ...(this.tap ? { tap: this.tap } : {}) });
    this.handshake
      .start()
      .then((c0c1) => {
        if (this.state !== 'handshaking') return;
        this.transport?.send(c0c1);
        void this.drainHandshake();
      })
      .catch((error: unknown) => this.teardown(asCodedError(error, 'HANDSHAKE_FAILED')));
    return promise;
  }

  /**
   * Calls a server method (RTMP 1.0 §7.2.1.2) and resolves with the arguments of its `_result`
   * (everything after the command object). Rejects with SESSION_CALL_FAILED on `_error`.
   */
  async call(name: string, ...args: AmfValue[]): Promise<AmfValue[]> {
    const command = await this.invoke(name, null, args, 0);
    return command.args;
  }

  /** Like `call`, resolving with the whole decoded `_result` (command object included). */
  invoke(name: string, commandObject: AmfValue, args: AmfValue[], streamId: number): Promise<RtmpCommand> {
    if (this.state !== 'connected') {
      return Promise.reject(sessionError('SESSION_NOT_CONNECTED', `cannot call ${name}: the connection is ${this.state}`, { name, state: this.state }, { fatal: false }));
    }
    const [transactionId, promise] = this.expectAnswer(name);
    this.sendCommand({ name, transactionId, commandObject, args }, streamId);
    return promise;
  }

  /** Sends a command that expects no answer (transaction id 0), e.g. play, pause, deleteStream. */
  send(name: string, commandObject: AmfValue, args: AmfValue[], streamId = 0): void {
    if (this.state !== 'connected') {
      throw sessionError('SESSION_NOT_CONNECTED', `cannot send ${name}: the connection is ${this.state}`, { name, state: this.state }, { fatal: false });
    }
    this.sendCommand({ name, transactionId: 0, commandObject, args }, streamId);
  }

  /**
   * Registers the handler for a server-to-client call (`onBWCheck`, application methods...).
   * Returns this for chaining; a second registration for the same name replaces the first.
   */
  handle(name: string, handler: CallHandler): this {
    this.handlers.set(name, handler);
    return this;
  }

  /**
   * `createStream` (RTMP 1.0 §7.2.1.3): a NetStream bound to the message stream id the server assigned.
   *
   * May be called right after `connect()`, without waiting for it: the request is then pipelined
   * (written in the same write as C2 + connect, or at once when connect is already out) and
   * matched to its `_result` by transaction id. Servers handle a connection's commands in order,
   * so connect is processed first (nginx-rtmp, node-media-server, FFmpeg's listen mode and our
   * demo source do); this saves one round trip before `play`. A pipelined request is always AMF0
   * (the encoding is not negotiated yet) and rejects with the connect error if connect fails.
   */
  async createStream(): Promise<NetStream> {
    const result = await (this.state === 'handshaking' || this.state === 'connecting' ? this.invokeBeforeConnected('createStream') : this.invoke('createStream', null, [], 0));
    return new NetStream(this, this.assignedStreamId(result));
  }

  /**
   * `createStream` and `play` in one write, without waiting for createStream's `_result`: one
   * round trip less before the first media message (the player's fast start). The play goes out
   * on the stream id the server is expected to assign, `expectedStreamId` (default 1): the first
   * createStream of a connection gets 1 from nginx-rtmp, node-media-server, FFmpeg's listen mode,
   * SRS and Wowza alike. Like `createStream`, it may be called right after `connect()`; all of it
   * then follows connect in the same write (servers handle a connection's commands in order).
   *
   * When the server assigns another id, the early play is abandoned (that stream id is not
   * listened to any more) and play is sent again on the assigned id: the round trip saved is
   * spent again, nothing else. Resolves with the NetStream once its id is confirmed; its
   * `waitForPlayStart()` resolves at NetStream.Play.Start. Rejects like `createStream`.
   *
   * The server's answer to play can arrive in the same read as createStream's `_result`, before
   * this promise settles: listen to the stream in `onStream`, which is called synchronously with
   * every NetStream the play goes out on (the early one at once, a replacement if any).
   */
  async createStreamAndPlay(name: string, options: PipelinedPlayOptions = {}): Promise<NetStream> {
    const expected = options.expectedStreamId ?? 1;
    const canPipeline = this.state === 'handshaking' || this.state === 'connecting' || this.state === 'connected';
    if (!canPipeline || this.streams.has(expected)) {
      const stream = await this.createStream();
      options.onStream?.(stream);
      void stream.play(name, options);
      return stream;
    }
    const early = new NetStream(this, expected);
    options.onStream?.(early);
    const { command: play, control } = early.beginPlay(name, options);
    const [transactionId, created] = this.expectAnswer('createStream');
    // Before connect's _result the object encoding is not negotiated yet: AMF0, as for connect.
    const encoding = this.state === 'connected' ? this.objectEncoding : 0;
    const messages: RtmpMessage[] = [
      this.commandMessage({ name: 'createStream', transactionId, commandObject: null, args: [] }, 0, encoding),
      this.commandMessage(play, expected, encoding),
      controlMessage(MSG_USER_CONTROL, control),
    ];
    if (this.state === 'handshaking') this.callsAwaitingConnect.push(...messages);
    else this.sendMessages(messages);

    let streamId: number;
    try {
      streamId = this.assignedStreamId(await created, early);
    } catch (error) {
      early.abandon(error as CodedError);
      throw error;
    }
    if (streamId === expected) return early;
    early.abandon(
      sessionError('STREAM_PLAY_FAILED', `the server assigned stream id ${streamId}, not ${expected}: play is sent again on stream ${streamId}`, { streamId: expected, assigned: streamId }, { fatal: false }),
    );
    const stream = new NetStream(this, streamId);
    options.onStream?.(stream);
    void stream.play(name, options);
    return stream;
  }

  /** The stream id in createStream's `_result`, checked: a positive integer no other open NetStream uses. */
  private assignedStreamId(result: RtmpCommand, awaiting?: StreamMessageSink): number {
    const streamId = result.args[0];
    if (typeof streamId !== 'number' || !Number.isInteger(streamId) || streamId < 1) {
      throw sessionError('SESSION_UNEXPECTED_RESPONSE', `createStream answered with ${JSON.stringify(streamId)} instead of a stream id`, { value: String(streamId) }, { fatal: false });
    }
    const holder = this.streams.get(streamId);
    if (holder !== undefined && holder !== awaiting) {
      // nginx-rtmp answers every createStream with stream id 1: one stream per connection.
      throw sessionError(
        'SESSION_STREAM_ID_IN_USE',
        `createStream answered with stream id ${streamId}, which an open NetStream already uses (the server supports one stream per connection; delete the other first)`,
        { streamId },
        { fatal: false },
      );
    }
    return streamId;
  }

  /** Closes the connection (idempotent). Pending calls and plays reject with SESSION_CLOSED. */
  close(): void {
    if (this.state === 'closed') return;
    this.teardown(undefined, true);
  }

  // ---- used by NetStream ----

  /** @internal Routes the messages of one message stream id to a NetStream. */
  attachStream(streamId: number, sink: StreamMessageSink): void {
    this.streams.set(streamId, sink);
  }

  /** @internal */
  detachStream(streamId: number): void {
    this.streams.delete(streamId);
  }

  /** @internal Sends User Control messages (csid 2, stream 0, RTMP 1.0 §6.2). */
  sendUserControl(payload: Uint8Array): void {
    this.sendMessages([controlMessage(MSG_USER_CONTROL, payload)]);
  }

  /** @internal A command plus a control message in one write (play + SetBufferLength). */
  sendCommandWithControl(command: CommandInit, streamId: number, control: Uint8Array | null): void {
    if (this.state !== 'connected') {
      throw sessionError('SESSION_NOT_CONNECTED', `cannot send ${command.name}: the connection is ${this.state}`, { name: command.name, state: this.state }, { fatal: false });
    }
    const messages: RtmpMessage[] = [this.commandMessage(command, streamId)];
    if (control) messages.push(controlMessage(MSG_USER_CONTROL, control));
    this.sendMessages(messages);
  }

  // ---- inbound ----

  private receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.acknowledgements.received(bytes.byteLength);
    if (this.state === 'handshaking') {
      this.pendingInbound.push(bytes);
      void this.drainHandshake();
      return;
    }
    this.pushChunkBytes(bytes);
  }

  /**
   * The handshake API is asynchronous (promises), so bytes that arrive while it runs wait
   * in order in `pendingInbound`; whatever follows S2 goes to the chunk reader.
   */
  private async drainHandshake(): Promise<void> {
    if (this.handshakeRunning || !this.handshake) return;
    this.handshakeRunning = true;
    try {
      while (this.state === 'handshaking' && this.pendingInbound.length > 0) {
        const bytes = this.pendingInbound.shift()!;
        const step = await this.handshake.push(bytes);
        if ((this.state as ConnectionState) === 'closed') return;
        if (step.status === 'done') {
          this.handshakeResult = step.result;
          this.state = 'connecting';
          this.sendConnect(step.c2);
          const rest = [step.remainder, ...this.pendingInbound.splice(0)];
          for (const run of rest) {
            if (run.byteLength > 0) this.pushChunkBytes(run);
            if ((this.state as ConnectionState) === 'closed') return;
          }
        }
      }
    } catch (error) {
      this.teardown(asCodedError(error, 'HANDSHAKE_FAILED'));
    } finally {
      this.handshakeRunning = false;
    }
  }

  private pushChunkBytes(bytes: Uint8Array): void {
    const writesBefore = this.writeCount;
    let messages: RtmpMessage[];
    try {
      messages = this.reader!.push(bytes);
    } catch (error) {
      this.teardown(asCodedError(error, 'MESSAGE_MALFORMED'));
      return;
    }
    for (const message of messages) {
      this.dispatch(message);
      if (this.state === 'closed') return;
    }
    if (this.state === 'connecting' && messages.length > 0) this.sendOwnSettings();
    this.acknowledgeIfWindowReached();
    if (messages.length > 0) this.nudgeDuringSetup(messages, writesBefore);
  }

  /**
   * Until media flows, answer every server read that we did not otherwise answer with our
   * Window Acknowledgement Size again (RTMP 1.0 §5.4.4; the same value, so it changes nothing;
   * an Acknowledgement would be read as a window report). Why: nginx-rtmp and node-media-server write each
   * message of their answers to connect and play separately with Nagle's algorithm on, so each
   * write after the first waits for the TCP acknowledgement of the previous one, and our side
   * delays that by ~40 ms when it has nothing to send. Data of ours carries the acknowledgement
   * at once; measured against both servers, this removes 40-50 ms stalls between connect's
   * messages and again between StreamBegin and Play.Start. Bounded, and off once media arrives
   * (media then comes in long bursts, and steady-state acks are the window's business).
   */
  private nudgeDuringSetup(messages: RtmpMessage[], writesBefore: number): void {
    if (this.setupNudgesLeft <= 0) return;
    if (messages.some((m) => m.type === MSG_AUDIO || m.type === MSG_VIDEO)) {
      this.setupNudgesLeft = 0;
      return;
    }
    if (this.writeCount !== writesBefore || (this.state !== 'connecting' && this.state !== 'connected')) return;
    this.setupNudgesLeft--;
    const windowSize = this.announcedWindowAckSize ?? this.connectOptions?.windowAckSize ?? DEFAULT_WINDOW_ACK_SIZE;
    this.announcedWindowAckSize = windowSize;
    this.sendMessages([controlMessage(MSG_WINDOW_ACK_SIZE, encodeWindowAckSize(windowSize))]);
  }

  /** RTMP 1.0 §5.4.3: once a window's worth of bytes arrived since the last report, send the running total. */
  private acknowledgeIfWindowReached(): void {
    const sequenceNumber = this.acknowledgements.takeDueAcknowledgement();
    if (sequenceNumber === null) return;
    this.sendMessages([
      controlMessage(MSG_ACKNOWLEDGEMENT, encodeAcknowledgement(sequenceNumber)),
    ]);
  }

  private dispatch(message: RtmpMessage): void {
    try {
      switch (message.type) {
        case MSG_SET_CHUNK_SIZE:
        case MSG_ABORT:
        case MSG_ACKNOWLEDGEMENT:
          // The chunk reader already applied Set Chunk Size and Abort; the server's acks need no answer.
          return;
        case MSG_WINDOW_ACK_SIZE:
        case MSG_SET_PEER_BANDWIDTH:
          this.handleWindowMessage(message);
          return;
        case MSG_USER_CONTROL:
          this.handleUserControl(message);
          return;
        case MSG_COMMAND_AMF0:
        case MSG_COMMAND_AMF3:
          this.handleCommand(this.decodeWith(message, 'command', decodeCommand), message.streamId, message.timestamp);
          return;
        case MSG_DATA_AMF0:
        case MSG_DATA_AMF3:
        case MSG_AUDIO:
        case MSG_VIDEO:
          this.routeToStream(message);
          return;
        case MSG_SHARED_OBJECT_AMF0:
        case MSG_SHARED_OBJECT_AMF3: {
          const decoded = this.decodeWith(message, 'shared object message', this.codecs.sharedObjects?.decode);
          this.emit('sharedObject', { ...decoded, streamId: message.streamId, timestamp: message.timestamp });
          if (message.streamId !== 0) this.streams.get(message.streamId)?.handleMessage(message);
          return;
        }
        case MSG_AGGREGATE:
          // RTMP 1.0 §7.1.6: the sub-messages are dispatched as if they had arrived one by one.
          for (const sub of unpackAggregate(message)) this.dispatch(sub);
          return;
        default:
          return;
      }
    } catch (error) {
      // A message that cannot be decoded is reported and skipped: the chunk stream itself is intact.
      // A command that needs AMF3 we were not given is the exception (see decodeWith).
      const coded = asCodedError(error, 'MESSAGE_MALFORMED', false);
      if (coded.code === 'SESSION_AMF3_NOT_ENABLED' && coded.fatal) this.teardown(coded);
      else this.emit('error', coded);
    }
  }

  /**
   * @internal Decodes a command, data or shared object message with the enabled codecs (`decode`
   * undefined: the shared-object codec is not enabled, SESSION_SHARED_OBJECTS_NOT_ENABLED). AMF3
   * without its codec (types 15/16/17 as a whole, or an AVM+ switch inside) is
   * SESSION_AMF3_NOT_ENABLED: fatal for a command, which may be the answer a call, play or connect
   * itself waits for; non-fatal for data and shared objects, like any undecodable data.
   */
  decodeWith<T>(message: RtmpMessage, what: string, decode: ((message: RtmpMessage, options: AmfDecodeOptions) => T) | undefined): T {
    const { type, streamId } = message;
    const details = { type, streamId };
    const fatal = what === 'command';
    if (!decode) throw notEnabled('sharedObjects', `${what} (type ${type})`, details, false);
    if (!this.codecs.amf3 && (type === MSG_COMMAND_AMF3 || type === MSG_DATA_AMF3 || type === MSG_SHARED_OBJECT_AMF3)) {
      throw notEnabled('amf3', `AMF3 ${what} (type ${type})`, details, fatal);
    }
    try {
      return decode(message, this.amfOptions);
    } catch (error) {
      // decoding() wraps the AmfError in MESSAGE_MALFORMED and names its code.
      if ((error as CodedError).details?.causeCode === 'AMF_AMF3_NOT_ENABLED') throw notEnabled('amf3', `${what} (type ${type}) with an AVM+ switch (0x11)`, details, fatal, error);
      throw error;
    }
  }

  private routeToStream(message: RtmpMessage): void {
    // node-media-server v4 sends a player's audio, video and data on message stream 0, where
    // RTMP 1.0 §7.1 puts no media at all. With exactly one stream open there is no doubt whose it is.
    const stream = this.streams.get(message.streamId) ?? (message.streamId === 0 && this.streams.size === 1 ? this.streams.values().next().value : undefined);
    if (stream) {
      stream.handleMessage(message);
      return;
    }
    if (message.type === MSG_DATA_AMF0 || message.type === MSG_DATA_AMF3) {
      const data = this.decodeWith(message, 'data message', decodeDataMessage);
      this.emit('data', { name: data.name, args: data.args, timestamp: message.timestamp, streamId: message.streamId });
    }
  }

  private handleWindowMessage(message: RtmpMessage): void {
    const control = decodeProtocolControl(message);
    if (control.kind === 'WindowAckSize') {
      this.acknowledgements.setWindowSize(control.windowSize);
      return;
    }
    if (control.kind === 'SetPeerBandwidth') {
      // RTMP 1.0 §5.4.5: answer with our Window Ack Size when it differs from the last one sent.
      // A dynamic limit (2) counts as hard only when the previous limit was hard; otherwise ignore it.
      const limitType = control.limitType;
      if (limitType === 2 && this.lastPeerBandwidthLimitType !== 0) return;
      this.lastPeerBandwidthLimitType = limitType === 2 ? 0 : limitType;
      if (this.announcedWindowAckSize !== control.windowSize) {
        this.announcedWindowAckSize = control.windowSize;
        this.sendMessages([
          controlMessage(MSG_WINDOW_ACK_SIZE, encodeWindowAckSize(control.windowSize)),
        ]);
      }
    }
  }

  private handleUserControl(message: RtmpMessage): void {
    const event = decodeUserControl(message.payload);
    switch (event.event) {
      case 'PingRequest': {
        const timestamp = event.timestamp ?? 0;
        this.sendUserControl(encodeUserControl({ event: 'PingResponse', timestamp }));
        this.emit('ping', { timestamp });
        return;
      }
      case 'StreamBegin':
      case 'StreamEOF':
      case 'StreamDry':
      case 'StreamIsRecorded': {
        const streamId = event.streamId ?? 0;
        const name = (event.event.charAt(0).toLowerCase() + event.event.slice(1)) as 'streamBegin' | 'streamEOF' | 'streamDry' | 'streamIsRecorded';
        this.emit(name, { streamId });
        this.streams.get(streamId)?.handleControl(name);
        return;
      }
      case 'BufferEmpty':
      case 'BufferReady': {
        const streamId = event.streamId ?? 0;
        this.streams.get(streamId)?.handleControl(event.event === 'BufferEmpty' ? 'bufferEmpty' : 'bufferReady');
        return;
      }
      default:
        return;
    }
  }

  private handleCommand(command: RtmpCommand, streamId: number, timestamp: number): void {
    if (command.name === '_result' || command.name === '_error') {
      this.settleCall(command);
      return;
    }
    let stream = streamId === 0 ? undefined : this.streams.get(streamId);
    if (!stream && streamId === 0 && command.name === 'onStatus' && this.streams.size === 1) {
      // Tolerance: a NetStream.* status sent on stream 0 while exactly one stream exists belongs to it.
      const info = toStatusInfo(command.args[0]);
      if (info.code.startsWith('NetStream.')) stream = this.streams.values().next().value;
    }
    if (stream) {
      stream.handleCommand(command, timestamp);
      return;
    }
    if (command.name === 'onStatus' && streamId === 0) {
      this.handleConnectionStatus(toStatusInfo(command.args[0]));
      return;
    }
    const handler = this.handlers.get(command.name);
    if (handler) {
      this.runHandler(handler, command, streamId);
      return;
    }
    if (command.name === 'onBWDone') {
      // The bandwidth-check dance of FMS/Wowza/FFmpeg: answer with _checkbw, as Flash and FFmpeg do.
      if (this.state === 'connected' || this.state === 'connecting') this.sendInternalCall('_checkbw', null, []);
      return;
    }
    if (command.name === 'close') {
      this.teardown(sessionError('SESSION_CLOSED', 'the server asked to close the connection', { command: 'close' }), true);
      return;
    }
    this.emit('command', { command, streamId });
  }

  private handleConnectionStatus(info: NetConnectionStatus): void {
    if (this.state === 'connecting' && info.level === 'error') {
      this.teardown(connectError(info), true);
      return;
    }
    this.emit('status', info);
  }

  private settleCall(command: RtmpCommand): void {
    if (command.transactionId === CONNECT_TRANSACTION_ID && this.state === 'connecting') {
      this.settleConnect(command);
      return;
    }
    const pending = this.pendingCalls.get(command.transactionId);
    if (!pending) return;
    this.pendingCalls.delete(command.transactionId);
    if (command.name === '_result') {
      pending.resolve(command);
      return;
    }
    const info = toStatusInfo(command.args[0]);
    pending.reject(
      sessionError('SESSION_CALL_FAILED', `${pending.name} failed: ${info.code || 'no code'}${info.description ? ` (${info.description})` : ''}`, { name: pending.name, info: info.raw }, { fatal: false }),
    );
  }

  private settleConnect(command: RtmpCommand): void {
    const info = toStatusInfo(command.args[0]);
    if (command.name === '_error' || info.level === 'error') {
      this.teardown(connectError(info), true);
      return;
    }
    this.clearConnectTimer();
    this.state = 'connected';
    const confirmed = info.raw.objectEncoding;
    // A server that confirms 3 when we asked for 0 is not followed into AMF3 we cannot write.
    if (confirmed === 0 || (confirmed === 3 && this.codecs.amf3)) this.objectEncoding = confirmed;
    this.sendOwnSettings();
    const settle = this.connectSettle;
    this.connectSettle = null;
    settle?.resolve({ info, properties: command.commandObject, handshake: this.handshakeResult!, url: this.connectUrl! });
  }

  /**
   * Our own direction: announce a window and a larger chunk size so commands are not split into
   * 128-byte chunks (RTMP 1.0 §5.4.1, §5.4.4), in one write, once. Sent at the first server read
   * after connect rather than at connect's `_result`: nginx-rtmp and node-media-server write each
   * message of their connect answer separately with Nagle's algorithm on, so everything after
   * their first write (Window Ack Size) waits for the TCP acknowledgement of it, which our side
   * delays by ~40 ms when it has nothing to send. Answering that first read with these messages
   * carries the acknowledgement at once (measured: connect's _result 40-50 ms sooner).
   */
  private sendOwnSettings(): void {
    if (this.ownSettingsSent) return;
    this.ownSettingsSent = true;
    const options = this.connectOptions!;
    const messages: RtmpMessage[] = [];
    if (this.announcedWindowAckSize === null) {
      this.announcedWindowAckSize = options.windowAckSize ?? DEFAULT_WINDOW_ACK_SIZE;
      messages.push(controlMessage(MSG_WINDOW_ACK_SIZE, encodeWindowAckSize(this.announcedWindowAckSize)));
    }
    messages.push(controlMessage(MSG_SET_CHUNK_SIZE, encodeSetChunkSize(options.outgoingChunkSize ?? DEFAULT_OUTGOING_CHUNK_SIZE)));
    this.sendMessages(messages);
  }

  private runHandler(handler: CallHandler, command: RtmpCommand, streamId: number): void {
    const reply = (name: '_result' | '_error', value: AmfValue): void => {
      if (command.transactionId === 0 || this.state !== 'connected') return;
      this.sendCommand({ name, transactionId: command.transactionId, commandObject: null, args: [value] }, streamId);
    };
    const fail = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      this.emit('error', sessionError('SESSION_CALL_FAILED', `handler for ${command.name} threw: ${message}`, { name: command.name }, { fatal: false, cause: error }));
      reply('_error', { level: 'error', code: 'NetConnection.Call.Failed', description: message });
    };
    let result: ReturnType<CallHandler>;
    try {
      result = handler(command.args, command);
    } catch (error) {
      fail(error);
      return;
    }
    // A plain value is answered at once (replies keep the order of the calls); a promise when it settles.
    if (isThenable(result)) result.then((value) => reply('_result', value ?? null), fail);
    else reply('_result', result ?? null);
  }

  // ---- outbound ----

  private sendConnect(c2: Uint8Array): void {
    const options = this.connectOptions!;
    const url = this.connectUrl!;
    // RTMP 1.0 §7.2.1.1. The codec masks are FFmpeg's: every audio codec bit (0x0FFF minus
    // the never-used bit 3 -> 4071) and the video bits Flash 9 advertised (252).
    const commandObject: Record<string, AmfValue> = {
      app: url.app,
      flashVer: options.flashVer ?? DEFAULT_FLASH_VERSION,
      tcUrl: url.tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
    };
    if (options.swfUrl !== undefined) commandObject.swfUrl = options.swfUrl;
    if (options.pageUrl !== undefined) commandObject.pageUrl = options.pageUrl;
    commandObject.objectEncoding = options.objectEncoding ?? 0;
    Object.assign(commandObject, options.properties ?? {});
    // connect itself is always AMF0 (type 20): the encoding is only being negotiated.
    const connect = this.commandMessage({ name: 'connect', transactionId: CONNECT_TRANSACTION_ID, commandObject, args: options.connectArgs ?? [] }, 0, 0);
    // C2 and connect leave in one write (RTMP-NOTES, Handshake): one round trip saved, and it is what Flash and FFmpeg do.
    // Calls made during the handshake (a pipelined createStream) follow connect in the same write.
    this.sendMessages([connect, ...this.callsAwaitingConnect.splice(0)], c2);
  }

  /** A call sent before connect's `_result` (see createStream): queued behind connect, or written now if connect is out. */
  private invokeBeforeConnected(name: string): Promise<RtmpCommand> {
    const [transactionId, promise] = this.expectAnswer(name);
    const message = this.commandMessage({ name, transactionId, commandObject: null, args: [] }, 0, 0);
    if (this.state === 'handshaking') this.callsAwaitingConnect.push(message);
    else this.sendMessages([message]);
    return promise;
  }

  /** A new transaction id, and the promise its `_result` resolves (its `_error` rejects). */
  private expectAnswer(name: string): [number, Promise<RtmpCommand>] {
    const transactionId = this.nextTransactionId++;
    return [transactionId, new Promise<RtmpCommand>((resolve, reject) => this.pendingCalls.set(transactionId, { name, resolve, reject }))];
  }

  private sendInternalCall(name: string, commandObject: AmfValue, args: AmfValue[]): void {
    const transactionId = this.nextTransactionId++;
    // Nobody waits for the answer; remember the transaction so its _result/_error is consumed quietly.
    this.pendingCalls.set(transactionId, { name, resolve: () => undefined, reject: () => undefined });
    this.sendCommand({ name, transactionId, commandObject, args }, 0);
  }

  private sendCommand(command: CommandInit, streamId: number): void {
    this.sendMessages([this.commandMessage(command, streamId)]);
  }

  private commandMessage(command: CommandInit, streamId: number, encoding: 0 | 3 = this.objectEncoding): RtmpMessage {
    return {
      type: encoding === 3 ? MSG_COMMAND_AMF3 : MSG_COMMAND_AMF0,
      streamId,
      timestamp: 0,
      payload: encodeCommand(command, encoding, this.amfOptions),
      csid: streamId === 0 ? ChunkStreamId.Command : ChunkStreamId.StreamCommand,
    };
  }

  /** Chunks messages and hands them to the transport in ONE send (optionally after raw bytes such as C2). */
  private sendMessages(messages: RtmpMessage[], prefix?: Uint8Array): void {
    const transport = this.transport;
    if (!transport || this.state === 'closed') return;
    this.writeCount++;
    const parts: Uint8Array[] = prefix ? [prefix] : [];
    for (const message of messages) {
      parts.push(this.writer.write(message));
    }
    transport.send(parts.length === 1 ? parts[0]! : concatBytes(parts));
  }

  // ---- teardown ----

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
  }

  /**
   * Ends the connection once: closes the transport, rejects everything pending and tells the
   * streams. `error` undefined means a deliberate local close.
   */
  private teardown(error: CodedError | undefined, closeTransport = true): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeError = error;
    this.clearConnectTimer();
    const transport = this.transport;
    if (transport) {
      transport.onData = null;
      transport.onClose = null;
      if (closeTransport) transport.close(error ? error.code : 'closed');
    }
    const reason = error ?? sessionError('SESSION_CLOSED', 'the connection was closed', {}, { fatal: false });
    const settle = this.connectSettle;
    this.connectSettle = null;
    settle?.reject(reason);
    for (const pending of this.pendingCalls.values()) pending.reject(reason);
    this.pendingCalls.clear();
    this.callsAwaitingConnect.length = 0;
    for (const stream of [...this.streams.values()]) stream.handleClose(reason);
    this.streams.clear();
    this.emit('close', error ? { error } : {});
  }

  /** Why the connection closed (undefined while open or after a local close). */
  get closeReason(): CodedError | undefined {
    return this.closeError;
  }
}


/** The session's error for a message or option that needs an opt-in codec it was not given: says what arrived and what to pass. */
function notEnabled(codec: 'amf3' | 'sharedObjects', what: string, details: Record<string, unknown>, fatal: boolean, cause?: unknown): RtmpError {
  return sessionError(
    codec === 'amf3' ? 'SESSION_AMF3_NOT_ENABLED' : 'SESSION_SHARED_OBJECTS_NOT_ENABLED',
    `${what} needs codecs.${codec} (or fullCodecs) in new NetConnection({ codecs })`,
    details,
    { fatal, cause },
  );
}

function connectError(info: NetConnectionStatus): RtmpError {
  const detail = `${info.code || 'no code'}${info.description ? `: ${info.description}` : ''}`;
  const details = { info: info.raw, statusCode: info.code };
  if (info.code === 'NetConnection.Connect.InvalidApp') return sessionError('SESSION_INVALID_APP', `the server does not know this application (${detail})`, details);
  if (info.code === 'NetConnection.Connect.Rejected') return sessionError('SESSION_CONNECT_REJECTED', `the server rejected the connection (${detail})`, details);
  return sessionError('SESSION_CONNECT_FAILED', `connect failed (${detail})`, details);
}

function asCodedError(error: unknown, fallbackCode: string, fatal = true): CodedError {
  if (error instanceof Error && 'code' in error && 'category' in error) return error as CodedError;
  const message = error instanceof Error ? error.message : String(error);
  return new RtmpError(fallbackCode, message, { cause: error, fatal });
}

function isThenable(value: unknown): value is PromiseLike<AmfValue | void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
