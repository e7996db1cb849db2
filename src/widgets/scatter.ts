import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** One set of points on the plane (x, y, x, y, …), drawn in one colour. */
export interface ScatterLayer {
  points: Float32Array;
  /** CSS colour. */
  color: string;
  /** Dot radius in CSS pixels (default 1.5). */
  radius?: number;
  /** 0–1 (default 1). */
  alpha?: number;
}

/** Arrows from (x, y) by (dx, dy), x, y, dx, dy, … in plane units. */
export interface ArrowLayer {
  arrows: Float32Array;
  color: string;
}

/**
 * Points, trails and arrows on a square of the plane, drawn on one canvas (thousands of points redraw in
 * a frame). Holds no math: the caller gives plane coordinates, the widget maps [-extent, extent]² to the
 * canvas with y up. Trails are polylines, one per particle, from frames of the same particles.
 */
@customElement('dl-scatter')
export class DlScatter extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 28rem;
    }
    canvas {
      width: 100%;
      aspect-ratio: 1;
      display: block;
      background: var(--dl-plot-bg, #fff);
      border: 1px solid var(--dl-border, #ccc);
      border-radius: 4px;
    }
  `;

  @property({ attribute: false }) layers: ScatterLayer[] = [];
  @property({ attribute: false }) arrows: ArrowLayer | null = null;
  /** Paths of particles: each frame holds every particle's x, y; drawn faintly behind the points. */
  @property({ attribute: false }) trails: { frames: Float32Array[]; color: string } | null = null;
  /** Half the side of the square shown, in plane units. */
  @property({ type: Number }) extent = 3;
  /** Text alternative for the picture. */
  @property() label = 'points on the plane';

  @query('canvas') private canvas!: HTMLCanvasElement;

  override render() {
    return html`<canvas role="img" aria-label=${this.label}></canvas>`;
  }

  protected override updated(_: PropertyValues): void {
    this.draw();
  }

  /** A colour the canvas understands: `var(--name, fallback)` is read from the page's styles. */
  private resolve(color: string): string {
    const m = /^var\(\s*(--[\w-]+)\s*(?:,\s*([^)]+))?\)$/.exec(color.trim());
    if (!m) return color;
    return getComputedStyle(this).getPropertyValue(m[1]!).trim() || (m[2] ?? '#000').trim();
  }

  draw(): void {
    const c = this.canvas;
    if (!c) return;
    const css = Math.max(100, Math.round(c.clientWidth || 400));
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const px = Math.round(css * dpr);
    if (c.width !== px) c.width = c.height = px;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, px, px);
    const s = px / (2 * this.extent);
    const X = (x: number) => (x + this.extent) * s;
    const Y = (y: number) => (this.extent - y) * s;
    // axes through the origin
    ctx.strokeStyle = 'rgba(128,128,128,0.35)';
    ctx.lineWidth = dpr;
    ctx.beginPath();
    ctx.moveTo(X(-this.extent), Y(0));
    ctx.lineTo(X(this.extent), Y(0));
    ctx.moveTo(X(0), Y(-this.extent));
    ctx.lineTo(X(0), Y(this.extent));
    ctx.stroke();
    if (this.trails && this.trails.frames.length > 1) {
      const f = this.trails.frames;
      ctx.strokeStyle = this.resolve(this.trails.color);
      ctx.globalAlpha = 0.25;
      ctx.lineWidth = dpr;
      ctx.beginPath();
      for (let i = 0; i < f[0]!.length / 2; i++) {
        ctx.moveTo(X(f[0]![2 * i]!), Y(f[0]![2 * i + 1]!));
        for (let k = 1; k < f.length; k++) ctx.lineTo(X(f[k]![2 * i]!), Y(f[k]![2 * i + 1]!));
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    for (const l of this.layers) {
      ctx.fillStyle = this.resolve(l.color);
      ctx.globalAlpha = l.alpha ?? 1;
      const r = (l.radius ?? 1.5) * dpr;
      for (let i = 0; i < l.points.length / 2; i++) {
        ctx.beginPath();
        ctx.arc(X(l.points[2 * i]!), Y(l.points[2 * i + 1]!), r, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    if (this.arrows) {
      const a = this.arrows.arrows;
      ctx.strokeStyle = ctx.fillStyle = this.resolve(this.arrows.color);
      ctx.lineWidth = 1.2 * dpr;
      for (let i = 0; i < a.length / 4; i++) {
        const [x, y, dx, dy] = [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
        const x0 = X(x);
        const y0 = Y(y);
        const x1 = X(x + dx);
        const y1 = Y(y + dy);
        const len = Math.hypot(x1 - x0, y1 - y0);
        if (len < 0.5) continue;
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
        const ux = (x1 - x0) / len;
        const uy = (y1 - y0) / len;
        const h = Math.min(5 * dpr, len / 2);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - h * ux + (h / 2) * uy, y1 - h * uy - (h / 2) * ux);
        ctx.lineTo(x1 - h * ux - (h / 2) * uy, y1 - h * uy + (h / 2) * ux);
        ctx.fill();
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-scatter': DlScatter;
  }
}
