import { ByteReader } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import type { MediaFrame } from '../types';
import { parseLegacyAudioHeader } from './audio-config';
import type { LegacyAudioHeader } from './audio-config';
import { mediaDecoding } from './media-errors';

/** What a video message carries, beyond the frame itself. */
export type VideoPacketKind =
  | 'sequence-start'
  | 'coded-frames'
  | 'sequence-end'
  | 'metadata'
  | 'mpeg2ts-sequence-start'
  | 'command'
  | 'empty';

export type AudioPacketKind = 'sequence-start' | 'coded-frames' | 'sequence-end' | 'multichannel-config' | 'empty';

/** FLV VideoFrameType (FLV v10.1 §E.4.3.1; E-RTMP keeps the values). */
export const VideoFrameType = { KeyFrame: 1, InterFrame: 2, DisposableInterFrame: 3, GeneratedKeyFrame: 4, Command: 5 } as const;

export interface VideoFrame extends MediaFrame {
  kind: 'video';
  packetType: VideoPacketKind;
  /** 1 key, 2 inter, 3 disposable inter, 4 generated key, 5 command / video info. */
  frameType: number;
  /** Whether the message used the E-RTMP ExVideoTagHeader. */
  enhanced: boolean;
  /** packetType 'command': 0 start of client-side seeking, 1 end. */
  videoCommand?: number;
  /** E-RTMP ModEx TimestampOffsetNano: nanoseconds to add to dts/pts (0..999999). */
  timestampNanoOffset?: number;
}

export interface AudioFrame extends MediaFrame {
  kind: 'audio';
  packetType: AudioPacketKind;
  enhanced: boolean;
  /** The legacy SoundFormat (9 means E-RTMP ExHeader). */
  soundFormat: number;
  /** Legacy headers only: what the rate/size/type bits say (for AAC always 44 kHz stereo; trust the AudioSpecificConfig). */
  legacy?: LegacyAudioHeader;
  /** packetType 'multichannel-config' (E-RTMP): channel order (0 unspecified, 1 native, 2 custom), count, mapping or mask. */
  multichannel?: { channelOrder: number; channelCount: number; channelMapping?: number[]; channelFlags?: number };
  timestampNanoOffset?: number;
}

const VIDEO_PACKET_TYPES: Record<number, VideoPacketKind> = {
  0: 'sequence-start',
  1: 'coded-frames',
  2: 'sequence-end',
  3: 'coded-frames', // CodedFramesX: no composition time on the wire
  4: 'metadata',
  5: 'mpeg2ts-sequence-start',
};
const AUDIO_PACKET_TYPES: Record<number, AudioPacketKind> = {
  0: 'sequence-start',
  1: 'coded-frames',
  2: 'sequence-end',
  4: 'multichannel-config',
};
const VIDEO_MULTITRACK = 6;
const AUDIO_MULTITRACK = 5;
const MOD_EX = 7;
/** Legacy CodecIDs with an E-RTMP FourCC. 12 is the widespread (non-Adobe) HEVC extension, laid out like AVC. */
const LEGACY_VIDEO_CODECS: Record<number, string> = { 7: 'avc1', 12: 'hvc1' };
const LEGACY_AUDIO_CODECS: Record<number, string> = { 2: '.mp3', 10: 'mp4a', 14: '.mp3' };
/** FourCCs whose CodedFrames carry an SI24 composition time (E-RTMP v2, ExVideoTagBody). */
const FOURCCS_WITH_CTS = new Set(['avc1', 'hvc1', 'vvc1']);

/**
 * Parses a video message body (FLV VIDEODATA, FLV v10.1 §E.4.3; E-RTMP v1/v2 ExVideoTagHeader) at
 * message timestamp `timestamp`. A multitrack message gives its track 0, or its first track when
 * there is no track 0; parseVideoMessageTracks gives every track.
 */
export function parseVideoMessage(payload: Uint8Array, timestamp: number): VideoFrame {
  return pickDefaultTrack(parseVideoMessageTracks(payload, timestamp));
}

/** Every track of a video message (one, unless the message is E-RTMP multitrack). */
export function parseVideoMessageTracks(payload: Uint8Array, timestamp: number): VideoFrame[] {
  return mediaDecoding('video message', () => {
    if (payload.length === 0) return [videoFrame(payload, timestamp, { packetType: 'empty', codec: '', frameType: 0, enhanced: false })];
    const first = payload[0]!;
    if ((first & 0x80) === 0) return [parseLegacyVideo(payload, timestamp)];
    const reader = new ByteReader(payload, 1);
    const frameType = (first >>> 4) & 0x07;
    const { packetType, nano } = readModExChain(reader, first & 0x0f);
    const base = { frameType, enhanced: true, ...(nano === undefined ? {} : { timestampNanoOffset: nano }) };
    if (packetType !== 4 && frameType === VideoFrameType.Command) {
      const videoCommand = reader.u8();
      return [videoFrame(payload, timestamp, { ...base, packetType: 'command', codec: '', videoCommand, data: payload.subarray(reader.position) })];
    }
    const tracks = readTracks(reader, packetType, VIDEO_MULTITRACK, 'video');
    return tracks.map((track) => {
      const kind = VIDEO_PACKET_TYPES[track.packetType];
      if (kind === undefined) throw new RtmpError('MEDIA_UNSUPPORTED', `E-RTMP video packet type ${track.packetType} is not known`, { details: { packetType: track.packetType } });
      let cts = 0;
      let data = track.body;
      if (track.packetType === 1 && FOURCCS_WITH_CTS.has(track.fourCc)) {
        cts = new ByteReader(track.body).i24();
        data = track.body.subarray(3);
      }
      return videoFrame(payload, timestamp, { ...base, packetType: kind, codec: track.fourCc, trackId: track.trackId, cts, data });
    });
  });
}

