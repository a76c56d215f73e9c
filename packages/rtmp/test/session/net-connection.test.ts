import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, splitAtEveryBoundary } from '@rtmp-web/bytes';
import { amf3Codec } from '@rtmp-web/amf';
import type { CodedError } from '@rtmp-web/bytes';
import { ChunkReader } from '../../src/chunk';
import { decodeCommand, decodeProtocolControl, encodeCommand, encodeSharedObjectMessage, encodeWindowAckSize, packAggregate } from '../../src/messages';
import { MessageType } from '../../src/types';
import type { ChunkInfo, RtmpMessage } from '../../src/types';
import { NetConnection } from '../../src/session/net-connection';
import { createMemoryTransportPair } from '../../src/session/memory-transport';
import type { ConnectOptions } from '../../src/session/net-connection';
import { fullCodecs, sharedObjectCodec } from '../../src/session/codecs';
import type { SessionCodecs } from '../../src/session/codecs';
import type { MediaMessageEvent } from '../../src/session/net-stream';
import { RtmpError } from '../../src/errors';
import { ScriptedServer, settle } from './scripted-server';

const URL = 'rtmp://127.0.0.1:1935/live/cam1';

function connect(
  server: ScriptedServer,
  extra: Partial<ConnectOptions> = {},
  codecs?: SessionCodecs,
): { nc: NetConnection; promise: ReturnType<NetConnection['connect']> } {
  const nc = new NetConnection(codecs ? { codecs } : {});
  const promise = nc.connect(URL, { transport: server.clientTransport, timeoutMs: 5000, ...extra });
  return { nc, promise };
}

async function connected(server: ScriptedServer, extra: Partial<ConnectOptions> = {}, codecs?: SessionCodecs): Promise<NetConnection> {
  const { nc, promise } = connect(server, extra, codecs);
  await server.acceptConnect();
  await promise;
  return nc;
}

async function rejection(promise: Promise<unknown>): Promise<RtmpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RtmpError);
    return error as RtmpError;
  }
  throw new Error('expected a rejection');
}

// A minimal AVC sequence header body (FLV VIDEODATA: keyframe + AVC, packet type 0) and one
// coded frame; AAC sequence header and raw frame.
const AVC_CONFIG = fromHex(`
  17 00 000000            # keyframe + AVC, AVCPacketType 0 (sequence header), composition time 0
  01 64 00 1e ff e1       # AVCDecoderConfigurationRecord v1, High, level 3.0, 4-byte NALU lengths, 1 SPS
  0019 6764001eacb405017fcb80880000030008000003019478b175  # SPS (x264, 640x360)
  01 0004 68ef0fcb        # 1 PPS
  fdf8f800                # High-profile extension: chroma 4:2:0, 8-bit, 0 SPS ext
`);
const AVC_KEYFRAME = fromHex('17 01 000000 00000005 6588840021'); // keyframe NALU, cts 0
const AVC_INTERFRAME = fromHex('27 01 000028 00000004 419a2438'); // inter frame, cts 40
const AAC_CONFIG = fromHex('af 00 1210 56e500'); // AAC, sequence header, AudioSpecificConfig LC 44.1 kHz stereo (+ SBR sync extension as ffmpeg writes it)
const AAC_FRAME = fromHex('af 01 21 10 04 60 8c 1c');

