import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import type { ClipMode, SamplerKind } from '../../src/diffusion/samplers';
import { runLabel, trajectoryStrips } from './race-strips';
import type { LoadedDdpm } from '../../src/nets/load';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { ModelController } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { StoreController } from '../../src/notebook/store';
import { sampleInWorker } from '../../src/notebook/inference/client';
import { cellStyles } from '../../src/widgets/cell-styles';
import { choiceSelect, intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { modelInfo } from '../../src/notebook/model-info';
import { ETA_CHOICES, fastStore, STEP_CHOICES } from './params';

export const COUNT = 16;
/** x̂0 snapshots kept per run for the trajectory strips. */
const TRAJECTORY_FRAMES = 10;
/** Runs estimated to take longer than this wait for a button press instead of starting on their own. */
const AUTO_RUN_SECONDS = 20;

export type RaceKind = SamplerKind;
const RACE_KINDS: readonly RaceKind[] = ['ddpm', 'ddim', 'dpm++'];
const CLIP_CHOICES: readonly (readonly [ClipMode, string])[] = [
  ['x0', 'clip to [-1, 1]'],
  ['off', 'no clipping'],
  ['x0-model-eps', "clip, DDIM keeps the network's ε̂"],
];

export interface RaceResult {
  kind: RaceKind;
  steps: number;
  eta: number;
  clip: ClipMode;
  seed: number;
  /** Final samples, COUNT*784 values. */
  x: Float32Array;
  /** x̂0 of all COUNT digits at up to TRAJECTORY_FRAMES steps, with the timestep each was made at. */
  trajectory: { t: number; index: number; predX0: Float32Array }[];
  ms: number;
}

/**
 * Three samplers race from the same starting noise x_T with the same number of network calls: DDPM
 * ancestral (respaced), DDIM with the chosen eta, and DPM-Solver++(2M). Shows the 16 digits each
 * draws, its wall time, and how its x̂0 guess evolves over the steps.
 */
@customElement('dl-sampler-race')
export class DlSamplerRace extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .trio {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(11em, 1fr));
        gap: 1rem;
        margin-top: 0.8rem;
      }
      figure {
        margin: 0;
      }
      figure h3 {
        margin: 0 0 0.3em;
        font-size: 1em;
      }
      figcaption {
        font-size: 0.85em;
        font-variant-numeric: tabular-nums;
        min-height: 2.6em;
      }
      .placeholder {
        aspect-ratio: 1;
        display: grid;
        place-items: center;
        background: var(--dl-bg, #fff);
        border: 1px dashed var(--dl-border, #ccc);
        font-size: 0.85em;
        opacity: 0.7;
      }
      progress {
        width: 100%;
      }
      .strips {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.4rem 0.8rem;
        align-items: center;
        margin-top: 0.6rem;
        font-size: 0.85em;
      }
      .strips dl-image-grid {
        max-width: 34em;
      }
      dl-slider {
        flex: 1 1 16em;
      }
      input[type='number'] {
        width: 5em;
      }
    `,
  ];

  private readonly params = new StoreController(this, fastStore);
  private readonly model = new ModelController(this);
  /** Results of the current settings, by sampler (read by tests). */
  @state() results: Partial<Record<RaceKind, RaceResult>> = {};
  @state() running: RaceKind | null = null;
  @state() private progress = 0;
  /** Measured milliseconds per network call (batch 16) on this backend: the basis of time estimates. */
  @state() msPerCall = 0;
  /** The run of the current settings: debounced, cost-gated, single-flight (src/notebook/gated-run.ts). */
  private readonly runner = new GatedRun<{ m: LoadedDdpm; key: string }>(this, {
    args: () => (this.model.model ? { m: this.model.model, key: this.key() } : null),
    key: (a) => a.key,
    cheap: () => this.autoRuns(),
    task: (_, signal) => this.race(signal),
    reset: () => {
      if (Object.keys(this.results).length) this.results = {};
    },
    errorPrefix: 'Sampling failed',
  });
  // Before rendering, so a status change lands in this render; the StoreController re-renders on
  // every change of the settings, and the first run starts as soon as the model is there.
  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  /** Settings that change the samples (the trajectory digit does not). */
  private key(): string {
    const v = fastStore.values;
    return `${v.steps}|${v.eta}|${v.seed}|${v.clip}`;
  }

  /** Seconds the three samplers will take at these settings, if known. */
  estimateSeconds(): number | null {
    if (!this.msPerCall) return null;
    return (3 * Number(fastStore.values.steps) * this.msPerCall) / 1000;
  }

  private autoRuns(): boolean {
    const est = this.estimateSeconds();
    return est === null ? Number(fastStore.values.steps) <= 50 : est <= AUTO_RUN_SECONDS;
  }

  /** Resolves once the current settings have run, or wait for the button (for tests). */
  settled(): Promise<void> {
    return this.runner.settled();
  }

  /** Run the three samplers one after the other at the current settings (stopping any run first). */
  run(): Promise<void> {
    return this.runner.run();
  }

  private async race(signal: AbortSignal): Promise<void> {
    const v = fastStore.values;
    const steps = Number(v.steps);
    const eta = Number(v.eta);
    const clip = v.clip;
    this.results = {};
    const every = Math.max(1, Math.round(steps / TRAJECTORY_FRAMES));
    try {
      for (const kind of RACE_KINDS) {
        this.running = kind;
        this.progress = 0;
        const trajectory: RaceResult['trajectory'] = [];
        let x: Float32Array | null = null;
        const t0 = performance.now();
        // in the sampling worker: the page stays responsive while the network runs
        const frames = sampleInWorker({
          model: SHIPPED_MODELS.ddpmMnist,
          spec: { sampler: kind, steps, eta, clip },
          n: COUNT,
          seed: v.seed,
          every,
          signal,
        });
        for await (const f of frames) {
          trajectory.push({ t: f.t, index: f.index, predX0: f.predX0 });
          x = f.x;
          this.progress = (f.index + 1) / f.total;
        }
        if (signal.aborted || !x) return;
        const ms = performance.now() - t0;
        this.msPerCall = ms / steps;
        this.results = {
          ...this.results,
          [kind]: { kind, steps, eta, clip, seed: v.seed, x, trajectory, ms },
        };
      }
    } finally {
      this.running = null;
    }
  }

  override render() {
    const v = fastStore.values;
    const steps = Number(v.steps);
    const ready = !!this.model.model;
    const stepIdx = STEP_CHOICES.indexOf(v.steps);
    const etaIdx = ETA_CHOICES.indexOf(v.eta);
    const est = this.estimateSeconds();
    const done = RACE_KINDS.every((k) => this.results[k]);
    return html`
      <div class="live">live · three samplers, same starting noise, in your browser</div>
      ${modelInfo(this.model)}
      <div class="row">
        <dl-slider
          class="steps"
          label="steps"
          min="0"
          max=${STEP_CHOICES.length - 1}
          .value=${stepIdx}
          .text=${`${steps} network calls`}
          @dl-change=${(e: { value: number }) => fastStore.set({ steps: STEP_CHOICES[e.value]! })}
        ></dl-slider>
        <dl-slider
          class="eta"
          label="DDIM η"
          min="0"
          max=${ETA_CHOICES.length - 1}
          .value=${etaIdx}
          .text=${v.eta}
          @dl-change=${(e: { value: number }) => fastStore.set({ eta: ETA_CHOICES[e.value]! })}
        ></dl-slider>
      </div>
      <div class="row">
        ${intInput('seed', 'seed', v.seed, (n) => fastStore.set({ seed: n }))}
        ${choiceSelect('x̂₀', 'clip', v.clip, CLIP_CHOICES, (clip) => fastStore.set({ clip }))}
        ${
          ready && !this.running && !done
            ? html`<button type="button" class="run" @click=${() => void this.runner.run()}>
                Run all three${est !== null ? ` (about ${Math.ceil(est)} s here)` : ''}
              </button>`
            : nothing
        }
        ${this.running ? html`<button type="button" class="stop" @click=${() => this.runner.stop()}>Stop</button>` : nothing}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      <div class="trio">${RACE_KINDS.map((k) => this.column(k, steps, Number(v.eta), v.clip))}</div>
      ${trajectoryStrips(
        RACE_KINDS.flatMap((k) => this.results[k] ?? []),
        fastStore.values.digit,
        (n) => fastStore.set({ digit: n }),
        COUNT,
      )}
    `;
  }

  private column(kind: RaceKind, steps: number, eta: number, clip: ClipMode) {
    const r = this.results[kind];
    const title = runLabel({ kind, steps, eta, clip });
    return html`<figure class=${`col-${kind === 'dpm++' ? 'dpm' : kind}`}>
      <h3>${title}</h3>
      ${
        r
          ? html`<dl-image-grid
              .data=${r.x}
              .count=${COUNT}
              columns="4"
              label=${`16 digits drawn by ${title} in ${steps} steps`}
            ></dl-image-grid>`
          : html`<div class="placeholder">
              ${
                this.running === kind
                  ? html`<progress value=${this.progress} aria-label=${`${title}: steps done`}></progress>`
                  : this.running
                    ? 'waiting…'
                    : 'not run yet'
              }
            </div>`
      }
      <figcaption>
        ${
          r
            ? html`${steps} network calls in <strong>${(r.ms / 1000).toFixed(2)} s</strong
                ><br />(${(r.ms / steps).toFixed(0)} ms per call, 16 digits)`
            : nothing
        }
      </figcaption>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-sampler-race': DlSamplerRace;
  }
}
