import { stepOfIndex } from '../../src/diffusion/schedule';
import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { LatentModelController, type ShippedLatent } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { cardLinks } from '../../src/notebook/model-info';
import { StoreController } from '../../src/notebook/store';
import { sampleInWorker } from '../../src/notebook/inference/client';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { latentStore } from './params';

const COUNT = 16;
const SAMPLING = SHIPPED_MODELS.ldmMnist.sampling.default;

export interface LatentFrame {
  index: number;
  total: number;
  t: number;
  /** The 16 latents' x̂0, decoded. */
  decoded: Float32Array;
}

/**
 * Sampling in latent space, step by step: the latent model denoises 16 latents from pure noise with
 * the default sampler, and at every step its guess x̂0 of the final latents is decoded to digits.
 */
@customElement('dl-latent-sample')
export class DlLatentSample extends LitElement {
  static override styles = [
    cellStyles,
    css`
      figure {
        margin: 0.4rem 0;
        width: min(100%, 16em);
      }
    `,
  ];

  private readonly params = new StoreController(this, latentStore);
  private readonly models = new LatentModelController(this);
  /** Frames of the last run (read by tests). */
  @state() frames: LatentFrame[] = [];
  @state() private shown = -1;
  @state() private ms = 0;

  private readonly runner = new GatedRun<{ m: ShippedLatent; seed: number }>(this, {
    args: () => (this.models.value ? { m: this.models.value, seed: latentStore.values.sseed } : null),
    key: (a) => String(a.seed),
    cheap: () => true, // 16 latents x 50 steps, each step's guess decoded: a few seconds on WASM
    errorPrefix: 'Sampling failed',
    task: async ({ seed }, signal) => {
      const frames: LatentFrame[] = [];
      const t0 = performance.now();
      // in the sampling worker, which decodes each step's x̂0 too: the page stays responsive
      const run = sampleInWorker({ model: SHIPPED_MODELS.ldmMnist, spec: SAMPLING, n: COUNT, seed, signal });
      for await (const f of run) frames.push({ index: f.index, total: f.total, t: f.t, decoded: f.predX0 });
      if (signal.aborted) return;
      this.ms = performance.now() - t0;
      this.frames = frames;
      this.shown = frames.length - 1;
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = latentStore.values;
    const f = this.frames[this.shown];
    return html`
      <div class="live">live · the latent model samples in your browser</div>
      ${cardLinks([
        { model: SHIPPED_MODELS.ldmMnist, name: 'latent DDPM' },
        { model: SHIPPED_MODELS.autoencoderMnist, name: 'autoencoder' },
      ])}
      <div class="row">
        ${intInput('seed', 'sseed', v.sseed, (n) => latentStore.set({ sseed: n }))}
        <button type="button" @click=${() => latentStore.set({ sseed: (v.sseed + 1) % 2 ** 31 })}>
          New noise
        </button>
        ${this.models.status() ? html`<span class=${this.models.error ? 'error' : 'status'}>${this.models.status()}</span>` : nothing}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        f
          ? html`<figure>
                <dl-image-grid
                  class="x0"
                  .data=${f.decoded}
                  .count=${COUNT}
                  columns="4"
                  label="the decoded guess of the 16 final digits after step ${f.index + 1} of ${f.total}"
                ></dl-image-grid>
                <figcaption>
                  decoded x̂₀ after step ${f.index + 1} of ${f.total} (from t = ${stepOfIndex(f.t)})
                </figcaption>
              </figure>
              <dl-slider
                class="step-slider"
                label="step"
                min="0"
                max=${this.frames.length - 1}
                .value=${this.shown}
                @dl-change=${(e: { value: number }) => (this.shown = e.value)}
              ></dl-slider>
              <p class="status">
                ${f.total} ${SAMPLING.sampler.toUpperCase()} steps on 8×8×4 latents, each step's guess
                decoded: ${(this.ms / 1000).toFixed(2)} s on ${this.models.value?.backend.name}.
              </p>`
          : html`<p class="status">${this.runner.running ? 'Sampling…' : ''}</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-latent-sample': DlLatentSample;
  }
}
