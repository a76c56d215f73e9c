import { describe, expect, it } from 'vitest';
import { parseRtmpUrl } from '../../src/session/rtmp-url';
import { RtmpError } from '../../src/errors';

describe('parseRtmpUrl (FFmpeg rtmp_open rules)', () => {
  const cases: Array<[string, { protocol: string; host: string; port: number; app: string; streamName: string; tcUrl: string }]> = [
    ['rtmp://example.com/live/stream', { protocol: 'rtmp', host: 'example.com', port: 1935, app: 'live', streamName: 'stream', tcUrl: 'rtmp://example.com:1935/live' }],
    ['rtmp://127.0.0.1:19350/live/cam1', { protocol: 'rtmp', host: '127.0.0.1', port: 19350, app: 'live', streamName: 'cam1', tcUrl: 'rtmp://127.0.0.1:19350/live' }],
    // Three components: the second one is the application instance.
    ['rtmp://h/live/instance/stream', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live/instance', streamName: 'stream', tcUrl: 'rtmp://h:1935/live/instance' }],
    // Four or more: app is still the first two, the rest is the play path.
    ['rtmp://h/app/inst/dir/clip', { protocol: 'rtmp', host: 'h', port: 1935, app: 'app/inst', streamName: 'dir/clip', tcUrl: 'rtmp://h:1935/app/inst' }],
    // A ':' in the third component before any '/' marks a prefixed play path, not an instance.
    ['rtmp://h/vod/mp4:dir/clip.mp4', { protocol: 'rtmp', host: 'h', port: 1935, app: 'vod', streamName: 'mp4:dir/clip.mp4', tcUrl: 'rtmp://h:1935/vod' }],
    ['rtmp://h/vod/mp4:clip.mp4', { protocol: 'rtmp', host: 'h', port: 1935, app: 'vod', streamName: 'mp4:clip.mp4', tcUrl: 'rtmp://h:1935/vod' }],
    // A ':' after the next '/' does not count.
    ['rtmp://h/app/inst/mp4:clip', { protocol: 'rtmp', host: 'h', port: 1935, app: 'app/inst', streamName: 'mp4:clip', tcUrl: 'rtmp://h:1935/app/inst' }],
    // File names are kept as written (nginx-rtmp VOD plays `clip.flv` by its full name).
    ['rtmp://h/vod/clip.flv', { protocol: 'rtmp', host: 'h', port: 1935, app: 'vod', streamName: 'clip.flv', tcUrl: 'rtmp://h:1935/vod' }],
    // Query string on the stream name is kept on the stream name.
    ['rtmp://h/live/stream?token=abc&x=1', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live', streamName: 'stream?token=abc&x=1', tcUrl: 'rtmp://h:1935/live' }],
    // Query string on the app is kept in the app and therefore in tcUrl.
    ['rtmp://h/live?key=k1/stream', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live?key=k1', streamName: 'stream', tcUrl: 'rtmp://h:1935/live?key=k1' }],
    // slist= names the stream.
    ['rtmp://h/app?slist=mystream&foo=1', { protocol: 'rtmp', host: 'h', port: 1935, app: 'app', streamName: 'mystream', tcUrl: 'rtmp://h:1935/app' }],
    ['rtmp://h/app?slist=mystream', { protocol: 'rtmp', host: 'h', port: 1935, app: 'app', streamName: 'mystream', tcUrl: 'rtmp://h:1935/app' }],
    // /ondemand/ is always the app "ondemand".
    ['rtmp://h/ondemand/a/b/c.flv', { protocol: 'rtmp', host: 'h', port: 1935, app: 'ondemand', streamName: 'a/b/c.flv', tcUrl: 'rtmp://h:1935/ondemand' }],
    // App only, no stream.
    ['rtmp://h/live', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live', streamName: '', tcUrl: 'rtmp://h:1935/live' }],
    ['rtmp://h/live/', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live', streamName: '', tcUrl: 'rtmp://h:1935/live' }],
    ['rtmp://h', { protocol: 'rtmp', host: 'h', port: 1935, app: '', streamName: '', tcUrl: 'rtmp://h:1935/' }],
    // Default ports per protocol.
    ['rtmps://a.rtmp.youtube.com/live2/key', { protocol: 'rtmps', host: 'a.rtmp.youtube.com', port: 443, app: 'live2', streamName: 'key', tcUrl: 'rtmps://a.rtmp.youtube.com:443/live2' }],
    ['rtmpt://h/live/s', { protocol: 'rtmpt', host: 'h', port: 80, app: 'live', streamName: 's', tcUrl: 'rtmpt://h:80/live' }],
    ['rtmpts://h/live/s', { protocol: 'rtmpts', host: 'h', port: 443, app: 'live', streamName: 's', tcUrl: 'rtmpts://h:443/live' }],
    ['rtmpe://h/live/s', { protocol: 'rtmpe', host: 'h', port: 1935, app: 'live', streamName: 's', tcUrl: 'rtmpe://h:1935/live' }],
    ['rtmpte://h/live/s', { protocol: 'rtmpte', host: 'h', port: 80, app: 'live', streamName: 's', tcUrl: 'rtmpte://h:80/live' }],
    // Scheme is case-insensitive, host kept as written.
    ['RTMP://Example.COM:1936/Live/S', { protocol: 'rtmp', host: 'Example.COM', port: 1936, app: 'Live', streamName: 'S', tcUrl: 'rtmp://Example.COM:1936/Live' }],
    // IPv6 literals.
    ['rtmp://[::1]:1940/live/s', { protocol: 'rtmp', host: '::1', port: 1940, app: 'live', streamName: 's', tcUrl: 'rtmp://[::1]:1940/live' }],
    ['rtmp://[2001:db8::2]/live/s', { protocol: 'rtmp', host: '2001:db8::2', port: 1935, app: 'live', streamName: 's', tcUrl: 'rtmp://[2001:db8::2]:1935/live' }],
    // User info is not part of the host.
    ['rtmp://user:pw@h:1937/live/s', { protocol: 'rtmp', host: 'h', port: 1937, app: 'live', streamName: 's', tcUrl: 'rtmp://h:1937/live' }],
    // An empty port falls back to the default.
    ['rtmp://h:/live/s', { protocol: 'rtmp', host: 'h', port: 1935, app: 'live', streamName: 's', tcUrl: 'rtmp://h:1935/live' }],
    // Twitch-style key with punctuation.
    ['rtmp://live.twitch.tv/app/live_123_AbC-dEf', { protocol: 'rtmp', host: 'live.twitch.tv', port: 1935, app: 'app', streamName: 'live_123_AbC-dEf', tcUrl: 'rtmp://live.twitch.tv:1935/app' }],
  ];

  for (const [url, expected] of cases) {
    it(url, () => {
      const parsed = parseRtmpUrl(url);
      expect({
        protocol: parsed.protocol,
        host: parsed.host,
        port: parsed.port,
        app: parsed.app,
        streamName: parsed.streamName,
        tcUrl: parsed.tcUrl,
      }).toEqual(expected);
    });
  }

  it('reports whether the port was explicit', () => {
    expect(parseRtmpUrl('rtmp://h:1935/a/b').explicitPort).toBe(true);
    expect(parseRtmpUrl('rtmp://h/a/b').explicitPort).toBe(false);
  });
});

describe('parseRtmpUrl with a stream key (OBS server + key)', () => {
  it('takes the whole server path as the app', () => {
    const parsed = parseRtmpUrl('rtmp://ingest.example.com/live/instance', 'secret-key?bw=1');
    expect(parsed.app).toBe('live/instance');
    expect(parsed.streamName).toBe('secret-key?bw=1');
    expect(parsed.tcUrl).toBe('rtmp://ingest.example.com:1935/live/instance');
  });

  it('drops one trailing slash of the server URL', () => {
    const parsed = parseRtmpUrl('rtmps://live-api-s.facebook.com:443/rtmp/', 'FB-123');
    expect(parsed).toMatchObject({ protocol: 'rtmps', port: 443, app: 'rtmp', streamName: 'FB-123', tcUrl: 'rtmps://live-api-s.facebook.com:443/rtmp' });
  });

  it('keeps a query on the server URL in the app', () => {
    const parsed = parseRtmpUrl('rtmp://h/app?auth=1', 'k');
    expect(parsed.app).toBe('app?auth=1');
    expect(parsed.tcUrl).toBe('rtmp://h:1935/app?auth=1');
  });

  it('accepts an empty key', () => {
    expect(parseRtmpUrl('rtmp://h/live', '').streamName).toBe('');
  });
});

describe('parseRtmpUrl errors', () => {
  const bad: Array<[string, string]> = [
    ['http://h/live/s', 'unsupported protocol'],
    ['rtmfp://h/live/s', 'unsupported protocol'],
    ['h/live/s', 'no scheme'],
    ['rtmp:///live/s', 'no host'],
    ['rtmp://h:99999/live/s', 'invalid port'],
    ['rtmp://h:0/live/s', 'invalid port'],
    ['rtmp://h:12ab/live/s', 'invalid port'],
    ['rtmp://[::1/live/s', 'unterminated IPv6'],
    ['rtmp://[::1]x/live/s', 'after the IPv6'],
  ];
  for (const [url, fragment] of bad) {
    it(`${url} -> SESSION_INVALID_URL`, () => {
      let caught: unknown;
      try {
        parseRtmpUrl(url);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RtmpError);
      expect((caught as RtmpError).code).toBe('SESSION_INVALID_URL');
      expect((caught as RtmpError).category).toBe('session');
      expect((caught as RtmpError).message).toContain(fragment);
    });
  }
});
