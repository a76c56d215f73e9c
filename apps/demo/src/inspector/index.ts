import type { AnalysisReport, Diagnostic, MessageRecord, Recording } from '@rtmp-web/inspector';
import {
  MediaAnalyzer,
  SessionRecorder,
  analyzeRecording,
  diagnose,
  exportFlv,
  exportSession,
  importSession,
  recordingFromFlv,
} from '@rtmp-web/inspector';
import type { HandshakeResult, ProtocolTap } from '@rtmp-web/rtmp';
import { MessageDetail } from './detail';
import { download, formatBytes, formatCount, h } from './dom';
import { MessageLog } from './message-log';
import { DiagnosticsPanel, MediaPanel, TimelinePanel } from './panels';
import { injectStyles } from './styles';

/**
 * What the inspector needs from the player (structural, so this module does not depend on the
 * player's internals): `addTap` attaches a ProtocolTap to every NetConnection the player
 * creates from now on (reconnects included) and returns a function that detaches it.
 * `on` is optional: RtmpPlayer's 'state', 'error', 'reconnect' and 'handshake' events add what
 * the tap cannot see to the timeline (state changes with their reasons, reconnects, errors, and
 * whether the server's handshake digest verified).
 */
export interface InspectablePlayer {
  addTap(tap: ProtocolTap): () => void;
  on?(event: string, handler: (payload: never) => void): unknown;
  off?(event: string, handler: (payload: never) => void): unknown;
}

export interface InspectorHandle {
  readonly recorder: SessionRecorder;
  /** Shows a session file's or an FLV file's contents (offline, no connection needed). */
  importFile(name: string, bytes: Uint8Array): void;
  /** Back to the live recorder after an import. */
  showLive(): void;
  destroy(): void;
}

/** The state a test (or a curious person in the console) can read: `window.__rtmpInspector`. */
export interface InspectorTestHook {
  recording(): Recording;
  report(): AnalysisReport;
  diagnostics(): Diagnostic[];
  exportSession(): string;
  importText(text: string, name?: string): void;
  seriesLengths(): Record<string, number>;
  mode(): 'live' | 'offline';
}

declare global {
  interface Window {
    __rtmpInspector?: InspectorTestHook;
  }
}

const REFRESH_MS = 500;