describe('NetConnection.connect', () => {
  it('handshakes (digest), sends connect with the URL split, and resolves with the _result', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const connect1 = await server.acceptConnect();
    const result = await promise;

    expect(result.info.code).toBe('NetConnection.Connect.Success');
    expect(result.info.level).toBe('status');
    expect(result.info.description).toBe('Connection succeeded.');
    expect(result.properties).toEqual({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 });
    expect(result.handshake.kind).toBe('digest');
    expect(result.handshake.serverDigestVerified).toBe(true);
    expect(result.handshake.serverVersion).toBe('4.0.0.1');
    expect(server.clientKind).toBe('digest');
    expect(server.clientDigestVerified).toBe(true);
    expect(nc.isConnected).toBe(true);

    expect(connect1.transactionId).toBe(1);
    expect(connect1.commandObject).toEqual({
      app: 'live',
      flashVer: 'LNX 9,0,124,2',
      tcUrl: 'rtmp://127.0.0.1:1935/live',
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
      objectEncoding: 0,
    });
    nc.close();
  });

  it('offers the simple handshake when asked, and reports an unsigned S1 as not verified', async () => {
    const server = new ScriptedServer({ unsignedS1: true });
    const { promise } = connect(server, { handshake: 'simple' });
    await server.acceptConnect();
    const result = await promise;
    expect(result.handshake.kind).toBe('simple');
    expect(result.handshake.serverDigestVerified).toBe(false);
    expect(server.clientKind).toBe('simple');
  });

  it('a digest client facing a server that answers the simple way: serverDigestVerified false, still connected', async () => {
    const server = new ScriptedServer({ unsignedS1: true });
    const { promise } = connect(server);
    await server.acceptConnect();
    const result = await promise;
    expect(result.handshake.kind).toBe('digest');
    expect(result.handshake.serverDigestVerified).toBe(false);
  });

  it('sends C2 and connect in ONE transport.send', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    await server.acceptConnect();
    await promise;
    const sent = server.clientTransport.sent;
    expect(sent[0]!.byteLength).toBe(1537); // C0 + C1
    const second = sent[1]!;
    expect(second.byteLength).toBeGreaterThan(1536);
    // Everything after the 1536 bytes of C2 is exactly one message: connect.
    const messages = new ChunkReader().push(second.subarray(1536));
    expect(messages).toHaveLength(1);
    expect(decodeCommand(messages[0]!).name).toBe('connect');
    expect(messages[0]!.csid).toBe(3);
    nc.close();
  });

  it('answers Set Peer Bandwidth with Window Ack Size, then sends Set Chunk Size 4096 after connect', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    await server.acceptConnect({ peerBandwidth: 2_500_001, peerBandwidthLimit: 0 });
    await promise;
    await server.waitFor((m) => m.type === MessageType.SetChunkSize);
    expect(server.controls(MessageType.WindowAckSize)).toEqual([{ kind: 'WindowAckSize', windowSize: 2_500_001 }]);
    expect(server.controls(MessageType.SetChunkSize)).toEqual([{ kind: 'SetChunkSize', chunkSize: 4096 }]);
    // Our commands now travel in 4096-byte chunks: a 300-byte call arrives as one message.
    void nc.call('echo', 'x'.repeat(300)).catch(() => undefined);
    const { command } = await server.waitForCommand('echo');
    expect(command.args).toEqual(['x'.repeat(300)]);
    nc.close();
  });

  it('ignores a dynamic Set Peer Bandwidth that follows no hard one (RTMP 1.0 §5.4.5), and announces its own window', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    await server.acceptConnect({ peerBandwidth: 3_000_000, peerBandwidthLimit: 2 });
    await promise;
    await server.waitFor((m) => m.type === MessageType.SetChunkSize);
    expect(server.controls(MessageType.WindowAckSize)).toEqual([{ kind: 'WindowAckSize', windowSize: 2_500_000 }]);
    nc.close();
  });

  it('announces its own Window Ack Size after connect when the server sent no Set Peer Bandwidth', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server, { windowAckSize: 1_234_567 });
    const connect1 = await server.waitForCommand('connect');
    server.send(server.command('_result', connect1.command.transactionId, null, [{ level: 'status', code: 'NetConnection.Connect.Success', description: '' }]));
    await promise;
    await server.waitFor((m) => m.type === MessageType.SetChunkSize);
    expect(server.controls(MessageType.WindowAckSize)).toEqual([{ kind: 'WindowAckSize', windowSize: 1_234_567 }]);
    // Both went out in the same write, Window Ack Size first.
    const writes = server.messagesPerClientWrite();
    expect(writes.at(-1)!.map((m) => m.type)).toEqual([MessageType.WindowAckSize, MessageType.SetChunkSize]);
    nc.close();
  });

  it('objectEncoding 3: connect stays AMF0 (type 20), later commands use type 17 once the server confirms AMF3', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server, { objectEncoding: 3 }, { amf3: amf3Codec });
    const connect3 = await server.acceptConnect({ objectEncoding: 3 });
    await promise;
    expect(connect3.encoding).toBe(0);
    expect((connect3.commandObject as Record<string, unknown>).objectEncoding).toBe(3);
    expect(nc.encoding).toBe(3);
    const result = nc.call('echo', { nested: [1, 'two'] });
    const { message, command } = await server.waitForCommand('echo');
    expect(message.type).toBe(MessageType.CommandAmf3);
    expect(command.args).toEqual([{ nested: [1, 'two'] }]);
    server.send({ ...server.command('_result', command.transactionId, null, []), type: MessageType.CommandAmf3, payload: encodeCommand({ name: '_result', transactionId: command.transactionId, commandObject: null, args: ['ok'] }, 3, { amf3: amf3Codec }) });
    expect(await result).toEqual(['ok']);
    nc.close();
  });

  it('rejects with SESSION_CONNECT_REJECTED carrying the server description, and closes', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const closed = new Promise<CodedError | undefined>((resolve) => nc.on('close', (event) => resolve(event.error)));
    const { command } = await server.waitForCommand('connect');
    server.send(
      server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: 'Authentication failed: bad token' }]),
    );
    const error = await rejection(promise);
    expect(error.code).toBe('SESSION_CONNECT_REJECTED');
    expect(error.category).toBe('session');
    expect(error.message).toContain('Authentication failed: bad token');
    expect(error.details.statusCode).toBe('NetConnection.Connect.Rejected');
    expect((await closed)?.code).toBe('SESSION_CONNECT_REJECTED');
    expect(nc.connectionState).toBe('closed');
    await settle();
    expect(server.transport.isClosed).toBe(true);
  });

  it('rejects with SESSION_INVALID_APP for NetConnection.Connect.InvalidApp', async () => {
    const server = new ScriptedServer();
    const { promise } = connect(server);
    const { command } = await server.waitForCommand('connect');
    server.send(server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Connect.InvalidApp', description: 'No such app' }]));
    expect((await rejection(promise)).code).toBe('SESSION_INVALID_APP');
  });

  it('rejects with SESSION_CONNECT_FAILED for another error code, and for an error onStatus before any _result', async () => {
    const server = new ScriptedServer();
    const { promise } = connect(server);
    const { command } = await server.waitForCommand('connect');
    server.send(server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Connect.Failed', description: 'busy' }]));
    expect((await rejection(promise)).code).toBe('SESSION_CONNECT_FAILED');

    const server2 = new ScriptedServer();
    const second = connect(server2);
    await server2.waitForCommand('connect');
    server2.send(server2.onStatus(0, 'error', 'NetConnection.Connect.Rejected', 'go away'));
    const error = await rejection(second.promise);
    expect(error.code).toBe('SESSION_CONNECT_REJECTED');
    expect(error.message).toContain('go away');
  });

  it('rejects with TRANSPORT_CLOSED when the server hangs up before answering connect', async () => {
    const server = new ScriptedServer();
    const { promise } = connect(server);
    await server.waitForCommand('connect');
    server.transport.close();
    const error = await rejection(promise);
    expect(error.code).toBe('TRANSPORT_CLOSED');
    expect(error.category).toBe('transport');
    expect(error.message).toContain('before answering connect');
  });

  it('rejects with SESSION_CONNECT_TIMEOUT when nobody answers', async () => {
    const server = new ScriptedServer();
    const { promise } = connect(server, { timeoutMs: 50 });
    const error = await rejection(promise);
    expect(error.code).toBe('SESSION_CONNECT_TIMEOUT');
    await settle();
    expect(server.clientTransport.isClosed).toBe(true);
  });

  it('rejects a second connect with SESSION_INVALID_STATE and a bad URL with SESSION_INVALID_URL', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    expect((await rejection(nc.connect(URL, { transport: server.clientTransport }))).code).toBe('SESSION_INVALID_STATE');
    expect((await rejection(new NetConnection().connect('http://x/y/z', { transport: server.clientTransport }))).code).toBe('SESSION_INVALID_URL');
    nc.close();
  });

  it('gives the same result however the server bytes are split (every boundary of the connect answer, S0S1S2 sampled)', async () => {
    // Record what a server answers once, then replay it cut in two at every byte boundary.
    const recorder = new ScriptedServer({ unsignedS1: true });
    const first = connect(recorder, { handshake: 'simple' });
    await recorder.acceptConnect();
    const expected = await first.promise;
    first.nc.close();
    const answer = concatBytes(recorder.transport.sent);
    // Every cut inside the chunked answer and around the handshake seams; inside S0S1S2 every
    // 61st (ClientHandshake's own tests cut the handshake at every boundary).
    const cuts = [...Array(answer.byteLength).keys()].filter((cut) => cut >= 3073 - 8 || cut <= 8 || Math.abs(cut - 1537) <= 2 || cut % 61 === 0);
    let runs = 0;
    for (const cut of cuts) {
      const parts = cut === 0 ? [answer] : [answer.subarray(0, cut), answer.subarray(cut)];
      const [client, fakeServer] = createMemoryTransportPair();
      let answered = false;
      fakeServer.onData = () => {
        if (answered) return;
        answered = true;
        for (const part of parts) fakeServer.send(part);
      };
      const nc = new NetConnection();
      const result = await nc.connect(URL, { transport: client, handshake: 'simple', timeoutMs: 5000 });
      expect(result.info).toEqual(expected.info);
      expect(result.properties).toEqual(expected.properties);
      expect(nc.bytesReceived).toBe(answer.byteLength);
      nc.close();
      runs++;
    }
    expect(runs).toBe(cuts.length);
    expect(cuts.filter((cut) => cut > 3073).length).toBe(answer.byteLength - 3074);
  });

  it('copes with every server byte delivered on its own (handshake and chunks)', async () => {
    const server = new ScriptedServer({ oneByteAtATime: true });
    const { nc, promise } = connect(server);
    await server.acceptConnect();
    expect((await promise).info.code).toBe('NetConnection.Connect.Success');
    nc.close();
  });
});

