import type { MessageCategory, MessageRecord } from '@rtmp-web/inspector';
import { formatOffset, messageCategory, messageTypeName, summarizeMessage } from '@rtmp-web/inspector';
import { h } from './dom';

const ROW_HEIGHT = 22;
const HEAD_HEIGHT = 24;
const CATEGORIES: Array<[MessageCategory | 'all' | 'no-media', string]> = [
  ['all', 'All types'],
  ['no-media', 'All but audio/video'],
  ['command', 'Commands'],
  ['data', 'Data (onMetaData…)'],
  ['control', 'Protocol & user control'],
  ['shared-object', 'Shared objects'],
  ['video', 'Video'],
  ['audio', 'Audio'],
  ['aggregate', 'Aggregate'],
  ['other', 'Other'],
];

const summaries = new WeakMap<MessageRecord, string>();
function summary(record: MessageRecord): string {
  let text = summaries.get(record);
  if (text === undefined) summaries.set(record, (text = summarizeMessage(record)));
  return text;
}

/**
 * The message log: filters (type, stream, direction, text) over the recorded messages and a
 * virtualised table that only builds the rows in view, so 20,000 messages stay cheap.
 */
export class MessageLog {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly body: HTMLElement;
  private readonly typeSelect: HTMLSelectElement;
  private readonly streamSelect: HTMLSelectElement;
  private readonly directionSelect: HTMLSelectElement;
  private readonly search: HTMLInputElement;
  readonly count: HTMLElement;
  private messages: readonly MessageRecord[] = [];
  private filtered: MessageRecord[] = [];
  private startedAt = 0;
  private selected: number | undefined;
  private follow = true;
  private streams = new Set<number>();

  constructor(private readonly onSelect: (record: MessageRecord) => void) {
    this.typeSelect = h('select', { 'data-testid': 'filter-type', onchange: () => this.refilter() }, ...CATEGORIES.map(([v, label]) => h('option', { value: v }, label)));
    this.streamSelect = h('select', { 'data-testid': 'filter-stream', onchange: () => this.refilter() }, h('option', { value: 'all' }, 'All streams'));
    this.directionSelect = h(
      'select',
      { 'data-testid': 'filter-direction', onchange: () => this.refilter() },
      h('option', { value: 'all' }, 'Both directions'),
      h('option', { value: 'in' }, '← received'),
      h('option', { value: 'out' }, '→ sent'),
    );
    this.search = h('input', { type: 'search', placeholder: 'Search: command names, codes, values…', 'data-testid': 'filter-search', oninput: () => this.refilter() });
    this.count = h('span', { class: 'count', 'data-testid': 'log-count' });
    this.body = h('div', { style: 'position:relative' });
    this.viewport = h(
      'div',
      { class: 'log mono', 'data-testid': 'message-log' },
      h(
        'div',
        { class: 'log-head' },
        h('span', { class: 'num' }, '#'),
        h('span', {}, 'time'),
        h('span', {}, ''),
        h('span', { class: 'num' }, 'cs'),
        h('span', { class: 'num' }, 'st'),
        h('span', {}, 'type'),
        h('span', { class: 'num' }, 'timestamp'),
        h('span', { class: 'num' }, 'Δ'),
        h('span', { class: 'num' }, 'size'),
        h('span', {}, 'content'),
      ),
      this.body,
    );
    this.viewport.addEventListener('scroll', () => {
      this.follow = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_HEIGHT;
      this.render();
    });
    this.body.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('[data-index]');
      if (!row) return;
      const record = this.filtered.find((m) => m.index === Number(row.dataset.index));
      if (record) this.select(record);
    });
    this.element = h('div', {}, h('div', { class: 'filters' }, this.typeSelect, this.streamSelect, this.directionSelect, this.search), this.viewport);
  }

  setMessages(messages: readonly MessageRecord[], startedAt: number): void {
    this.messages = messages;
    this.startedAt = startedAt;
    let changed = false;
    for (const m of messages) {
      if (!this.streams.has(m.streamId)) {
        this.streams.add(m.streamId);
        changed = true;
      }
    }
    if (changed) {
      const current = this.streamSelect.value;
      this.streamSelect.replaceChildren(
        h('option', { value: 'all' }, 'All streams'),
        ...[...this.streams].sort((a, b) => a - b).map((s) => h('option', { value: String(s) }, `Stream ${s}${s === 0 ? ' (connection)' : ''}`)),
      );
      this.streamSelect.value = current;
    }
    this.refilter();
  }

  /** Selects a message by its session index, scrolling it into view (clears filters that hide it). */
  selectIndex(index: number): boolean {
    let record = this.filtered.find((m) => m.index === index);
    if (!record) {
      record = this.messages.find((m) => m.index === index);
      if (!record) return false;
      this.typeSelect.value = 'all';
      this.streamSelect.value = 'all';
      this.directionSelect.value = 'all';
      this.search.value = '';
      this.refilter();
    }
    this.select(record);
    const position = this.filtered.indexOf(record);
    this.follow = false;
    this.viewport.scrollTop = Math.max(0, position * ROW_HEIGHT - this.viewport.clientHeight / 2);
    this.render();
    return true;
  }

  get visibleCount(): number {
    return this.filtered.length;
  }

  private select(record: MessageRecord): void {
    this.selected = record.index;
    this.render();
    this.onSelect(record);
  }

  private refilter(): void {
    const type = this.typeSelect.value;
    const stream = this.streamSelect.value;
    const direction = this.directionSelect.value;
    const needle = this.search.value.trim().toLowerCase();
    this.filtered = this.messages.filter((m) => {
      const category = messageCategory(m.type);
      if (type === 'no-media' ? category === 'audio' || category === 'video' || category === 'aggregate' : type !== 'all' && category !== type) return false;
      if (stream !== 'all' && String(m.streamId) !== stream) return false;
      if (direction !== 'all' && m.direction !== direction) return false;
      if (needle && !`${messageTypeName(m.type)} ${summary(m)}`.toLowerCase().includes(needle)) return false;
      return true;
    });
    this.count.textContent = `${this.filtered.length.toLocaleString('en-US')} of ${this.messages.length.toLocaleString('en-US')} shown`;
    this.body.style.height = `${this.filtered.length * ROW_HEIGHT}px`;
    if (this.follow) this.viewport.scrollTop = this.viewport.scrollHeight;
    this.render();
  }

  private render(): void {
    const top = Math.max(0, this.viewport.scrollTop - HEAD_HEIGHT);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
    const last = Math.min(this.filtered.length, first + Math.ceil((this.viewport.clientHeight || 300) / ROW_HEIGHT) + 10);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(this.row(this.filtered[i]!, i));
    this.body.replaceChildren(...rows);
  }

  private row(m: MessageRecord, position: number): HTMLElement {
    const category = messageCategory(m.type);
    return h(
      'div',
      { class: `log-row${m.index === this.selected ? ' selected' : ''}`, style: `top:${position * ROW_HEIGHT}px`, 'data-index': m.index, 'data-type': m.type },
      h('span', { class: 'num' }, m.index),
      h('span', {}, formatOffset(m.at, this.startedAt)),
      h('span', { class: m.direction }, m.direction === 'in' ? '←' : '→'),
      h('span', { class: 'num' }, m.csid),
      h('span', { class: 'num' }, m.streamId),
      h('span', { class: `t-${category}` }, messageTypeName(m.type)),
      h('span', { class: 'num' }, m.timestamp),
      h('span', { class: 'num' }, m.delta),
      h('span', { class: 'num' }, m.payload.byteLength),
      h('span', { title: summary(m) }, summary(m)),
    );
  }
}
