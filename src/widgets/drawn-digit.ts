/**
 * "Draw my own digit" for a cell: the checkbox, the drawing pad with a hint, and the drawing itself, as a
 * reactive controller the cell renders and reads (the predictor and the latent encoder share it).
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { MNIST_PIXELS } from '../data/mnist-asset';
import './draw-pad';
import type { DrawEvent } from './draw-pad';

export class DrawnDigit implements ReactiveController {
  /** The checkbox is ticked: the cell works on the drawing instead of a test digit. */
  on = false;
  private drawn: Float32Array | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {}

  /** The drawing (blank until the first stroke) while drawing; null when the cell shows a test digit. */
  get image(): Float32Array | null {
    if (!this.on) return null;
    return this.drawn ?? new Float32Array(MNIST_PIXELS).fill(-1);
  }

  /** Changes with every stroke and with the checkbox: part of a cell's run key. */
  key(): string {
    if (!this.on) return '';
    return this.drawn ? `drawn${this.drawn.reduce((a, b) => a + b, 0)}` : 'blank';
  }

  /** The "draw my own digit" checkbox. */
  toggle() {
    return html`<label
      ><input
        type="checkbox"
        class="draw-mode"
        .checked=${this.on}
        @change=${(e: Event) => {
          this.on = (e.target as HTMLInputElement).checked;
          this.host.requestUpdate();
        }}
      />
      draw my own digit</label
    >`;
  }

  /** The pad and a line of help while drawing, else nothing. */
  pad(hint: string) {
    if (!this.on) return nothing;
    return html`<div class="draw row">
      <dl-draw-pad
        @dl-draw=${(e: DrawEvent) => {
          this.drawn = e.data;
          this.host.requestUpdate();
        }}
      ></dl-draw-pad>
      <p>${hint} (Not saved in the link.)</p>
    </div>`;
  }
}