export function mountInspector(container: HTMLElement, player?: InspectablePlayer): InspectorHandle {
  injectStyles();
  const recorder = new SessionRecorder();
  let analyzer = new MediaAnalyzer();
  let offline: { recording: Recording; report: AnalysisReport; name: string } | undefined;
  let dirty = true;
  let selected: MessageRecord | undefined;

  const unsubscribers: Array<() => void> = [];
  let stopAnalysis = analyzer.follow(recorder);
  unsubscribers.push(
    () => stopAnalysis(),
    recorder.on('message', () => (dirty = true)),
    recorder.on('timeline', () => (dirty = true)),
  );

  // ---- toolbar ----
  const badge = h('span', { class: 'badge live', 'data-testid': 'inspector-mode' }, h('span', { class: 'dot' }), 'live');
  const bufferLine = h('span', { class: 'badge', 'data-testid': 'buffer' });
  const pauseButton = h('button', { 'data-testid': 'pause', onclick: () => togglePause() }, 'Pause capture');
  const clearButton = h('button', { 'data-testid': 'clear', onclick: () => clearAll() }, 'Clear');
  const liveButton = h('button', { 'data-testid': 'back-to-live', onclick: () => showLive(), style: 'display:none' }, 'Back to live');
  const fileInput = h('input', { type: 'file', accept: '.json,.flv,application/json,video/x-flv', style: 'display:none', 'data-testid': 'import-input' });
  const errorBanner = h('div', { class: 'error-banner', style: 'display:none', 'data-testid': 'inspector-error' });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    void file.arrayBuffer().then((buffer) => importFile(file.name, new Uint8Array(buffer)));
    fileInput.value = '';
  });
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('span', { class: 'title' }, 'RTMP inspector'),
    badge,
    bufferLine,
    h('span', { class: 'spacer' }),
    pauseButton,
    clearButton,
    liveButton,
    h('button', { 'data-testid': 'export-session', class: 'primary', onclick: () => download(`rtmp-session-${stamp()}.json`, exportSession(currentRecording()), 'application/json') }, 'Export session'),
    h('button', { 'data-testid': 'import', onclick: () => fileInput.click() }, 'Import file…'),
    h('button', { 'data-testid': 'export-flv', onclick: () => download(`rtmp-media-${stamp()}.flv`, exportFlv(currentRecording()), 'video/x-flv') }, 'Export FLV'),
    fileInput,
  );

  // ---- panels ----
  const detail = new MessageDetail();
  const log = new MessageLog((record) => {
    selected = record;
    detail.setRecord(record);
  });
  const selectMessage = (index: number): void => {
    if (!log.selectIndex(index)) showError(`Message #${index} is no longer in the buffer.`);
  };
  const timeline = new TimelinePanel(selectMessage);
  const diagnostics = new DiagnosticsPanel(selectMessage);
  const media = new MediaPanel();
  const logPanel = h('section', { class: 'panel' }, h('h3', {}, 'Message log', log.count), log.element, detail.element);

  const root = h(
    'div',
    { class: 'rtmpi', 'data-testid': 'inspector' },
    toolbar,
    errorBanner,
    h('div', { class: 'grid' }, h('div', { class: 'col' }, timeline.element, diagnostics.element), h('div', { class: 'col' }, media.element, logPanel)),
  );
  container.append(root);

  // ---- player wiring ----
  if (player) {
    unsubscribers.push(player.addTap(recorder));
    const listen = <T>(event: string, handler: (payload: T) => void): void => {
      if (!player.on) return;
      player.on(event, handler as (payload: never) => void);
      unsubscribers.push(() => player.off?.(event, handler as (payload: never) => void));
    };
    listen<{ from: string; to: string; reason: string }>('state', (change) => recorder.note('transport', `player ${change.from} → ${change.to}`, change.reason));
    listen<{ message: string; code: string }>('error', (error) => recorder.note('error', error.code, error.message));
    listen<{ attempt: number; delayMs: number; reason: string }>('reconnect', (r) => recorder.note('transport', `reconnect attempt ${r.attempt} in ${r.delayMs} ms`, r.reason));
    listen<HandshakeResult>('handshake', (result) => recorder.recordHandshakeResult(result));
  }

  // ---- behaviour ----
  function currentRecording(): Recording {
    return offline?.recording ?? recorder.snapshot();
  }

  function currentReport(): AnalysisReport {
    return offline?.report ?? analyzer.report();
  }

  function togglePause(): void {
    if (recorder.paused) recorder.resume();
    else recorder.pause();
    dirty = true;
    refresh();
  }

  function clearAll(): void {
    recorder.clear();
    stopAnalysis();
    analyzer = new MediaAnalyzer();
    stopAnalysis = analyzer.follow(recorder);
    selected = undefined;
    dirty = true;
    refresh();
  }

  function showError(text: string | undefined): void {
    errorBanner.textContent = text ?? '';
    errorBanner.style.display = text ? '' : 'none';
  }

  function importFile(name: string, bytes: Uint8Array): void {
    try {
      const isFlv = bytes[0] === 0x46 && bytes[1] === 0x4c && bytes[2] === 0x56;
      const recording = isFlv ? recordingFromFlv(bytes, name) : importSession(new TextDecoder().decode(bytes));
      showOffline(recording, name);
    } catch (error) {
      showError(`Could not import ${name}: ${(error as Error).message}`);
    }
  }

  function showOffline(recording: Recording, name: string): void {
    offline = { recording, report: analyzeRecording(recording), name };
    selected = undefined;
    showError(undefined);
    dirty = true;
    refresh();
  }

  function showLive(): void {
    offline = undefined;
    selected = undefined;
    dirty = true;
    refresh();
  }

  /**
   * Whether drawing shows anything: the demo hides the inspector's view (`hidden`, display:none)
   * when another tab of the page is chosen, and a background page draws for no one. The recorder
   * and the analyzer keep following the session either way; only the snapshot, the diagnosis
   * and the DOM work wait, and the first tick (or the observer below) after it is shown again
   * draws everything that changed meanwhile.
   */
  function isShown(): boolean {
    return root.isConnected && !document.hidden && root.getClientRects().length > 0;
  }

  function refreshIfShown(): void {
    if (dirty && isShown()) refresh();
  }

  function refresh(): void {
    if (!dirty) return;
    dirty = false;
    const recording = currentRecording();
    const report = currentReport();
    const live = !offline;
    badge.className = `badge ${live ? (recorder.paused ? 'paused' : 'live') : 'offline'}`;
    badge.lastChild!.textContent = live ? (recorder.paused ? 'capture paused' : 'live') : `offline: ${offline!.name}`;
    pauseButton.textContent = recorder.paused ? 'Resume capture' : 'Pause capture';
    pauseButton.disabled = !live;
    clearButton.disabled = !live;
    liveButton.style.display = live ? 'none' : '';
    const stats = live ? recorder.stats : undefined;
    const kept = stats ? stats.storedBytes : recording.messages.reduce((n, m) => n + m.payload.byteLength, 0);
    const limits = recording.limits;
    const d = recording.dropped;
    bufferLine.textContent = `${formatCount(recording.messages.length)} / ${formatCount(limits.maxMessages)} messages · ${formatBytes(kept)} / ${formatBytes(limits.maxBytes)} · ${formatCount(d.messages)} dropped${d.paused ? ` · ${formatCount(d.paused)} skipped while paused` : ''}`;
    bufferLine.title = 'The buffer keeps the newest messages within these limits; older ones are dropped and counted.';
    timeline.update(recording.timeline, recording.startedAt, recording.handshakeSummary);
    // While capture is paused the log stays still; charts and diagnostics keep going.
    if (!(live && recorder.paused)) log.setMessages(recording.messages, recording.startedAt);
    media.update(report);
    diagnostics.update(diagnose(recording, report), report.mediaMessages > 0);
    if (selected && !recording.messages.includes(selected)) detail.setRecord(undefined);
  }

  const timer = setInterval(refreshIfShown, REFRESH_MS);
  refresh();
  // Draw at once when the view or the page becomes visible again, not up to REFRESH_MS later.
  const onVisibility = (): void => refreshIfShown();
  document.addEventListener('visibilitychange', onVisibility);
  unsubscribers.push(() => document.removeEventListener('visibilitychange', onVisibility));
  if (typeof IntersectionObserver === 'function') {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) refreshIfShown();
    });
    observer.observe(root);
    unsubscribers.push(() => observer.disconnect());
  }

  const hook: InspectorTestHook = {
    recording: currentRecording,
    report: currentReport,
    diagnostics: () => diagnose(currentRecording(), currentReport()),
    exportSession: () => exportSession(currentRecording()),
    importText: (text, name = 'session.json') => importFile(name, new TextEncoder().encode(text)),
    seriesLengths: () => Object.fromEntries([...root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')].map((c) => [c.dataset.chart!, Number(c.dataset.seriesLength)])),
    mode: () => (offline ? 'offline' : 'live'),
  };
  window.__rtmpInspector = hook;

  let destroyed = false;
  return {
    recorder,
    importFile,
    showLive,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearInterval(timer);
      for (const off of unsubscribers) off();
      root.remove();
      if (window.__rtmpInspector === hook) delete window.__rtmpInspector;
    },
  };
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}
