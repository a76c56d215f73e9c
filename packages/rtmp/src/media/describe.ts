import type { MediaFrame } from '../types';
import { parseAudioSpecificConfig, parseFlacStreamInfo, parseLegacyAudioHeader, parseMpegAudioFrameHeader, parseOpusHead } from './audio-config';
import { parseAv1CodecConfigurationRecord } from './av1';
import { parseAvcDecoderConfigurationRecord } from './avc';
import { parseHevcDecoderConfigurationRecord } from './hevc';
import { parseVpcc } from './vp9';

/** What a track is, in the words a player or a person needs. */
export interface TrackDescription {
  kind: 'audio' | 'video';
  /** The FourCC-like id of MediaFrame.codec. */
  codec: string;
  /** RFC 6381 codec string as MSE and WebCodecs take it ("avc1.64001f", "mp4a.40.2", "opus"...). */
  codecString: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  /** One line: "avc1.64001f 1280x720", "mp4a.40.2 44100 Hz 2 ch". */
  text: string;
}

/**
 * Describes a track from one of its frames: the sequence header for codecs that have one
 * (avc1, hvc1, av01, vp09/vp08, mp4a, Opus, fLaC), any coded frame for MP3 and the legacy FLV
 * codecs, whose headers are self-describing. Returns null when this frame cannot tell (a coded
 * AVC frame, an empty message). Malformed configuration records throw MEDIA_MALFORMED.
 */
export function describeTrack(frame: MediaFrame): TrackDescription | null {
  const { kind, codec, data } = frame;
  if (codec === '') return null;
  if (kind === 'video') {
    if (!frame.config) return codec.startsWith('flv-') ? describe({ kind, codec, codecString: codec }) : null;
    switch (codec) {
      case 'avc1': {
        const record = parseAvcDecoderConfigurationRecord(data);
        return describe({ kind, codec, codecString: record.codecString, width: record.width, height: record.height });
      }
      case 'hvc1': {
        const record = parseHevcDecoderConfigurationRecord(data);
        return describe({ kind, codec, codecString: record.codecString, width: record.width, height: record.height });
      }
      case 'av01': {
        const record = parseAv1CodecConfigurationRecord(data);
        return describe({ kind, codec, codecString: record.codecString, width: record.width, height: record.height });
      }
      case 'vp08':
      case 'vp09':
        return describe({ kind, codec, codecString: parseVpcc(data, codec).codecString });
      default:
        return describe({ kind, codec, codecString: codec });
    }
  }
  switch (codec) {
    case 'mp4a': {
      if (!frame.config) return null;
      const config = parseAudioSpecificConfig(data);
      return describe({ kind, codec, codecString: config.codecString, sampleRate: config.extensionSampleRate ?? config.sampleRate, channels: config.channels });
    }
    case 'Opus': {
      if (!frame.config) return null;
      const head = parseOpusHead(data);
      return describe({ kind, codec, codecString: head.codecString, sampleRate: head.sampleRate, channels: head.channels });
    }
    case 'fLaC': {
      if (!frame.config) return null;
      const info = parseFlacStreamInfo(data);
      return describe({ kind, codec, codecString: info.codecString, sampleRate: info.sampleRate, channels: info.channels });
    }
    case '.mp3': {
      if (frame.config || data.length < 4) return null;
      const header = parseMpegAudioFrameHeader(data);
      return describe({ kind, codec, codecString: header.codecString, sampleRate: header.sampleRate, channels: header.channels });
    }
    default: {
      if (!codec.startsWith('flv-') || frame.payload.length === 0) return describe({ kind, codec, codecString: codec });
      const legacy = parseLegacyAudioHeader(frame.payload[0]!);
      return describe({ kind, codec, codecString: codec, sampleRate: legacy.sampleRate, channels: legacy.channels });
    }
  }
}

function describe(track: Omit<TrackDescription, 'text'>): TrackDescription {
  const out: TrackDescription = { ...track, text: '' };
  for (const key of ['width', 'height', 'sampleRate', 'channels'] as const) if (out[key] === undefined) delete out[key];
  let text = track.codecString;
  if (track.width !== undefined && track.height !== undefined) text += ` ${track.width}x${track.height}`;
  if (track.sampleRate !== undefined) text += ` ${track.sampleRate} Hz`;
  if (track.channels !== undefined) text += ` ${track.channels} ch`;
  out.text = text;
  return out;
}