function parseLegacyVideo(payload: Uint8Array, timestamp: number): VideoFrame {
  const frameType = payload[0]! >>> 4;
  const codecId = payload[0]! & 0x0f;
  const codec = LEGACY_VIDEO_CODECS[codecId] ?? `flv-${codecId}`;
  const base = { frameType, enhanced: false, codec };
  if (frameType === VideoFrameType.Command) {
    // Video info / command frame: one byte, no AVCPacketType (E-RTMP v2, legacy branch).
    const reader = new ByteReader(payload, 1);
    return videoFrame(payload, timestamp, { ...base, packetType: 'command', videoCommand: reader.u8(), data: payload.subarray(2) });
  }
  if (codecId === 7 || codecId === 12) {
    // AVCVIDEOPACKET (§E.4.3.2): AVCPacketType, CompositionTime SI24, then data.
    const reader = new ByteReader(payload, 1);
    const avcPacketType = reader.u8();
    const cts = reader.i24();
    const packetType: VideoPacketKind = avcPacketType === 0 ? 'sequence-start' : avcPacketType === 2 ? 'sequence-end' : 'coded-frames';
    return videoFrame(payload, timestamp, { ...base, packetType, cts: packetType === 'coded-frames' ? cts : 0, data: payload.subarray(5) });
  }
  return videoFrame(payload, timestamp, { ...base, packetType: 'coded-frames', data: payload.subarray(1) });
}

function videoFrame(
  payload: Uint8Array,
  timestamp: number,
  fields: Partial<VideoFrame> & Pick<VideoFrame, 'packetType' | 'codec' | 'frameType' | 'enhanced'>,
): VideoFrame {
  const frame: VideoFrame = {
    kind: 'video',
    dts: timestamp,
    cts: 0,
    // E-RTMP: the frame type means nothing on a Metadata packet.
    keyframe:
      fields.packetType !== 'metadata' &&
      (fields.frameType === VideoFrameType.KeyFrame || fields.frameType === VideoFrameType.GeneratedKeyFrame),
    config: fields.packetType === 'sequence-start',
    data: payload.subarray(payload.length),
    payload,
    trackId: 0,
    ...fields,
  };
  return frame;
}

/**
 * Parses an audio message body (FLV AUDIODATA, FLV v10.1 §E.4.2; E-RTMP ExAudioTagHeader).
 * Multitrack messages give track 0 (or the first); parseAudioMessageTracks gives every track.
 * Audio frames are all random-access points, so `keyframe` is true for coded frames.
 */
export function parseAudioMessage(payload: Uint8Array, timestamp: number): AudioFrame {
  return pickDefaultTrack(parseAudioMessageTracks(payload, timestamp));
}

export function parseAudioMessageTracks(payload: Uint8Array, timestamp: number): AudioFrame[] {
  return mediaDecoding('audio message', () => {
    // E-RTMP: an empty audio message is the (previously undocumented) "silence" message.
    if (payload.length === 0) return [audioFrame(payload, timestamp, { packetType: 'empty', codec: '', enhanced: false, soundFormat: -1 })];
    const first = payload[0]!;
    const soundFormat = first >>> 4;
    if (soundFormat !== 9) {
      const legacy = parseLegacyAudioHeader(first);
      const codec = LEGACY_AUDIO_CODECS[soundFormat] ?? `flv-${soundFormat}`;
      if (soundFormat === 10) {
        // AACAUDIODATA (§E.4.2.2): AACPacketType 0 = AudioSpecificConfig, 1 = raw frame.
        const aacPacketType = new ByteReader(payload, 1).u8();
        return [
          audioFrame(payload, timestamp, { packetType: aacPacketType === 0 ? 'sequence-start' : 'coded-frames', codec, enhanced: false, soundFormat, legacy, data: payload.subarray(2) }),
        ];
      }
      return [audioFrame(payload, timestamp, { packetType: 'coded-frames', codec, enhanced: false, soundFormat, legacy, data: payload.subarray(1) })];
    }
    const reader = new ByteReader(payload, 1);
    const { packetType, nano } = readModExChain(reader, first & 0x0f);
    const base = { enhanced: true, soundFormat, ...(nano === undefined ? {} : { timestampNanoOffset: nano }) };
    return readTracks(reader, packetType, AUDIO_MULTITRACK, 'audio').map((track) => {
      const kind = AUDIO_PACKET_TYPES[track.packetType];
      if (kind === undefined) throw new RtmpError('MEDIA_UNSUPPORTED', `E-RTMP audio packet type ${track.packetType} is not known`, { details: { packetType: track.packetType } });
      const frame = audioFrame(payload, timestamp, { ...base, packetType: kind, codec: track.fourCc, trackId: track.trackId, data: track.body });
      if (kind === 'multichannel-config') frame.multichannel = readMultichannelConfig(track.body);
      return frame;
    });
  });
}