describe('NetConnection.createStream pipelined behind connect', () => {
  it('called right after connect(): C2, connect and createStream (transaction 2) leave in ONE write; the stream arrives with connect', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const created = nc.createStream();
    const connect1 = await server.acceptConnect();
    await server.acceptCreateStream(1);
    await promise;
    const ns = await created;
    expect(ns.streamId).toBe(1);
    expect(connect1.transactionId).toBe(1);
    const writes = server.messagesPerClientWrite();
    expect(server.clientTransport.sent[1]!.byteLength).toBeGreaterThan(1536);
    expect(writes[0]!.map((m) => [m.type, m.csid, decodeCommand(m).name, decodeCommand(m).transactionId])).toEqual([
      [MessageType.CommandAmf0, 3, 'connect', 1],
      [MessageType.CommandAmf0, 3, 'createStream', 2],
    ]);
    // Our own Window Ack Size and Set Chunk Size still follow connect's _result.
    expect(writes[1]!.map((m) => m.type)).toEqual([MessageType.WindowAckSize, MessageType.SetChunkSize]);
    // The stream plays as usual.
    const play = ns.play('cam1');
    await server.waitForCommand('play');
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'));
    expect((await play).code).toBe('NetStream.Play.Start');
    nc.close();
  });

  it('called once connect is out (awaiting its _result): written at once, matched by transaction id', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const { command } = await server.waitForCommand('connect');
    expect(nc.connectionState).toBe('connecting');
    const created = nc.createStream();
    const { message, command: request } = await server.waitForCommand('createStream');
    expect(message.type).toBe(MessageType.CommandAmf0);
    expect(request.transactionId).toBe(2);
    // The server answers both in one write: connect's _result first (commands are handled in order).
    server.send(
      server.command('_result', command.transactionId, { fmsVer: 'FMS/3,0,1,123' }, [{ level: 'status', code: 'NetConnection.Connect.Success', description: 'ok' }]),
      server.command('_result', request.transactionId, null, [7]),
    );
    expect((await promise).info.code).toBe('NetConnection.Connect.Success');
    expect((await created).streamId).toBe(7);
    nc.close();
  });

  it('connect rejected: the pipelined createStream rejects with the same error', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const created = nc.createStream();
    const { command } = await server.waitForCommand('connect');
    await server.waitForCommand('createStream');
    server.send(server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: 'no' }]));
    expect((await rejection(promise)).code).toBe('SESSION_CONNECT_REJECTED');
    expect((await rejection(created)).code).toBe('SESSION_CONNECT_REJECTED');
    expect(nc.connectionState).toBe('closed');
  });

  it('is AMF0 even when AMF3 was asked for (the encoding is not confirmed yet)', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server, { objectEncoding: 3 }, fullCodecs);
    const created = nc.createStream();
    await server.acceptConnect({ objectEncoding: 3 });
    const { message } = await server.waitForCommand('createStream');
    expect(message.type).toBe(MessageType.CommandAmf0);
    await server.acceptCreateStream(1);
    await promise;
    expect((await created).streamId).toBe(1);
    expect(nc.encoding).toBe(3);
    nc.close();
  });

  it('after close: rejects SESSION_NOT_CONNECTED and writes nothing', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    nc.close();
    const writes = server.clientTransport.sent.length;
    expect((await rejection(nc.createStream())).code).toBe('SESSION_NOT_CONNECTED');
    expect(server.clientTransport.sent.length).toBe(writes);
  });

  it('gives the same stream however the answer to connect + createStream is split (every boundary after the handshake)', async () => {
    const recorder = new ScriptedServer({ unsignedS1: true });
    const first = connect(recorder, { handshake: 'simple' });
    const firstStream = first.nc.createStream();
    await recorder.acceptConnect();
    await recorder.acceptCreateStream(3);
    await first.promise;
    expect((await firstStream).streamId).toBe(3);
    first.nc.close();
    const answer = concatBytes(recorder.transport.sent);
    const afterHandshake = answer.subarray(3073);
    for (const parts of splitAtEveryBoundary(afterHandshake)) {
      const [client, fakeServer] = createMemoryTransportPair();
      let answered = false;
      fakeServer.onData = () => {
        if (answered) return;
        answered = true;
        fakeServer.send(answer.subarray(0, 3073));
        for (const part of parts) fakeServer.send(part);
      };
      const nc = new NetConnection();
      const connecting = nc.connect(URL, { transport: client, handshake: 'simple', timeoutMs: 5000 });
      const stream = nc.createStream();
      expect((await connecting).info.code).toBe('NetConnection.Connect.Success');
      expect((await stream).streamId).toBe(3);
      nc.close();
    }
  });
});

describe('NetConnection.createStreamAndPlay: play pipelined behind createStream', () => {
  it('right after connect(): C2, connect, createStream, play on stream 1 and SetBufferLength leave in ONE write', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const created = nc.createStreamAndPlay('cam1', { bufferMs: 300 });
    await server.acceptConnect();
    await server.acceptCreateStream(1);
    await promise;
    const ns = await created;
    expect(ns.streamId).toBe(1);
    const first = server.messagesPerClientWrite()[0]!;
    expect(first.map((m) => [m.type, m.streamId, m.type === MessageType.UserControl ? 'SetBufferLength' : decodeCommand(m).name])).toEqual([
      [MessageType.CommandAmf0, 0, 'connect'],
      [MessageType.CommandAmf0, 0, 'createStream'],
      [MessageType.CommandAmf0, 1, 'play'],
      [MessageType.UserControl, 0, 'SetBufferLength'],
    ]);
    expect(decodeCommand(first[1]!).transactionId).toBe(2);
    expect(decodeCommand(first[2]!)).toMatchObject({ name: 'play', transactionId: 0, commandObject: null, args: ['cam1', -2, -1, true] });
    expect(decodeProtocolControl(first[3]!)).toMatchObject({ kind: 'UserControl', event: { event: 'SetBufferLength', streamId: 1, bufferLengthMs: 300 } });
    // Media and status on stream 1 reach the stream; Play.Start settles it.
    const videos: number[] = [];
    ns.on('video', (event) => videos.push(event.message.timestamp));
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'), { type: MessageType.Video, streamId: 1, timestamp: 40, payload: AVC_CONFIG, csid: 6 });
    expect((await ns.waitForPlayStart()).code).toBe('NetStream.Play.Start');
    await settle();
    expect(videos).toEqual([40]);
    // Exactly one play went out.
    expect(server.commands().filter((c) => c.name === 'play')).toHaveLength(1);
    nc.close();
  });

  it('onStream sees the answer to play that arrives in the same read as createStream\'s _result', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const seen: string[] = [];
    const created = nc.createStreamAndPlay('cam1', {
      onStream(stream) {
        seen.push(`stream ${stream.streamId}`);
        stream.on('status', (info) => seen.push(info.code));
        stream.on('video', (event) => seen.push(`video ${event.message.timestamp}`));
      },
    });
    const { command } = await server.waitForCommand('createStream');
    server.send(
      server.command('_result', command.transactionId, null, [1]),
      server.userControl({ event: 'StreamBegin', streamId: 1 }),
      server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'),
      { type: MessageType.Video, streamId: 1, timestamp: 0, payload: AVC_CONFIG, csid: 6 },
      { type: MessageType.Video, streamId: 1, timestamp: 0, payload: AVC_KEYFRAME, csid: 6 },
    );
    const ns = await created;
    expect(seen).toEqual(['stream 1', 'NetStream.Play.Start', 'video 0', 'video 0']);
    expect((await ns.waitForPlayStart()).code).toBe('NetStream.Play.Start');
    nc.close();
  });

  it('once connected: createStream and play in one write, in the confirmed encoding', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const before = server.messagesPerClientWrite().length;
    const created = nc.createStreamAndPlay('cam1');
    await server.acceptCreateStream(1);
    const ns = await created;
    const writes = server.messagesPerClientWrite().slice(before);
    expect(writes[0]!.map((m) => [m.type, m.streamId])).toEqual([
      [MessageType.CommandAmf0, 0],
      [MessageType.CommandAmf0, 1],
      [MessageType.UserControl, 0],
    ]);
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'));
    expect((await ns.waitForPlayStart()).code).toBe('NetStream.Play.Start');
    nc.close();
  });

  it('the server assigns another id: the early play is abandoned, play goes out again on the assigned id', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const created = nc.createStreamAndPlay('cam1', { bufferMs: 200 });
    await server.acceptCreateStream(5);
    const ns = await created;
    expect(ns.streamId).toBe(5);
    const second = await server.waitFor((m) => m.streamId === 5 && m.type === MessageType.CommandAmf0);
    expect(decodeCommand(second)).toMatchObject({ name: 'play', args: ['cam1', -2, -1, true] });
    const plays = server.received.filter((m) => m.type === MessageType.CommandAmf0 && decodeCommand(m).name === 'play').map((m) => m.streamId);
    expect(plays).toEqual([1, 5]);
    const bufferLengths = server.userControls().filter((e) => e.event === 'SetBufferLength');
    expect(bufferLengths.map((e) => ('streamId' in e ? e.streamId : null))).toEqual([1, 5]);
    // Stream 1 is not listened to any more; stream 5 gets its status.
    const statuses: string[] = [];
    ns.on('status', (info) => statuses.push(info.code));
    server.send(server.onStatus(1, 'error', 'NetStream.Play.Failed', 'no stream 1'), server.onStatus(5, 'status', 'NetStream.Play.Start', 'Start live'));
    expect((await ns.waitForPlayStart()).code).toBe('NetStream.Play.Start');
    expect(statuses).toEqual(['NetStream.Play.Start']);
    nc.close();
  });

  it('connect rejected: rejects with the connect error', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const created = nc.createStreamAndPlay('cam1');
    const { command } = await server.waitForCommand('connect');
    server.send(server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: 'go away' }]));
    expect((await rejection(promise)).code).toBe('SESSION_CONNECT_REJECTED');
    expect((await rejection(created)).code).toBe('SESSION_CONNECT_REJECTED');
    expect(nc.connectionState).toBe('closed');
  });

  it('createStream answered with _error: rejects SESSION_CALL_FAILED and the early stream is gone', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const created = nc.createStreamAndPlay('cam1');
    const { command } = await server.waitForCommand('createStream');
    server.send(server.command('_error', command.transactionId, null, [{ level: 'error', code: 'NetConnection.Call.Failed', description: 'no' }]));
    expect((await rejection(created)).code).toBe('SESSION_CALL_FAILED');
    // Stream id 1 is free again for a plain createStream.
    const again = nc.createStream();
    const retry = await server.waitFor((m) => m.type === MessageType.CommandAmf0 && decodeCommand(m).name === 'createStream' && decodeCommand(m).transactionId !== command.transactionId);
    server.send(server.command('_result', decodeCommand(retry).transactionId, null, [1]));
    expect((await again).streamId).toBe(1);
    nc.close();
  });

  it('stream 1 already open: falls back to createStream, then play on the assigned id', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const first = nc.createStream();
    await server.acceptCreateStream(1);
    await first;
    const created = nc.createStreamAndPlay('cam2');
    await server.acceptCreateStream(2);
    const ns = await created;
    expect(ns.streamId).toBe(2);
    const play = await server.waitFor((m) => m.type === MessageType.CommandAmf0 && decodeCommand(m).name === 'play');
    expect(play.streamId).toBe(2);
    nc.close();
  });
});

