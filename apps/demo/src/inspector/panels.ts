import type { AnalysisReport, Diagnostic, HandshakeSummary, TimelineEvent, TrackReport } from '@rtmp-web/inspector';
import { formatOffset } from '@rtmp-web/inspector';
import { GopChart, LineChart } from './charts';
import { formatBytes, h } from './dom';
import { SERIES_COLOURS } from './styles';

const BAD_STATUS = /(Failed|Rejected|NotFound|InvalidApp|BadName|InsufficientBW|AppShutdown|Closed)$/;

/** Connection timeline: one row per event; rows that came from a message select it in the log. */
export class TimelinePanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private readonly summary: HTMLElement;
  private rendered = 0;
  private firstIndex = -1;

  constructor(private readonly onSelectMessage: (index: number) => void) {
    this.list = h('div', { class: 'timeline', 'data-testid': 'timeline' });
    this.count = h('span', { class: 'count' });
    this.summary = h('div', { class: 'tl-detail', 'data-testid': 'handshake-summary' });
    this.element = h('section', { class: 'panel' }, h('h3', {}, 'Connection timeline', this.count), this.summary, this.list);
    this.list.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('[data-message]');
      if (row) this.onSelectMessage(Number(row.dataset.message));
    });
  }

  /** Appends new events (re-renders when the buffer moved on, e.g. after clear or import). */
  update(events: readonly TimelineEvent[], startedAt: number, handshake: HandshakeSummary | undefined): void {
    this.summary.textContent = handshake ? handshakeText(handshake) : '';
    const first = events[0]?.index ?? -1;
    if (first !== this.firstIndex || events.length < this.rendered) {
      this.list.replaceChildren();
      this.rendered = 0;
      this.firstIndex = first;
    }
    const stick = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    for (const event of events.slice(this.rendered)) this.list.append(timelineRow(event, startedAt));
    this.rendered = events.length;
    this.count.textContent = `${events.length} events`;
    if (stick) this.list.scrollTop = this.list.scrollHeight;
    if (events.length === 0 && !this.list.firstChild) this.list.append(h('div', { class: 'empty' }, 'No connection yet: play a stream or import a session file.'));
  }
}

function handshakeText(s: HandshakeSummary): string {
  const parts = [`${s.kind} handshake`];
  if (s.serverVersion) parts.push(`server version ${s.serverVersion}`);
  if (s.serverDigestVerified !== undefined) parts.push(s.serverDigestVerified ? 'server digest verified' : 'server digest not verified');
  if (s.roundTripMs !== undefined) parts.push(`round trip ${s.roundTripMs} ms`);
  return parts.join(' · ');
}

function timelineRow(event: TimelineEvent, startedAt: number): HTMLElement {
  const bad = event.kind === 'status' && event.code !== undefined && BAD_STATUS.test(event.code);
  return h(
    'div',
    {
      class: 'tl-row',
      'data-kind': event.kind,
      'data-code': event.code,
      'data-message': event.messageIndex,
      title: event.messageIndex === undefined ? undefined : `message #${event.messageIndex}: click to show it`,
    },
    h('span', { class: 'tl-time mono' }, formatOffset(event.at, startedAt)),
    h('span', { class: 'tl-dir' }, event.direction === 'in' ? '←' : event.direction === 'out' ? '→' : '·'),
    h(
      'div',
      {},
      h('span', { class: `kind ${event.kind}${bad ? ' bad' : ''}` }, event.kind),
      h('span', { class: 'tl-title' }, event.title),
      event.detail ? h('div', { class: 'tl-detail' }, event.detail) : null,
    ),
  );
}

/** Diagnostics in plain words, worst first. */
export class DiagnosticsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;
  private last = '';

  constructor(private readonly onSelectMessage: (index: number) => void) {
    this.list = h('div', { 'data-testid': 'diagnostics' });
    this.count = h('span', { class: 'count' });
    this.element = h('section', { class: 'panel' }, h('h3', {}, 'Diagnostics', this.count), this.list);
  }

  update(diagnostics: readonly Diagnostic[], hasMedia: boolean): void {
    const key = JSON.stringify(diagnostics) + hasMedia;
    if (key === this.last) return;
    this.last = key;
    this.count.textContent = diagnostics.length ? `${diagnostics.length} found` : '';
    if (diagnostics.length === 0) {
      this.list.replaceChildren(h('div', { class: hasMedia ? 'ok-line' : 'empty' }, hasMedia ? '✓ No problems found so far.' : 'Waiting for media to analyse.'));
      return;
    }
    this.list.replaceChildren(
      ...diagnostics.map((d) =>
        h(
          'div',
          { class: `diag ${d.severity}`, 'data-diagnostic': d.id },
          h('div', { class: 'd-title' }, h('span', { class: 'd-sev' }, d.severity), d.title),
          h('div', { class: 'd-detail' }, d.detail),
          d.messageIndex === undefined
            ? null
            : h('button', { class: 'link', style: 'margin-top:4px;padding:1px 8px;font-size:11.5px', onclick: () => this.onSelectMessage(d.messageIndex!) }, `show message #${d.messageIndex}`),
        ),
      ),
    );
  }
}

