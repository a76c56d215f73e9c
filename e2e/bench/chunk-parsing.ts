/**
 * Issue 6, item 1: protocol parsing throughput. The server-to-client bytes of a play
 * session (a 20 s 720p 2.5 Mbit/s H.264 + AAC stream made by ffmpeg, chunked by our
 * ChunkWriter at 4096- and at 128-byte chunks) fed in 64 KiB reads, as a socket delivers
 * them, to:
 * - our ChunkReader (chunk headers + message assembly; it owns its input, so a message inside
 *   one read is closed up in place and handed out as a view, one straddling reads is copied),
 * - node-media-server 4.4.3's `Rtmp.chunkRead` with a no-op message handler (it still
 *   applies Set Chunk Size, as it must to parse the rest),
 * - a plain copy of the same reads into one preallocated buffer (the practical limit).
 */
import { ChunkReader, MessageType } from '@rtmp-web/rtmp';
import { MB, formatNumber, formatRatio, measureInterleaved, type Contender } from './lib/measure';
import { buildServerToClientStream, ensureFlvFixture, loadFlvTags } from './lib/fixtures';
import { NmsRtmp } from './lib/nms';
import type { BenchContext, BenchOutcome, Benchmark, ResultTable, TargetCheck } from './lib/result';

const READ_SIZE = 64 * 1024;
/** Rtmp.js's RTMP_HANDSHAKE_2: handshake done, parserData goes straight to chunkRead. */
const NMS_HANDSHAKE_DONE = 3;

interface ParseCount {
  messages: number;
  payloadBytes: number;
}

interface StreamRun {
  chunkSize: number;
  bytes: number;
  messages: number;
  samples: ReturnType<typeof measureInterleaved>;
}

function contendersFor(stream: Uint8Array): { contenders: Contender[]; check: () => { ours: ParseCount; nms: ParseCount } } {
  // ChunkReader rewrites what it is pushed (push() takes ownership), so every call gets the reads
  // fresh: `input` is restored from the pristine `stream` before each call, outside the timed
  // region. Every contender gets the same restore, so all start from the same cache state.
  const input = new Uint8Array(stream.length);
  const refresh = (): void => input.set(stream);
  const reads: Uint8Array[] = [];
  for (let p = 0; p < input.length; p += READ_SIZE) reads.push(input.subarray(p, Math.min(input.length, p + READ_SIZE)));
  const buffers = reads.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength));

  const ours = (): { messages: number; payloadBytes: number } => {
    const reader = new ChunkReader();
    let messages = 0;
    let payloadBytes = 0;
    for (const read of reads) {
      for (const message of reader.push(read)) {
        messages++;
        payloadBytes += message.payload.length;
      }
    }
    return { messages, payloadBytes };
  };

  const nms = (keepPayloads: boolean): { messages: number; payloadBytes: number } => {
    const parser = new NmsRtmp();
    parser.handshakeState = NMS_HANDSHAKE_DONE;
    let messages = 0;
    let payloadBytes = 0;
    let keptBytes = 0;
    // No-op handler: count the message; control messages keep their effect (Set Chunk Size).
    parser.packetHandler = function (this: NmsRtmp) {
      messages++;
      payloadBytes += this.parserPacket.header.length;
      // A consumer that keeps frames (a player queueing them for the remuxer) must copy,
      // because the parser reuses this buffer for the next message on the chunk stream.
      // (Buffer#slice is a view, so copy explicitly, the way our reader fills its payloads.)
      if (keepPayloads) {
        const kept = new Uint8Array(this.parserPacket.header.length);
        kept.set(this.parserPacket.payload.subarray(0, kept.length));
        keptBytes += kept[kept.length - 1] ?? 0;
      }
      if (this.parserPacket.header.type <= MessageType.SetPeerBandwidth) this.controlHandler();
    };
    for (const read of buffers) parser.chunkRead(read, 0, read.length);
    // keptBytes is folded in so the copies cannot be optimized away (it is 0 when not keeping).
    return { messages: messages + (keptBytes < 0 ? 1 : 0), payloadBytes };
  };

  const sinkBuffer = new Uint8Array(stream.length);
  const copy = (): number => {
    let p = 0;
    for (const read of reads) {
      sinkBuffer.set(read, p);
      p += read.length;
    }
    return sinkBuffer[p - 1]!;
  };

  return {
    contenders: [
      { name: 'plain copy', run: copy, prepare: refresh },
      { name: 'node-media-server Rtmp.chunkRead', run: () => nms(false).messages, prepare: refresh },
      { name: 'node-media-server + copy of each payload', run: () => nms(true).messages, prepare: refresh },
      { name: 'rtmp-web ChunkReader', run: () => ours().messages, prepare: refresh },
    ],
    check: () => {
      refresh();
      const oursCount = ours();
      refresh();
      return { ours: oursCount, nms: nms(false) };
    },
  };
}