describe('NetConnection answers setup reads at once (TCP acknowledgements ride on data)', () => {
  it('sends its Window Ack Size and Set Chunk Size at the first server read after connect, before connect\'s _result', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const { command } = await server.waitForCommand('connect');
    // nginx-rtmp's first write of its connect answer: Window Ack Size alone.
    server.send(server.control(MessageType.WindowAckSize, encodeWindowAckSize(5_000_000)));
    const chunkSize = await server.waitFor((m) => m.type === MessageType.SetChunkSize);
    expect(decodeProtocolControl(chunkSize)).toMatchObject({ kind: 'SetChunkSize', chunkSize: 4096 });
    expect(nc.connectionState).toBe('connecting');
    expect(server.messagesPerClientWrite()[1]!.map((m) => m.type)).toEqual([MessageType.WindowAckSize, MessageType.SetChunkSize]);
    expect(server.controls(MessageType.WindowAckSize)).toEqual([{ kind: 'WindowAckSize', windowSize: 2_500_000 }]);
    server.send(server.command('_result', command.transactionId, null, [{ level: 'status', code: 'NetConnection.Connect.Success', description: 'ok' }]));
    await promise;
    await settle();
    // Not sent twice.
    expect(server.controls(MessageType.SetChunkSize)).toHaveLength(1);
    nc.close();
  });

  it('answers each otherwise unanswered read with its Window Ack Size again until media arrives, then stays quiet', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const created = nc.createStream();
    await server.acceptCreateStream(1);
    const ns = await created;
    void ns.play('cam1');
    await server.waitForCommand('play');
    await settle();
    const before = server.controls(MessageType.WindowAckSize).length;
    // node-media-server's answer to play, one write per message.
    server.send(server.userControl({ event: 'StreamBegin', streamId: 1 }));
    await server.waitFor((m) => m.type === MessageType.WindowAckSize && server.controls(MessageType.WindowAckSize).length > before);
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'));
    await settle();
    const afterStatus = server.controls(MessageType.WindowAckSize);
    expect(afterStatus).toHaveLength(before + 2);
    // Always the window already announced (the server's dynamic Set Peer Bandwidth was ignored): no change of meaning.
    expect(new Set(afterStatus.map((c) => (c.kind === 'WindowAckSize' ? c.windowSize : -1)))).toEqual(new Set([2_500_000]));
    server.send({ type: MessageType.Video, streamId: 1, timestamp: 0, payload: AVC_CONFIG, csid: 6 });
    await settle();
    server.send({ type: MessageType.Video, streamId: 1, timestamp: 0, payload: AVC_KEYFRAME, csid: 6 });
    server.send(server.onStatus(1, 'status', 'NetStream.Play.PublishNotify', 'later status'));
    await settle();
    expect(server.controls(MessageType.WindowAckSize)).toHaveLength(before + 2);
    nc.close();
  });
});

