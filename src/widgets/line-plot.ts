import * as Plot from '@observablehq/plot';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

export interface LineSeries {
  /** Legend name. */
  name: string;
  /** y values. */
  y: ArrayLike<number>;
  /** x values; default the index 0..n-1 (e.g. the timestep t). */
  x?: ArrayLike<number>;
  /** Draw strongly (true) or faintly, behind (false). Default true. */
  strong?: boolean;
}

/**
 * Line chart (Observable Plot) of series over an integer x axis, with a vertical marker that follows
 * a slider. The chart is rebuilt only when the series change; moving the marker only moves one line,
 * so scrubbing stays cheap.
 */
@customElement('dl-line-plot')
export class DlLinePlot extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: inherit;
    }
    .wrap {
      position: relative;
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
    .readout {
      font:
        0.85em/1.3 system-ui,
        sans-serif;
      min-height: 1.3em;
      font-variant-numeric: tabular-nums;
    }
    .note {
      font:
        0.8em system-ui,
        sans-serif;
      opacity: 0.75;
    }
  `;

  /** The lines to draw. */
  @property({ attribute: false }) series: LineSeries[] = [];
  /** x position of the marker (e.g. the current timestep); null hides it. */
  @property({ type: Number }) marker: number | null = null;
  /** Axis labels. */
  @property() xLabel = 't';
  @property() yLabel = '';
  /** 'linear' or 'log' y axis. */
  @property() yType: 'linear' | 'log' = 'linear';
  /** 'linear' or 'log' x axis (e.g. number of sampling steps). */
  @property() xType: 'linear' | 'log' = 'linear';
  /** One point to ring (e.g. "you are here"), drawn over the lines; null: none. */
  @property({ attribute: false }) highlight: { x: number; y: number; label: string } | null = null;
  /** Fixed y domain; default from the data. */
  @property({ attribute: false }) yDomain?: [number, number];
  /** Chart width and height in CSS pixels. */
  @property({ type: Number }) width = 420;
  @property({ type: Number }) height = 220;
  /** Text alternative for the chart. */
  @property() label = 'line chart';
  /** Draw a dot at every data point (for sparse measurements). */
  @property({ type: Boolean }) dots = false;
  /** A line under the chart, e.g. what the faint lines are. */
  @property() note = '';

  @query('.wrap') private wrap!: HTMLDivElement;
  @query('.readout') private readout!: HTMLDivElement;
  private svg: ((SVGSVGElement | HTMLElement) & Plot.Plot) | null = null;
  private markerLine: SVGLineElement | null = null;

  override render() {
    return html`<div class="wrap" role="img" aria-label=${this.label}></div>
      <div class="readout" aria-live="off"></div>
      ${this.note ? html`<div class="note">${this.note}</div>` : ''}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (
      changed.has('series') ||
      changed.has('yDomain') ||
      changed.has('width') ||
      changed.has('height') ||
      changed.has('yType') ||
      changed.has('xType') ||
      changed.has('highlight') ||
      !this.svg
    ) {
      this.rebuild();
    }
    this.moveMarker();
  }

  private rebuild(): void {
    const rows: { x: number; y: number; name: string; strong: boolean }[] = [];
    for (const s of this.series) {
      for (let i = 0; i < s.y.length; i++) {
        const y = s.y[i]!;
        if (Number.isFinite(y) && (this.yType !== 'log' || y > 0))
          rows.push({ x: s.x ? s.x[i]! : i, y, name: s.name, strong: s.strong ?? true });
      }
    }
    const strong = rows.filter((r) => r.strong);
    const faint = rows.filter((r) => !r.strong);
    this.svg = Plot.plot({
      width: this.width,
      height: this.height,
      marginLeft: 50,
      style: { background: 'transparent', color: 'currentColor', fontSize: '12px' },
      x: {
        label: this.xLabel,
        nice: this.xType !== 'log',
        type: this.xType,
        tickFormat: this.xType === 'log' ? '~g' : undefined,
      },
      y: {
        label: this.yLabel,
        domain: this.yDomain,
        grid: true,
        type: this.yType,
        tickFormat: this.yType === 'log' ? '~g' : undefined,
      },
      color: { legend: true, scheme: 'tableau10' },
      marks: [
        Plot.line(faint, { x: 'x', y: 'y', z: 'name', stroke: 'currentColor', strokeOpacity: 0.25 }),
        Plot.line(strong, { x: 'x', y: 'y', z: 'name', stroke: 'name', strokeWidth: 2 }),
        ...(this.dots ? [Plot.dot(strong, { x: 'x', y: 'y', fill: 'name', r: 2.5 })] : []),
        ...(this.highlight
          ? [
              Plot.dot([this.highlight], { x: 'x', y: 'y', r: 8, stroke: 'currentColor', strokeWidth: 2.5 }),
              Plot.text([this.highlight], {
                x: 'x',
                y: 'y',
                text: 'label',
                dy: -15,
                fontWeight: 'bold',
                fill: 'currentColor',
              }),
            ]
          : []),
      ],
    }) as typeof this.svg;
    this.wrap.replaceChildren(this.svg!);
    // The wrapper is one labelled image; Plot's own per-mark labels ("line", "dot") on plain <g> elements are
    // not allowed there (axe: aria-prohibited-attr) and would say nothing more.
    for (const g of this.wrap.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
    // With a legend Plot returns a <figure>: swatch <svg>s first, the chart as its direct <svg> child.
    const svgEl = this.svg instanceof SVGSVGElement ? this.svg : this.svg!.querySelector(':scope > svg');
    this.markerLine = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    this.markerLine.setAttribute('stroke', 'currentColor');
    this.markerLine.setAttribute('stroke-dasharray', '3 3');
    svgEl?.appendChild(this.markerLine);
  }

  private moveMarker(): void {
    if (!this.svg || !this.markerLine) return;
    const m = this.marker;
    if (m === null) {
      this.markerLine.setAttribute('visibility', 'hidden');
      this.readout.textContent = '';
      return;
    }
    const x = this.svg.scale('x')?.apply?.(m) as number | undefined;
    const yScale = this.svg.scale('y');
    const [y0, y1] = (yScale?.range as [number, number] | undefined) ?? [this.height - 30, 20];
    if (x === undefined) return;
    this.markerLine.setAttribute('visibility', 'visible');
    for (const [k, v] of [
      ['x1', x],
      ['x2', x],
      ['y1', y0],
      ['y2', y1],
    ] as const)
      this.markerLine.setAttribute(k, String(v));
    this.readout.textContent =
      `${this.xLabel} = ${m}: ` +
      this.series
        .filter((s) => s.strong ?? true)
        .map((s) => `${s.name} = ${formatNumber(s.x ? s.y[Array.from(s.x).indexOf(m)] : s.y[m])}`)
        .join(', ');
  }
}

export function formatNumber(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-line-plot': DlLinePlot;
  }
}
