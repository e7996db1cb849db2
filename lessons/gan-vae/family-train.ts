import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fetchBytes } from '../../src/data/fetch-bytes';
import { classEntropyBits, classesHolding } from '../../src/metrics/families';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import { MnistController } from '../../src/notebook/controllers';
import { backendReady } from '../../src/runtime/session';
import { connectWorker, proxy, type WorkerConnection } from '../../src/runtime/worker-rpc';
import type { TrainProgress } from '../../src/train/trainer';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import type { LineSeries } from '../../src/widgets/line-plot';
import '../../src/widgets/image-grid';
import '../../src/widgets/line-plot';
import type { FamilyEvent, FamilySnapshot, FamilyWorkerApi } from './family-worker';
import type { LiveFamily, LivePreset } from './live-presets';

/** Steps one Start trains at most (a run left alone stops by itself). */
export const LIVE_MAX_STEPS = 20_000;

const TERM_NAMES: Record<LiveFamily, [string, string][]> = {
  gan: [
    ['discriminator', "discriminator's loss"],
    ['generator', "generator's loss"],
  ],
  vae: [
    ['reconstruction', 'reconstruction: −log p(x | z) (nats per image)'],
    ['kl', 'KL (nats per image)'],
  ],
};

/**
 * A GAN or a VAE trained live in a worker on the page's backend: Start / Pause, the loss's named parts
 * over the steps, a fixed-seed grid of samples, and the monitor — the class histogram of 100 samples by
 * the project's classifier, its entropy over the steps, and the share of confident digits.
 */