describe('NetConnection protocol duties', () => {
  it('acknowledges each time the server window is reached, with the running byte count from the first handshake byte', async () => {
    const server = new ScriptedServer();
    const { nc, promise } = connect(server);
    const window = 5000;
    await server.acceptConnect({ windowAckSize: window });
    await promise;
    await settle();
    // Before this point the server sent the handshake and the connect answer; account for them.
    const expected: number[] = [];
    let lastAck = 0;
    const account = (): void => {
      if (server.bytesSent - lastAck >= window) {
        lastAck = server.bytesSent;
        expected.push(server.bytesSent);
      }
    };
    account();
    for (let i = 0; i < 12; i++) {
      server.send(server.command('onFiller', 0, null, ['f'.repeat(1500 + i)]));
      await settle(3);
      account();
    }
    await settle();
    const acks = server.controls(MessageType.Acknowledgement).map((c) => (c.kind === 'Acknowledgement' ? c.sequenceNumber : -1));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(acks).toEqual(expected);
    expect(nc.bytesReceived).toBe(server.bytesSent);
    nc.close();
  });

  it('answers a Ping Request with a Ping Response carrying the same timestamp', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const pinged = new Promise<number>((resolve) => nc.on('ping', (event) => resolve(event.timestamp)));
    server.send(server.userControl({ event: 'PingRequest', timestamp: 0xdeadbeef }));
    await server.waitFor((m) => m.type === MessageType.UserControl && m.payload[1] === 7);
    expect(server.userControls().filter((e) => e.event === 'PingResponse')).toMatchObject([{ event: 'PingResponse', timestamp: 0xdeadbeef }]);
    expect(await pinged).toBe(0xdeadbeef);
    nc.close();
  });

  it('matches _result and _error to calls by transaction id, in any order', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const first = nc.call('first', 1);
    const second = nc.call('second', 2);
    const third = nc.call('third', 3);
    const a = await server.waitForCommand('first');
    const b = await server.waitForCommand('second');
    const c = await server.waitForCommand('third');
    expect(new Set([a.command.transactionId, b.command.transactionId, c.command.transactionId]).size).toBe(3);
    server.send(
      server.command('_result', c.command.transactionId, null, ['three']),
      server.command('_error', b.command.transactionId, null, [{ level: 'error', code: 'NetConnection.Call.Failed', description: 'no such method' }]),
      server.command('_result', a.command.transactionId, null, ['one', 1]),
    );
    expect(await third).toEqual(['three']);
    expect(await first).toEqual(['one', 1]);
    const error = await rejection(second);
    expect(error.code).toBe('SESSION_CALL_FAILED');
    expect(error.fatal).toBe(false);
    expect(error.message).toContain('no such method');
    expect(nc.isConnected).toBe(true);
    nc.close();
  });

  it('dispatches server calls to handlers and returns the result as _result; answers onBWDone with _checkbw', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    nc.handle('add', (args) => (args[0] as number) + (args[1] as number));
    nc.handle('slow', async () => 'done');
    nc.handle('boom', () => {
      throw new Error('kaput');
    });
    const errors: CodedError[] = [];
    nc.on('error', (error) => errors.push(error));
    server.send(
      server.command('add', 7, null, [2, 3]),
      server.command('slow', 8, null, []),
      server.command('boom', 9, null, []),
      server.command('onBWDone', 0, null, [8192]),
    );
    await server.waitForCommand('_checkbw');
    await server.waitFor((m) => m.type === MessageType.CommandAmf0 && decodeCommand(m).transactionId === 9);
    await settle();
    const replies = server.commands().filter((c) => c.name === '_result' || c.name === '_error');
    // Plain values are answered at once, in call order; the promise's answer comes when it settles.
    expect(replies.map((c) => [c.name, c.transactionId, c.args])).toEqual([
      ['_result', 7, [5]],
      ['_error', 9, [{ level: 'error', code: 'NetConnection.Call.Failed', description: 'kaput' }]],
      ['_result', 8, ['done']],
    ]);
    expect(errors.map((e) => e.code)).toEqual(['SESSION_CALL_FAILED']);
    nc.close();
  });

  it('reports unhandled server calls, NetConnection onStatus and stream-0 data as events', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const seen: string[] = [];
    nc.on('command', ({ command }) => seen.push(`command ${command.name}`));
    nc.on('status', (info) => seen.push(`status ${info.code}`));
    nc.on('data', (data) => seen.push(`data ${data.name} ${JSON.stringify(data.args)}`));
    server.send(
      server.command('onFCSubscribe', 0, null, []),
      server.onStatus(0, 'status', 'NetConnection.Connect.AppShutdown', 'bye soon'),
      { type: MessageType.DataAmf0, streamId: 0, timestamp: 5, csid: 5, payload: fromHex('02 0005 68656c6c6f 00 3ff0000000000000') }, // "hello", 1
    );
    await settle();
    expect(seen).toEqual(['command onFCSubscribe', 'status NetConnection.Connect.AppShutdown', 'data hello [1]']);
    nc.close();
  });

  it('decodes shared object messages into sharedObject events (connection, and the stream they name)', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server, {}, { sharedObjects: sharedObjectCodec });
    const created = nc.createStream();
    await server.acceptCreateStream(1);
    const ns = await created;
    const onConnection: string[] = [];
    const onStream: string[] = [];
    nc.on('sharedObject', (so) => onConnection.push(`${so.streamId} ${so.name} v${so.version} ${so.events.map((e) => e.kind).join(',')}`));
    ns.on('sharedObject', (so) => onStream.push(`${so.name} ${JSON.stringify(so.events[0]?.properties)}`));
    const payload = encodeSharedObjectMessage({ name: 'chat', version: 3, events: [{ kind: 'UseSuccess' }, { kind: 'Change', properties: [{ name: 'topic', value: 'hi' }] }] }, 0);
    server.send(
      { type: MessageType.SharedObjectAmf0, streamId: 0, timestamp: 0, csid: 3, payload },
      { type: MessageType.SharedObjectAmf0, streamId: 1, timestamp: 0, csid: 3, payload: encodeSharedObjectMessage({ name: 'room', events: [{ kind: 'Change', properties: [{ name: 'n', value: 1 }] }] }, 0) },
    );
    await settle();
    expect(onConnection).toEqual(['0 chat v3 UseSuccess,Change', '1 room v0 Change']);
    expect(onStream).toEqual(['room [{"name":"n","value":1}]']);
    nc.close();
  });

  it('close() is idempotent, rejects pending calls with SESSION_CLOSED and emits close once', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    let closes = 0;
    nc.on('close', (event) => {
      closes++;
      expect(event.error).toBeUndefined();
    });
    const pending = nc.call('never');
    nc.close();
    nc.close();
    expect((await rejection(pending)).code).toBe('SESSION_CLOSED');
    expect(closes).toBe(1);
    expect((await rejection(nc.call('late'))).code).toBe('SESSION_NOT_CONNECTED');
    await settle();
    expect(server.transport.isClosed).toBe(true);
  });

  it('a server that closes the connection later: close event with TRANSPORT_CLOSED', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const closed = new Promise<CodedError | undefined>((resolve) => nc.on('close', (event) => resolve(event.error)));
    server.transport.close();
    expect((await closed)?.code).toBe('TRANSPORT_CLOSED');
  });

  it('a malformed chunk stream is fatal: close event with the chunk error', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const closed = new Promise<CodedError | undefined>((resolve) => nc.on('close', (event) => resolve(event.error)));
    // fmt 1 on a chunk stream never opened: no previous header to inherit from.
    server.write(fromHex('4f 000000 000004 14'));
    const error = await closed;
    expect(error?.code).toBe('CHUNK_UNKNOWN_STREAM');
    expect(nc.connectionState).toBe('closed');
  });

  it('a tap sees the handshake, every chunk and every message in both directions, without changing them', async () => {
    const server = new ScriptedServer();
    const labels: string[] = [];
    const chunks: ChunkInfo[] = [];
    const messages: Array<{ direction: string; type: number }> = [];
    const { nc, promise } = connect(server, {
      tap: {
        handshake: (event) => labels.push(`${event.direction} ${event.label} ${event.bytes.byteLength}`),
        chunk: (chunk) => chunks.push(chunk),
        message: (event) => messages.push({ direction: event.direction, type: event.message.type }),
      },
    });
    await server.acceptConnect();
    await promise;
    await settle();
    expect(labels).toEqual(['out C0C1 1537', 'in S0S1S2 3073', 'out C2 1536']);
    expect(messages.filter((m) => m.direction === 'out').map((m) => m.type)).toEqual([
      MessageType.CommandAmf0, // connect
      MessageType.WindowAckSize, // answer to Set Peer Bandwidth
      MessageType.SetChunkSize,
    ]);
    expect(messages.filter((m) => m.direction === 'in').map((m) => m.type)).toEqual([
      MessageType.WindowAckSize,
      MessageType.SetPeerBandwidth,
      MessageType.SetChunkSize,
      MessageType.UserControl,
      MessageType.CommandAmf0,
    ]);
    expect(chunks.some((c) => c.direction === 'in')).toBe(true);
    expect(chunks.some((c) => c.direction === 'out' && c.csid === 3)).toBe(true);
    nc.close();
  });
});

