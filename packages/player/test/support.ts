import type { MediaFrame } from '@rtmp-web/rtmp';

/** A MediaFrame built by hand: the payload is a recognisable FLV body so tags can be compared byte for byte. */
export function mediaFrame(
  kind: 'audio' | 'video',
  dts: number,
  options: { keyframe?: boolean; config?: boolean; codec?: string; payload?: Uint8Array; trackId?: number } = {},
): MediaFrame {
  const config = options.config ?? false;
  const keyframe = options.keyframe ?? (kind === 'audio' || config);
  const payload =
    options.payload ??
    (kind === 'video'
      ? new Uint8Array([keyframe ? 0x17 : 0x27, config ? 0 : 1, 0, 0, 0, dts & 0xff])
      : new Uint8Array([0xaf, config ? 0 : 1, dts & 0xff]));
  return {
    kind,
    dts,
    cts: 0,
    keyframe,
    config,
    codec: options.codec ?? (kind === 'video' ? 'avc1' : 'mp4a'),
    data: payload.subarray(kind === 'video' ? 5 : 2),
    payload,
    trackId: options.trackId ?? 0,
  };
}
