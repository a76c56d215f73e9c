// mpegts.js alone, as the player pulls it in (resolved from the player package, which owns
// the dependency), to show how much of the player bundle it is.
import mpegts from '../../../packages/player/node_modules/mpegts.js';

export default mpegts;