describe('NetStream', () => {
  async function playing(server: ScriptedServer, nc: NetConnection, streamId: number, name: string) {
    const created = nc.createStream();
    await server.acceptCreateStream(streamId);
    const ns = await created;
    expect(ns.streamId).toBe(streamId);
    const play = ns.play(name);
    await server.waitFor((m) => m.streamId === streamId && m.type === MessageType.CommandAmf0 && decodeCommand(m).name === 'play');
    return { ns, play };
  }

  it('play sends play(name, -2, -1, true) then SetBufferLength for its stream in one write, and resolves at Play.Start', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 'cam1');
    const statuses: string[] = [];
    ns.on('status', (info) => statuses.push(info.code));
    const playMessage = await server.waitFor((m) => m.streamId === 1 && m.type === MessageType.CommandAmf0);
    expect(decodeCommand(playMessage)).toMatchObject({ name: 'play', transactionId: 0, commandObject: null, args: ['cam1', -2, -1, true] });
    expect(playMessage.csid).toBe(8);
    const bufferLength = await server.waitFor((m) => m.type === MessageType.UserControl);
    expect(decodeProtocolControl(bufferLength)).toMatchObject({ kind: 'UserControl', event: { event: 'SetBufferLength', streamId: 1, bufferLengthMs: 1000 } });
    expect(server.messagesPerClientWrite().at(-1)!.map((m) => m.type)).toEqual([MessageType.CommandAmf0, MessageType.UserControl]);

    server.send(server.userControl({ event: 'StreamBegin', streamId: 1 }), server.onStatus(1, 'status', 'NetStream.Play.Reset', 'reset'), server.onStatus(1, 'status', 'NetStream.Play.Start', 'Start live'));
    const info = await play;
    expect(info.code).toBe('NetStream.Play.Start');
    expect(info.description).toBe('Start live');
    expect(await ns.waitForPlayStart()).toBe(info);
    expect(statuses).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);
    nc.close();
  });

  it('play rejects with STREAM_NOT_FOUND on NetStream.Play.StreamNotFound, and STREAM_PLAY_FAILED on Play.Failed', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 'missing');
    server.send(server.onStatus(1, 'error', 'NetStream.Play.StreamNotFound', 'No such stream: missing'));
    const error = await rejection(play);
    expect(error.code).toBe('STREAM_NOT_FOUND');
    expect(error.message).toContain('No such stream: missing');
    expect((await rejection(ns.waitForPlayStart())).code).toBe('STREAM_NOT_FOUND');

    const again = ns.play('broken');
    await server.waitFor((m) => m.type === MessageType.CommandAmf0 && decodeCommand(m).args[0] === 'broken');
    server.send(server.onStatus(1, 'error', 'NetStream.Play.Failed', 'codec'));
    expect((await rejection(again)).code).toBe('STREAM_PLAY_FAILED');
    expect(nc.isConnected).toBe(true);
    nc.close();
  });

  it('routes messages of two streams by message stream id: media, data, status, user control', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const one = await playing(server, nc, 1, 'a');
    const two = await playing(server, nc, 2, 'b');
    const log = (label: string, ns: typeof one.ns): string[] => {
      const lines: string[] = [];
      ns.on('video', (e: MediaMessageEvent) => lines.push(`${label} video ${e.message.timestamp} ${e.frames[0]?.codec} key=${e.frames[0]?.keyframe} config=${e.frames[0]?.config}`));
      ns.on('audio', (e: MediaMessageEvent) => lines.push(`${label} audio ${e.message.timestamp} ${e.frames[0]?.codec} config=${e.frames[0]?.config}`));
      ns.on('data', (d) => lines.push(`${label} data ${d.name}`));
      ns.on('status', (s) => lines.push(`${label} status ${s.code}`));
      ns.on('streamEOF', (s) => lines.push(`${label} eof ${s.streamId}`));
      ns.on('streamBegin', (s) => lines.push(`${label} begin ${s.streamId}`));
      return lines;
    };
    const lines1 = log('one', one.ns);
    const lines2 = log('two', two.ns);
    const media = (type: number, streamId: number, timestamp: number, payload: Uint8Array, csid: number): RtmpMessage => ({ type, streamId, timestamp, payload, csid });
    server.send(
      server.userControl({ event: 'StreamBegin', streamId: 2 }),
      server.onStatus(2, 'status', 'NetStream.Play.Start', ''),
      server.onStatus(1, 'status', 'NetStream.Play.Start', ''),
      media(MessageType.Video, 2, 0, AVC_CONFIG, 6),
      media(MessageType.Audio, 1, 0, AAC_CONFIG, 4),
      media(MessageType.Video, 2, 40, AVC_KEYFRAME, 6),
      media(MessageType.Audio, 1, 23, AAC_FRAME, 4),
      { type: MessageType.DataAmf0, streamId: 1, timestamp: 0, csid: 5, payload: fromHex('02 000a 6f6e4d65746144617461 08 00000000 000009') }, // onMetaData, empty ECMA array
      server.userControl({ event: 'StreamEOF', streamId: 1 }),
    );
    await one.play;
    await two.play;
    await settle();
    expect(lines1).toEqual(['one status NetStream.Play.Start', 'one audio 0 mp4a config=true', 'one audio 23 mp4a config=false', 'one data onMetaData', 'one eof 1']);
    expect(lines2).toEqual(['two begin 2', 'two status NetStream.Play.Start', 'two video 0 avc1 key=true config=true', 'two video 40 avc1 key=true config=false']);
    nc.close();
  });

  it('with one stream open, media and data sent on message stream 0 belong to it (node-media-server v4 does that)', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 'live');
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', ''));
    await play;
    const seen: string[] = [];
    ns.on('video', (e) => seen.push(`video ${e.message.streamId} ${e.frames[0]?.config}`));
    ns.on('data', (d) => seen.push(`data ${d.name}`));
    nc.on('data', (d) => seen.push(`connection data ${d.name}`));
    server.send(
      { type: MessageType.DataAmf0, streamId: 0, timestamp: 0, csid: 6, payload: fromHex('02 000a 6f6e4d65746144617461 08 00000000 000009') },
      { type: MessageType.Video, streamId: 0, timestamp: 0, payload: AVC_CONFIG, csid: 5 },
    );
    await settle();
    expect(seen).toEqual(['data onMetaData', 'video 0 true']);

    // With two streams open a stream-0 data message stays at the connection.
    const second = nc.createStream();
    await server.acceptCreateStream(2);
    await second;
    server.send({ type: MessageType.DataAmf0, streamId: 0, timestamp: 0, csid: 6, payload: fromHex('02 000a 6f6e4d65746144617461 08 00000000 000009') });
    await settle();
    expect(seen.at(-1)).toBe('connection data onMetaData');
    nc.close();
  });

  it('createStream answered with an id an open stream already has rejects SESSION_STREAM_ID_IN_USE', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const first = nc.createStream();
    await server.acceptCreateStream(1);
    const ns = await first;
    const second = nc.createStream();
    await server.acceptCreateStream(1);
    const error = await rejection(second);
    expect(error.code).toBe('SESSION_STREAM_ID_IN_USE');
    expect(error.fatal).toBe(false);
    ns.deleteStream();
    const third = nc.createStream();
    await server.acceptCreateStream(1);
    expect((await third).streamId).toBe(1);
    nc.close();
  });

  it('unpacks aggregate messages into their sub-messages before dispatch', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 'vod');
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', ''));
    await play;
    const seen: string[] = [];
    ns.on('video', (e) => seen.push(`video ${e.message.timestamp} ${e.message.payload.byteLength}`));
    ns.on('audio', (e) => seen.push(`audio ${e.message.timestamp} ${e.message.payload.byteLength}`));
    const aggregate = packAggregate([
      { type: MessageType.Video, streamId: 1, timestamp: 1000, payload: AVC_KEYFRAME, csid: 0 },
      { type: MessageType.Audio, streamId: 1, timestamp: 1010, payload: AAC_FRAME, csid: 0 },
      { type: MessageType.Video, streamId: 1, timestamp: 1040, payload: AVC_INTERFRAME, csid: 0 },
    ]);
    // The aggregate's own timestamp (5000) shifts the sub-messages: 5000 + (sub - first sub).
    server.send({ type: MessageType.Aggregate, streamId: 1, timestamp: 5000, payload: aggregate, csid: 6 });
    await settle();
    expect(seen).toEqual([`video 5000 ${AVC_KEYFRAME.byteLength}`, `audio 5010 ${AAC_FRAME.byteLength}`, `video 5040 ${AVC_INTERFRAME.byteLength}`]);
    nc.close();
  });

  it('stream commands go on the stream id; deleteStream at stream 0 is idempotent and detaches', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 3, 's');
    server.send(server.onStatus(3, 'status', 'NetStream.Play.Start', ''));
    await play;
    ns.pause(true, 1500);
    ns.seek(2000);
    ns.receiveAudio(false);
    ns.receiveVideo(true);
    ns.closeStream();
    ns.deleteStream();
    ns.deleteStream();
    await server.waitForCommand('deleteStream');
    await settle();
    const sent = server.commands().filter((c) => !['connect', 'createStream', 'play'].includes(c.name));
    expect(sent.map((c) => [c.name, c.args])).toEqual([
      ['pause', [true, 1500]],
      ['seek', [2000]],
      ['receiveAudio', [false]],
      ['receiveVideo', [true]],
      ['closeStream', []],
      ['deleteStream', [3]],
    ]);
    const streamIds = server.received.filter((m) => m.type === MessageType.CommandAmf0).map((m) => [decodeCommand(m).name, m.streamId]);
    expect(streamIds.filter(([name]) => name !== 'connect' && name !== 'createStream')).toEqual([
      ['play', 3],
      ['pause', 3],
      ['seek', 3],
      ['receiveAudio', 3],
      ['receiveVideo', 3],
      ['closeStream', 3],
      ['deleteStream', 0],
    ]);
    // After deleteStream nothing reaches the stream any more.
    let after = 0;
    ns.on('video', () => after++);
    server.send({ type: MessageType.Video, streamId: 3, timestamp: 0, payload: AVC_KEYFRAME, csid: 6 });
    await settle();
    expect(after).toBe(0);
    expect(() => ns.seek(1)).toThrow(RtmpError);
    nc.close();
  });

  it('a body that does not parse is reported as a non-fatal error and still counted as a message', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 's');
    server.send(server.onStatus(1, 'status', 'NetStream.Play.Start', ''));
    await play;
    const events: string[] = [];
    ns.on('video', (e) => events.push(`video frames=${e.frames.length}`));
    ns.on('error', (e) => events.push(`error fatal=${e.fatal}`));
    server.send(
      { type: MessageType.Video, streamId: 1, timestamp: 0, payload: new Uint8Array(0), csid: 6 },
      { type: MessageType.Video, streamId: 1, timestamp: 0, payload: fromHex('17 01'), csid: 6 }, // AVC NALU header cut short
    );
    await settle();
    expect(events).toEqual(['video frames=0', 'error fatal=false', 'video frames=0']);
    expect(nc.isConnected).toBe(true);
    nc.close();
  });

  it('the connection closing rejects a pending play with the close reason and closes the stream', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const { ns, play } = await playing(server, nc, 1, 's');
    const closed = new Promise<string | undefined>((resolve) => ns.on('close', (event) => resolve(event.error?.code)));
    server.transport.close();
    expect((await rejection(play)).code).toBe('TRANSPORT_CLOSED');
    expect(await closed).toBe('TRANSPORT_CLOSED');
    expect(ns.isDeleted).toBe(true);
  });
});

