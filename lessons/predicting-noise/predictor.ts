import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { normals } from '../../src/diffusion/random';
import { indexOfStep, makeSchedule, qMomentsAfter } from '../../src/diffusion/schedule';
import { imageToSigned, MNIST_PIXELS } from '../../src/data/mnist-asset';
import { MnistController, ModelController } from '../../src/notebook/controllers';
import { StoreController } from '../../src/notebook/store';
import { denoiseAt, type DenoiseResult } from '../../src/pipelines/denoise';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import { DrawnDigit } from '../../src/widgets/drawn-digit';
import '../../src/widgets/image-grid';
import { formatNumber } from '../../src/widgets/line-plot';
import '../../src/widgets/slider';
import { modelInfo } from '../../src/notebook/model-info';
import { GatedRun } from '../../src/notebook/gated-run';
import type { LoadedDdpm } from '../../src/nets/load';
import type { MnistSplit } from '../../src/data/mnist-asset';
import { noiseStore } from './params';

interface Shown extends DenoiseResult {
  key: string;
  x0: Float32Array;
  eps: Float32Array;
  err: Float32Array;
  ms: number;
}

/**
 * x0, the true noise eps, x_t, the network's eps-hat, the error |eps - eps-hat| and the implied x0-hat,
 * for a test digit (or one you draw) at the timestep you pick.
 */
@customElement('dl-noise-predictor')
export class DlNoisePredictor extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .panels {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(7.5em, 1fr));
        gap: 0.8rem;
        margin: 0.6rem 0;
      }
      .draw {
        display: flex;
        gap: 1rem;
        align-items: flex-start;
        flex-wrap: wrap;
      }
      dl-draw-pad {
        width: 8em;
      }
      input[type='number'] {
        width: 6em;
      }
      .readout {
        font-variant-numeric: tabular-nums;
      }
      .model-info {
        font-size: 0.85em;
        color: var(--dl-muted);
      }
    `,
  ];

  private readonly params = new StoreController(this, noiseStore);
  private readonly mnist = new MnistController(this, 'test');
  private readonly model = new ModelController(this);
  @state() private shown: Shown | null = null;
  /** What is on screen now (read by tests). */
  get result(): Readonly<Shown> | null {
    return this.shown;
  }
  private readonly draw = new DrawnDigit(this);

  /** The network run for the current settings: single-flight, the latest settings win (src/notebook/gated-run.ts). */
  private readonly runner = new GatedRun<{ key: string; m: LoadedDdpm; d: MnistSplit }>(this, {
    args: () => {
      const m = this.model.model;
      const d = this.mnist.data;
      return m && d ? { key: this.key(), m, d } : null;
    },
    key: (a) => a.key,
    cheap: () => true, // one network call: always run at once
    debounceMs: 0,
    errorPrefix: 'The network could not run',
    task: async ({ key, m, d }) => {
      const { t, digit, seed } = noiseStore.values;
      const x0 = this.draw.image ?? imageToSigned(d.images, digit);
      const eps = normals(MNIST_PIXELS, seed);
      const t0 = performance.now();
      const r = await denoiseAt(
        m.net,
        makeSchedule(m.meta.schedule),
        m.meta.prediction,
        x0,
        eps,
        indexOfStep(t),
      );
      const err = r.epsHat.map((v, i) => Math.abs(v - eps[i]!));
      this.shown = { ...r, key, x0, eps, err, ms: performance.now() - t0 };
    },
  });

  /** Settle once the network has run for the current settings (tests await it instead of polling). */
  async settled(): Promise<void> {
    await this.runner.settled();
  }

  private key(): string {
    const v = noiseStore.values;
    return `${v.t}:${v.digit}:${v.seed}:${this.draw.key()}`;
  }

  // Before rendering, so a status change lands in this render instead of scheduling another.
  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  private panel(
    cls: string,
    data: Float32Array | undefined,
    caption: string,
    range: [number, number],
    label: string,
  ) {
    return html`<figure>
      <dl-image-grid
        class=${cls}
        .data=${data ?? new Float32Array(0)}
        .count=${data ? 1 : 0}
        .range=${range}
        label=${label}
      ></dl-image-grid>
      <figcaption>${caption}</figcaption>
    </figure>`;
  }

  override render() {
    const v = noiseStore.values;
    const s = this.shown;
    const label = this.mnist.data?.labels[v.digit];
    const { mean, std } = qMomentsAfter(
      makeSchedule(this.model.model?.meta.schedule ?? { kind: 'linear' }),
      v.t,
    );
    const status = this.mnist.status();
    return html`
      <div class="live">live · the shipped network runs in your browser</div>
      ${modelInfo(this.model)}
      <div class="row">
        <dl-slider
          class="t-slider"
          label="timestep t"
          min="1"
          max="1000"
          .value=${v.t}
          @dl-change=${(e: { value: number }) => noiseStore.set({ t: e.value })}
        ></dl-slider>
      </div>
      <div class="row">
        ${intInput('test digit #', 'digit', v.digit, (n) => noiseStore.set({ digit: n }), { max: 9999, disabled: this.draw.on })}
        <button
          type="button"
          ?disabled=${this.draw.on}
          @click=${() => noiseStore.set({ digit: Math.floor(Math.random() * 10000) })}
        >
          Another digit
        </button>
        ${intInput('noise seed', 'seed', v.seed, (n) => noiseStore.set({ seed: n }))} ${this.draw.toggle()}
      </div>
      ${this.draw.pad('Draw a digit, then watch what the network makes of it.')}
      ${cellStatus({ text: status, failed: !!this.mnist.error }, this.runner.error)}
      <div class="panels">
        ${this.panel('x0', s?.x0, `x₀${label !== undefined && !this.draw.on ? ` (a ${label})` : ''}`, [-1, 1], 'the clean digit')}
        ${this.panel('eps', s?.eps, 'true noise ε', [-2.5, 2.5], 'the true noise')}
        ${this.panel('xt', s?.xt, `x_t, t = ${v.t}`, [-1, 1], `the digit noised to step ${v.t}`)}
        ${this.panel('eps-hat', s?.epsHat, 'predicted noise ε̂', [-2.5, 2.5], 'the noise the network predicts')}
        ${this.panel('err', s?.err, '|ε − ε̂|', [0, 2.5], 'the error of the prediction, black is zero')}
        ${this.panel('x0-hat', s?.x0Hat, 'implied x̂₀', [-1, 1], 'the clean digit implied by the prediction')}
      </div>
      <p class="readout">
        x<sub>t</sub> = ${formatNumber(mean)}·x₀ + ${formatNumber(std)}·ε.
        ${
          s
            ? html`Noise error (the training loss) ${formatNumber(s.epsMse)}; x̂₀ error
                ${formatNumber(s.x0Mse)} <span class="status">(${Math.round(s.ms)} ms)</span>`
            : nothing
        }
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-noise-predictor': DlNoisePredictor;
  }
}