/** Per-track codec details, live charts and the GOP timeline. */
export class MediaPanel {
  readonly element: HTMLElement;
  private readonly tracks: HTMLElement;
  private readonly bitrate = new LineChart('Bitrate per track', 'kbit/s', { name: 'bitrate' });
  private readonly fps = new LineChart('Frame rate (arrival)', 'fps', { name: 'fps' });
  private readonly drift = new LineChart('A/V timestamp drift (video − audio)', 'ms', { name: 'drift', symmetric: true });
  private readonly latency = new LineChart('Arrival delay above best (latency change)', 'ms', { name: 'latency' });
  private readonly gop = new GopChart();

  constructor() {
    this.tracks = h('div', { class: 'tracks', 'data-testid': 'tracks' });
    this.element = h(
      'section',
      { class: 'panel' },
      h('h3', {}, 'Media'),
      this.tracks,
      h('div', { class: 'charts' }, this.bitrate.element, this.fps.element, this.drift.element, this.latency.element),
      this.gop.element,
    );
  }

  update(report: AnalysisReport): void {
    const tracks = report.tracks;
    if (tracks.length === 0) this.tracks.replaceChildren(h('div', { class: 'empty' }, 'No audio or video yet.'));
    else this.tracks.replaceChildren(...tracks.map(trackCard));
    const s = report.series;
    const ids = Object.keys(s.bitrateKbps).sort();
    // Counts per second: the last second is still filling up, so it is left out until it ends.
    const complete = <T>(values: readonly T[]): T[] => values.slice(0, -1);
    this.bitrate.update(ids.map((id, i) => ({ label: id, colour: SERIES_COLOURS[i % SERIES_COLOURS.length]!, values: complete(s.bitrateKbps[id]!) })));
    this.fps.update([{ label: 'fps', colour: SERIES_COLOURS[2]!, values: complete(s.framesPerSecond) }]);
    this.drift.update([{ label: 'drift', colour: SERIES_COLOURS[3]!, values: s.avDriftMs }]);
    this.latency.update([{ label: 'latency', colour: SERIES_COLOURS[4]!, values: s.latencyMs }]);
    const video = tracks.find((t) => t.kind === 'video');
    this.gop.update(report.gops, video?.frameRate ? 1000 / video.frameRate : 40);
  }
}

function trackCard(track: TrackReport): HTMLElement {
  const d = track.details;
  const rows: Array<[string, string | undefined]> = [
    ['codec', d?.codecString ?? track.codec],
    ['profile', d?.profile && d.level ? `${d.profile}, level ${d.level}` : d?.profile],
    ['resolution', d?.width && d.height ? `${d.width} × ${d.height}` : undefined],
    ['sample rate', d?.sampleRate ? `${d.sampleRate} Hz` : undefined],
    ['channels', d?.channels ? String(d.channels) : undefined],
    ['frame rate', track.frameRate ? `${track.frameRate.toFixed(2)} fps` : undefined],
    ['bitrate', track.averageKbps !== undefined ? `${track.averageKbps} kbit/s average` : undefined],
    ['frames', `${track.frames}${track.kind === 'video' ? ` (${track.keyframes} keyframes)` : ''}, ${formatBytes(track.bytes)}`],
    ['stream', `message stream ${track.streamId}${track.trackId ? `, track ${track.trackId}` : ''}`],
  ];
  return h(
    'div',
    { class: 'track', 'data-track': track.id, 'data-codec': d?.codecString ?? track.codec, 'data-width': d?.width, 'data-height': d?.height },
    h('div', { class: 't-head' }, h('span', { class: 't-kind' }, track.id), h('span', { class: 't-codec mono' }, d?.description ?? track.codec)),
    h('dl', {}, ...rows.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v!)])),
  );
}
