// `import '@rtmp-web/player/element'` registers <rtmp-player> with the default configuration.
import { defineRtmpPlayerElement } from './rtmp-player-element';

defineRtmpPlayerElement();

export { defineRtmpPlayerElement, RTMP_PLAYER_TAG } from './rtmp-player-element';
export type { RtmpPlayerElement } from './rtmp-player-element';
