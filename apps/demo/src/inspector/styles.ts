/** The inspector's stylesheet, scoped under .rtmpi (injected once, so no CSS pipeline is needed). */
export const FIELD_COLOURS: Record<string, string> = {
  'fmt+csid': '#f2b84b',
  csid: '#e8925a',
  timestamp: '#6cc3f5',
  'timestamp delta': '#6cc3f5',
  'message length': '#9d8cf2',
  'message type': '#f27aa9',
  'message stream id': '#6fdc8c',
  'extended timestamp': '#4fd1c5',
  payload: '#8a94a6',
};

export const SERIES_COLOURS = ['#6cc3f5', '#f2b84b', '#6fdc8c', '#f27aa9', '#9d8cf2'];

const CSS = `
.rtmpi { --bg:#0f1420; --panel:#161d2b; --panel2:#1c2536; --line:#2a3549; --text:#dfe6f1; --muted:#8a94a6; --accent:#6cc3f5;
  --ok:#6fdc8c; --warn:#f2b84b; --err:#f2637a; --info:#6cc3f5;
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg);
  display: flex; flex-direction: column; gap: 10px; padding: 10px; box-sizing: border-box; min-width: 0; }
.rtmpi *, .rtmpi *::before, .rtmpi *::after { box-sizing: border-box; }
.rtmpi .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
.rtmpi button, .rtmpi select, .rtmpi input { font: inherit; color: var(--text); background: var(--panel2); border: 1px solid var(--line);
  border-radius: 6px; padding: 4px 10px; }
.rtmpi button { cursor: pointer; }
.rtmpi button:hover { border-color: var(--accent); }
.rtmpi button.primary { background: #1d3a55; border-color: #2f5f88; }
.rtmpi button:disabled { opacity: .45; cursor: default; }
.rtmpi .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; background: var(--panel); border: 1px solid var(--line);
  border-radius: 10px; padding: 8px 12px; }
.rtmpi .toolbar .title { font-weight: 650; font-size: 15px; letter-spacing: .2px; margin-right: 6px; }
.rtmpi .badge { display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px; border-radius: 999px; font-size: 12px;
  background: var(--panel2); border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.rtmpi .badge .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); }
.rtmpi .badge.live .dot { background: var(--err); box-shadow: 0 0 6px var(--err); }
.rtmpi .badge.paused .dot { background: var(--warn); }
.rtmpi .badge.offline .dot { background: var(--accent); }
.rtmpi .spacer { flex: 1; }
.rtmpi .grid { display: grid; grid-template-columns: minmax(300px, 0.85fr) minmax(0, 2fr); gap: 10px; min-width: 0; }
.rtmpi .col { display: flex; flex-direction: column; gap: 10px; min-width: 0; }
.rtmpi .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; min-width: 0; }
.rtmpi .panel > h3 { margin: 0 0 8px; font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: .8px; color: var(--muted);
  display: flex; align-items: center; gap: 8px; }
.rtmpi .panel > h3 .count { text-transform: none; letter-spacing: 0; font-weight: 500; }
.rtmpi .empty { color: var(--muted); font-style: italic; padding: 6px 0; }
/* timeline */
.rtmpi .timeline { max-height: 640px; overflow: auto; margin-top: 6px; }
.rtmpi .tl-row { display: grid; grid-template-columns: 62px 18px 1fr; gap: 6px; padding: 3px 2px; border-bottom: 1px solid #1f2838; cursor: default; }
.rtmpi .tl-row[data-message] { cursor: pointer; }
.rtmpi .tl-row[data-message]:hover { background: var(--panel2); }
.rtmpi .tl-time { color: var(--muted); text-align: right; }
.rtmpi .tl-dir { color: var(--muted); text-align: center; }
.rtmpi .tl-title { font-weight: 560; }
.rtmpi .tl-detail { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.rtmpi .kind { display: inline-block; font-size: 10.5px; padding: 0 6px; border-radius: 4px; margin-right: 6px; vertical-align: 1px;
  background: #243047; color: #b9c6dc; text-transform: uppercase; letter-spacing: .4px; }
.rtmpi .kind.handshake { background: #2c2a4a; color: #c4b8ff; }
.rtmpi .kind.status { background: #1e3b2c; color: var(--ok); }
.rtmpi .kind.status.bad, .rtmpi .kind.error { background: #44202a; color: var(--err); }
.rtmpi .kind.control, .rtmpi .kind.user-control { background: #3a3020; color: var(--warn); }
.rtmpi .kind.command { background: #1d3550; color: var(--accent); }
.rtmpi .kind.data, .rtmpi .kind.media { background: #35223d; color: #e39cf2; }
.rtmpi .kind.transport { background: #213838; color: #4fd1c5; }
/* diagnostics */
.rtmpi .diag { border-left: 3px solid var(--info); background: var(--panel2); border-radius: 6px; padding: 7px 10px; margin-bottom: 7px; }
.rtmpi .diag.error { border-color: var(--err); }
.rtmpi .diag.warning { border-color: var(--warn); }
.rtmpi .diag .d-title { font-weight: 620; }
.rtmpi .diag .d-sev { font-size: 10.5px; text-transform: uppercase; letter-spacing: .6px; margin-right: 6px; }
.rtmpi .diag.error .d-sev { color: var(--err); } .rtmpi .diag.warning .d-sev { color: var(--warn); } .rtmpi .diag.info .d-sev { color: var(--info); }
.rtmpi .diag .d-detail { color: #b9c3d3; font-size: 12.5px; margin-top: 2px; }
.rtmpi .ok-line { color: var(--ok); }
/* media */
.rtmpi .tracks { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 8px; margin-bottom: 10px; }
.rtmpi .track { background: var(--panel2); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.rtmpi .track .t-head { display: flex; align-items: baseline; gap: 8px; }
.rtmpi .track .t-kind { font-weight: 650; text-transform: capitalize; }
.rtmpi .track .t-codec { color: var(--accent); }
.rtmpi .track dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; margin: 6px 0 0; font-size: 12px; }
.rtmpi .track dt { color: var(--muted); } .rtmpi .track dd { margin: 0; }
.rtmpi .charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
.rtmpi .chart { background: var(--panel2); border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; }
.rtmpi .chart .c-head, .rtmpi .gop .c-head { display: flex; justify-content: space-between; gap: 12px; font-size: 12px; color: var(--muted); }
.rtmpi .chart .c-value { color: var(--text); font-weight: 600; }
.rtmpi .chart canvas, .rtmpi .gop canvas { width: 100%; height: 110px; display: block; }
.rtmpi .gop { margin-top: 8px; background: var(--panel2); border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; }
.rtmpi .gop canvas { height: 90px; }
.rtmpi .legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 11.5px; color: var(--muted); margin-top: 4px; }
.rtmpi .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
/* message log */
.rtmpi .filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
.rtmpi .filters input[type=search] { flex: 1; min-width: 160px; }
.rtmpi .filters label { color: var(--muted); display: inline-flex; gap: 4px; align-items: center; }
.rtmpi .log { position: relative; height: 300px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #121825; }
.rtmpi .log-head, .rtmpi .log-row { display: grid; grid-template-columns: 58px 64px 22px 34px 34px 128px 78px 54px 62px minmax(200px, 1fr);
  gap: 6px; align-items: center; padding: 0 8px; white-space: nowrap; }
.rtmpi .log-head { position: sticky; top: 0; z-index: 1; height: 24px; background: #1a2233; color: var(--muted); font-size: 11.5px;
  border-bottom: 1px solid var(--line); }
.rtmpi .log-row { position: absolute; left: 0; right: 0; height: 22px; cursor: pointer; border-bottom: 1px solid #182030; }
.rtmpi .log-row:hover { background: #1a2436; }
.rtmpi .log-row.selected { background: #1f3450; }
.rtmpi .log-row > span { overflow: hidden; text-overflow: ellipsis; }
.rtmpi .log-row .num, .rtmpi .log-head .num { text-align: right; }
.rtmpi .log-row .in { color: var(--ok); } .rtmpi .log-row .out { color: var(--warn); }
.rtmpi .t-command { color: var(--accent); } .rtmpi .t-data { color: #e39cf2; } .rtmpi .t-control { color: var(--warn); }
.rtmpi .t-video { color: #9fb0c8; } .rtmpi .t-audio { color: #8fa3bd; }
.rtmpi .bufferline { color: var(--muted); font-size: 12px; margin-top: 4px; }
/* detail */
.rtmpi .detail { margin-top: 8px; }
.rtmpi .tabs { display: flex; gap: 4px; margin-bottom: 6px; }
.rtmpi .tabs button.active { background: #1d3a55; border-color: #2f5f88; }
.rtmpi .tree { padding: 4px 0; }
.rtmpi .tree details { margin-left: 14px; }
.rtmpi .tree summary { cursor: pointer; list-style: none; }
.rtmpi .tree summary::before { content: '▸'; color: var(--muted); display: inline-block; width: 12px; }
.rtmpi .tree details[open] > summary::before { content: '▾'; }
.rtmpi .tree .leaf { margin-left: 26px; }
.rtmpi .tree .k { color: #f2b84b; } .rtmpi .tree .ty { color: var(--muted); font-size: 11px; margin: 0 6px; }
.rtmpi .tree .v { color: #cfe3ff; }
.rtmpi .chunks-table { border-collapse: collapse; width: 100%; margin-bottom: 8px; font-size: 12px; }
.rtmpi .chunks-table th, .rtmpi .chunks-table td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--line); }
.rtmpi .chunks-table th { color: var(--muted); font-weight: 500; }
.rtmpi .hex { background: #121825; border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-height: 260px; overflow: auto; }
.rtmpi .hex .hx-chunk { margin-bottom: 6px; }
.rtmpi .hex .hx-label { color: var(--muted); font-size: 11px; }
.rtmpi .hex .hx-line { white-space: pre; }
.rtmpi .hex .hx-off { color: #56617a; }
.rtmpi .hex b { font-weight: 500; border-radius: 2px; padding: 0 1px; }
.rtmpi .error-banner { background: #44202a; border: 1px solid var(--err); color: #ffd3da; border-radius: 8px; padding: 6px 10px; }
@media (max-width: 1000px) { .rtmpi .grid { grid-template-columns: 1fr; } .rtmpi .charts { grid-template-columns: 1fr; } }
`;

let injected = false;

export function injectStyles(): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const style = document.createElement('style');
  style.dataset.rtmpInspector = '';
  style.textContent = CSS;
  document.head.append(style);
}