function audioFrame(
  payload: Uint8Array,
  timestamp: number,
  fields: Partial<AudioFrame> & Pick<AudioFrame, 'packetType' | 'codec' | 'enhanced' | 'soundFormat'>,
): AudioFrame {
  return {
    kind: 'audio',
    dts: timestamp,
    cts: 0,
    keyframe: fields.packetType === 'coded-frames',
    config: fields.packetType === 'sequence-start',
    data: payload.subarray(payload.length),
    payload,
    trackId: 0,
    ...fields,
  };
}

/**
 * Follows the ModEx packets (E-RTMP v2: PacketType 7 in an audio or video ExHeader) until the
 * real packet type; shared by audio and video, which carry ModEx the same way. Returns that
 * packet type and the TimestampOffsetNano when one of them held it (the last one wins).
 */
function readModExChain(reader: ByteReader, firstPacketType: number): { packetType: number; nano: number | undefined } {
  let packetType = firstPacketType;
  let nano: number | undefined;
  while (packetType === MOD_EX) {
    const modEx = readModEx(reader);
    packetType = modEx.packetType;
    if (modEx.nano !== undefined) nano = modEx.nano;
  }
  return { packetType, nano };
}

/** E-RTMP v2 ModEx: size (UI8 + 1, or UI16 + 1 after 256), data, then ModExType and the next packet type. */
function readModEx(reader: ByteReader): { packetType: number; nano?: number } {
  let size = reader.u8() + 1;
  if (size === 256) size = reader.u16() + 1;
  const data = reader.bytesView(size);
  const next = reader.u8();
  const modExType = next >>> 4;
  const result: { packetType: number; nano?: number } = { packetType: next & 0x0f };
  if (modExType === 0) {
    // TimestampOffsetNano: a UI24 of at most 999 999 ns.
    if (data.length < 3) throw new RtmpError('MEDIA_MALFORMED', `TimestampOffsetNano ModEx data of ${data.length} bytes, need 3`);
    result.nano = (data[0]! << 16) | (data[1]! << 8) | data[2]!;
  }
  return result;
}

interface TrackBody {
  trackId: number;
  fourCc: string;
  packetType: number;
  body: Uint8Array;
}

/**
 * The track bodies after the ExHeader (E-RTMP v2 "Multitrack"): for a single-track message one
 * body with track id 0; for OneTrack a track id then the rest; for ManyTracks and
 * ManyTracksManyCodecs a track id and a UI24 size per track (and a FourCC per track for the latter).
 */
function readTracks(reader: ByteReader, packetType: number, multitrackType: number, what: string): TrackBody[] {
  if (packetType !== multitrackType) {
    const fourCc = readFourCc(reader);
    return [{ trackId: 0, fourCc, packetType, body: reader.bytesView(reader.remaining) }];
  }
  const b = reader.u8();
  const type = b >>> 4;
  const inner = b & 0x0f;
  if (inner === multitrackType) throw new RtmpError('MEDIA_MALFORMED', `${what} multitrack packet nests another multitrack packet`);
  if (type > 2) throw new RtmpError('MEDIA_UNSUPPORTED', `${what} multitrack type ${type} is not known`, { details: { multitrackType: type } });
  const shared = type !== 2 ? readFourCc(reader) : '';
  const tracks: TrackBody[] = [];
  if (type === 0) {
    const trackId = reader.u8();
    tracks.push({ trackId, fourCc: shared, packetType: inner, body: reader.bytesView(reader.remaining) });
    return tracks;
  }
  while (reader.remaining > 0) {
    const fourCc = type === 2 ? readFourCc(reader) : shared;
    const trackId = reader.u8();
    const size = reader.u24();
    tracks.push({ trackId, fourCc, packetType: inner, body: reader.bytesView(size) });
  }
  return tracks;
}

function readFourCc(reader: ByteReader): string {
  const bytes = reader.bytesView(4);
  return String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
}

function readMultichannelConfig(body: Uint8Array): NonNullable<AudioFrame['multichannel']> {
  const reader = new ByteReader(body);
  const channelOrder = reader.u8();
  const channelCount = reader.u8();
  const config: NonNullable<AudioFrame['multichannel']> = { channelOrder, channelCount };
  if (channelOrder === 2) config.channelMapping = Array.from(reader.bytesView(channelCount));
  else if (channelOrder === 1) config.channelFlags = reader.u32();
  return config;
}

function pickDefaultTrack<T extends MediaFrame>(frames: T[]): T {
  const frame = frames.find((f) => f.trackId === 0) ?? frames[0];
  if (frame === undefined) throw new RtmpError('MEDIA_MALFORMED', `multitrack message holds no track`);
  return frame;
}
