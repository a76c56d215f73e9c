import { RtmpPlayer, cancelWarmUp, warmUpPlayer } from '@rtmp-web/player';
import { createMpegtsPlayerSink } from '@rtmp-web/player/mpegts-player-sink';
import type { PlayerStats, RtmpPlayerEvents, StateChange, TimeToFirstFrame, WarmUpResult } from '@rtmp-web/player';
import { explainError } from './explain';
import { Sparkline } from './sparkline';
import './styles.css';

/** What end-to-end tests (and curious people in the console) read. */
export interface DemoTestHook {
  states: string[];
  errors: Array<{ code: string; message: string; fatal: boolean }>;
  statuses: string[];
  firstFrame: TimeToFirstFrame | null;
  latencies: number[];
  inspector: 'absent' | 'loading' | 'mounted' | 'failed';
  /** Player events with performance.now() times, for measurements. */
  timeline: Array<{ at: number; event: string; detail?: string }>;
  /** The player's warm-up at import (null: skipped, the page loaded a stream first). */
  warmUp: WarmUpResult | null | 'pending';
}

declare global {
  interface Window {
    __rtmpPlayer?: RtmpPlayer;
    __rtmpDemo?: DemoTestHook;
  }
}

const params = new URLSearchParams(location.search);
const defaultBridge = `ws://${location.hostname || '127.0.0.1'}:8080/`;
const initialSrc = params.get('src') ?? 'rtmp://127.0.0.1:19350/live/demo';
const initialBridge = params.get('bridge') ?? defaultBridge;
const autoplay = params.has('src') && params.get('autoplay') !== '0';

const hook: DemoTestHook = { states: [], errors: [], statuses: [], firstFrame: null, latencies: [], inspector: 'absent', timeline: [], warmUp: 'pending' };
const mark = (event: string, detail?: string) => {
  hook.timeline.push({ at: performance.now(), event, ...(detail !== undefined ? { detail } : {}) });
  if (hook.timeline.length > 500) hook.timeline.shift();
};
window.__rtmpDemo = hook;
// `?warmup=0`: no warm-up (docs/player.md, "Warm-up"). Nor when the page plays a stream at once
// (unless `?warmup=1`): the warm-up would only compete with that stream and the inspector's loading.
if (params.get('warmup') === '0' || (autoplay && params.get('warmup') !== '1')) cancelWarmUp();
void warmUpPlayer().then((result) => {
  hook.warmUp = result;
});

// ---- DOM ---------------------------------------------------------------------------------------
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...children: Array<Node | string>) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};

const srcInput = el('input', { id: 'src', type: 'url', spellcheck: 'false', 'aria-label': 'RTMP URL' });
srcInput.value = initialSrc;
const bridgeInput = el('input', { id: 'bridge', type: 'url', spellcheck: 'false', 'aria-label': 'Bridge URL' });
bridgeInput.value = initialBridge;
const playButton = el('button', { id: 'play', type: 'submit', class: 'primary' }, 'Play');
const stopButton = el('button', { id: 'stop', type: 'button' }, 'Stop');
const mutedBox = el('input', { id: 'muted', type: 'checkbox' });
mutedBox.checked = autoplay || params.get('muted') !== '0';
const form = el(
  'form',
  { class: 'source' },
  el('label', {}, 'RTMP URL', srcInput),
  el('label', {}, 'Bridge', bridgeInput),
  el('div', { class: 'buttons' }, playButton, stopButton, el('label', { class: 'check' }, mutedBox, 'muted')),
);

const video = el('video', { id: 'video', playsinline: '', controls: '' }) as HTMLVideoElement;
video.muted = mutedBox.checked;
const stateBadge = el('span', { id: 'state', class: 'state idle' }, 'idle');
const stateReason = el('span', { id: 'state-reason', class: 'muted-text' });
const errorBox = el('div', { id: 'error', class: 'error', role: 'alert', hidden: '' });
const noticeBox = el('div', { id: 'notice', class: 'notice', hidden: '' });