@customElement('dl-family-train')
export class DlFamilyTrain extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .cols {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
      }
      .cols > * {
        flex: 1 1 18rem;
        min-width: 0;
      }
      .bars {
        display: grid;
        grid-template-columns: 1.2em 1fr 3.2em;
        gap: 0.15rem 0.4rem;
        align-items: center;
        font-variant-numeric: tabular-nums;
        max-width: 22rem;
      }
      .bar {
        height: 0.8em;
        background: var(--dl-accent, #3b6ea5);
      }
      dl-image-grid {
        max-width: 16rem;
      }
      label {
        display: inline-block;
        max-width: 100%;
      }
      select {
        font: inherit;
        max-width: 100%;
      }
    `,
  ];

  @property() family: LiveFamily = 'gan';
  /** The GAN's settings: the balanced ones or the collapse preset. */
  @state() preset: LivePreset = 'best';
  @state() running = false;
  @state() progress: TrainProgress | null = null;
  @state() snapshot: FamilySnapshot | null = null;
  @state() private terms: { step: number; values: Record<string, number> }[] = [];
  @state() private monitor: { step: number; entropy: number; confident: number }[] = [];
  @state() private loading = '';
  @state() private error = '';
  @state() private backend = '';
  private readonly digits = new MnistController(this, 'train', true);
  /** The worker, started once (its promise, so two quick presses of Start share it). */
  private rpc: Promise<WorkerConnection<FamilyWorkerApi>> | null = null;
  /** A press of Start is being served (downloads, the worker starting): Start is disabled meanwhile. */
  @state() starting = false;
  /** The weights went bad (a non-finite loss): only a fresh run is offered. */
  private broken = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.rpc?.then((r) => r.terminate());
    this.rpc = null;
    // the worker and its run are gone: what is on screen can be looked at, not continued
    this.running = false;
    this.broken = true;
  }

  private worker(): Promise<WorkerConnection<FamilyWorkerApi>> {
    this.rpc ??= this.startWorker();
    this.rpc.catch(() => (this.rpc = null));
    return this.rpc;
  }

  private async startWorker(): Promise<WorkerConnection<FamilyWorkerApi>> {
    this.loading = 'Loading the training digits (9.6 MB) and the classifier (1.9 MB)…';
    const [data, page, json, bin] = await Promise.all([
      this.digits.load(),
      backendReady(),
      fetchText(modelFile(SHIPPED_MODELS.mnistClassifier, 'model')),
      fetchBytes(new URL(modelFile(SHIPPED_MODELS.mnistClassifier, 'weights'), document.baseURI).href),
    ]);
    const rpc = connectWorker<FamilyWorkerApi>(
      new Worker(new URL('./family-worker.ts', import.meta.url), { type: 'module' }),
      'the training worker',
    );
    try {
      const info = await rpc.call(
        rpc.api.init(
          {
            backend: page.name,
            images: data.images,
            labels: data.labels,
            count: data.count,
            classifier: { json, bin },
          },
          proxy((e: FamilyEvent) => this.onEvent(e)),
        ),
      );
      this.backend = `${info.name} (${info.device})`;
    } catch (e) {
      rpc.terminate();
      throw e;
    }
    return rpc;
  }

  private onEvent(e: FamilyEvent): void {
    if (e.type === 'progress') {
      this.progress = e.progress;
      if (e.progress.terms) this.terms = [...this.terms, { step: e.progress.step, values: e.progress.terms }];
    } else if (e.type === 'snapshot') {
      this.snapshot = e.snapshot;
      this.monitor = [
        ...this.monitor,
        {
          step: e.snapshot.step,
          entropy: classEntropyBits(e.snapshot.classShares),
          confident: e.snapshot.confident,
        },
      ];
    } else {
      this.running = false;
      if (e.error) {
        this.error = `Training stopped: ${e.error}`;
        this.broken = true;
      }
    }
  }

  /** Start a fresh run (or go on with the paused one when `fresh` is false). */
  async start(fresh = true): Promise<void> {
    if (this.running || this.starting) return;
    this.starting = true;
    this.error = '';
    try {
      const rpc = await this.worker();
      this.loading = '';
      if (fresh || !this.progress || this.broken) {
        this.broken = false;
        await rpc.call(rpc.api.configure({ family: this.family, preset: this.preset, seed: 0 }));
        this.terms = [];
        this.monitor = [];
        this.progress = null;
        this.snapshot = null;
      }
      this.running = true;
      void rpc.call(rpc.api.run({ steps: LIVE_MAX_STEPS - (this.progress?.step ?? 0) })).catch((e: Error) => {
        this.running = false;
        this.error = `Training stopped: ${e.message}`;
      });
    } catch (e) {
      this.loading = '';
      this.running = false;
      this.error = `The run could not start: ${(e as Error).message}`;
    } finally {
      this.starting = false;
    }
  }

  pause(): void {
    void this.rpc?.then((r) => r.api.pause());
  }

  /** Tensors the worker holds (tests). */
  async workerTensors(): Promise<number> {
    if (!this.rpc) return 0;
    const r = await this.rpc;
    return r.call(r.api.tensors());
  }

  private lossSeries(): LineSeries[] {
    return TERM_NAMES[this.family].map(([k, name]) => ({
      name,
      x: this.terms.map((t) => t.step),
      y: this.terms.map((t) => t.values[k] ?? NaN),
    }));
  }

  private bars(s: FamilySnapshot) {
    const max = Math.max(...s.classShares, 0.01);
    const words = s.classShares.map((v, c) => `${c}: ${Math.round(100 * v)}%`).join(', ');
    return html`<div class="bars" role="img" aria-label=${`class histogram of 100 samples: ${words}`}>
      ${s.classShares.map(
        (v, c) =>
          html`<span>${c}</span><span class="bar" style="width:${(100 * v) / max}%"></span
            ><span>${Math.round(100 * v)}%</span>`,
      )}
    </div>`;
  }

  override render() {
    const p = this.progress;
    const s = this.snapshot;
    const gan = this.family === 'gan';
    const what = gan ? 'GAN' : 'VAE';
    return html`
      <div class="live">live · trains in your browser, in a worker</div>
      <div class="row">
        ${
          gan
            ? html`<label
                >Settings
                <select
                  .value=${this.preset}
                  ?disabled=${this.running}
                  @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value as LivePreset)}
                >
                  <option value="best">balanced (the shipped GAN's, hurried: 3× and 6× its rates)</option>
                  <option value="collapse">
                    collapse preset (5× the shipped rates, β₁ 0.9, no EMA, 3×3 discriminator)
                  </option>
                </select></label
              >`
            : nothing
        }
        ${
          this.running
            ? html`<button type="button" class="pause" @click=${() => this.pause()}>Pause</button>`
            : html`<button
                  type="button"
                  class="start"
                  ?disabled=${this.starting}
                  @click=${() => void this.start(true)}
                >
                  ${p ? `Train a new ${what}` : `Start training the ${what}`}
                </button>
                ${p && p.step < LIVE_MAX_STEPS && !this.broken ? html`<button type="button" class="resume" ?disabled=${this.starting} @click=${() => void this.start(false)}>Go on</button>` : nothing}`
        }
      </div>
      ${cellStatus({ text: this.loading || this.digits.error, failed: !!this.digits.error }, this.error)}
      ${
        p
          ? html`<p class="status" role="status">
              step ${p.step.toLocaleString('en')} · ${p.stepsPerSecond.toFixed(1)} steps/s ·
              ${(p.wallSeconds / 60).toFixed(1)} min of training${this.backend ? ` · ${this.backend}` : ''}
            </p>`
          : html`<p class="note">
              ${gan ? 'Two networks, two losses: the discriminator learns to tell real digits from made ones, the generator to fool it.' : 'One network pair, one loss in two parts: reconstruct the digit, and keep the codes close to N(0, I).'}
              Nothing is downloaded until you press Start.
            </p>`
      }
      <div class="cols">
        <div>
          ${
            this.terms.length > 1
              ? html`<dl-line-plot
                  .series=${this.lossSeries()}
                  xLabel="step"
                  yLabel=${gan ? 'loss' : 'nats per image'}
                  yType="linear"
                  label=${`the ${what}'s two losses against the training step`}
                ></dl-line-plot>`
              : nothing
          }
        </div>
        <div>
          ${
            s
              ? html`<dl-image-grid
                    .data=${s.grid}
                    .count=${s.grid.length / 784}
                    columns="4"
                    label=${`16 samples of the ${what} at step ${s.step}, the same codes every time`}
                  ></dl-image-grid>
                  <p class="note">The same 16 codes at step ${s.step.toLocaleString('en')} (EMA weights).</p>`
              : nothing
          }
        </div>
        <div>
          ${
            s
              ? html`<p>
                    <strong>Monitor</strong> (100 samples read by the classifier):
                    ${Math.round(100 * s.confident)}% confident digits; 80% of samples fall in
                    ${classesHolding(s.classShares)} of the 10 classes.
                  </p>
                  ${this.bars(s)}
                  ${
                    this.monitor.length > 1
                      ? html`<dl-line-plot
                          .series=${[
                            {
                              name: 'class entropy (bits; 3.32 = all ten equally)',
                              x: this.monitor.map((m) => m.step),
                              y: this.monitor.map((m) => m.entropy),
                            },
                          ]}
                          .yDomain=${[0, 3.4] as [number, number]}
                          xLabel="step"
                          yLabel="bits"
                          height="160"
                          label="entropy of the class histogram against the training step: low means collapse"
                        ></dl-line-plot>`
                      : nothing
                  }`
              : nothing
          }
        </div>
      </div>
    `;
  }
}

async function fetchText(file: string): Promise<string> {
  const r = await fetch(new URL(file, document.baseURI));
  if (!r.ok) throw new Error(`${file} could not load (HTTP ${r.status})`);
  return r.text();
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-family-train': DlFamilyTrain;
  }
}
