/**
 * Bench page for the alternative: mpegts.js playing node-media-server's WebSocket-FLV, with
 * its live options on (no stash buffer, latency chasing and live sync), as a user would set
 * it up for low latency.
 */
import mpegts from '../../../../packages/player/node_modules/mpegts.js';
import { PlaybackProbe, bufferedAhead } from './probe';

let player: mpegts.Player | null = null;
let probe: PlaybackProbe | null = null;

const api = {
  start(options: { flvUrl: string; readClock: boolean; hasAudio: boolean }): void {
    const video = document.querySelector('video')!;
    probe = new PlaybackProbe(video, options.readClock);
    mpegts.LoggingControl.enableAll = false;
    player = mpegts.createPlayer(
      { type: 'flv', isLive: true, url: options.flvUrl, hasAudio: options.hasAudio, hasVideo: true },
      {
        enableWorker: false,
        enableStashBuffer: false,
        liveBufferLatencyChasing: true,
        liveSync: true,
        lazyLoad: false,
      },
    );
    player.on(mpegts.Events.ERROR, (type: string, detail: string) => probe?.report.errors.push(`${type}: ${detail}`));
    player.attachMediaElement(video);
    player.load();
    void Promise.resolve(player.play()).catch(() => undefined);
  },
  report() {
    return { ...probe!.report, buffered: bufferedAhead(document.querySelector('video')!), stages: null, playerStalls: null };
  },
  stop(): void {
    probe?.stop();
    player?.destroy();
  },
};

(window as unknown as { bench: typeof api }).bench = api;