const statCells = new Map<string, HTMLElement>();
const statGrid = el('dl', { id: 'stats', class: 'stats' });
for (const [key, label] of [
  ['latency', 'Latency'],
  ['buffer', 'Buffer'],
  ['rate', 'Playback rate'],
  ['video', 'Video'],
  ['audio', 'Audio'],
  ['fps', 'Frames/s (shown)'],
  ['frames', 'Decoded / dropped'],
  ['droppedMessages', 'Video dropped for audio priority'],
  ['tracks', 'Tracks'],
  ['received', 'Received'],
  ['reconnects', 'Reconnects / stalls'],
] as const) {
  const value = el('dd', { 'data-stat': key }, '–');
  statCells.set(key, value);
  statGrid.append(el('dt', {}, label), value);
}

const ttffList = el('ol', { id: 'ttff', class: 'ttff' });
const charts = {
  latency: new Sparkline('Latency (dashed: target)', (v) => `${Math.round(v * 1000)} ms`, { color: '#ffb74d', target: Number(params.get('targetLatency')) || 0.2, minMax: 0.5 }),
  buffer: new Sparkline('Buffer', (v) => `${Math.round(v * 1000)} ms`, { color: '#81c784', minMax: 0.5 }),
  bitrate: new Sparkline('Video bitrate', (v) => `${Math.round(v)} kbit/s`, { color: '#4fc3f7', minMax: 100 }),
  fps: new Sparkline('Frames shown per second', (v) => v.toFixed(1), { color: '#ce93d8', minMax: 30 }),
};
const log = el('ol', { id: 'log', class: 'log' });

const playerView = el(
  'section',
  { id: 'player-view', class: 'view' },
  form,
  el(
    'div',
    { class: 'stage' },
    el('div', { class: 'video-wrap' }, video, el('div', { class: 'status-line' }, stateBadge, stateReason), errorBox, noticeBox),
    el(
      'aside',
      { class: 'side' },
      el('h2', {}, 'Playback'),
      statGrid,
      el('h2', {}, 'Time to first frame'),
      ttffList,
    ),
  ),
  el('div', { class: 'charts' }, ...Object.values(charts).map((c) => c.element)),
  el('details', { class: 'events', open: '' }, el('summary', {}, 'Events'), log),
);

const inspectorContainer = el('section', { id: 'inspector-view', class: 'view', hidden: '' });
const inspectorNote = el('p', { class: 'muted-text' }, 'The stream inspector is not part of this build yet.');
inspectorContainer.append(inspectorNote);

const tabs = el('nav', { class: 'tabs', role: 'tablist' });
const views: Record<string, HTMLElement> = { player: playerView, inspector: inspectorContainer };
for (const [name, label] of [
  ['player', 'Player'],
  ['inspector', 'Inspector'],
] as const) {
  const tab = el('button', { type: 'button', role: 'tab', 'data-view': name, id: `tab-${name}` }, label);
  tab.addEventListener('click', () => showView(name));
  tabs.append(tab);
}

document.querySelector('#app')!.append(
  el('header', {}, el('h1', {}, 'rtmp-web'), el('p', { class: 'tagline' }, 'RTMP live video, played by the page itself'), tabs),
  el('main', {}, playerView, inspectorContainer),
);

function showView(name: string): void {
  for (const [key, view] of Object.entries(views)) view.hidden = key !== name;
  for (const tab of tabs.querySelectorAll('button')) tab.setAttribute('aria-selected', String(tab.dataset['view'] === name));
  if (name === 'inspector') mountInspectorOnce();
  const url = new URL(location.href);
  if (name === 'player') url.searchParams.delete('view');
  else url.searchParams.set('view', name);
  history.replaceState(null, '', url);
}

// ---- player ------------------------------------------------------------------------------------
// A few knobs for tests and experiments: ?targetLatency=0.3&noMediaMs=3000, and ?sink=mpegts-player
// to play through mpegts.js's whole player instead of the default sink.
const numberParam = (name: string): number | undefined => {
  const value = Number(params.get(name));
  return params.has(name) && Number.isFinite(value) ? value : undefined;
};
const targetLatency = numberParam('targetLatency');
const noMediaMs = numberParam('noMediaMs');
const player = new RtmpPlayer({
  mpegtsLogLevel: 'warn',
  ...(params.get('sink') === 'mpegts-player' ? { sink: createMpegtsPlayerSink } : {}),
  ...(targetLatency !== undefined ? { targetLatency } : {}),
  ...(noMediaMs !== undefined ? { noMediaTimeoutMs: noMediaMs } : {}),
});
player.attachMedia(video);
window.__rtmpPlayer = player;

