import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { normals } from '../../src/diffusion/random';
import { slicedWasserstein2d } from '../../src/metrics/sliced-wasserstein';
import { proxy, type WorkerConnection } from '../../src/runtime/worker-rpc';
import { startToyWorker, type ToyWorkerApi } from '../../src/notebook/toy/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { choiceSelect, intInput } from '../../src/widgets/inputs';
import type { DrawEvent } from '../../src/widgets/draw-pad';
import '../../src/widgets/draw-pad';
import '../../src/widgets/scatter';
import '../../src/widgets/slider';
import { DrawingController, toyDrawing, toyPoints, TOY_POINTS } from './data';
import { shortened } from './toy-2d';
import { toyStore, type ToyData } from './params';

const ids = new WeakMap<Float32Array, number>();
let nextId = 1;
/** A drawing's identity (each drawing event brings a new array). */
function drawingId(d: Float32Array | null): number {
  if (!d) return 0;
  if (!ids.has(d)) ids.set(d, nextId++);
  return ids.get(d)!;
}

/** Seconds one press of "Train" trains for. */
export const TRAIN_SECONDS = 10;
/** Particles a sampling run moves. */
export const PARTICLES = 1000;
/** Arrows per side of the field. */
const FIELD_SIDE = 17;
const EXTENT = 3;

export interface SampleResult {
  sampler: string;
  steps: number;
  x: Float32Array;
  /** Sliced Wasserstein distance to the training points, and the same for the two references. */
  distance: number;
}

/**
 * The whole 2-D experiment: the cloud to learn (spiral, two moons or a drawing), an MLP denoiser trained
 * for ten seconds at a time in a worker, the arrows it learned at the chosen t (each from a point to the
 * model's guess of the clean point), and 1,000 particles carried from Gaussian noise to the cloud by the
 * chosen sampler, their paths drawn; how close they land is measured by the sliced Wasserstein distance.
 */
