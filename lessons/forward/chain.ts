import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { MNIST_PIXELS } from '../../src/data/mnist-asset';
import { customElement, state } from 'lit/decorators.js';
import { fillNormal, mulberry32, normals } from '../../src/diffusion/random';
import { qMomentsAfter, qSample, qStep } from '../../src/diffusion/schedule';
import { ksCritical05, ksStatistic, meanStd } from '../../src/metrics/moments';
import { cellStyles } from '../../src/widgets/cell-styles';
import { StoreController } from '../../src/notebook/store';
import { GatedRun } from '../../src/notebook/gated-run';
import type { MnistSplit } from '../../src/data/mnist-asset';
import '../../src/widgets/histogram';
import '../../src/widgets/image-grid';
import { formatNumber } from '../../src/widgets/line-plot';
import { SCHEDULE_LABELS } from './controls';
import { forwardStore, MnistController, pickDigits, scheduleFor } from './state';

const COUNT = 16;
const PIXELS = COUNT * MNIST_PIXELS;

interface ChainResult {
  key: string;
  t: number;
  chain: Float32Array;
  jump: Float32Array;
  /** (x_t - sqrt(alphaBar) x0) / sqrt(1 - alphaBar): should be N(0, 1) for both. */
  rChain: Float32Array;
  rJump: Float32Array;
  ms: number;
}

/**
 * The demonstration that t+1 small Gaussian steps (DDPM eq. 2) and the one-jump closed form (eq. 4)
 * give the same distribution: both are run on the same 16 digits, and their standardized residuals
 * are compared with each other and with N(0, 1).
 */
@customElement('dl-chain-vs-jump')
export class DlChainVsJump extends LitElement {
  static override styles = [
    cellStyles,
    css`
      figure {
        margin: 0;
        width: min(100%, 220px);
      }
      table {
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
        margin: 0.5rem 0;
      }
      td,
      th {
        padding: 0.2rem 0.7rem;
        border-bottom: 1px solid var(--dl-border);
        text-align: right;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      progress {
        width: 12rem;
      }
      .stale {
        color: var(--dl-muted);
        font-style: italic;
      }
    `,
  ];

  private readonly params = new StoreController(this, forwardStore);
  private readonly mnist = new MnistController(this);
  @state() private progress = -1;
  @state() private result: ChainResult | null = null;

  /** The chain, on the button: single-flight, stopped when the cell goes (src/notebook/gated-run.ts). */
  private readonly runner = new GatedRun<{ d: MnistSplit; key: string }>(this, {
    args: () => (this.mnist.data ? { d: this.mnist.data, key: this.key() } : null),
    key: (a) => a.key,
    cheap: () => false,
    errorPrefix: 'The chain could not run',
    task: (a, signal) => this.chain(a.d, a.key, signal),
  });

  private key(): string {
    const v = forwardStore.values;
    return `${v.t}:${v.schedule}:${v.ztsnr}:${v.seed}`;
  }

  // Before rendering, so a status change lands in this render instead of scheduling another.
  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  /** Run the chain for the current settings; resolves when done (never rejects: errors show in the cell). */
  run(): Promise<void> {
    return this.runner.run();
  }

  /** Run the chain step by step, yielding to the browser between chunks so the page stays responsive. */
  private async chain(d: MnistSplit, key: string, signal: AbortSignal): Promise<void> {
    const { t, schedule, ztsnr, seed } = forwardStore.values;
    const s = scheduleFor(schedule, ztsnr);
    const { x0 } = pickDigits(d, seed, COUNT);
    const t0 = performance.now();
    const chain = Float32Array.from(x0);
    const z = new Float32Array(PIXELS);
    const rand = mulberry32(seed * 31 + 17);
    this.progress = 0;
    try {
      // step k = 1..t (array index k - 1): x_k = sqrt(1 - beta_k) x_{k-1} + sqrt(beta_k) z
      for (let i = 0; i < t; i++) {
        qStep(s, i, chain, fillNormal(z, rand));
        if (i % 40 === 39) {
          this.progress = (i + 1) / t;
          await new Promise((r) => requestAnimationFrame(r));
          if (signal.aborted) return;
        }
      }
    } finally {
      this.progress = -1;
    }
    const jump = qSample(s, t, x0, normals(PIXELS, seed * 31 + 18), undefined, true);
    const { mean, std } = qMomentsAfter(s, t);
    const standardize = (x: Float32Array) => x.map((v, i) => (v - mean * x0[i]!) / std);
    this.result = {
      key,
      t,
      chain,
      jump,
      rChain: standardize(chain),
      rJump: standardize(jump),
      ms: performance.now() - t0,
    };
  }

