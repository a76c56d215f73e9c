/**
 * The player's fast start against real servers: createStream pipelined behind connect (sent in
 * the same write as C2 + connect, matched by transaction id) and the setup reads answered at
 * once (Window Ack Size), with nginx-rtmp, node-media-server and FFmpeg's listen mode. Each must
 * answer both commands, in order, and then play the stream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, NetConnection, decodeCommand, parseRtmpUrl } from '@rtmp-web/rtmp';
import type { ProtocolTap } from '@rtmp-web/rtmp';
import { TcpTransport } from '@rtmp-web/rtmp/node';
import { publishTestStream, startFfmpegServer, startNginxRtmp, startNodeMediaServer, waitForStream, type Publisher, type RtmpServerHandle } from '../servers/index';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
function track<T extends RtmpServerHandle | Publisher>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

/** The AMF0 commands each way ("name #transaction") and the stream ids plays went out on. */
interface CommandLog {
  outgoing: string[];
  incoming: string[];
  playStreamIds: number[];
}

/** A NetConnection over TCP to `url` whose tap logs commands; closed after the test. */
async function loggedConnection(url: string): Promise<{ nc: NetConnection; parsed: ReturnType<typeof parseRtmpUrl>; tap: ProtocolTap; transport: TcpTransport; log: CommandLog }> {
  const parsed = parseRtmpUrl(url);
  const log: CommandLog = { outgoing: [], incoming: [], playStreamIds: [] };
  const tap: ProtocolTap = {
    message({ direction, message }) {
      if (message.type !== MessageType.CommandAmf0) return;
      const command = decodeCommand(message);
      (direction === 'out' ? log.outgoing : log.incoming).push(`${command.name} #${command.transactionId}`);
      if (direction === 'out' && command.name === 'play') log.playStreamIds.push(message.streamId);
    },
  };
  const transport = await TcpTransport.connect(parsed.host, parsed.port, { timeoutMs: 5000 });
  const nc = new NetConnection();
  cleanups.push(() => nc.close());
  return { nc, parsed, tap, transport, log };
}

async function pipelinedPlay(url: string, stream: string): Promise<{ outgoing: string[]; incoming: string[]; streamId: number }> {
  const { nc, parsed, tap, transport, log } = await loggedConnection(url);
  const { outgoing, incoming } = log;
  const connecting = nc.connect(parsed, { transport, timeoutMs: 10_000, tap });
  const creating = nc.createStream();
  await connecting;
  const ns = await creating;
  const video = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no video within 15 s')), 15_000);
    ns.once('video', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await ns.play(stream);
  await video;
  return { outgoing, incoming, streamId: ns.streamId };
}

describe('createStream pipelined behind connect, against real servers', () => {
  it('nginx-rtmp answers connect then createStream and plays', async () => {
    const nginx = track(await startNginxRtmp());
    track(await publishTestStream(nginx.url('live', 'pipe')));
    await waitForStream(nginx, 'live', 'pipe');
    const { outgoing, incoming, streamId } = await pipelinedPlay(nginx.url('live', 'pipe'), 'pipe');
    expect(outgoing.slice(0, 3)).toEqual(['connect #1', 'createStream #2', 'play #0']);
    expect(incoming.slice(0, 2)).toEqual(['_result #1', '_result #2']);
    expect(streamId).toBe(1);
  });

  it('node-media-server answers connect then createStream and plays', async () => {
    const nms = await startNodeMediaServer();
    cleanups.push(() => nms.stop());
    track(await publishTestStream(nms.url('live', 'pipe')));
    await waitForStream(nms, 'live', 'pipe');
    const { outgoing, incoming } = await pipelinedPlay(nms.url('live', 'pipe'), 'pipe');
    expect(outgoing.slice(0, 3)).toEqual(['connect #1', 'createStream #2', 'play #0']);
    expect(incoming.slice(0, 2)).toEqual(['_result #1', '_result #2']);
  });

  it('FFmpeg -listen 1 answers connect then createStream and plays', async () => {
    const server = track(await startFfmpegServer({ app: 'live', stream: 'pipe', durationSec: 20 }));
    const { outgoing, incoming } = await pipelinedPlay(server.url('live', 'pipe'), 'pipe');
    expect(outgoing.slice(0, 2)).toEqual(['connect #1', 'createStream #2']);
    expect(outgoing).toContain('play #0');
    expect(incoming[0]).toBe('_result #1');
    expect(incoming).toContain('_result #2');
  });
});

/** createStreamAndPlay right after connect: connect, createStream and play on stream 1 in one write. */
async function playPipelinedBehindCreateStream(url: string, stream: string): Promise<{ outgoing: string[]; incoming: string[]; streamId: number; playStreamIds: number[] }> {
  const { nc, parsed, tap, transport, log } = await loggedConnection(url);
  const { outgoing, incoming, playStreamIds } = log;
  const connecting = nc.connect(parsed, { transport, timeoutMs: 10_000, tap });
  const creating = nc.createStreamAndPlay(stream, { bufferMs: 500 });
  await connecting;
  const ns = await creating;
  const video = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no video within 15 s')), 15_000);
    ns.once('video', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  expect((await ns.waitForPlayStart()).code).toBe('NetStream.Play.Start');
  await video;
  return { outgoing, incoming, streamId: ns.streamId, playStreamIds };
}

describe('play pipelined behind createStream (createStreamAndPlay), against real servers', () => {
  it('nginx-rtmp: one play, on stream 1, and the stream plays', async () => {
    const nginx = track(await startNginxRtmp());
    track(await publishTestStream(nginx.url('live', 'early')));
    await waitForStream(nginx, 'live', 'early');
    const result = await playPipelinedBehindCreateStream(nginx.url('live', 'early'), 'early');
    expect(result.outgoing.slice(0, 3)).toEqual(['connect #1', 'createStream #2', 'play #0']);
    expect(result.incoming.slice(0, 2)).toEqual(['_result #1', '_result #2']);
    expect(result.streamId).toBe(1);
    expect(result.playStreamIds).toEqual([1]);
  });

  it('node-media-server: one play, on stream 1, and the stream plays', async () => {
    const nms = await startNodeMediaServer();
    cleanups.push(() => nms.stop());
    track(await publishTestStream(nms.url('live', 'early')));
    await waitForStream(nms, 'live', 'early');
    const result = await playPipelinedBehindCreateStream(nms.url('live', 'early'), 'early');
    expect(result.outgoing.slice(0, 3)).toEqual(['connect #1', 'createStream #2', 'play #0']);
    expect(result.streamId).toBe(1);
    expect(result.playStreamIds).toEqual([1]);
  });

  it('FFmpeg -listen 1: one play, on stream 1, and the stream plays', async () => {
    const server = track(await startFfmpegServer({ app: 'live', stream: 'early', durationSec: 20 }));
    const result = await playPipelinedBehindCreateStream(server.url('live', 'early'), 'early');
    expect(result.outgoing.slice(0, 3)).toEqual(['connect #1', 'createStream #2', 'play #0']);
    expect(result.streamId).toBe(1);
    expect(result.playStreamIds).toEqual([1]);
  });
});

