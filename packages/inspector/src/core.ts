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
  parseHevcDecoderConfigurationRecord,
  parseVideoMessage,
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

/** What a decoder configuration says about a track. */
export interface CodecDetails {
  /** RFC 6381 codec string, e.g. "avc1.64001e", "mp4a.40.2". */
  codecString?: string;
  profile?: string;
  level?: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  /** A one-line description, e.g. "avc1.64001e High 3.0 640x360". */
  description: string;
}

const AVC_PROFILES: Record<number, string> = { 66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4' };
const AAC_OBJECT_TYPES: Record<number, string> = { 1: 'AAC Main', 2: 'AAC-LC', 3: 'AAC SSR', 4: 'AAC LTP', 5: 'HE-AAC (SBR)', 29: 'HE-AAC v2 (PS)' };

/** Codec details from a configuration frame (AVC/HEVC/AV1 records, AAC AudioSpecificConfig, OpusHead). */
export function codecDetails(frame: MediaFrame): CodecDetails | undefined {
  try {
    switch (frame.codec) {
      case 'avc1': {
        const c = parseAvcDecoderConfigurationRecord(frame.data);
        const profile = AVC_PROFILES[c.profile] ?? `profile ${c.profile}`;
        const level = (c.level / 10).toFixed(1);
        return { codecString: c.codecString, profile, level, width: c.width, height: c.height, description: `${c.codecString} ${profile} ${level} ${c.width}x${c.height}` };
      }
      case 'hvc1': {
        const c = parseHevcDecoderConfigurationRecord(frame.data);
        const size = c.width && c.height ? ` ${c.width}x${c.height}` : '';
        return { codecString: c.codecString, ...(c.width ? { width: c.width } : {}), ...(c.height ? { height: c.height } : {}), description: `${c.codecString}${size}` };
      }
      case 'av01': {
        const c = parseAv1CodecConfigurationRecord(frame.data);
        return { codecString: c.codecString, description: c.codecString };
      }
      case 'mp4a': {
        const c = parseAudioSpecificConfig(frame.data);
        const profile = AAC_OBJECT_TYPES[c.objectType] ?? `object type ${c.objectType}`;
        return { codecString: c.codecString, profile, sampleRate: c.sampleRate, channels: c.channels, description: `${c.codecString} ${profile} ${c.sampleRate} Hz ${c.channels} ch` };
      }
      case 'Opus':
        return opusDetails(frame.data);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** OpusHead (RFC 7845 §5.1): "OpusHead", version, channel count, pre-skip, input sample rate. */
function opusDetails(data: Uint8Array): CodecDetails | undefined {
  const magic = 'OpusHead';
  if (data.byteLength < 19) return undefined;
  for (let i = 0; i < magic.length; i++) if (data[i] !== magic.charCodeAt(i)) return undefined;
  const channels = data[9]!;
  const inputRate = (data[12]! | (data[13]! << 8) | (data[14]! << 16) | (data[15]! << 24)) >>> 0;
  // Opus always decodes at 48 kHz; the header's rate is only the original input's.
  return { codecString: 'opus', sampleRate: 48_000, channels, description: `opus 48000 Hz ${channels} ch (input ${inputRate} Hz)` };
}

export type { AmfValue };
