/** Bench page for our player: RtmpPlayer through the bridge. */
import { RtmpPlayer, cancelWarmUp, loadRemuxModules, warmUpPlayer } from '@rtmp-web/player';
import { PlaybackProbe, bufferedAhead } from './probe';

let player: RtmpPlayer | null = null;
let probe: PlaybackProbe | null = null;

const api = {
  start(options: { rtmpUrl: string; bridge: string; readClock: boolean }): void {
    const video = document.querySelector('video')!;
    probe = new PlaybackProbe(video, options.readClock);
    player = new RtmpPlayer();
    player.on('error', (error) => probe?.report.errors.push(`${error.code}: ${error.message}`));
    player.attachMedia(video);
    player.load(options.rtmpUrl, { bridge: options.bridge });
  },
  report() {
    const stats = player?.stats;
    return {
      ...probe!.report,
      buffered: bufferedAhead(document.querySelector('video')!),
      stages: stats ? { ...stats.timeToFirstFrame } : null,
      playerStalls: stats?.stalls ?? null,
    };
  },
  stop(): void {
    probe?.stop();
    player?.destroy();
  },
};

// Ready once the player is ready to play, as the mpegts.js page is (its bundle holds mpegts.js):
// the player fetches its remuxer modules in a separate chunk when it is imported, then warms its
// code up on a synthetic stream in idle time (docs/player.md, "Warm-up"). The comparison is between
// players as they ship, not between how two pages load their code. `?cold` measures a page that
// plays before any warm-up: the warm-up is cancelled and the page is ready once the code is loaded.
const cold = new URLSearchParams(location.search).has('cold');
if (cold) cancelWarmUp();
void (cold ? loadRemuxModules().then(() => null) : warmUpPlayer()).then((warmUp) => {
  (window as unknown as { bench: typeof api; warmUp: unknown }).warmUp = warmUp;
  (window as unknown as { bench: typeof api }).bench = api;
});