describe('MemoryTransport', () => {
  it('delivers bytes in order, on a later microtask, as copies', async () => {
    const server = new ScriptedServer();
    const got: Uint8Array[] = [];
    server.clientTransport.onData = (bytes) => got.push(bytes);
    const data = fromHex('01 02 03');
    server.transport.send(data);
    server.transport.send(fromHex('04'));
    expect(got).toHaveLength(0);
    data[0] = 9;
    await settle(1);
    expect(got.map((b) => [...b])).toEqual([[1, 2, 3], [4]]);
    expect(bytesEqual(server.transport.sent[0]!, fromHex('01 02 03'))).toBe(true);
    server.transport.send(encodeWindowAckSize(1));
  });

  it('records its writes apart from what it delivers: the receiver may rewrite those (ChunkReader does)', async () => {
    const server = new ScriptedServer();
    server.clientTransport.onData = (bytes) => bytes.fill(0);
    server.transport.send(fromHex('01 02 03'));
    await settle(1);
    expect([...server.transport.sent[0]!]).toEqual([1, 2, 3]);
  });
});

describe('NetConnection without the opt-in codecs (an AMF0 client)', () => {
  // Bytes as a server sends them: fixtures in hex, so the refusals are tested on what arrives.
  const AMF3_ON_STATUS = fromHex(`
    00                              # format byte of a type-17 command
    02 0008 6f6e537461747573        # "onStatus"
    00 0000000000000000             # transaction id 0
    05                              # null command object
    11 06 05 6869                   # AVM+ switch, AMF3 string "hi"
  `);
  const AMF0_CALL_WITH_AVMPLUS = fromHex(`
    02 0005 68656c6c6f              # "hello" (a type-20 command)
    00 0000000000000000             # transaction id 0
    05                              # null command object
    11 04 05                        # AVM+ switch, AMF3 integer 5
  `);
  const CUE_POINT_AMF3 = fromHex(`00   02 000a 6f6e437565506f696e74   11 06 05 6162`); // type 15: format byte, "onCuePoint", AMF3 "ab"
  const TEXT_DATA_AVMPLUS = fromHex(`02 000a 6f6e5465787444617461   11 06 05 6162`); // type 18: "onTextData", AVM+ switch to AMF3 "ab"

  async function closeReason(nc: NetConnection): Promise<CodedError | undefined> {
    return new Promise((resolve) => nc.on('close', (event) => resolve(event.error)));
  }

  it('refuses objectEncoding 3 up front with SESSION_AMF3_NOT_ENABLED: nothing sent, still idle', async () => {
    const server = new ScriptedServer();
    const nc = new NetConnection();
    const error = await rejection(nc.connect(URL, { transport: server.clientTransport, objectEncoding: 3 }));
    expect(error.code).toBe('SESSION_AMF3_NOT_ENABLED');
    expect(error.fatal).toBe(false);
    expect(error.message).toBe('connect with objectEncoding 3 needs codecs.amf3 (or fullCodecs) in new NetConnection({ codecs })');
    expect(nc.connectionState).toBe('idle');
    expect(server.clientTransport.sent).toHaveLength(0);
    // The same connection connects once it asks for AMF0.
    const promise = nc.connect(URL, { transport: server.clientTransport, timeoutMs: 5000 });
    await server.acceptConnect();
    await promise;
    expect(nc.encoding).toBe(0);
    nc.close();
  });

  for (const oneByteAtATime of [false, true]) {
    it(`closes the connection on a type-17 command with SESSION_AMF3_NOT_ENABLED (fatal)${oneByteAtATime ? ', input one byte at a time' : ''}`, async () => {
      const server = new ScriptedServer({ oneByteAtATime });
      const nc = await connected(server);
      const closed = closeReason(nc);
      const pending = nc.call('waiting');
      server.send({ type: MessageType.CommandAmf3, streamId: 0, timestamp: 0, csid: 3, payload: AMF3_ON_STATUS });
      const error = await closed;
      expect(error?.code).toBe('SESSION_AMF3_NOT_ENABLED');
      expect(error?.fatal).toBe(true);
      expect(error?.details).toEqual({ type: 17, streamId: 0 });
      expect(error?.message).toBe('AMF3 command (type 17) needs codecs.amf3 (or fullCodecs) in new NetConnection({ codecs })');
      expect((await rejection(pending)).code).toBe('SESSION_AMF3_NOT_ENABLED');
      expect(nc.connectionState).toBe('closed');
    });
  }

  it('closes the connection on an AMF0 command carrying an AVM+ switch, with the AmfError as cause', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const closed = closeReason(nc);
    server.send({ type: MessageType.CommandAmf0, streamId: 0, timestamp: 0, csid: 3, payload: AMF0_CALL_WITH_AVMPLUS });
    const error = await closed;
    expect(error?.code).toBe('SESSION_AMF3_NOT_ENABLED');
    expect(error?.fatal).toBe(true);
    expect(error?.message).toBe('command (type 20) with an AVM+ switch (0x11) needs codecs.amf3 (or fullCodecs) in new NetConnection({ codecs })');
    let cause: unknown = error?.cause;
    while (cause instanceof Error && (cause as CodedError).code !== 'AMF_AMF3_NOT_ENABLED') cause = cause.cause;
    expect(cause).toMatchObject({ code: 'AMF_AMF3_NOT_ENABLED', details: { marker: 0x11, offset: 18 } });
  });

  it('reports AMF3 data messages (type 15, or an AVM+ switch in type 18) as non-fatal stream errors and keeps playing', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const created = nc.createStream();
    await server.acceptCreateStream(1);
    const ns = await created;
    const errors: CodedError[] = [];
    const data: string[] = [];
    ns.on('error', (error) => errors.push(error));
    ns.on('data', (event) => data.push(event.name));
    server.send(
      { type: MessageType.DataAmf3, streamId: 1, timestamp: 0, csid: 5, payload: CUE_POINT_AMF3 },
      { type: MessageType.DataAmf0, streamId: 1, timestamp: 0, csid: 5, payload: TEXT_DATA_AVMPLUS },
      { type: MessageType.DataAmf0, streamId: 1, timestamp: 0, csid: 5, payload: fromHex('02 0005 68656c6c6f 05') }, // "hello", null
    );
    await settle();
    expect(errors.map((e) => [e.code, e.fatal, e.details.type])).toEqual([
      ['SESSION_AMF3_NOT_ENABLED', false, 15],
      ['SESSION_AMF3_NOT_ENABLED', false, 18],
    ]);
    expect(errors[0]!.message).toBe('AMF3 data message (type 15) needs codecs.amf3 (or fullCodecs) in new NetConnection({ codecs })');
    expect(errors[1]!.message).toBe('data message (type 18) with an AVM+ switch (0x11) needs codecs.amf3 (or fullCodecs) in new NetConnection({ codecs })');
    expect(data).toEqual(['hello']);
    expect(nc.connectionState).toBe('connected');
    nc.close();
  });

  it('reports shared object messages without their codec as non-fatal SESSION_SHARED_OBJECTS_NOT_ENABLED', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server);
    const errors: CodedError[] = [];
    let events = 0;
    nc.on('error', (error) => errors.push(error));
    nc.on('sharedObject', () => events++);
    const useSuccess = fromHex(`0004 63686174   00000001 00000000 00000000   0b 00000000`); // "chat", version 1, flags, UseSuccess
    server.send({ type: MessageType.SharedObjectAmf0, streamId: 0, timestamp: 0, csid: 3, payload: useSuccess });
    await settle();
    expect(errors.map((e) => [e.code, e.fatal, e.details.type])).toEqual([['SESSION_SHARED_OBJECTS_NOT_ENABLED', false, 19]]);
    expect(errors[0]!.message).toBe('shared object message (type 19) needs codecs.sharedObjects (or fullCodecs) in new NetConnection({ codecs })');
    expect(events).toBe(0);
    expect(nc.connectionState).toBe('connected');
    nc.close();
  });

  it('with the shared-object codec but not AMF3, a type-16 shared object message is SESSION_AMF3_NOT_ENABLED (non-fatal)', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server, {}, { sharedObjects: sharedObjectCodec });
    const errors: CodedError[] = [];
    nc.on('error', (error) => errors.push(error));
    const useSuccess = fromHex(`00   0004 63686174   00000001 00000000 00000000   0b 00000000`); // encoding byte 0, then the AMF0 layout
    server.send({ type: MessageType.SharedObjectAmf3, streamId: 0, timestamp: 0, csid: 3, payload: useSuccess });
    await settle();
    expect(errors.map((e) => [e.code, e.fatal, e.details.type])).toEqual([['SESSION_AMF3_NOT_ENABLED', false, 16]]);
    expect(nc.connectionState).toBe('connected');
    nc.close();
  });

  it('with fullCodecs, the same messages decode: AMF3 commands, data and shared objects', async () => {
    const server = new ScriptedServer();
    const nc = await connected(server, {}, fullCodecs);
    const created = nc.createStream();
    await server.acceptCreateStream(1);
    const ns = await created;
    const seen: string[] = [];
    nc.on('command', ({ command }) => seen.push(`command ${command.name} ${JSON.stringify(command.args)}`));
    nc.on('sharedObject', (so) => seen.push(`sharedObject ${so.name} ${so.events.map((e) => e.kind).join(',')}`));
    nc.on('error', (error) => seen.push(`error ${error.code}`));
    ns.on('data', (event) => seen.push(`data ${event.name} ${JSON.stringify(event.args)}`));
    ns.on('error', (error) => seen.push(`stream error ${error.code}`));
    server.send(
      { type: MessageType.CommandAmf0, streamId: 0, timestamp: 0, csid: 3, payload: AMF0_CALL_WITH_AVMPLUS },
      { type: MessageType.DataAmf3, streamId: 1, timestamp: 0, csid: 5, payload: CUE_POINT_AMF3 },
      { type: MessageType.DataAmf0, streamId: 1, timestamp: 0, csid: 5, payload: TEXT_DATA_AVMPLUS },
      { type: MessageType.SharedObjectAmf0, streamId: 0, timestamp: 0, csid: 3, payload: fromHex(`0004 63686174   00000001 00000000 00000000   0b 00000000`) },
    );
    await settle();
    expect(seen).toEqual(['command hello [5]', 'data onCuePoint ["ab"]', 'data onTextData ["ab"]', 'sharedObject chat UseSuccess']);
    expect(nc.connectionState).toBe('connected');
    nc.close();
  });
});
