import type { AmfValue } from '@rtmp-web/amf';
import type { AmfTreeNode, ChunkFieldRange, MessageRecord } from '@rtmp-web/inspector';
import { amfTree, chunkFieldRanges, decodeRecord, messageTypeName, summarizeMessage, topLevelEncodings } from '@rtmp-web/inspector';
import type { ChunkInfo } from '@rtmp-web/rtmp';
import { formatBytes, h } from './dom';
import { FIELD_COLOURS } from './styles';

type Tab = 'decoded' | 'chunks';

/** The selected message: decoded AMF tree (with wire types) and the chunks that carried it. */
export class MessageDetail {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly content: HTMLElement;
  private readonly tabButtons: Record<Tab, HTMLButtonElement>;
  private tab: Tab = 'decoded';
  private record: MessageRecord | undefined;

  constructor() {
    this.header = h('div', { class: 'tl-detail mono', 'data-testid': 'detail-header' }, 'Select a message in the log or the timeline.');
    this.tabButtons = {
      decoded: h('button', { class: 'active', 'data-testid': 'tab-decoded', onclick: () => this.show('decoded') }, 'Decoded'),
      chunks: h('button', { 'data-testid': 'tab-chunks', onclick: () => this.show('chunks') }, 'Chunks & bytes'),
    };
    this.content = h('div', { 'data-testid': 'detail-content' });
    this.element = h('div', { class: 'detail' }, h('div', { class: 'tabs' }, this.tabButtons.decoded, this.tabButtons.chunks), this.header, this.content);
  }

  setRecord(record: MessageRecord | undefined): void {
    this.record = record;
    this.render();
  }

  show(tab: Tab): void {
    this.tab = tab;
    for (const [name, button] of Object.entries(this.tabButtons)) button.classList.toggle('active', name === tab);
    this.render();
  }

  private render(): void {
    const r = this.record;
    if (!r) return;
    this.header.textContent = `#${r.index} ${r.direction === 'in' ? '← received' : '→ sent'} · ${messageTypeName(r.type)} (type ${r.type}) · chunk stream ${r.csid} · message stream ${r.streamId} · timestamp ${r.timestamp} (Δ ${r.delta}) · ${formatBytes(r.payload.byteLength)} · ${r.chunks.length} chunk${r.chunks.length === 1 ? '' : 's'}`;
    this.content.replaceChildren(this.tab === 'decoded' ? decodedView(r) : chunksView(r));
  }
}

function decodedView(r: MessageRecord): HTMLElement {
  const decoded = decodeRecord(r);
  const values: Array<[string, AmfValue]> = [];
  switch (decoded.kind) {
    case 'command': {
      const c = decoded.command;
      values.push(['command name', c.name], ['transaction id', c.transactionId], ['command object', c.commandObject]);
      c.args.forEach((arg, i) => values.push([`argument ${i + 1}`, arg]));
      break;
    }
    case 'data':
      values.push(['handler', decoded.data.name]);
      decoded.data.args.forEach((arg, i) => values.push([`argument ${i + 1}`, arg]));
      break;
    case 'shared-object': {
      const so = decoded.sharedObject;
      values.push(['name', so.name], ['version', so.version], ['persistent', so.persistent]);
      so.events.forEach((event, i) => values.push([`event ${i + 1} (${event.kind})`, toAmf(event)]));
      break;
    }
    default:
      return h('div', { class: 'tree mono', 'data-testid': 'amf-tree' }, h('div', {}, summarizeMessage(r)), decoded.kind === 'media' ? mediaTable(r) : null);
  }
  // Encodings are aligned from the end: data messages may carry a leading "@setDataFrame".
  const encodings = decoded.kind === 'shared-object' ? [] : topLevelEncodings(r.payload, r.type);
  const fallback: 0 | 3 = r.type === 15 || r.type === 16 || r.type === 17 ? 3 : 0;
  const offset = encodings.length - values.length;
  return h(
    'div',
    { class: 'tree mono', 'data-testid': 'amf-tree' },
    ...values.map(([label, value], i) => treeNode(amfTree(value, encodings[offset + i] ?? fallback, label), 0)),
  );
}

function mediaTable(r: MessageRecord): HTMLElement | null {
  const decoded = decodeRecord(r);
  if (decoded.kind !== 'media') return null;
  return h(
    'table',
    { class: 'chunks-table' },
    h('tr', {}, ...['kind', 'codec', 'track', 'config', 'keyframe', 'dts', 'cts', 'data'].map((t) => h('th', {}, t))),
    ...decoded.frames.map((f) =>
      h('tr', {}, h('td', {}, f.kind), h('td', {}, f.codec), h('td', {}, f.trackId), h('td', {}, f.config ? 'yes' : ''), h('td', {}, f.keyframe ? 'yes' : ''), h('td', {}, f.dts), h('td', {}, f.cts), h('td', {}, formatBytes(f.data.byteLength))),
    ),
  );
}

