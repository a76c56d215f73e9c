import { sessionError } from './session-errors';

/** URL schemes of the RTMP family (RTMP-NOTES "Transports"). */
export type RtmpProtocol = 'rtmp' | 'rtmps' | 'rtmpt' | 'rtmpts' | 'rtmpe' | 'rtmpte';

/** Where a URL points, split the way the connect and play commands need it. */
export interface RtmpUrl {
  protocol: RtmpProtocol;
  /** Host name or address as written (IPv6 without brackets). */
  host: string;
  /** The port written in the URL, or the protocol's default (1935, 443 for TLS, 80 for HTTP tunnels). */
  port: number;
  /** Whether the port came from the URL rather than the default. */
  explicitPort: boolean;
  /** The connect command's `app`: application plus instance (`live/instance`), with its query string kept. */
  app: string;
  /** The play/publish name, with its query string kept (e.g. `stream?token=abc`). Empty when the URL names only an app. */
  streamName: string;
  /** The connect command's `tcUrl`: `protocol://host:port/app`, the app's query string kept. */
  tcUrl: string;
}

const DEFAULT_PORTS: Record<RtmpProtocol, number> = {
  rtmp: 1935,
  rtmps: 443,
  rtmpt: 80,
  rtmpts: 443,
  rtmpe: 1935,
  rtmpte: 80,
};

function isRtmpProtocol(value: string): value is RtmpProtocol {
  return Object.hasOwn(DEFAULT_PORTS, value);
}

/**
 * Splits an RTMP URL into host, port, app and stream name.
 *
 * With one argument the split follows FFmpeg's `rtmp_open` (libavformat/rtmpproto.c), which is
 * what most tools and servers expect:
 * - the app is the first path component, plus the second one when the path has three or more
 *   components (`/app/instance/stream` -> app `app/instance`, stream `stream`);
 * - except when a `:` appears in the third component before any further `/`: then the stream
 *   name is a prefixed play path (`/vod/mp4:dir/clip.mp4` -> app `vod`, stream `mp4:dir/clip.mp4`);
 * - `/ondemand/...` always means app `ondemand`;
 * - a query string containing `slist=` names the stream (`/app?slist=stream` -> stream `stream`).
 * Unlike FFmpeg, the stream name is kept exactly as written: no `.flv` is stripped and no `mp4:`
 * is added (nginx-rtmp VOD plays `clip.flv` by its full file name).
 *
 * With a stream key (OBS's "Server" + "Stream Key" fields, librtmp's `RTMP_ParseURL`), the whole
 * path of `url` is the app (one trailing `/` dropped) and the key is the stream name.
 */
export function parseRtmpUrl(url: string, streamKey?: string): RtmpUrl {
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (!schemeMatch) throw sessionError('SESSION_INVALID_URL', `not an RTMP URL (no scheme://): ${url}`, { url });
  const protocol = schemeMatch[1]!.toLowerCase();
  if (!isRtmpProtocol(protocol)) {
    throw sessionError('SESSION_INVALID_URL', `unsupported protocol "${protocol}" in ${url}`, { url, protocol });
  }

  // The authority ends at the first '/', '?' or '#' (FFmpeg's av_url_split does the same).
  const rest = url.slice(schemeMatch[0].length);
  const delimiter = rest.search(/[/?#]/);
  const authorityEnd = delimiter < 0 ? rest.length : delimiter;
  const authority = rest.slice(0, authorityEnd);
  const path = rest.slice(authorityEnd);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw sessionError('SESSION_INVALID_URL', `unterminated IPv6 address in ${url}`, { url });
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw sessionError('SESSION_INVALID_URL', `unexpected text after the IPv6 address in ${url}`, { url });
    }
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
  }
  if (host === '') throw sessionError('SESSION_INVALID_URL', `no host in ${url}`, { url });

  let port = DEFAULT_PORTS[protocol];
  const explicitPort = portText !== undefined && portText !== '';
  if (explicitPort) {
    if (!/^\d{1,5}$/.test(portText!) || Number(portText) < 1 || Number(portText) > 65535) {
      throw sessionError('SESSION_INVALID_URL', `invalid port "${portText}" in ${url}`, { url, port: portText });
    }
    port = Number(portText);
  }

  const { app, streamName } = streamKey === undefined ? splitPathLikeFfmpeg(path) : splitPathLikeObs(path, streamKey);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    protocol,
    host,
    port,
    explicitPort,
    app,
    streamName,
    tcUrl: `${protocol}://${hostInUrl}:${port}/${app}`,
  };
}

function splitPathLikeFfmpeg(path: string): { app: string; streamName: string } {
  const queryStart = path.indexOf('?');
  if (queryStart >= 0) {
    const slist = path.indexOf('slist=', queryStart);
    if (slist >= 0) {
      const nameStart = slist + 'slist='.length;
      const amp = path.indexOf('&', nameStart);
      return {
        app: path.slice(path.startsWith('/') ? 1 : 0, queryStart),
        streamName: path.slice(nameStart, amp < 0 ? undefined : amp),
      };
    }
  }
  if (path.startsWith('/ondemand/')) return { app: 'ondemand', streamName: path.slice('/ondemand/'.length) };

  const afterSlash = path.startsWith('/') ? path.slice(1) : path;
  const firstSlash = afterSlash.indexOf('/');
  if (firstSlash < 0) return { app: afterSlash, streamName: '' };

  // Would the second component be an application instance or the start of the play path?
  const tail = afterSlash.slice(firstSlash + 1);
  const nextSlash = tail.indexOf('/');
  const colon = tail.indexOf(':');
  if (nextSlash < 0 || (colon >= 0 && colon < nextSlash)) {
    return { app: afterSlash.slice(0, firstSlash), streamName: tail };
  }
  return { app: afterSlash.slice(0, firstSlash + 1 + nextSlash), streamName: tail.slice(nextSlash + 1) };
}

function splitPathLikeObs(path: string, streamKey: string): { app: string; streamName: string } {
  let app = path.startsWith('/') ? path.slice(1) : path;
  if (app.endsWith('/')) app = app.slice(0, -1);
  return { app, streamName: streamKey };
}