  override render() {
    const v = forwardStore.values;
    const r = this.result;
    const running = this.progress >= 0;
    return html`
      <div class="live">live · computed in your browser when you press the button</div>
      <div class="row">
        <button
          type="button"
          class="run"
          ?disabled=${!this.mnist.data || running || v.t === 0}
          @click=${() => void this.run()}
        >
          Run ${v.t.toLocaleString('en')} small step${v.t === 1 ? '' : 's'} and one jump
        </button>
        ${running ? html`<progress value=${this.progress} aria-label="steps done"></progress>` : nothing}
        <span>at t = ${v.t}, ${SCHEDULE_LABELS[v.schedule]}${v.ztsnr ? ', zero terminal SNR' : ''}</span>
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${r ? this.renderResult(r) : html`<p>${this.mnist.status() || (v.t === 0 ? 'At t = 0 there is nothing to run: move the timestep past 0.' : 'Press the button to run both on the same 16 digits.')}</p>`}
    `;
  }

  private renderResult(r: ChainResult) {
    const c = meanStd(r.rChain);
    const j = meanStd(r.rJump);
    const ks = ksStatistic(r.rChain, r.rJump);
    const crit = ksCritical05(PIXELS, PIXELS);
    return html`
      ${r.key !== this.key() ? html`<p class="stale">These results are for t = ${r.t}; press the button to run again.</p>` : nothing}
      <div class="pair">
        <figure>
          <dl-image-grid
            class="chain"
            .data=${r.chain}
            .count=${COUNT}
            columns="4"
            label="16 digits after ${r.t} small steps"
          ></dl-image-grid>
          <figcaption>${r.t.toLocaleString('en')} small steps</figcaption>
        </figure>
        <figure>
          <dl-image-grid
            class="jump"
            .data=${r.jump}
            .count=${COUNT}
            columns="4"
            label="the same 16 digits after one jump"
          ></dl-image-grid>
          <figcaption>one jump (other noise)</figcaption>
        </figure>
        <dl-histogram
          style="flex:1 1 280px;max-width:26em"
          xLabel="standardized residual (x_t − √ᾱ x₀) / √(1−ᾱ)"
          .series=${[
            { name: 'small steps', values: r.rChain },
            { name: 'one jump', values: r.rJump },
          ]}
          yMax="0.6"
          label="Histograms of the standardized residuals of both, with the standard normal density"
        ></dl-histogram>
      </div>
      <table>
        <thead>
          <tr>
            <th>residual over ${PIXELS.toLocaleString('en')} pixels</th>
            <th>mean</th>
            <th>std</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>small steps</td>
            <td>${formatNumber(c.mean)}</td>
            <td>${formatNumber(c.std)}</td>
          </tr>
          <tr>
            <td>one jump</td>
            <td>${formatNumber(j.mean)}</td>
            <td>${formatNumber(j.std)}</td>
          </tr>
          <tr>
            <td>theory, N(0, 1)</td>
            <td>0.000</td>
            <td>1.000</td>
          </tr>
        </tbody>
      </table>
      <p class="verdict">
        Largest gap between the two distributions (Kolmogorov–Smirnov): <strong>${formatNumber(ks)}</strong>;
        two samples this size from one distribution differ by more than ${formatNumber(crit)} only 5% of the
        time. ${ks < crit ? 'So: the same distribution.' : 'A rare draw; try another seed.'}
        (${Math.round(r.ms)} ms)
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-chain-vs-jump': DlChainVsJump;
  }
}