@customElement('dl-2d-lab')
export class Dl2dLab extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .cols {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
      }
      dl-scatter {
        flex: 1 1 18rem;
        max-width: 30rem;
      }
      .side {
        flex: 1 1 14rem;
      }
      dl-draw-pad {
        width: 9rem;
      }
      .num {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  protected readonly params = new StoreController(this, toyStore);
  @state() training = false;
  @state() sampling = false;
  /** Steps trained, the latest loss and training seconds (read by tests). */
  @state() progress: { step: number; loss: number; seconds: number } | null = null;
  @state() field: Float32Array | null = null;
  @state() frames: Float32Array[] = [];
  @state() result: SampleResult | null = null;
  @state() private error = '';
  @state() private trainedOn: string | null = null;
  private rpc: Promise<WorkerConnection<ToyWorkerApi>> | null = null;
  private fieldKey = '';
  /** References for the distance: a fresh Gaussian and a second draw of the cloud. */
  @state() references: { gaussian: number; secondDraw: number } | null = null;

  protected readonly drawing = new DrawingController(this);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.rpc?.then((r) => r.terminate());
    this.rpc = null;
  }

  private worker(): Promise<WorkerConnection<ToyWorkerApi>> {
    this.rpc ??= startToyWorker();
    this.rpc.catch(() => (this.rpc = null));
    return this.rpc;
  }

  private dataKey(): string {
    const v = toyStore.values;
    return v.data === 'drawn' ? `drawn:${drawingId(toyDrawing.value)}` : v.data;
  }

  private memo: { key: string; pts: Float32Array } | null = null;

  /** The cloud to learn (seed 1), or another draw of it. */
  private points(seed = 1): Float32Array {
    const v = toyStore.values;
    if (seed !== 1) return toyPoints(v.data, toyDrawing.value, seed);
    const key = this.dataKey();
    if (this.memo?.key !== key) this.memo = { key, pts: toyPoints(v.data, toyDrawing.value, seed) };
    return this.memo.pts;
  }

  /** Train for TRAIN_SECONDS more (a new model when the cloud changed). */
  async train(): Promise<void> {
    if (this.training || this.sampling) return;
    this.training = true;
    this.error = '';
    try {
      const pts = this.points();
      const rpc = await this.worker();
      if (this.trainedOn !== this.dataKey()) {
        await rpc.call(rpc.api.configure({ points: pts, seed: 0 }));
        this.trainedOn = this.dataKey();
        this.progress = null;
        this.result = null;
        this.frames = [];
        this.field = null;
        // references of the particles' own size, so a perfect model would score the second draw's figure
        const second = this.points(2).subarray(0, 2 * PARTICLES);
        this.references = {
          gaussian: slicedWasserstein2d(Float32Array.from(normals(2 * PARTICLES, 3)), pts),
          secondDraw: slicedWasserstein2d(second, pts),
        };
      }
      await rpc.call(
        rpc.api.train(
          { seconds: TRAIN_SECONDS },
          proxy((p: { step: number; loss: number; seconds: number }) => (this.progress = p)),
        ),
      );
      this.fieldKey = '';
      await this.updateField();
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.training = false;
    }
  }

  private async updateField(): Promise<void> {
    if (!this.trainedOn) return;
    const key = `${this.progress?.step}|${toyStore.values.t}`;
    if (key === this.fieldKey) return;
    this.fieldKey = key;
    const rpc = await this.worker();
    const f = await rpc.call(rpc.api.field({ t: toyStore.values.t, side: FIELD_SIDE, extent: EXTENT }));
    if (this.fieldKey === key) this.field = shortened(f, (0.9 * 2 * EXTENT) / FIELD_SIDE);
  }

  /** Carry PARTICLES particles from noise to samples with the chosen sampler, every step drawn. */
  async sample(): Promise<void> {
    if (this.sampling || this.training || !this.trainedOn) return;
    this.error = '';
    this.sampling = true;
    this.frames = [];
    try {
      const rpc = await this.worker();
      const v = toyStore.values;
      const spec = { sampler: v.sampler, steps: v.steps, ...(v.sampler === 'ddim' ? { eta: 0 } : {}) };
      const frames: Float32Array[] = [];
      await rpc.call(
        rpc.api.sample(
          { spec, n: PARTICLES, seed: 1 },
          proxy((f: { x: Float32Array }) => {
            frames.push(f.x);
            this.frames = [...frames];
          }),
        ),
      );
      const x = frames.at(-1)!;
      this.result = {
        sampler: v.sampler,
        steps: v.steps,
        x,
        distance: slicedWasserstein2d(x, this.points()),
      };
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.sampling = false;
    }
  }

  protected override updated(): void {
    if (!this.training) void this.updateField().catch((e: Error) => (this.error = e.message));
  }

  override render() {
    const v = toyStore.values;
    let pts: Float32Array | null = null;
    let dataError = '';
    try {
      pts = this.points();
    } catch (e) {
      dataError = (e as Error).message;
    }
    const stale = this.trainedOn !== null && this.trainedOn !== this.dataKey();
    const r = this.result;
    const refs = this.references;
    return html`
      <div class="live">live · trains in your browser, in a worker</div>
      <div class="row">
        ${choiceSelect<ToyData>(
          'cloud',
          'data',
          v.data,
          [
            ['spiral', 'a spiral'],
            ['moons', 'two moons'],
            ['drawn', 'your drawing'],
          ],
          (d) => toyStore.set({ data: d }),
        )}
        <button
          type="button"
          class="train"
          ?disabled=${this.training || !pts}
          @click=${() => void this.train()}
        >
          ${this.training ? 'Training…' : this.trainedOn && !stale ? `Train ${TRAIN_SECONDS} s more` : `Train for ${TRAIN_SECONDS} s`}
        </button>
      </div>
      ${
        v.data === 'drawn'
          ? html`<div class="row">
              <dl-draw-pad @dl-draw=${(e: DrawEvent) => toyDrawing.set(e.data)}></dl-draw-pad>
              <span class="note"
                >Draw a shape: its ink becomes ${TOY_POINTS.toLocaleString('en')} points.</span
              >
            </div>`
          : nothing
      }
      ${cellStatus({ text: dataError, failed: !!dataError }, this.error)}
      ${
        this.progress
          ? html`<p class="status num" role="status">
              step ${this.progress.step.toLocaleString('en')} · loss ${this.progress.loss.toFixed(3)} ·
              ${this.progress.seconds.toFixed(1)} s of
              training${stale ? ' · the cloud changed: Train starts a new model' : ''}
            </p>`
          : nothing
      }
      <div class="cols">
        <dl-scatter
          extent=${EXTENT}
          .layers=${[
            ...(pts ? [{ points: pts, color: '#999', radius: 1.1, alpha: 0.5 }] : []),
            ...(r ? [{ points: r.x, color: 'var(--dl-accent, #3b6ea5)', radius: 1.6 }] : []),
            ...(!r && this.frames.length
              ? [{ points: this.frames.at(-1)!, color: 'var(--dl-accent, #3b6ea5)', radius: 1.6 }]
              : []),
          ]}
          .trails=${this.frames.length > 1 ? { frames: this.frames, color: 'var(--dl-accent, #3b6ea5)' } : null}
          .arrows=${this.field && !this.frames.length ? { arrows: this.field, color: '#c0392b' } : null}
          label=${`the training points in grey${this.field && !this.frames.length ? `, and red arrows from grid points towards the model's guess of the clean point at t = ${v.t}` : ''}${r ? `, and ${PARTICLES} samples of ${r.sampler.toUpperCase()} with ${r.steps} steps in colour, sliced Wasserstein distance ${r.distance.toFixed(3)}` : ''}`}
        ></dl-scatter>
        <div class="side">
          <dl-slider
            class="t-slider"
            label="arrows at t"
            min="0"
            max="999"
            .value=${v.t}
            @dl-change=${(e: { value: number }) => {
              this.frames = [];
              this.result = null;
              toyStore.set({ t: e.value });
            }}
          ></dl-slider>
          <div class="row">
            ${choiceSelect(
              'sampler',
              'sampler',
              v.sampler,
              [
                ['ddpm', 'DDPM (adds noise each step)'],
                ['ddim', 'DDIM, η = 0 (no noise: an ODE)'],
              ],
              (s) => toyStore.set({ sampler: s }),
            )}
            ${intInput('steps', 'steps', v.steps, (n) => toyStore.set({ steps: n }), { min: 1, max: 1000 })}
            <button
              type="button"
              class="sample"
              ?disabled=${this.sampling || this.training || !this.trainedOn || stale}
              @click=${() => void this.sample()}
            >
              ${this.sampling ? 'Sampling…' : `Move ${PARTICLES.toLocaleString('en')} particles`}
            </button>
          </div>
          ${
            r && refs
              ? html`<p class="num">
                  Distance of the samples to the training points (sliced Wasserstein):
                  <strong>${r.distance.toFixed(3)}</strong>; a Gaussian cloud of the same size:
                  ${refs.gaussian.toFixed(3)}; a second draw of the ${v.data === 'drawn' ? 'drawing' : v.data}
                  itself: ${refs.secondDraw.toFixed(3)}.
                </p>`
              : html`<p class="note">
                  ${this.trainedOn ? 'Move the particles, or scrub t to see the arrows change.' : 'Train first, then look at the arrows and move the particles.'}
                </p>`
          }
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-2d-lab': Dl2dLab;
  }
}
