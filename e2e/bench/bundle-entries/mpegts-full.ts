// mpegts.js's full distribution bundle (its `main`: player, IO loaders, FLV and MPEG-TS demuxers,
// remuxer, worker support), resolved from the player package, which owns the dependency. For
// comparison with the modules the player actually uses (mpegts-modules.ts).
import mpegts from '../../../packages/player/node_modules/mpegts.js';

export default mpegts;
