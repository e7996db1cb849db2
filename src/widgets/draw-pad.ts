import { LitElement, css, html } from 'lit';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { customElement, property, query } from 'lit/decorators.js';

/** Fired when the drawing changes; `data` is 28*28 values in [-1, 1] (-1 background, 1 ink). */
export class DrawEvent extends Event {
  constructor(readonly data: Float32Array) {
    super('dl-draw', { bubbles: true, composed: true });
  }
}

/**
 * A 28x28 drawing pad: draw a digit with mouse, pen or finger. The brush is soft (like MNIST's
 * anti-aliased strokes). Emits `dl-draw` after every stroke.
 */
@customElement('dl-draw-pad')
export class DlDrawPad extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    canvas {
      width: 100%;
      height: auto;
      aspect-ratio: 1;
      image-rendering: pixelated;
      background: #000;
      touch-action: none;
      cursor: crosshair;
      border-radius: 4px;
      display: block;
    }
    button {
      margin-top: 0.3em;
      font: inherit;
      font-size: 0.85em;
    }
  `;

  /** Side of the image in pixels. */
  @property({ type: Number }) side = 28;
  /** Brush radius in image pixels. */
  @property({ type: Number }) brush = 1.3;

  private ink = new Float32Array(MNIST_PIXELS);
  private drawing = false;
  @query('canvas') private canvas!: HTMLCanvasElement;

  override render() {
    return html`<canvas
        width=${this.side}
        height=${this.side}
        role="img"
        aria-label="drawing pad: draw a digit with the mouse or a finger"
        @pointerdown=${this.down}
        @pointermove=${this.move}
        @pointerup=${this.up}
        @pointerleave=${this.up}
      ></canvas>
      <button type="button" @click=${this.clear}>Clear</button>`;
  }

  /** Start from an image (values in [-1, 1]). */
  setImage(data: Float32Array): void {
    this.ink = Float32Array.from(data, (v) => (v + 1) / 2);
    this.paint();
  }

  clear(): void {
    this.ink.fill(0);
    this.paint();
    this.emit();
  }

  protected override firstUpdated(): void {
    this.paint();
  }

  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.side, ((e.clientY - r.top) / r.height) * this.side];
  }

  private down(e: PointerEvent) {
    this.drawing = true;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.stamp(...this.at(e));
  }
  private move(e: PointerEvent) {
    if (this.drawing) this.stamp(...this.at(e));
  }
  private up() {
    if (!this.drawing) return;
    this.drawing = false;
    this.emit();
  }

  private stamp(cx: number, cy: number) {
    const n = this.side;
    const r = this.brush;
    for (let y = Math.floor(cy - r - 1); y <= cy + r + 1; y++) {
      for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const v = Math.max(0, Math.min(1, r + 0.5 - d));
        this.ink[y * n + x] = Math.max(this.ink[y * n + x]!, v);
      }
    }
    this.paint();
  }

  private paint() {
    const ctx = this.canvas?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(this.side, this.side);
    this.ink.forEach((v, i) => {
      const b = Math.round(v * 255);
      img.data.set([b, b, b, 255], i * 4);
    });
    ctx.putImageData(img, 0, 0);
  }

  private emit() {
    this.dispatchEvent(new DrawEvent(Float32Array.from(this.ink, (v) => v * 2 - 1)));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-draw-pad': DlDrawPad;
  }
  interface HTMLElementEventMap {
    'dl-draw': DrawEvent;
  }
}
