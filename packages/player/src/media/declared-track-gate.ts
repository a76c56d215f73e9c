import type { MediaFrame } from '@rtmp-web/rtmp';

type TrackKind = 'audio' | 'video';

/** Codecs that need a decoder configuration before their frames decode (as LiveFlvMuxer decides readiness). */
const CODECS_NEEDING_CONFIG = new Set(['avc1', 'hvc1', 'av01', 'vp09', 'vp08', 'vvc1', 'mp4a', 'Opus', 'fLaC', 'ac-3', 'ec-3']);

/**
 * Starts the muxer as soon as every track onMetaData names is ready, instead of after the
 * muxer's track wait (400 ms after the first frame when one track is missing, longer when
 * metadata declared it): with metadata saying "video only" (or "audio only"), waiting for the
 * other track only delays the first frame. Mirrors the muxer's own readiness rule (a frame seen,
 * the decoder configuration when the codec needs one, a keyframe for video), so flushing starts
 * with exactly the named tracks. Metadata that names no track, or a track that never comes,
 * leaves the muxer's own deadlines in charge.
 */
export class DeclaredTrackGate {
  private named: TrackKind[] = [];
  private readonly seen: Record<TrackKind, { config: boolean; codec: string | null; keyframe: boolean }> = {
    audio: { config: false, codec: null, keyframe: false },
    video: { config: false, codec: null, keyframe: false },
  };

  declare(declared: { audio?: boolean; video?: boolean }): void {
    this.named = (['audio', 'video'] as const).filter((kind) => declared[kind] === true);
  }

  note(frame: MediaFrame): void {
    if (frame.trackId !== 0) return;
    const track = this.seen[frame.kind];
    if (frame.config) {
      track.config = true;
      return;
    }
    track.codec ??= frame.codec;
    if (frame.keyframe) track.keyframe = true;
  }

  /** A new generation: frames must be seen again (configurations carry over, as in the muxer). */
  restart(): void {
    for (const kind of ['audio', 'video'] as const) {
      this.seen[kind].codec = null;
      this.seen[kind].keyframe = false;
    }
  }

  get ready(): boolean {
    return this.named.length > 0 && this.named.every((kind) => this.isReady(kind));
  }

  private isReady(kind: TrackKind): boolean {
    const track = this.seen[kind];
    if (track.codec === null) return false;
    if (!track.config && CODECS_NEEDING_CONFIG.has(track.codec)) return false;
    return kind === 'audio' || track.keyframe;
  }
}