/** Shared-object events are plain records of AMF values: show them as an object. */
function toAmf(value: object): AmfValue {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as AmfValue;
}

function treeNode(node: AmfTreeNode, depth: number): HTMLElement {
  const line = [h('span', { class: 'k' }, node.key), h('span', { class: 'ty' }, node.type), h('span', { class: 'v' }, node.preview)];
  if (!node.children || node.children.length === 0) return h('div', { class: depth === 0 ? '' : 'leaf', 'data-amf-type': node.type }, ...line);
  const details = h('details', { 'data-amf-type': node.type }, h('summary', {}, ...line), ...node.children.map((child) => treeNode(child, depth + 1)));
  // Open the first levels so onMetaData and status objects read at a glance.
  if (depth < 2) details.open = true;
  return details;
}

const MAX_HEX_BYTES_PER_CHUNK = 512;

function chunksView(r: MessageRecord): HTMLElement {
  if (r.chunks.length === 0) {
    return h('div', { class: 'empty' }, 'No chunk information for this message (imported from FLV, or the tap did not report chunks).');
  }
  const table = h(
    'table',
    { class: 'chunks-table mono', 'data-testid': 'chunk-table' },
    h('tr', {}, ...['#', 'fmt', 'csid', 'timestamp field', 'ext', 'length', 'type', 'stream', 'header', 'payload', 'offset'].map((t) => h('th', {}, t))),
    ...r.chunks.map((c, i) =>
      h(
        'tr',
        { 'data-fmt': c.fmt },
        h('td', {}, i + 1),
        h('td', {}, `${c.fmt} (${['11-byte', '7-byte', '3-byte', 'no'][c.fmt]} header)`),
        h('td', {}, c.csid),
        h('td', {}, c.fmt === 3 ? '–' : c.timestampField),
        h('td', {}, c.extendedTimestamp ? 'yes' : ''),
        h('td', {}, c.messageLength),
        h('td', {}, c.messageType),
        h('td', {}, c.streamId),
        h('td', {}, `${c.headerLength} B`),
        h('td', {}, `${c.payloadLength} B`),
        h('td', {}, c.payloadOffset),
      ),
    ),
  );
  const hex = h('div', { class: 'hex mono', 'data-testid': 'hex' }, ...r.chunks.slice(0, 64).map((c, i) => hexChunk(c, i)));
  const legend = h(
    'div',
    { class: 'legend' },
    ...Object.entries(FIELD_COLOURS).map(([field, colour]) => h('span', {}, h('i', { style: `background:${colour}` }), field)),
  );
  return h('div', {}, table, legend, hex);
}

function hexChunk(chunk: ChunkInfo, i: number): HTMLElement {
  const raw = chunk.raw;
  if (!raw) return h('div', { class: 'hx-chunk' }, h('div', { class: 'hx-label' }, `chunk ${i + 1}: raw bytes were not kept`));
  const ranges = chunkFieldRanges(chunk);
  const fieldAt = (offset: number): ChunkFieldRange | undefined => ranges.find((f) => offset >= f.start && offset < f.start + f.length);
  const shown = Math.min(raw.byteLength, MAX_HEX_BYTES_PER_CHUNK);
  const lines: HTMLElement[] = [];
  for (let lineStart = 0; lineStart < shown; lineStart += 16) {
    const parts: Array<HTMLElement | string> = [h('span', { class: 'hx-off' }, lineStart.toString(16).padStart(4, '0') + '  ')];
    for (let o = lineStart; o < Math.min(shown, lineStart + 16); o++) {
      const field = fieldAt(o);
      const text = raw[o]!.toString(16).padStart(2, '0');
      const colour = field ? FIELD_COLOURS[field.field] : undefined;
      parts.push(
        field && field.field !== 'payload'
          ? h('b', { style: `background:${colour}33;color:${colour}`, title: `${field.field} = ${field.value}`, 'data-field': field.field }, text)
          : h('span', { style: 'color:#8a94a6' }, text),
        o % 16 === 7 ? '  ' : ' ',
      );
    }
    lines.push(h('div', { class: 'hx-line' }, ...parts));
  }
  const fields = ranges.filter((f) => f.field !== 'payload').map((f) => `${f.field} ${f.field === 'fmt+csid' ? `fmt ${f.value >> 6}, csid ${f.value & 0x3f}` : f.value}`);
  return h(
    'div',
    { class: 'hx-chunk' },
    h('div', { class: 'hx-label' }, `chunk ${i + 1} · ${raw.byteLength} bytes · ${fields.join(' · ')}${raw.byteLength > shown ? ` · first ${shown} bytes shown` : ''}`),
    ...lines,
  );
}