function addLog(kind: string, text: string): void {
  const time = new Date().toLocaleTimeString(undefined, { hour12: false });
  log.prepend(el('li', { class: `log-${kind}` }, el('time', {}, time), ' ', text));
  while (log.childElementCount > 200) log.lastElementChild?.remove();
}

player.on('state', (change: StateChange) => {
  hook.states.push(change.to);
  mark('state', change.to);
  stateBadge.textContent = change.to;
  stateBadge.className = `state ${change.to}`;
  stateReason.textContent = change.reason;
  addLog('state', `${change.from} → ${change.to}: ${change.reason}`);
  if (change.to === 'playing') {
    errorBox.hidden = true;
    noticeBox.hidden = true;
  }
  if (change.to === 'connecting' && change.from !== 'reconnecting') clearTtff();
});

player.on('error', (error: RtmpPlayerEvents['error']) => {
  hook.errors.push({ code: error.code, message: error.message, fatal: error.fatal });
  const text = explainError(error);
  addLog(error.fatal ? 'error' : 'warn', `${error.code}: ${error.message}`);
  const box = error.fatal ? errorBox : noticeBox;
  box.replaceChildren(el('strong', {}, text.title), el('p', {}, text.detail), el('code', {}, error.code));
  box.hidden = false;
});

player.on('status', (status) => {
  mark('status', status.code);
  hook.statuses.push(status.code);
  addLog('status', `${status.code}${status.description ? ` (${status.description})` : ''}`);
});
player.on('metadata', (metadata) => {
  const size = metadata['width'] && metadata['height'] ? ` ${String(metadata['width'])}x${String(metadata['height'])}` : '';
  addLog('data', `onMetaData${size}`);
});
player.on('tracks', (tracks) => {
  mark('tracks', `${tracks.generation}`);
  const parts = [tracks.video?.codec, tracks.audio?.codec].filter(Boolean);
  statCells.get('tracks')!.textContent = parts.join(' + ') || 'none';
  addLog('data', `tracks: ${parts.join(' + ')} (pipeline ${tracks.generation})`);
});
player.on('reconnect', (event) => addLog('warn', `reconnecting in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt}): ${event.reason}`));
player.on('stall', (event) => {
  if (!event.resolved) addLog('warn', `stalled for ${(event.durationMs / 1000).toFixed(1)} s`);
});
player.on('latency', (event) => {
  if (event.seek) {
    mark('seek', `${event.seek.reason} -> ${event.seek.to.toFixed(3)}`);
    addLog('info', `jumped to the live edge (${event.seek.reason})`);
  }
});
player.on('firstFrame', (ttff) => {
  mark('firstFrame');
  hook.firstFrame = ttff;
  renderTtff(ttff);
  addLog('info', `first frame after ${Math.round(ttff.firstFrame ?? 0)} ms`);
});

player.on('stats', (stats: PlayerStats) => {
  renderStats(stats);
  if (stats.latency !== null) hook.latencies.push(stats.latency);
  if (hook.latencies.length > 3600) hook.latencies.shift();
  charts.latency.push(stats.latency);
  charts.buffer.push(stats.buffer);
  if (stats.tracks?.video) charts.bitrate.push(stats.video.kbps);
  if (stats.presentedFps !== null) charts.fps.push(stats.presentedFps);
  if (!hook.firstFrame && stats.timeToFirstFrame.wsOpen !== null) renderTtff(stats.timeToFirstFrame);
});

const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000)} ms`);
const kbps = (rate: { kbps: number; perSecond: number }, unit: string) =>
  rate.perSecond === 0 ? '–' : `${Math.round(rate.kbps)} kbit/s · ${rate.perSecond.toFixed(1)} ${unit}`;
const bytes = (n: number) => (n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`);

