// The mpegts.js modules the player's default sink drives (FLV demuxer, fragmented-MP4 remuxer,
// MSE controller, logger), imported from the package's own `src/` the way the player imports
// them, without the library's IO loaders, MPEG-TS demuxer, worker and player. For comparison.
// Plain JavaScript because the modules are: mpegts.js ships types for its distribution bundle only.
import FLVDemuxer from '../../../packages/player/node_modules/mpegts.js/src/demux/flv-demuxer.js';
import MP4Remuxer from '../../../packages/player/node_modules/mpegts.js/src/remux/mp4-remuxer.js';
import MSEController from '../../../packages/player/node_modules/mpegts.js/src/core/mse-controller.js';
import Log from '../../../packages/player/node_modules/mpegts.js/src/utils/logger.js';

export { FLVDemuxer, MP4Remuxer, MSEController, Log };
