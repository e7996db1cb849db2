import * as Plot from '@observablehq/plot';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

export interface HistogramSeries {
  name: string;
  values: ArrayLike<number>;
}

/** Density histogram of values in [lo, hi) with n equal bins; values outside are dropped. */
export function densityHistogram(values: ArrayLike<number>, lo: number, hi: number, n: number): Float64Array {
  const counts = new Float64Array(n);
  const w = (hi - lo) / n;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i]! - lo) / w);
    if (b >= 0 && b < n) counts[b]!++;
    total++;
  }
  // Normalised by all values (also those outside), so the area equals the share that fell inside.
  for (let b = 0; b < n; b++) counts[b] = total ? counts[b]! / (total * w) : 0;
  return counts;
}

/** Standard normal density, the distribution every pixel of x_t tends to. */
export const normalPdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** Histograms (as densities) of one or more value sets, with an optional reference density curve. */
@customElement('dl-histogram')
export class DlHistogram extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    /* presenter mode: thicker lines (browsers without :host-context keep the normal ones) and a larger
       legend (src/notebook/styles.css sets the variable) */
    :host-context(.presenter) .wrap svg [stroke-width] {
      stroke-width: var(--dl-chart-line, 4px);
    }
    .wrap [class*='-swatches'] {
      font-size: var(--dl-chart-legend, inherit);
    }
    /* the chart itself (not the legend swatches) scales with its box, so projector mode enlarges it */
    .wrap > svg,
    .wrap > figure > svg {
      overflow: visible;
      width: 100%;
      height: auto;
    }
  `;

  /** The value sets; each gets its own colour. */
  @property({ attribute: false }) series: HistogramSeries[] = [];
  /** Range and number of bins. */
  @property({ type: Number }) lo = -4;
  @property({ type: Number }) hi = 4;
  @property({ type: Number }) bins = 48;
  /** Reference density drawn as a curve, e.g. N(0, 1); null for none. */
  @property({ attribute: false }) reference: ((x: number) => number) | null = normalPdf;
  @property() referenceName = 'N(0, 1)';
  @property() xLabel = 'pixel value';
  @property({ type: Number }) width = 420;
  @property({ type: Number }) height = 200;
  /** Fixed y maximum, so the chart does not jump while scrubbing. */
  @property({ type: Number }) yMax = 1.2;
  /** Text alternative. */
  @property() label = 'histogram';

  @query('.wrap') private wrap!: HTMLDivElement;

  override render() {
    return html`<div class="wrap" role="img" aria-label=${this.label}></div>`;
  }

  private frameKey = '';
  private plot: (HTMLElement | SVGSVGElement) & Plot.Plot = null!;
  private bars: SVGGElement | null = null;
  /** Plot's scales, read once per frame build (Plot.scale() is not free). */
  private scales: {
    x: (v: number) => number;
    y: (v: number) => number;
    colour: (v: string) => string;
  } | null = null;

  /**
   * Axes, legend and reference curve are drawn by Observable Plot once per layout; the bars are then
   * moved in place with Plot's own scales, so a new set of values costs a fraction of a millisecond.
   */
  protected override updated(_: PropertyValues): void {
    const key = JSON.stringify([
      this.lo,
      this.hi,
      this.bins,
      this.yMax,
      this.width,
      this.height,
      this.xLabel,
      this.referenceName,
      this.series.map((s) => s.name),
      !!this.reference,
    ]);
    if (key !== this.frameKey) this.buildFrame();
    this.frameKey = key;
    this.drawBars();
  }

  private buildFrame(): void {
    const { lo, hi } = this;
    const ref = this.reference;
    const curve = ref
      ? Array.from({ length: 161 }, (_, i) => lo + ((hi - lo) * i) / 160).map((x) => ({ x, y: ref(x) }))
      : [];
    this.plot = Plot.plot({
      width: this.width,
      height: this.height,
      style: { background: 'transparent', color: 'currentColor', fontSize: '12px' },
      x: { label: this.xLabel, domain: [lo, hi] },
      y: { label: 'density', domain: [0, this.yMax], grid: true },
      color: {
        legend: this.series.length > 1 || !!ref,
        scheme: 'tableau10',
        domain: [...this.series.map((s) => s.name), ...(ref ? [this.referenceName] : [])],
      },
      marks: [
        ref ? Plot.line(curve, { x: 'x', y: 'y', stroke: () => this.referenceName, strokeWidth: 2 }) : null,
        Plot.ruleY([0]),
      ],
    }) as typeof this.plot;
    this.wrap.replaceChildren(this.plot);
    // one labelled image: Plot's per-mark labels on plain <g> elements are not allowed inside (axe)
    for (const g of this.wrap.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
    const sx = this.plot.scale('x')!.apply!;
    const sy = this.plot.scale('y')!.apply!;
    const sc = this.plot.scale('color')!.apply!;
    this.scales = { x: (v) => sx(v) as number, y: (v) => sy(v) as number, colour: (v) => String(sc(v)) };
    const svg = this.plot instanceof SVGSVGElement ? this.plot : this.plot.querySelector(':scope > svg')!;
    this.bars = document.createElementNS(SVG_NS, 'g');
    this.bars.setAttribute('aria-hidden', 'true');
    const line = svg.querySelector('g[aria-label="line"]');
    if (line) svg.insertBefore(this.bars, line);
    else svg.appendChild(this.bars);
  }

  private drawBars(): void {
    const g = this.bars;
    if (!g) return;
    const { lo, hi, bins } = this;
    const { x, y, colour } = this.scales!;
    const opacity = this.series.length > 1 ? '0.5' : '0.8';
    const need = this.series.length * bins;
    while (g.childElementCount < need) g.appendChild(document.createElementNS(SVG_NS, 'rect'));
    while (g.childElementCount > need) g.lastElementChild!.remove();
    const w = (hi - lo) / bins;
    const y0 = y(0);
    let i = 0;
    for (const s of this.series) {
      const d = densityHistogram(s.values, lo, hi, bins);
      const fill = colour(s.name);
      for (let b = 0; b < bins; b++, i++) {
        const r = g.children[i] as SVGRectElement;
        const left = x(lo + b * w) + 0.5;
        const top = y(Math.min(d[b]!, this.yMax));
        r.setAttribute('x', String(left));
        r.setAttribute('width', String(Math.max(0, x(lo + (b + 1) * w) - left - 0.5)));
        r.setAttribute('y', String(top));
        r.setAttribute('height', String(Math.max(0, y0 - top)));
        r.setAttribute('fill', fill);
        r.setAttribute('fill-opacity', opacity);
      }
    }
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

declare global {
  interface HTMLElementTagNameMap {
    'dl-histogram': DlHistogram;
  }
}
