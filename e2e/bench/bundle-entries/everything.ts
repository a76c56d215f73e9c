// Everything @rtmp-web/bytes, amf and rtmp export from their browser entries, namespaced so that
// nothing is shaken out (server handshake, codec-configuration parsers, FLV files, shared-object
// encoders, test helpers...). Measured for information only: no page needs all of it.
export * as bytes from '@rtmp-web/bytes';
export * as amf from '@rtmp-web/amf';
export * as rtmp from '@rtmp-web/rtmp';
