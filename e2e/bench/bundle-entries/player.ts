// The whole player as a page would embed it: @rtmp-web/player and the <rtmp-player> element,
// with the protocol core and mpegts.js.
export * as player from '@rtmp-web/player';
export * as element from '@rtmp-web/player/element';
