/**
 * <dl-limits-bias-2d>: bias from training data, trained live. The 2-D model of the first lesson (an MLP
 * denoiser in a worker) learns five clusters of which one holds 60% of the collected points; its samples
 * are counted per cluster (nearest centre). Reweighted, the same points are resampled so that every
 * cluster is seen equally often, and the model trained again from scratch.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { proxy, type WorkerConnection } from '../../src/runtime/worker-rpc';
import { startToyWorker, type ToyWorkerApi } from '../../src/notebook/toy/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { choiceSelect } from '../../src/widgets/inputs';
import '../../src/widgets/scatter';
import { histogramTable, styles } from './cells';
import { CLUSTERS, clusterShares, collectedClusters, reweighted } from '../../src/train/toy-clusters';
import { limitsStore, type Weighting } from './params';

/** Points collected, seconds per press of Train, particles sampled, and the sampler. */
export const POINTS_2D = 2000;
export const TRAIN_SECONDS_2D = 10;
export const PARTICLES_2D = 1000;
const SPEC = { sampler: 'ddim' as const, eta: 0, steps: 100 };
const EXTENT = 2.5;
const NAMES = Array.from({ length: CLUSTERS }, (_, k) => String.fromCharCode(65 + k));

@customElement('dl-limits-bias-2d')
export class DlLimitsBias2d extends LitElement {
  static override styles = [
    styles,
    css`
      .cols {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
      }
      dl-scatter {
        flex: 1 1 16rem;
        max-width: 24rem;
      }
      .side {
        flex: 1 1 14rem;
      }
    `,
  ];

  protected readonly params = new StoreController(this, limitsStore);
  @state() busy: 'training' | 'sampling' | null = null;
  /** Steps and seconds trained on the current weighting (read by tests). */
  @state() progress: { step: number; seconds: number } | null = null;
  /** The last samples and their shares per cluster (read by tests). */
  @state() result: { weighting: Weighting; x: Float32Array; shares: number[] } | null = null;
  @state() private error = '';
  @state() private trainedOn: Weighting | null = null;
  private rpc: Promise<WorkerConnection<ToyWorkerApi>> | null = null;
  private readonly collected = collectedClusters(POINTS_2D, 1);
  private readonly balanced = reweighted(this.collected, POINTS_2D, 1);
  /** Each training set's shares per cluster, counted once (the view reads them on every progress tick). */
  private readonly trainShares = {
    collected: clusterShares(this.collected),
    reweighted: clusterShares(this.balanced),
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.dropWorker();
  }

  /** Stop the worker; the next Train starts a fresh one with a new model. */
  private dropWorker(): void {
    void this.rpc?.then((r) => r.terminate()).catch(() => undefined);
    this.rpc = null;
    this.trainedOn = null;
    this.progress = null;
  }

  private worker(): Promise<WorkerConnection<ToyWorkerApi>> {
    this.rpc ??= startToyWorker();
    this.rpc.catch(() => (this.rpc = null));
    return this.rpc;
  }

  private points(w: Weighting): Float32Array {
    return w === 'collected' ? this.collected : this.balanced;
  }

  /** Train TRAIN_SECONDS_2D more (a new model when the weighting changed), then sample and count. */
  async train(): Promise<void> {
    if (this.busy) return;
    const w = limitsStore.values.weighting;
    this.error = '';
    this.busy = 'training';
    try {
      const rpc = await this.worker();
      if (this.trainedOn !== w) {
        await rpc.call(rpc.api.configure({ points: this.points(w), seed: 0 }));
        this.trainedOn = w;
        this.progress = null;
        this.result = null;
      }
      await rpc.call(
        rpc.api.train(
          { seconds: TRAIN_SECONDS_2D },
          proxy(
            (p: { step: number; seconds: number }) => (this.progress = { step: p.step, seconds: p.seconds }),
          ),
        ),
      );
      this.busy = 'sampling';
      let last: Float32Array | null = null;
      await rpc.call(
        rpc.api.sample(
          { spec: SPEC, n: PARTICLES_2D, seed: limitsStore.values.seed + 1 },
          proxy((f: { x: Float32Array }) => (last = f.x)),
        ),
      );
      if (last) this.result = { weighting: w, x: last, shares: clusterShares(last) };
    } catch (e) {
      this.error = (e as Error).message;
      this.dropWorker(); // a crashed or failed worker is not reused
    } finally {
      this.busy = null;
    }
  }

  override render() {
    const w = limitsStore.values.weighting;
    const pts = this.points(w);
    const stale = this.trainedOn !== null && this.trainedOn !== w;
    const r = this.result && this.result.weighting === w ? this.result : null;
    return html`
      <div class="live">live · trains in your browser, in a worker</div>
      <div class="row">
        ${choiceSelect<Weighting>(
          'training data',
          'weighting',
          w,
          [
            ['collected', 'as collected (60% in A, at the top)'],
            ['reweighted', 'reweighted (every cluster equally)'],
          ],
          (v) => limitsStore.set({ weighting: v }),
          !!this.busy,
        )}
        <button type="button" class="train" ?disabled=${!!this.busy} @click=${() => void this.train()}>
          ${
            this.busy === 'training'
              ? 'Training…'
              : this.busy === 'sampling'
                ? 'Sampling…'
                : this.trainedOn === w
                  ? `Train ${TRAIN_SECONDS_2D} s more`
                  : `Train for ${TRAIN_SECONDS_2D} s`
          }
        </button>
      </div>
      ${cellStatus({ text: '', failed: false }, this.error)}
      ${
        this.progress && !stale
          ? html`<p class="status num" role="status">
              step ${this.progress.step.toLocaleString('en')} · ${this.progress.seconds.toFixed(1)} s of
              training${this.busy === 'sampling' ? ` · moving ${PARTICLES_2D.toLocaleString('en')} particles…` : ''}
            </p>`
          : stale
            ? html`<p class="status" role="status">The training data changed: Train starts a new model.</p>`
            : nothing
      }
      <div class="cols">
        <dl-scatter
          extent=${EXTENT}
          .layers=${[
            { points: pts, color: '#999', radius: 1.1, alpha: 0.5 },
            ...(r ? [{ points: r.x, color: 'var(--dl-accent, #3b6ea5)', radius: 1.4 }] : []),
          ]}
          label=${`the ${POINTS_2D.toLocaleString('en')} training points in grey, five clusters, A at the top holding ${Math.round(100 * this.trainShares[w][0]!)}% of them${r ? `; ${PARTICLES_2D} samples in colour, ${Math.round(100 * r.shares[0]!)}% of them in A` : ''}`}
        ></dl-scatter>
        <div class="side">
          ${
            r
              ? histogramTable(
                  'Share of each cluster in what the model trained on (grey) and among its samples (colour)',
                  'cluster',
                  NAMES,
                  this.trainShares[w],
                  r.shares,
                )
              : html`<p class="note">
                  Train, and ${PARTICLES_2D.toLocaleString('en')} particles are carried from noise to the
                  clusters (DDIM, ${SPEC.steps} steps) and counted by nearest cluster.
                </p>`
          }
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-limits-bias-2d': DlLimitsBias2d;
  }
}
