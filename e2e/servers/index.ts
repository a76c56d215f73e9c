/**
 * Real RTMP servers and publishers for the integration and browser tests (Node only).
 * Every process started here runs in its own process group, is stopped by the handle's
 * stop() and is SIGKILLed if the test process exits first.
 */
import { ffprobeJson } from './ffmpeg';
import { LaunchError, sleep } from './process';
import type { RtmpServerHandle } from './types';

export type { RtmpServerHandle, PublisherOptions, Publisher } from './types';
export { freePort } from './ports';
export { isListening, LaunchError } from './process';
export { startNginxRtmp, type NginxRtmpHandle } from './nginx';
export { startNodeMediaServer, type NodeMediaServerHandle } from './nms';
export {
  startFfmpegServer,
  publishTestStream,
  makeFlvFixture,
  ffprobeJson,
  makeTempDir,
  PUBLISHER_DEFAULTS,
  type FfprobeResult,
  type FfprobeStream,
  type FfprobePacket,
} from './ffmpeg';

/**
 * Waits until `app/stream` on the server can be played, by reading it with ffprobe (a
 * real RTMP client) until it reports at least one stream. For an ffmpeg server this
 * returns at once: it serves a single client and a probe would use it up.
 */
export async function waitForStream(
  handle: RtmpServerHandle,
  app: string,
  stream: string,
  timeoutMs = 15_000,
): Promise<void> {
  if (handle.kind === 'ffmpeg') return;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      // Small probe limits: we only need to see that media arrives, not analyse it.
      const result = await ffprobeJson(
        handle.url(app, stream),
        ['-analyzeduration', '1000000', '-probesize', '65536', '-rw_timeout', '3000000'],
        Math.max(1000, Math.min(8000, deadline - Date.now())),
      );
      if (result.streams.length > 0) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new LaunchError(
    'LAUNCH_TIMEOUT',
    `${handle.kind}: ${app}/${stream} not playable after ${timeoutMs} ms`,
    `${lastError instanceof Error ? lastError.message : String(lastError)}\n${handle.logs()}`,
  );
}
