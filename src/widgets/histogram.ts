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
    svg {
      max-width: 100%;
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

  protected override updated(_: PropertyValues): void {
    const { lo, hi, bins } = this;
    const w = (hi - lo) / bins;
    const rows: { x1: number; x2: number; y: number; name: string }[] = [];
    for (const s of this.series) {
      const d = densityHistogram(s.values, lo, hi, bins);
      d.forEach((y, b) =>
        rows.push({ x1: lo + b * w, x2: lo + (b + 1) * w, y: Math.min(y, this.yMax), name: s.name }),
      );
    }
    const ref = this.reference;
    const curve = ref
      ? Array.from({ length: 161 }, (_, i) => lo + ((hi - lo) * i) / 160).map((x) => ({ x, y: ref(x) }))
      : [];
    const plot = Plot.plot({
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
        Plot.rectY(rows, {
          x1: 'x1',
          x2: 'x2',
          y: 'y',
          fill: 'name',
          fillOpacity: this.series.length > 1 ? 0.5 : 0.8,
          insetLeft: 0.5,
          insetRight: 0.5,
        }),
        ref ? Plot.line(curve, { x: 'x', y: 'y', stroke: () => this.referenceName, strokeWidth: 2 }) : null,
        Plot.ruleY([0]),
      ],
    });
    this.wrap.replaceChildren(plot);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-histogram': DlHistogram;
  }
}
