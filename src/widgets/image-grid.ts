import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

/** Map a value in [lo, hi] to a byte (clamped). */
function toByte(v: number, lo: number, hi: number): number {
  const b = ((v - lo) / (hi - lo)) * 255;
  return b <= 0 ? 0 : b >= 255 ? 255 : b | 0;
}

/**
 * A grid of square greyscale images drawn on one canvas (pixelated, so a 28x28 digit stays crisp).
 * Values outside `range` are clamped, so noisy images (which leave [-1, 1]) still show.
 */
@customElement('dl-image-grid')
export class DlImageGrid extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    canvas {
      width: 100%;
      height: auto;
      image-rendering: pixelated;
      display: block;
      background: #000;
      border-radius: 4px;
    }
  `;

  /** count*side*side values, image after image, row-major. */
  @property({ attribute: false }) data: Float32Array = new Float32Array(0);
  /** Number of images in data. */
  @property({ type: Number }) count = 0;
  /** Side of each square image, in pixels. */
  @property({ type: Number }) side = 28;
  /** Images per row. */
  @property({ type: Number }) columns = 8;
  /** Value drawn black and value drawn white; default [-1, 1]. */
  @property({ attribute: false }) range: [number, number] = [-1, 1];
  /** Gap between images, in image pixels. */
  @property({ type: Number }) gap = 1;
  /** Text alternative for the picture. */
  @property() label = 'image grid';

  @query('canvas') private canvas!: HTMLCanvasElement;

  override render() {
    return html`<canvas role="img" aria-label=${this.label}></canvas>`;
  }

  protected override updated(_: PropertyValues): void {
    this.draw();
  }

  /** Redraw now (also called by updated()). */
  draw(): void {
    const { count, side, gap } = this;
    const cols = Math.max(1, Math.min(this.columns, count));
    const rows = Math.ceil(count / cols);
    const w = cols * side + (cols - 1) * gap;
    const h = Math.max(1, rows * side + (rows - 1) * gap);
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    const ctx = this.canvas.getContext('2d');
    if (!ctx || count === 0) return;
    const img = ctx.createImageData(w, h);
    const px = img.data;
    const [lo, hi] = this.range;
    for (let n = 0; n < count; n++) {
      const ox = (n % cols) * (side + gap);
      const oy = Math.floor(n / cols) * (side + gap);
      const base = n * side * side;
      for (let y = 0; y < side; y++) {
        let o = ((oy + y) * w + ox) * 4;
        for (let x = 0; x < side; x++, o += 4) {
          const b = toByte(this.data[base + y * side + x] ?? 0, lo, hi);
          px[o] = px[o + 1] = px[o + 2] = b;
          px[o + 3] = 255;
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-image-grid': DlImageGrid;
  }
}
