/**
 * A small live line chart on a canvas: the last `capacity` values, auto-scaled, with the
 * latest value printed. `data-points` on the canvas tells tests how many values it holds.
 */
export class Sparkline {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly label: HTMLElement;
  private readonly values: number[] = [];

  constructor(
    readonly title: string,
    private readonly format: (value: number) => string,
    private readonly options: { capacity?: number; color?: string; minMax?: number; target?: number } = {},
  ) {
    this.element = document.createElement('figure');
    this.element.className = 'spark';
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    this.label = document.createElement('span');
    this.label.className = 'spark-value';
    caption.append(this.label);
    this.canvas = document.createElement('canvas');
    this.canvas.width = 260;
    this.canvas.height = 56;
    this.canvas.dataset['points'] = '0';
    this.element.append(caption, this.canvas);
  }

  push(value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    this.values.push(value);
    const capacity = this.options.capacity ?? 120;
    if (this.values.length > capacity) this.values.shift();
    this.canvas.dataset['points'] = String(this.values.length);
    this.label.textContent = this.format(value);
    this.draw();
  }

  clear(): void {
    this.values.length = 0;
    this.canvas.dataset['points'] = '0';
    this.label.textContent = '';
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    const max = Math.max(this.options.minMax ?? 0, ...this.values, this.options.target ?? 0) * 1.1 || 1;
    // Fill from the left; once the window holds more than 30 values it scrolls at full width.
    const slots = Math.max(30, this.values.length);
    const x = (i: number) => (i / (slots - 1)) * (width - 2) + 1;
    const y = (v: number) => height - 2 - (v / max) * (height - 4);
    if (this.options.target !== undefined) {
      ctx.strokeStyle = 'rgba(255,255,255,0.25)';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(0, y(this.options.target));
      ctx.lineTo(width, y(this.options.target));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (this.values.length < 2) return;
    ctx.strokeStyle = this.options.color ?? '#4fc3f7';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
    ctx.stroke();
  }
}
