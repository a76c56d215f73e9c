/**
 * The inspector's view of the protocol core: every decoder it uses, in one place, each made
 * total (a malformed message gives `undefined` or a `malformed` result, never an exception),
 * because an inspector must keep showing a session that breaks the rules.
 */
import type { CodedError } from '@rtmp-web/bytes';
import type { AmfValue } from '@rtmp-web/amf';
import type { MediaFrame, ProtocolControl, RtmpCommand, RtmpData, RtmpMessage, SharedObjectMessage, UserControlEvent } from '@rtmp-web/rtmp';
import {
  MessageType,
  decodeCommand,
  decodeDataMessage,
  decodeProtocolControl,
  decodeSharedObjectMessage,
  decodeUserControl,
  parseAudioMessage,
  parseAudioSpecificConfig,
  parseAv1CodecConfigurationRecord,
  parseAvcDecoderConfigurationRecord,
  parseFlacStreamInfo,
  parseHevcDecoderConfigurationRecord,
  parseLegacyAudioHeader,
  parseMpegAudioFrameHeader,
  parseOpusHead,
  parseVideoMessage,
  parseVpcc,
  unpackAggregate,
} from '@rtmp-web/rtmp';
import type { MessageRecord } from './model';


/** A message's body decoded by type (RTMP 1.0 §5.4, §7.1). */
export type DecodedMessage =
  | { kind: 'protocol-control'; control: ProtocolControl }
  | { kind: 'user-control'; control: UserControlEvent }
  | { kind: 'command'; command: RtmpCommand }
  | { kind: 'data'; data: RtmpData }
  | { kind: 'shared-object'; sharedObject: SharedObjectMessage }
  | { kind: 'media'; frames: MediaFrame[] }
  | { kind: 'aggregate'; messages: RtmpMessage[] }
  | { kind: 'unknown' }
  | { kind: 'malformed'; error: CodedError | Error };

const cache = new WeakMap<MessageRecord, DecodedMessage>();

export function asRtmpMessage(record: MessageRecord): RtmpMessage {
  return { type: record.type, streamId: record.streamId, timestamp: record.timestamp, payload: record.payload, csid: record.csid };
}

/** Decodes a recorded message once (cached per record). */
export function decodeRecord(record: MessageRecord): DecodedMessage {
  let decoded = cache.get(record);
  if (!decoded) {
    decoded = decodeMessage(asRtmpMessage(record));
    cache.set(record, decoded);
  }
  return decoded;
}

export function decodeMessage(message: RtmpMessage): DecodedMessage {
  try {
    switch (message.type) {
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.Acknowledgement:
      case MessageType.WindowAckSize:
      case MessageType.SetPeerBandwidth:
        return { kind: 'protocol-control', control: decodeProtocolControl(message) };
      case MessageType.UserControl:
        return { kind: 'user-control', control: decodeUserControl(message.payload) };
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        return { kind: 'command', command: decodeCommand(message) };
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        return { kind: 'data', data: decodeDataMessage(message) };
      case MessageType.SharedObjectAmf0:
      case MessageType.SharedObjectAmf3:
        return { kind: 'shared-object', sharedObject: decodeSharedObjectMessage(message) };
      case MessageType.Audio:
      case MessageType.Video:
        return { kind: 'media', frames: framesOf(message) };
      case MessageType.Aggregate:
        return { kind: 'aggregate', messages: unpackAggregate(message) };
      default:
        return { kind: 'unknown' };
    }
  } catch (error) {
    return { kind: 'malformed', error: error instanceof Error ? error : new Error(String(error)) };
  }
}

