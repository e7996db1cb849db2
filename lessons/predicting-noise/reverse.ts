import { stepOfIndex } from '../../src/diffusion/schedule';
import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { ModelController } from '../../src/notebook/controllers';
import { StoreController } from '../../src/notebook/store';
import { GatedRun } from '../../src/notebook/gated-run';
import type { LoadedDdpm } from '../../src/nets/load';
import { sampleInWorker, type WorkerFrame as SampleFrame } from '../../src/notebook/inference/client';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { noiseStore, SAMPLE_STEPS } from './params';

/** Frames kept for scrubbing: about this many, whatever the number of steps. */
const KEPT_FRAMES = 50;
const COUNT = 16;

/**
 * The reverse process with the shipped model: 16 digits sampled from pure noise by DDPM ancestral
 * sampling, x_t and x̂0 animated while it runs, then a scrubber over the kept frames.
 */
@customElement('dl-reverse-process')
export class DlReverseProcess extends LitElement {
  static override styles = [
    cellStyles,
    css`
      figure {
        margin: 0;
        width: min(100%, 15em);
      }
      progress {
        width: 12rem;
      }
      input[type='number'] {
        width: 6em;
      }
    `,
  ];

  private readonly params = new StoreController(this, noiseStore);
  private readonly model = new ModelController(this);
  /** Frames of the last run (read by tests). */
  @state() frames: SampleFrame[] = [];
  @state() private shown = -1;
  @state() private ms = 0;

  /** Sampling on the button (it takes seconds): single-flight, stoppable (src/notebook/gated-run.ts). */
  private readonly runner = new GatedRun<{ m: LoadedDdpm; seed: number; steps: number }>(this, {
    args: () => {
      const m = this.model.model;
      const { sseed, ssteps } = noiseStore.values;
      return m ? { m, seed: sseed, steps: Number(ssteps) } : null;
    },
    key: (a) => `${a.seed}:${a.steps}`,
    cheap: () => false,
    errorPrefix: 'Sampling failed',
    task: async ({ seed, steps }, signal) => {
      this.frames = [];
      const t0 = performance.now();
      const every = Math.max(1, Math.round(steps / KEPT_FRAMES));
      // in the sampling worker: the page stays responsive while the network runs
      const spec = { sampler: 'ddpm', steps } as const;
      for await (const f of sampleInWorker({
        model: SHIPPED_MODELS.ddpmMnist,
        spec,
        n: COUNT,
        seed,
        every,
        signal,
      })) {
        this.frames = [...this.frames, f];
        this.shown = this.frames.length - 1;
      }
      this.ms = performance.now() - t0;
    },
  });

  private get running(): boolean {
    return this.runner.running;
  }

  /** Sample 16 digits at the current settings; resolves when done (never rejects: errors show in the cell). */
  run(): Promise<void> {
    return this.runner.run();
  }

  // Before rendering, so a status change lands in this render instead of scheduling another.
  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const v = noiseStore.values;
    const f = this.frames[this.shown];
    const ready = !!this.model.model;
    return html`
      <div class="live">live · the shipped network samples in your browser</div>
      <div class="row">
        <label
          >steps
          <select
            class="steps"
            ?disabled=${this.running}
            @change=${(e: Event) => noiseStore.set({ ssteps: (e.target as HTMLSelectElement).value as (typeof SAMPLE_STEPS)[number] })}
          >
            ${SAMPLE_STEPS.map((s) => html`<option value=${s} ?selected=${s === v.ssteps}>${s === '1000' ? '1000 (the original DDPM)' : `${s} (respaced)`}</option>`)}
          </select></label
        >
        ${intInput('seed', 'sseed', v.sseed, (n) => noiseStore.set({ sseed: n }), { disabled: this.running })}
        <button type="button" class="run" ?disabled=${!ready || this.running} @click=${() => void this.run()}>
          Sample 16 digits
        </button>
        ${
          this.running
            ? html`<button type="button" @click=${() => this.runner.stop()}>Stop</button>
                <progress
                  value=${f ? (f.index + 1) / f.total : 0}
                  aria-label="denoising steps done"
                ></progress>`
            : nothing
        }
        ${!ready ? html`<span class=${this.model.error ? 'error' : 'status'}>${this.model.status()}</span>` : nothing}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        f
          ? html`<div class="pair">
                <figure>
                  <dl-image-grid
                    class="xt"
                    .data=${f.x}
                    .count=${COUNT}
                    columns="4"
                    label="the 16 samples after step ${f.index + 1}"
                  ></dl-image-grid>
                  <figcaption>
                    x after ${f.index + 1} of ${f.total} steps (from t = ${stepOfIndex(f.t)})
                  </figcaption>
                </figure>
                <figure>
                  <dl-image-grid
                    class="x0"
                    .data=${f.predX0}
                    .count=${COUNT}
                    columns="4"
                    label="the network's guess of the final digits at this step"
                  ></dl-image-grid>
                  <figcaption>its guess of the end result, x̂₀</figcaption>
                </figure>
              </div>
              ${
                !this.running && this.frames.length > 1
                  ? html`<dl-slider
                        class="t-slider"
                        label="replay"
                        min="0"
                        max=${this.frames.length - 1}
                        .value=${this.shown}
                        @dl-change=${(e: { value: number }) => (this.shown = e.value)}
                      ></dl-slider>
                      <p class="status">
                        ${this.frames.at(-1)!.total} steps in ${(this.ms / 1000).toFixed(1)} s on
                        ${this.model.backend?.name}.
                      </p>`
                  : nothing
              }`
          : html`<p class="status">Pure noise in, digits out: press the button.</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-reverse-process': DlReverseProcess;
  }
}
