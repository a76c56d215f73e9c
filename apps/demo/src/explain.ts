/** A title and a sentence of advice for a person watching the page, by error code. */
export function explainError(error: { code: string; message: string; fatal: boolean }): { title: string; detail: string } {
  const code = error.code;
  const title =
    code === 'STREAM_NOT_FOUND' ? 'This stream does not exist on the server'
    : code === 'PLAYER_NO_MEDIA' ? 'No video or audio is arriving'
    : code === 'MEDIA_UNSUPPORTED_CODEC' ? 'This browser cannot play the stream’s codec'
    : code === 'MEDIA_NO_MSE' ? 'This browser cannot play live video from script'
    : code === 'MEDIA_STALLED' ? 'Playback stalled'
    : code === 'PLAYER_AUTOPLAY_BLOCKED' ? 'Press play to start'
    : code === 'PLAYER_BAD_URL' ? 'That RTMP address is not valid'
    : code === 'PLAYER_RECONNECT_GAVE_UP' ? 'The stream could not be reached again'
    : code.startsWith('TRANSPORT_WS') ? 'Cannot reach the stream through the bridge'
    : code.startsWith('SESSION_') ? 'The RTMP server refused the connection'
    : code.startsWith('HANDSHAKE_') ? 'The RTMP server did not complete the handshake'
    : error.fatal ? 'Playback failed'
    : 'Something went wrong, retrying';
  return { title, detail: error.message };
}