/** How many payloads (and payload bytes) our reader handed out as views of the read they came in. */
function payloadViews(stream: Uint8Array): { messages: number; viewMessages: number; bytes: number; viewBytes: number } {
  const reader = new ChunkReader();
  const input = stream.slice();
  const counts = { messages: 0, viewMessages: 0, bytes: 0, viewBytes: 0 };
  for (let p = 0; p < input.length; p += READ_SIZE) {
    for (const message of reader.push(input.subarray(p, Math.min(input.length, p + READ_SIZE)))) {
      const view = message.payload.buffer === input.buffer;
      counts.messages++;
      counts.bytes += message.payload.length;
      if (view) {
        counts.viewMessages++;
        counts.viewBytes += message.payload.length;
      }
    }
  }
  return counts;
}

async function run(context: BenchContext): Promise<BenchOutcome> {
  const flv = await ensureFlvFixture(context.log);
  const tags = loadFlvTags(flv);
  const runs: StreamRun[] = [];
  const notes: string[] = [];
  const ratioNotes: string[] = [];
  const viewNotes: string[] = [];
  for (const chunkSize of [4096, 128]) {
    const stream = buildServerToClientStream(tags, chunkSize);
    const { contenders, check } = contendersFor(stream);
    const counts = check();
    const views = payloadViews(stream);
    viewNotes.push(
      `${chunkSize}-byte chunks: ${views.viewMessages} of ${views.messages} messages (${formatNumber((100 * views.viewBytes) / views.bytes, 0)}% of payload bytes) were views of a read, the rest copied because they straddle reads`,
    );
    const expected = tags.length + (chunkSize === 128 ? 0 : 1);
    if (counts.ours.messages !== expected || counts.nms.messages !== expected || counts.ours.payloadBytes !== counts.nms.payloadBytes) {
      throw new Error(`parsers disagree at ${chunkSize}-byte chunks: ${JSON.stringify(counts)}, expected ${expected} messages`);
    }
    context.log(`chunk size ${chunkSize}: ${(stream.length / MB).toFixed(1)} MB, ${expected} messages; measuring`);
    const samples = measureInterleaved(contenders, {
      // Five quick rounds: medians of three swung too much on a shared machine.
      rounds: context.quick ? 5 : 7,
      roundMs: context.quick ? 300 : 1000,
      unitsPerCall: stream.length,
    });
    runs.push({ chunkSize, bytes: stream.length, messages: expected, samples });
  }

  const tables: ResultTable[] = [];
  const targets: TargetCheck[] = [];
  for (const r of runs) {
    const byName = new Map(r.samples.map((s) => [s.name, s]));
    const ours = byName.get('rtmp-web ChunkReader')!.median;
    const nms = byName.get('node-media-server Rtmp.chunkRead')!.median;
    const copy = byName.get('plain copy')!.median;
    const nmsKeeping = byName.get('node-media-server + copy of each payload')!.median;
    tables.push({
      title: `${r.chunkSize}-byte chunks (${(r.bytes / MB).toFixed(1)} MB, ${r.messages} messages, 64 KiB reads)`,
      columns: ['parser', 'MB/s (median)', 'min..max', 'vs node-media-server', 'vs plain copy'],
      rows: r.samples.map((s) => [
        s.name,
        formatNumber(s.median / MB, 0),
        `${formatNumber(s.min / MB, 0)}..${formatNumber(s.max / MB, 0)}`,
        formatRatio(s.median / nms),
        formatRatio(s.median / copy),
      ]),
    });
    const goal = r.chunkSize === 4096 ? 1.5 : 3;
    targets.push({
      measure: `chunk reader + message assembly, ${r.chunkSize}-byte chunks`,
      target: `>= ${goal}x node-media-server`,
      actual: `${formatRatio(ours / nms)} (${formatNumber(ours / MB, 0)} vs ${formatNumber(nms / MB, 0)} MB/s)`,
      met: ours / nms >= goal,
    });
    ratioNotes.push(
      `${r.chunkSize}-byte chunks: against node-media-server when its caller keeps each payload (the copy a player needs), ours is ${formatRatio(ours / nmsKeeping)}.`,
    );
  }
  notes.push(
    'Stream: synthesized, not recorded: the tags of a real ffmpeg FLV (1280x720 30 fps x264 2.5 Mbit/s + AAC 96 kbit/s, 20 s, 1 s GOP) written as a play session by our ChunkWriter (Set Chunk Size first, video on csid 7, audio on csid 6, message stream 1, fmt 0..3 headers as the writer picks them).',
    'Both parsers start after the handshake and get the same 64 KiB reads. Each call parses the whole stream with a fresh parser; rounds are interleaved and the median is reported.',
    'Payload contracts differ, and the table compares them as they are. Our push() takes ownership of each read (the caller must not write to it afterwards; socket and WebSocket reads are fresh per read): the chunks of a message inside one read are closed up in place (each 1-byte fmt-3 header squeezed out with one copyWithin) and the payload is a view of the read; a message that straddles two reads is copied into a buffer of the reader (a shared 128 KiB slab up to 32 KiB). Either way the payload may be kept. node-media-server copies every chunk into one growing buffer per chunk stream that it reuses for the next message, so its handler must consume the payload at once; the "+ copy of each payload" row adds the copy a consumer that keeps frames (a player queueing them for the remuxer) must make.',
    'The reads are restored from a pristine copy before every call of every contender, outside the timed region (our reader rewrites them; the others get the same restore so that all start from the same cache state).',
    `How our payloads came out: ${viewNotes.join('; ')}.`,
    'Where our time goes (2026-11-26, measured by taking each part out in turn, interleaved, CPU time): at 4096-byte chunks about a quarter is closing chunks up (a memmove of 3.2 of the 6.7 MB: each message moves all but one chunk), a quarter is allocating zero-filled buffers for the messages that straddle reads (fresh memory costs about 3 GB/s here, page faults included), the rest is header parsing, message objects and payload views (a view is about 50 ns). At 128-byte chunks it is nearly all the one copyWithin per chunk (about 45 ns each, mostly call overhead): that call count bounds this design near 2.5 GB/s. node-media-server copies every byte once into warm buffers it reuses, which is why its caller must consume each payload at once.',
    'Load sensitivity: on the shared 2-core machine on 2026-11-26 (other helpers running browsers, ffmpeg and test suites), fifteen quick runs of the reader as it is now (some with GC or JIT tracing on) gave 0.6x..1.8x at 4096-byte chunks and 1.6x..4.1x at 128-byte chunks, and met both targets in 4 of them. Our time at 4096 is mostly memory traffic (memmove, fresh memory for straddling messages and the GCs it triggers), which suffers most when other processes compete; node-media-server\'s is mostly per-chunk work on warm buffers it reuses. Interleaved CPU-time runs of the same contenders outside the bench process gave 1.3x..1.5x and 3.1x..3.5x.',
  );
  notes.push(...ratioNotes);
  return {
    title: 'Protocol parsing throughput (Node)',
    tables,
    targets,
    notes,
    data: { runs },
  };
}

export const chunkParsing: Benchmark = {
  name: 'chunk-parsing',
  description: 'ChunkReader vs node-media-server Rtmp.chunkRead vs a plain copy, 4096- and 128-byte chunks',
  run,
};