function renderStats(stats: PlayerStats): void {
  statCells.get('latency')!.textContent = ms(stats.latency);
  statCells.get('buffer')!.textContent = ms(stats.buffer);
  statCells.get('rate')!.textContent = `${stats.playbackRate.toFixed(2)}×`;
  statCells.get('video')!.textContent = kbps(stats.video, 'msg/s');
  statCells.get('audio')!.textContent = kbps(stats.audio, 'msg/s');
  statCells.get('fps')!.textContent = stats.presentedFps === null ? '–' : stats.presentedFps.toFixed(1);
  statCells.get('frames')!.textContent = `${stats.decodedFrames} / ${stats.droppedFrames}`;
  statCells.get('droppedMessages')!.textContent = String(stats.droppedVideoMessages);
  statCells.get('received')!.textContent = bytes(stats.bytesReceived);
  statCells.get('reconnects')!.textContent = `${stats.reconnects} / ${stats.stalls}`;
}

const TTFF_STAGES: Array<[keyof TimeToFirstFrame, string]> = [
  ['wsOpen', 'WebSocket open'],
  ['handshake', 'RTMP handshake'],
  ['connect', 'connect'],
  ['play', 'Play.Start'],
  ['firstMedia', 'first media message'],
  ['firstFrame', 'first frame shown'],
];

function renderTtff(ttff: TimeToFirstFrame): void {
  const total = Math.max(1, ...TTFF_STAGES.map(([key]) => ttff[key] ?? 0));
  ttffList.replaceChildren(
    ...TTFF_STAGES.map(([key, label]) => {
      const value = ttff[key];
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${value === null ? 0 : Math.max(1, (value / total) * 100)}%`;
      return el('li', { 'data-stage': key }, el('span', { class: 'label' }, label), el('span', { class: 'track' }, bar), el('span', { class: 'value' }, value === null ? '–' : `${Math.round(value)} ms`));
    }),
  );
}

function clearTtff(): void {
  hook.firstFrame = null;
  renderTtff({ wsOpen: null, handshake: null, connect: null, play: null, firstMedia: null, firstFrame: null });
  for (const chart of Object.values(charts)) chart.clear();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  start();
});
stopButton.addEventListener('click', () => {
  player.stop();
  addLog('info', 'stopped');
});
mutedBox.addEventListener('change', () => {
  video.muted = mutedBox.checked;
});

function start(): void {
  errorBox.hidden = true;
  noticeBox.hidden = true;
  const url = new URL(location.href);
  url.searchParams.set('src', srcInput.value);
  url.searchParams.set('bridge', bridgeInput.value);
  history.replaceState(null, '', url);
  mark('load');
  player.load(srcInput.value.trim(), { bridge: bridgeInput.value.trim() });
  void player.play();
}

// ---- inspector (its own module, loaded on demand; tolerated when absent) -----------------------
const inspectorModules = import.meta.glob<{ mountInspector: (container: HTMLElement, player: RtmpPlayer) => unknown }>('./inspector/index.ts');
let inspectorRequested = false;

function mountInspectorOnce(): void {
  if (inspectorRequested) return;
  inspectorRequested = true;
  const load = inspectorModules['./inspector/index.ts'];
  if (!load) return;
  hook.inspector = 'loading';
  inspectorNote.textContent = 'Loading the stream inspector… It records from the next connection on (press Play again to see a handshake).';
  load()
    .then((module) => {
      inspectorNote.remove();
      module.mountInspector(inspectorContainer, player);
      hook.inspector = 'mounted';
    })
    .catch((error: unknown) => {
      hook.inspector = 'failed';
      inspectorNote.textContent = `The inspector could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
    });
}

renderTtff({ wsOpen: null, handshake: null, connect: null, play: null, firstMedia: null, firstFrame: null });
showView(params.get('view') === 'inspector' ? 'inspector' : 'player');
// With ?view=inspector (or ?inspect) the inspector is mounted before the first play, so the
// handshake is in its timeline (the first play waits for it, at most 2 s: it was asked for, and a
// cold page on a loaded machine can take longer than 300 ms to load it). Otherwise it is
// mounted when its tab is first opened: its analysis runs on the main thread, and the player
// should not pay for it unless someone looks.
if (params.has('inspect') && params.get('inspector') !== '0') mountInspectorOnce();
const inspectorReady = new Promise<void>((resolve) => {
  const started = performance.now();
  const wait = () => (hook.inspector === 'loading' && performance.now() - started < 2000 ? setTimeout(wait, 10) : resolve());
  wait();
});
if (autoplay) {
  video.muted = true;
  mutedBox.checked = true;
  void inspectorReady.then(start);
}
