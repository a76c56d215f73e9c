/**
 * A small RTMP server for the session tests, built from the real protocol pieces
 * (ServerHandshake, ChunkReader, ChunkWriter, the message codecs): the client under test talks to
 * a peer that speaks bytes, not to mocks of our own classes. Each test scripts what the server
 * answers.
 */
import { amf3Codec } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import { concatBytes } from '@rtmp-web/bytes';
import { ServerHandshake } from '../../src/handshake';
import { ChunkReader, ChunkWriter } from '../../src/chunk';
import {
  decodeCommand,
  encodeCommand,
  encodeSetChunkSize,
  encodeSetPeerBandwidth,
  encodeUserControl,
  encodeWindowAckSize,
  decodeProtocolControl,
  decodeUserControl,
} from '../../src/messages';
import type { RtmpCommand, UserControlEventInit } from '../../src/messages';
import { MessageType } from '../../src/types';
import type { RtmpMessage } from '../../src/types';
import { createMemoryTransportPair } from '../../src/session/memory-transport';
import type { MemoryTransport } from '../../src/session/memory-transport';

/** The server reads whatever a client may send, AMF3 (type 17, AVM+ switches) included. */
const WITH_AMF3 = { amf3: amf3Codec };

export interface ScriptedServerOptions {
  /** Answer every client with an unsigned S1 (a server that only knows RTMP 1.0 §5.2). */
  unsignedS1?: boolean;
  /** Deliver every server write one byte at a time (the harshest split). */
  oneByteAtATime?: boolean;
}

export class ScriptedServer {
  /** The end the client uses. */
  readonly clientTransport: MemoryTransport;
  /** The server's own end. */
  readonly transport: MemoryTransport;
  /** Every message the client sent, in order. */
  readonly received: RtmpMessage[] = [];
  /** Total bytes the server has written (handshake included): what the client's acks must report. */
  bytesSent = 0;
  clientKind: 'simple' | 'digest' | null = null;
  clientDigestVerified: boolean | null = null;
  private readonly handshake: ServerHandshake;
  private readonly reader = new ChunkReader();
  private readonly writer = new ChunkWriter();
  private handshakeDone = false;
  private createStreamsAnswered = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly waiters: Array<{ predicate: (message: RtmpMessage) => boolean; resolve: (message: RtmpMessage) => void }> = [];

  constructor(private readonly options: ScriptedServerOptions = {}) {
    [this.clientTransport, this.transport] = createMemoryTransportPair({ recordSent: true });
    this.handshake = new ServerHandshake(options.unsignedS1 ? { layout: false } : {});
    this.transport.onData = (bytes) => {
      this.queue = this.queue.then(() => this.receive(bytes));
    };
  }

  /** Writes raw bytes to the client (counted for acknowledgements). */
  write(bytes: Uint8Array): void {
    this.bytesSent += bytes.byteLength;
    if (this.options.oneByteAtATime) {
      for (let i = 0; i < bytes.byteLength; i++) this.transport.send(bytes.subarray(i, i + 1));
    } else {
      this.transport.send(bytes);
    }
  }

  /** Chunks the messages and writes them in one write. */
  send(...messages: RtmpMessage[]): void {
    this.write(concatBytes(messages.map((message) => this.writer.write(message))));
  }

  command(name: string, transactionId: number, commandObject: AmfValue, args: AmfValue[], streamId = 0): RtmpMessage {
    return {
      type: MessageType.CommandAmf0,
      streamId,
      timestamp: 0,
      payload: encodeCommand({ name, transactionId, commandObject, args }, 0),
      csid: streamId === 0 ? 3 : 5,
    };
  }

  control(type: number, payload: Uint8Array): RtmpMessage {
    return { type, streamId: 0, timestamp: 0, payload, csid: 2 };
  }

  userControl(init: UserControlEventInit): RtmpMessage {
    return this.control(MessageType.UserControl, encodeUserControl(init));
  }

  onStatus(streamId: number, level: string, code: string, description: string): RtmpMessage {
    return this.command('onStatus', 0, null, [{ level, code, description }], streamId);
  }

