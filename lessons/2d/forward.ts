import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { normals } from '../../src/diffusion/random';
import { makeSchedule } from '../../src/diffusion/schedule';
import { StoreController } from '../../src/notebook/store';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/scatter';
import '../../src/widgets/slider';
import { DrawingController, toyDrawing, toyPoints } from './data';
import { toyStore } from './params';

const SCHEDULE = makeSchedule({ kind: 'linear', T: 1000 });

/**
 * The forward process on the plane: every point of the cloud jumps to x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε in one
 * go (the same ε for every t, so scrubbing t moves each point smoothly), computed here, no network.
 */
@customElement('dl-2d-forward')
export class Dl2dForward extends LitElement {
  static override styles = [
    cellStyles,
    css`
      dl-scatter {
        margin-top: 0.5rem;
      }
    `,
  ];

  protected readonly params = new StoreController(this, toyStore);
  private cache: { key: unknown; x0: Float32Array; eps: Float32Array } | null = null;
  protected readonly drawing = new DrawingController(this);

  /** The noised points on screen (read by tests). */
  noised(): Float32Array {
    const v = toyStore.values;
    // until something is drawn, the drawn choice shows the spiral
    const drawing = v.data === 'drawn' ? toyDrawing.value : null;
    const kind = v.data === 'drawn' && !drawing ? 'spiral' : v.data;
    const key = drawing ?? kind;
    if (this.cache?.key !== key) {
      const x0 = toyPoints(kind, drawing);
      this.cache = { key, x0, eps: Float32Array.from(normals(x0.length, 7)) };
    }
    const { x0, eps } = this.cache;
    const a = SCHEDULE.alphaBar[v.t]!;
    return x0.map((x, i) => Math.sqrt(a) * x + Math.sqrt(1 - a) * eps[i]!);
  }

  override render() {
    const v = toyStore.values;
    const a = SCHEDULE.alphaBar[v.t]!;
    return html`
      <dl-slider
        class="t-slider"
        label="timestep t"
        min="0"
        max="999"
        .value=${v.t}
        @dl-change=${(e: { value: number }) => toyStore.set({ t: e.value })}
      ></dl-slider>
      <p class="status">
        √ᾱ_t = ${Math.sqrt(a).toFixed(3)} (how much of each point is left), √(1−ᾱ_t) =
        ${Math.sqrt(1 - a).toFixed(3)} (how much noise)
      </p>
      <dl-scatter
        .layers=${[{ points: this.noised(), color: 'var(--dl-accent, #3b6ea5)', radius: 1.3, alpha: 0.7 }]}
        extent="4"
        label=${`${v.data === 'drawn' ? (toyDrawing.value ? 'your drawing' : 'the spiral (nothing drawn yet)') : `the ${v.data}`} noised to t = ${v.t}: ${v.t < 100 ? 'still its shape' : v.t < 500 ? 'its shape blurring into a cloud' : 'an almost round Gaussian cloud'}`}
      ></dl-scatter>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-2d-forward': Dl2dForward;
  }
}
