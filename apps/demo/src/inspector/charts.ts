import type { GopReport } from '@rtmp-web/inspector';
import { h } from './dom';

export interface ChartSeries {
  label: string;
  colour: string;
  values: ReadonlyArray<number | null>;
}

/** Prepares a canvas for crisp drawing at the device pixel ratio; returns its CSS size. */
function prepare(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } | undefined {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0 || height === 0) return undefined;
  const ratio = globalThis.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * A per-second line chart of the last `windowSeconds`. The canvas carries
 * `data-series-length` (the longest series' count of measured points) for tests.
 */
export class LineChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly valueText: HTMLElement;
  private readonly legend: HTMLElement;

  constructor(
    readonly title: string,
    private readonly unit: string,
    private readonly options: { windowSeconds?: number; symmetric?: boolean; name: string },
  ) {
    this.canvas = h('canvas', { 'data-chart': options.name, 'data-series-length': 0 });
    this.valueText = h('span', { class: 'c-value' }, '–');
    this.legend = h('div', { class: 'legend' });
    this.element = h('div', { class: 'chart' }, h('div', { class: 'c-head' }, h('span', {}, title), this.valueText), this.canvas, this.legend);
  }

  update(series: readonly ChartSeries[]): void {
    const measured = Math.max(0, ...series.map((s) => s.values.filter((v) => v !== null).length));
    this.canvas.dataset.seriesLength = String(measured);
    const latest = series
      .map((s) => {
        const last = [...s.values].reverse().find((v) => v !== null);
        return last === undefined ? undefined : series.length > 1 ? `${s.label} ${format(last)}` : format(last);
      })
      .filter((v) => v !== undefined);
    this.valueText.textContent = latest.length ? `${latest.join(' · ')} ${this.unit}` : '–';
    this.legend.replaceChildren(...(series.length > 1 ? series.map((s) => h('span', {}, h('i', { style: `background:${s.colour}` }), s.label)) : []));
    this.draw(series);
  }

  private draw(series: readonly ChartSeries[]): void {
    const prepared = prepare(this.canvas);
    if (!prepared) return;
    const { ctx, width, height } = prepared;
    const window = this.options.windowSeconds ?? 60;
    const left = 40;
    const top = 6;
    const bottom = height - 16;
    const plotWidth = width - left - 6;
    const visible = series.map((s) => s.values.slice(-window));
    const all = visible.flat().filter((v): v is number => v !== null);
    let max = niceMax(Math.max(1, ...all.map((v) => (this.options.symmetric ? Math.abs(v) : v))));
    const min = this.options.symmetric ? -max : 0;
    if (!this.options.symmetric) max = Math.max(max, 1);
    const y = (v: number): number => bottom - ((v - min) / (max - min)) * (bottom - top);
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#6b7890';
    ctx.strokeStyle = '#263146';
    ctx.lineWidth = 1;
    for (const tick of this.options.symmetric ? [min, 0, max] : [0, max / 2, max]) {
      const ty = Math.round(y(tick)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, ty);
      ctx.lineTo(width - 6, ty);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(format(tick), left - 4, ty + 3);
    }
    ctx.textAlign = 'left';
    ctx.fillText(`${window} s`, left, height - 3);
    ctx.textAlign = 'right';
    ctx.fillText('now', width - 6, height - 3);
    const step = plotWidth / Math.max(1, window - 1);
    visible.forEach((values, index) => {
      const colour = series[index]!.colour;
      const offset = window - values.length;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      let drawing = false;
      values.forEach((v, i) => {
        if (v === null) {
          drawing = false;
          return;
        }
        const px = left + (offset + i) * step;
        if (drawing) ctx.lineTo(px, y(v));
        else ctx.moveTo(px, y(v));
        drawing = true;
      });
      ctx.stroke();
      // A soft fill under a single series makes it easier to read at a glance.
      if (series.length === 1 && !this.options.symmetric && values.length > 1) {
        ctx.lineTo(left + (offset + values.length - 1) * step, bottom);
        ctx.lineTo(left + offset * step, bottom);
        ctx.closePath();
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    });
  }
}

/** GOP timeline: each GOP a band as wide as its duration, with a bar per frame (keyframe highlighted). */
export class GopChart {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;

  constructor() {
    this.canvas = h('canvas', { 'data-chart': 'gop', 'data-series-length': 0 });
    this.caption = h('span', { class: 'c-value' }, '–');
    this.element = h(
      'div',
      { class: 'gop' },
      h('div', { class: 'c-head' }, h('span', {}, 'GOP timeline (frame sizes; keyframes highlighted)'), this.caption),
      this.canvas,
      h('div', { class: 'legend' }, h('span', {}, h('i', { style: 'background:#f2b84b' }), 'keyframe'), h('span', {}, h('i', { style: 'background:#6cc3f5' }), 'other frames')),
    );
  }

  update(gops: readonly GopReport[], frameDurationMs: number): void {
    const video = gops.filter((g) => g.track.startsWith('video'));
    this.canvas.dataset.seriesLength = String(video.length);
    const closed = video.filter((g) => g.durationMs !== undefined);
    if (closed.length) {
      const average = closed.reduce((a, g) => a + g.durationMs!, 0) / closed.length;
      const longest = Math.max(...closed.map((g) => g.durationMs!));
      this.caption.textContent = `${video.length} GOPs · keyframe every ${(average / 1000).toFixed(2)} s (max ${(longest / 1000).toFixed(2)} s)`;
    } else {
      this.caption.textContent = video.length ? 'first GOP open' : '–';
    }
    const prepared = prepare(this.canvas);
    if (!prepared) return;
    const { ctx, width, height } = prepared;
    const shown = video.slice(-12);
    const durations = shown.map((g) => g.durationMs ?? Math.max(frameDurationMs, g.frames * frameDurationMs));
    const total = durations.reduce((a, b) => a + b, 0) || 1;
    const maxFrame = Math.max(1, ...shown.flatMap((g) => g.frameSizes));
    const bottom = height - 14;
    let x = 0;
    ctx.font = '10px system-ui, sans-serif';
    shown.forEach((gop, i) => {
      const w = (durations[i]! / total) * width;
      ctx.fillStyle = i % 2 ? '#182234' : '#1c283c';
      ctx.fillRect(x, 0, w, bottom);
      const barStep = w / Math.max(1, gop.frameSizes.length);
      gop.frameSizes.forEach((size, j) => {
        const barHeight = Math.max(1, (size / maxFrame) * (bottom - 6));
        ctx.fillStyle = j === 0 ? '#f2b84b' : '#6cc3f5';
        ctx.fillRect(x + j * barStep + 0.5, bottom - barHeight, Math.max(1, barStep - 1), barHeight);
      });
      ctx.fillStyle = '#6b7890';
      ctx.textAlign = 'center';
      ctx.fillText(gop.durationMs === undefined ? 'open' : `${(gop.durationMs / 1000).toFixed(2)} s`, x + w / 2, height - 3);
      x += w;
    });
  }
}

function format(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
  return value.toFixed(1);
}