  /** The next client message matching `predicate` (or one already received and not yet taken). */
  waitFor(predicate: (message: RtmpMessage) => boolean): Promise<RtmpMessage> {
    const existing = this.received.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** The next client command with this name. */
  async waitForCommand(name: string): Promise<{ message: RtmpMessage; command: RtmpCommand }> {
    const message = await this.waitFor((m) => isCommand(m) && decodeCommand(m, WITH_AMF3).name === name);
    return { message, command: decodeCommand(message, WITH_AMF3) };
  }

  /**
   * The client's writes after the handshake, each as the list of messages it carried (one
   * ChunkReader over all of them, since chunk headers refer back to earlier writes).
   */
  messagesPerClientWrite(): RtmpMessage[][] {
    const reader = new ChunkReader();
    const writes = this.clientTransport.sent.slice(1);
    // Copies: the reader owns (and may rewrite) what it is given, and this can be asked again.
    return writes.map((write, index) => reader.push((index === 0 ? write.subarray(1536) : write).slice()));
  }

  /** Commands the client sent, decoded. */
  commands(): RtmpCommand[] {
    return this.received.filter(isCommand).map((message) => decodeCommand(message, WITH_AMF3));
  }

  /** User control events the client sent, decoded. */
  userControls(): ReturnType<typeof decodeUserControl>[] {
    return this.received.filter((m) => m.type === MessageType.UserControl).map((m) => decodeUserControl(m.payload));
  }

  /** Protocol control messages of one type the client sent, decoded. */
  controls(type: number): ReturnType<typeof decodeProtocolControl>[] {
    return this.received.filter((m) => m.type === type).map((m) => decodeProtocolControl(m));
  }

  /**
   * The usual answer to connect (nginx-rtmp's order): Window Ack Size, Set Peer Bandwidth,
   * Set Chunk Size, StreamBegin 0, `_result` with NetConnection.Connect.Success.
   */
  async acceptConnect(
    options: { windowAckSize?: number; peerBandwidth?: number; peerBandwidthLimit?: 0 | 1 | 2; chunkSize?: number; objectEncoding?: 0 | 3 } = {},
  ): Promise<RtmpCommand> {
    const { command } = await this.waitForCommand('connect');
    this.send(
      this.control(MessageType.WindowAckSize, encodeWindowAckSize(options.windowAckSize ?? 5_000_000)),
      this.control(MessageType.SetPeerBandwidth, encodeSetPeerBandwidth(options.peerBandwidth ?? 5_000_000, options.peerBandwidthLimit ?? 2)),
      this.control(MessageType.SetChunkSize, encodeSetChunkSize(options.chunkSize ?? 4096)),
      this.userControl({ event: 'StreamBegin', streamId: 0 }),
      this.command('_result', command.transactionId, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, [
        { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: options.objectEncoding ?? 0 },
      ]),
    );
    return command;
  }

  /** Answers the next createStream (in order of arrival) with `streamId`. */
  async acceptCreateStream(streamId: number): Promise<void> {
    const index = this.createStreamsAnswered++;
    const isCreateStream = (m: RtmpMessage): boolean => isCommand(m) && decodeCommand(m, WITH_AMF3).name === 'createStream';
    const message = await this.waitFor((m) => isCreateStream(m) && this.received.filter(isCreateStream).indexOf(m) === index);
    this.send(this.command('_result', decodeCommand(message, WITH_AMF3).transactionId, null, [streamId]));
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    let rest = bytes;
    if (!this.handshakeDone) {
      const step = await this.handshake.push(bytes);
      if (step.send) this.write(step.send);
      if (step.status === 'need-more') return;
      this.handshakeDone = true;
      this.clientKind = step.clientKind;
      this.clientDigestVerified = step.clientDigestVerified;
      rest = step.remainder;
    }
    for (const message of this.reader.push(rest)) {
      this.received.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    }
  }
}

export function isCommand(message: RtmpMessage): boolean {
  return message.type === MessageType.CommandAmf0 || message.type === MessageType.CommandAmf3;
}

/** Lets queued microtasks and the memory transport's deliveries run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
