import { describeTrack } from '@rtmp-web/rtmp';
import type { MediaFrame, TrackDescription } from '@rtmp-web/rtmp';
import type { JsonValue } from './amf-json';

export interface ProbeVideoTrack {
  /** RFC 6381 codec string (`avc1.64001f`), or the FourCC when no configuration record was understood. */
  codec: string;
  width: number | null;
  height: number | null;
}

export interface ProbeAudioTrack {
  /** RFC 6381 codec string (`mp4a.40.2`), or the FourCC / `flv-<id>` when nothing says more. */
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}

export interface ProbeTracks {
  video?: ProbeVideoTrack;
  audio?: ProbeAudioTrack;
}

/**
 * Works out the tracks from what arrives: the core's describeTrack reads the sequence headers
 * (AVCDecoderConfigurationRecord, AudioSpecificConfig...) or self-describing frames (MP3, legacy
 * FLV audio); onMetaData fills what they cannot tell. The latest description wins, so a
 * mid-stream configuration change shows its new values.
 */
export class TrackDetector {
  private video: TrackDescription | undefined;
  private audio: TrackDescription | undefined;
  private videoCodec: string | undefined;
  private audioCodec: string | undefined;

  observe(frame: MediaFrame): void {
    if (frame.kind === 'video') this.videoCodec ??= frame.codec;
    else this.audioCodec ??= frame.codec;
    let description: TrackDescription | null = null;
    try {
      description = describeTrack(frame);
    } catch {
      // A configuration record that does not parse leaves the track described by its FourCC.
    }
    if (!description) return;
    if (frame.kind === 'video') this.video = description;
    else this.audio = description;
  }

  result(metadata: JsonValue): ProbeTracks {
    const meta = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : {};
    const num = (key: string): number | null => (typeof meta[key] === 'number' ? (meta[key] as number) : null);
    const tracks: ProbeTracks = {};
    if (this.video || this.videoCodec) {
      tracks.video = {
        codec: this.video?.codecString ?? this.videoCodec!,
        width: this.video?.width ?? num('width'),
        height: this.video?.height ?? num('height'),
      };
    }
    if (this.audio || this.audioCodec) {
      const stereo = typeof meta.stereo === 'boolean' ? (meta.stereo ? 2 : 1) : null;
      tracks.audio = {
        codec: this.audio?.codecString ?? this.audioCodec!,
        sampleRate: this.audio?.sampleRate ?? num('audiosamplerate'),
        channels: this.audio?.channels ?? num('audiochannels') ?? stereo,
      };
    }
    return tracks;
  }
}