function framesOf(message: RtmpMessage): MediaFrame[] {
  if (message.payload.byteLength === 0) return [];
  const parsed: MediaFrame | MediaFrame[] =
    message.type === MessageType.Video ? parseVideoMessage(message.payload, message.timestamp) : parseAudioMessage(message.payload, message.timestamp);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** The media frames of an audio, video or aggregate record, each with the (sub-)message it came from. */
export function mediaFrames(record: MessageRecord): Array<{ message: RtmpMessage; frames: MediaFrame[] }> {
  const decoded = decodeRecord(record);
  if (decoded.kind === 'media') return [{ message: asRtmpMessage(record), frames: decoded.frames }];
  if (decoded.kind !== 'aggregate') return [];
  const out: Array<{ message: RtmpMessage; frames: MediaFrame[] }> = [];
  for (const message of decoded.messages) {
    if (message.type !== MessageType.Audio && message.type !== MessageType.Video) continue;
    try {
      out.push({ message, frames: framesOf(message) });
    } catch {
      // A malformed sub-message is shown in the log; analysis skips it.
    }
  }
  return out;
}

export function decodeData(record: MessageRecord): RtmpData | undefined {
  const decoded = decodeRecord(record);
  return decoded.kind === 'data' ? decoded.data : undefined;
}

/** What a decoder configuration (or a first frame) says about a track. */
export interface CodecDetails {
  /** RFC 6381 codec string, e.g. "avc1.64001e", "mp4a.40.2". */
  codecString?: string;
  profile?: string;
  level?: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  /** A one-line description, e.g. "avc1.64001e High 3.0 640x360", "mp4a.40.2 AAC-LC 44100 Hz 2 ch". */
  description: string;
}

const AVC_PROFILES: Record<number, string> = { 66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4' };
const HEVC_PROFILES: Record<number, string> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Range extensions' };
const AV1_PROFILES: Record<number, string> = { 0: 'Main', 1: 'High', 2: 'Professional' };
const AAC_OBJECT_TYPES: Record<number, string> = { 1: 'AAC Main', 2: 'AAC-LC', 3: 'AAC SSR', 4: 'AAC LTP', 5: 'HE-AAC (SBR)', 29: 'HE-AAC v2 (PS)' };

function size(width: number | undefined, height: number | undefined): Pick<CodecDetails, 'width' | 'height'> {
  return width && height ? { width, height } : {};
}

function describe(details: Omit<CodecDetails, 'description'>): CodecDetails {
  const parts: string[] = [details.codecString ?? ''];
  if (details.profile) parts.push(details.level ? `${details.profile} ${details.level}` : details.profile);
  if (details.width && details.height) parts.push(`${details.width}x${details.height}`);
  if (details.sampleRate) parts.push(`${details.sampleRate} Hz`);
  if (details.channels) parts.push(`${details.channels} ch`);
  return { ...details, description: parts.filter(Boolean).join(' ') };
}

/**
 * Codec details from a frame: decoder configurations (AVC/HEVC/AV1/VP9 records, AAC
 * AudioSpecificConfig, OpusHead, FLAC STREAMINFO), or, for codecs without one, the first coded
 * frame (MP3 frame header, legacy FLV audio header). Undefined when the frame says nothing.
 */
export function codecDetails(frame: MediaFrame): CodecDetails | undefined {
  try {
    if (frame.config) {
      switch (frame.codec) {
        case 'avc1': {
          const c = parseAvcDecoderConfigurationRecord(frame.data);
          return describe({ codecString: c.codecString, profile: AVC_PROFILES[c.profile] ?? `profile ${c.profile}`, level: (c.level / 10).toFixed(1), ...size(c.width, c.height) });
        }
        case 'hvc1': {
          const c = parseHevcDecoderConfigurationRecord(frame.data);
          return describe({ codecString: c.codecString, profile: HEVC_PROFILES[c.profileIdc] ?? `profile ${c.profileIdc}`, level: (c.levelIdc / 30).toFixed(1), ...size(c.width, c.height) });
        }
        case 'av01': {
          const c = parseAv1CodecConfigurationRecord(frame.data);
          return describe({ codecString: c.codecString, profile: AV1_PROFILES[c.profile] ?? `profile ${c.profile}`, ...size(c.width, c.height) });
        }
        case 'vp08':
        case 'vp09': {
          const c = parseVpcc(frame.data, frame.codec);
          return describe({ codecString: c.codecString, profile: `profile ${c.profile}`, level: (c.level / 10).toFixed(1) });
        }
        case 'mp4a': {
          const c = parseAudioSpecificConfig(frame.data);
          return describe({ codecString: c.codecString, profile: AAC_OBJECT_TYPES[c.objectType] ?? `object type ${c.objectType}`, sampleRate: c.extensionSampleRate ?? c.sampleRate, channels: c.channels });
        }
        case 'Opus': {
          const c = parseOpusHead(frame.data);
          return describe({ codecString: c.codecString, sampleRate: c.sampleRate, channels: c.channels });
        }
        case 'fLaC': {
          const c = parseFlacStreamInfo(frame.data);
          return describe({ codecString: c.codecString, sampleRate: c.sampleRate, channels: c.channels });
        }
        default:
          return undefined;
      }
    }
    if (frame.kind !== 'audio') return undefined;
    if (frame.codec === '.mp3') {
      const c = parseMpegAudioFrameHeader(frame.data);
      return describe({ codecString: c.codecString, profile: `MPEG-${c.version} layer ${c.layer}`, sampleRate: c.sampleRate, channels: c.channels });
    }
    // Legacy FLV audio (FLV spec v10.1 E.4.2.1): rate, size and channels sit in the first byte.
    if (frame.codec.startsWith('flv-') && frame.payload.byteLength > 0) {
      const c = parseLegacyAudioHeader(frame.payload[0]!);
      return describe({ codecString: frame.codec, sampleRate: c.sampleRate, channels: c.channels });
    }
    return undefined;
  } catch {
    return undefined;
  }
}

export type { AmfValue };
