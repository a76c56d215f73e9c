import {
  parseAudioSpecificConfig,
  parseAvcDecoderConfigurationRecord,
  parseHevcDecoderConfigurationRecord,
  parseAv1CodecConfigurationRecord,
} from '@rtmp-web/rtmp';
import type { TrackDescription } from '../flv/live-flv-muxer';

/** What MSE is asked about for one track: the container type and RFC 6381 codec string. */
export interface TrackCodec {
  kind: 'audio' | 'video';
  /** MediaFrame codec id: 'avc1', 'mp4a', 'Opus', '.mp3', ... */
  fourcc: string;
  /** RFC 6381 codec string as MSE wants it, e.g. 'avc1.64001e', 'mp4a.40.2', 'opus'. */
  codec: string;
  /** Full MIME type for MediaSource.isTypeSupported, e.g. 'video/mp4; codecs="avc1.64001e"'. */
  mime: string;
  /** Whether the FLV demuxer (mpegts.js 1.8) can carry this codec at all. */
  demuxable: boolean;
}

/** Names of the legacy FLV codec ids (FLV v10.1 E.4.2.1 SoundFormat, E.4.3.1 CodecID). */
const LEGACY_NAMES: Record<string, Record<number, string>> = {
  video: { 2: 'Sorenson H.263', 3: 'Screen video', 4: 'On2 VP6', 5: 'On2 VP6 with alpha', 6: 'Screen video v2' },
  audio: { 0: 'Linear PCM', 1: 'ADPCM', 3: 'Linear PCM', 4: 'Nellymoser', 5: 'Nellymoser', 6: 'Nellymoser', 7: 'G.711 A-law', 8: 'G.711 µ-law', 11: 'Speex' },
};

/** A codec id as a person reads it: 'Sorenson H.263 (FLV codec id 2)', or the id itself. */
export function codecDisplayName(kind: 'audio' | 'video', codec: string): string {
  const legacy = /^flv-(\d+)$/.exec(codec);
  if (!legacy) return codec;
  const name = LEGACY_NAMES[kind]?.[Number(legacy[1])];
  return name ? `${name} (FLV ${kind === 'video' ? 'codec' : 'sound format'} id ${legacy[1]})` : `FLV ${kind} codec id ${legacy[1]}`;
}

/** Codecs mpegts.js's FLV demuxer handles (flv-demuxer.js: AVC, HEVC, AV1; AAC, MP3, Opus, FLAC). */
const DEMUXABLE = new Set(['avc1', 'hvc1', 'av01', 'mp4a', '.mp3', 'Opus', 'fLaC']);

/** Derives the MSE codec string of a track from its decoder configuration record. */
export function describeTrackCodec(track: TrackDescription): TrackCodec {
  const demuxable = DEMUXABLE.has(track.codec);
  const codec = codecString(track);
  const container = track.kind === 'audio' && track.codec === '.mp3' ? 'audio/mpeg' : `${track.kind}/mp4`;
  const mime = container === 'audio/mpeg' ? 'audio/mpeg' : `${container}; codecs="${codec}"`;
  return { kind: track.kind, fourcc: track.codec, codec, mime, demuxable };
}

function codecString(track: TrackDescription): string {
  const config = track.config;
  try {
    switch (track.codec) {
      case 'avc1':
        return config ? parseAvcDecoderConfigurationRecord(config).codecString : 'avc1';
      case 'hvc1':
        return config ? parseHevcDecoderConfigurationRecord(config).codecString : 'hvc1';
      case 'av01':
        return config ? parseAv1CodecConfigurationRecord(config).codecString : 'av01';
      case 'mp4a':
        return config ? parseAudioSpecificConfig(config).codecString : 'mp4a.40.2';
      case '.mp3':
        return 'mp3';
      case 'Opus':
        return 'opus';
      case 'fLaC':
        return 'flac';
      default:
        return track.codec;
    }
  } catch {
    // A configuration record we cannot parse: fall back to the bare FourCC; MSE decides.
    return track.codec;
  }
}
