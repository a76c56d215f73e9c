/**
 * The inspector's view of the protocol core: every decoder it uses, in one place, each made
 * total (a malformed message gives `undefined` or a `malformed` result, never an exception),
 * because an inspector must keep showing a session that breaks the rules.
 */
import type { CodedError } from '@rtmp-web/bytes';
import { amf3Codec } from '@rtmp-web/amf';
import type { AmfValue } from '@rtmp-web/amf';
import type { MediaFrame, ProtocolControl, RtmpCommand, RtmpData, RtmpMessage, SharedObjectMessage, UserControlEvent } from '@rtmp-web/rtmp';
import {
  MessageType,
  decodeCommand,
  decodeDataMessage,
  decodeProtocolControl,
  decodeSharedObjectMessage,
  decodeUserControl,
  describeTrack,
  parseAudioMessageTracks,
  parseAudioSpecificConfig,
  parseAv1CodecConfigurationRecord,
  parseAvcDecoderConfigurationRecord,
  parseHevcDecoderConfigurationRecord,
  parseVideoMessageTracks,
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

/** The inspector shows whatever a session carried: AMF3 (opt-in in the codecs) always enabled. */
const WITH_AMF3 = { amf3: amf3Codec };

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
        return { kind: 'command', command: decodeCommand(message, WITH_AMF3) };
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        return { kind: 'data', data: decodeDataMessage(message, WITH_AMF3) };
      case MessageType.SharedObjectAmf0:
      case MessageType.SharedObjectAmf3:
        return { kind: 'shared-object', sharedObject: decodeSharedObjectMessage(message, WITH_AMF3) };
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

/** Every track's frame of a media message (E-RTMP multitrack messages carry several). */
function framesOf(message: RtmpMessage): MediaFrame[] {
  if (message.payload.byteLength === 0) return [];
  return message.type === MessageType.Video ? parseVideoMessageTracks(message.payload, message.timestamp) : parseAudioMessageTracks(message.payload, message.timestamp);
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
 * Codec details of a track from one of its frames: the core's describeTrack (codec string, size,
 * rate, channels from the configuration record, or from the frame itself for MP3 and legacy
 * codecs) plus the profile and level a person debugging a stream wants to see. Undefined when
 * the frame says nothing (a coded AVC frame) or its configuration is malformed.
 */
export function codecDetails(frame: MediaFrame): CodecDetails | undefined {
  try {
    const track = describeTrack(frame);
    if (!track) return undefined;
    return describe({
      codecString: track.codecString,
      ...(frame.config ? profileAndLevel(frame) : {}),
      ...size(track.width, track.height),
      ...(track.sampleRate ? { sampleRate: track.sampleRate } : {}),
      ...(track.channels ? { channels: track.channels } : {}),
    });
  } catch {
    return undefined;
  }
}

/** Profile and level from a configuration record (ISO/IEC 14496-15, AV1-ISOBMFF, VP-ISOBMFF, ISO/IEC 14496-3). */
function profileAndLevel(frame: MediaFrame): Pick<CodecDetails, 'profile' | 'level'> {
  switch (frame.codec) {
    case 'avc1': {
      const c = parseAvcDecoderConfigurationRecord(frame.data);
      return { profile: AVC_PROFILES[c.profile] ?? `profile ${c.profile}`, level: (c.level / 10).toFixed(1) };
    }
    case 'hvc1': {
      // general_level_idc is 30 times the level number.
      const c = parseHevcDecoderConfigurationRecord(frame.data);
      return { profile: HEVC_PROFILES[c.profileIdc] ?? `profile ${c.profileIdc}`, level: (c.levelIdc / 30).toFixed(1) };
    }
    case 'av01': {
      const c = parseAv1CodecConfigurationRecord(frame.data);
      return { profile: AV1_PROFILES[c.profile] ?? `profile ${c.profile}` };
    }
    case 'vp08':
    case 'vp09': {
      const c = parseVpcc(frame.data, frame.codec);
      return { profile: `profile ${c.profile}`, level: (c.level / 10).toFixed(1) };
    }
    case 'mp4a': {
      const c = parseAudioSpecificConfig(frame.data);
      return { profile: AAC_OBJECT_TYPES[c.objectType] ?? `object type ${c.objectType}` };
    }
    default:
      return {};
  }
}

export type { AmfValue };
