// The protocol core as a page would embed it: everything @rtmp-web/bytes, amf and rtmp export
// from their browser entries (namespaced, so nothing is shaken out and names cannot clash).
export * as bytes from '@rtmp-web/bytes';
export * as amf from '@rtmp-web/amf';
export * as rtmp from '@rtmp-web/rtmp';
