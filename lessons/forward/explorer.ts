import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { MNIST_PIXELS } from '../../src/data/mnist-asset';
import { customElement, query, state } from 'lit/decorators.js';
import { qMomentsAfter, qSample, snrAfter } from '../../src/diffusion/schedule';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import { StoreController } from '../../src/notebook/store';
import { formatNumber } from '../../src/widgets/line-plot';
import '../../src/widgets/histogram';
import '../../src/widgets/image-grid';
import type { DlImageGrid } from '../../src/widgets/image-grid';
import { scheduleControls, timestepSlider } from './controls';
import { T } from './params';
import { forwardStore, MnistController, noiseFor, pickDigits, scheduleFor, type Digits } from './state';

const GRID_COUNT = 64;

/**
 * The main cell: 64 real test digits noised to timestep t in one closed-form jump, the histogram of
 * their pixels against N(0, 1), a play button that sweeps t, and seed control.
 */
@customElement('dl-forward-explorer')
export class DlForwardExplorer extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .panels {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
      }
      dl-image-grid {
        width: min(100%, 22em);
      }
      dl-histogram {
        flex: 1 1 300px;
        max-width: 28em;
      }
      .readout {
        font-variant-numeric: tabular-nums;
        margin: 0.4rem 0 0;
      }
      input[type='number'] {
        width: 7em;
      }
    `,
  ];

  private readonly params = new StoreController(this, forwardStore);
  private readonly mnist = new MnistController(this);
  private digits: Digits | null = null;
  private digitsSeed = -1;
  private eps: Float32Array | null = null;
  /** Two buffers, swapped each frame, so the grid sees a new array and redraws. */
  private readonly bufs = [
    new Float32Array(GRID_COUNT * MNIST_PIXELS),
    new Float32Array(GRID_COUNT * MNIST_PIXELS),
  ];
  private flip = 0;
  private frameStart = 0;
  /** Time from a parameter change to the drawn frame, in ms (read by `npm run bench`). */
  lastFrameMs = 0;
  @state() private playing = false;
  private raf = 0;
  @query('dl-image-grid') grid!: DlImageGrid;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.pause();
  }

  protected override willUpdate(_: PropertyValues): void {
    this.frameStart = performance.now();
    const d = this.mnist.data;
    const { seed } = forwardStore.values;
    if (d && this.digitsSeed !== seed) {
      this.digits = pickDigits(d, seed, GRID_COUNT);
      this.eps = noiseFor(seed, GRID_COUNT);
      this.digitsSeed = seed;
    }
  }

  protected override updated(): void {
    if (this.digits) this.lastFrameMs = performance.now() - this.frameStart;
  }

  private noised(): Float32Array | null {
    if (!this.digits || !this.eps) return null;
    const { t, schedule, ztsnr } = forwardStore.values;
    this.flip ^= 1;
    return qSample(scheduleFor(schedule, ztsnr), t, this.digits.x0, this.eps, this.bufs[this.flip], true);
  }

  /** Sweep t from here to T in about five seconds. */
  play(): void {
    if (this.playing) return;
    this.playing = true;
    if (forwardStore.values.t >= T) forwardStore.set({ t: 0 });
    let last = performance.now();
    const tick = (now: number) => {
      const dt = Math.max(1, Math.round(((now - last) / 5000) * T));
      last = now;
      const t = Math.min(T, forwardStore.values.t + dt);
      forwardStore.set({ t });
      if (t >= T) this.pause();
      else this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause(): void {
    cancelAnimationFrame(this.raf);
    this.playing = false;
  }

  override render() {
    const v = forwardStore.values;
    const s = scheduleFor(v.schedule, v.ztsnr);
    const x = this.noised();
    const { mean, std } = qMomentsAfter(s, v.t);
    const status = this.mnist.status();
    return html`
      <div class="live">live · computed in your browser</div>
      <div class="row" @dl-change=${() => this.pause()}>
        ${timestepSlider()}
        <button
          type="button"
          class="play"
          aria-pressed=${this.playing}
          @click=${() => (this.playing ? this.pause() : this.play())}
        >
          ${this.playing ? '❚❚ Pause' : '▶ Play'}
        </button>
      </div>
      <div class="row">
        ${scheduleControls()} ${intInput('seed', 'seed', v.seed, (n) => forwardStore.set({ seed: n }))}
        <button
          type="button"
          class="new-seed"
          @click=${() => forwardStore.set({ seed: (v.seed + 1) % 2 ** 31 })}
        >
          New digits and noise
        </button>
      </div>
      ${status ? html`<p class=${this.mnist.error ? 'error' : 'status'} role="status">${status}</p>` : nothing}
      <div class="panels">
        <dl-image-grid
          .data=${x ?? new Float32Array(0)}
          .count=${x ? GRID_COUNT : 0}
          columns="8"
          label=${this.digits ? `${GRID_COUNT} MNIST test digits (${this.digits.labels.slice(0, 8).join(', ')}, …) ${v.t ? `after ${v.t} noising steps` : 'before any noise'}` : 'digits loading'}
        ></dl-image-grid>
        <dl-histogram
          .series=${x ? [{ name: 'pixels of x_t', values: x }] : []}
          label="Histogram of the pixel values of the noised digits, with the standard normal density"
        ></dl-histogram>
      </div>
      <p class="readout">
        x<sub>t</sub> = ${formatNumber(mean)} · x<sub>0</sub> + ${formatNumber(std)} · ε · signal-to-noise
        ratio ${formatNumber(snrAfter(s, v.t))}
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-forward-explorer': DlForwardExplorer;
  }
}
