import { parseAudioSpecificConfig, parseAvcDecoderConfigurationRecord } from '@rtmp-web/rtmp';
import type { MediaFrame } from '@rtmp-web/rtmp';
import type { JsonValue } from './amf-json';

export interface ProbeVideoTrack {
  /** RFC 6381 codec string (`avc1.64001f`), or the FourCC when the configuration record was not understood. */
  codec: string;
  width: number | null;
  height: number | null;
}

export interface ProbeAudioTrack {
  /** RFC 6381 codec string (`mp4a.40.2`), or the FourCC / `flv-<id>` when no configuration says more. */
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}

export interface ProbeTracks {
  video?: ProbeVideoTrack;
  audio?: ProbeAudioTrack;
}

/**
 * Works out the tracks from what arrives: the sequence headers (AVCDecoderConfigurationRecord,
 * AudioSpecificConfig) give the codec string and dimensions; onMetaData fills what they cannot.
 */
export class TrackDetector {
  private video: ProbeVideoTrack | undefined;
  private audio: ProbeAudioTrack | undefined;

  observe(frame: MediaFrame): void {
    if (frame.kind === 'video') this.observeVideo(frame);
    else this.observeAudio(frame);
  }

  result(metadata: JsonValue): ProbeTracks {
    const meta = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : {};
    const num = (key: string): number | null => (typeof meta[key] === 'number' ? (meta[key] as number) : null);
    const tracks: ProbeTracks = {};
    if (this.video) {
      tracks.video = { ...this.video, width: this.video.width ?? num('width'), height: this.video.height ?? num('height') };
    }
    if (this.audio) {
      const stereo = typeof meta.stereo === 'boolean' ? (meta.stereo ? 2 : 1) : null;
      tracks.audio = { ...this.audio, sampleRate: this.audio.sampleRate ?? num('audiosamplerate'), channels: this.audio.channels ?? num('audiochannels') ?? stereo };
    }
    return tracks;
  }

  private observeVideo(frame: MediaFrame): void {
    if (this.video && !frame.config) return;
    if (frame.config && frame.codec === 'avc1') {
      try {
        const record = parseAvcDecoderConfigurationRecord(frame.data);
        this.video = { codec: record.codecString, width: record.width ?? null, height: record.height ?? null };
        return;
      } catch {
        // Fall through: report the FourCC without details.
      }
    }
    this.video ??= { codec: frame.codec, width: null, height: null };
  }

  private observeAudio(frame: MediaFrame): void {
    if (this.audio && !frame.config) return;
    if (frame.config && frame.codec === 'mp4a') {
      try {
        const config = parseAudioSpecificConfig(frame.data);
        this.audio = { codec: config.codecString, sampleRate: config.sampleRate ?? null, channels: config.channels ?? null };
        return;
      } catch {
        // Fall through.
      }
    }
    this.audio ??= { codec: frame.codec, sampleRate: null, channels: null };
  }
}
