import { indexOfStep, stepOfIndex } from '../../src/diffusion/schedule';
import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, MNIST_PIXELS, type MnistSplit } from '../../src/data/mnist-asset';
import { MnistController, ModelController } from '../../src/notebook/controllers';
import { lossByTInWorker } from '../../src/notebook/inference/client';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { GatedRun } from '../../src/notebook/gated-run';
import type { LoadedDdpm } from '../../src/nets/load';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/line-plot';
import type { LineSeries } from '../../src/widgets/line-plot';

/** Digits and timesteps measured: enough for a smooth curve, few enough for a laptop's CPU. */
const LOSS_DIGITS = 32;
/** Steps t = 1, 50, 100, …, 1000, as schedule indices t − 1 (src/diffusion/schedule.ts). */
const LOSS_TIMESTEPS = Array.from({ length: 21 }, (_, i) => indexOfStep(Math.max(1, i * 50)));

/** The noise-prediction loss (and the x̂0 error) against t, measured live on test digits. */
@customElement('dl-loss-by-t')
export class DlLossByT extends LitElement {
  static override styles = [
    cellStyles,
    css`
      progress {
        width: 12rem;
      }
      dl-line-plot {
        max-width: 34em;
      }
    `,
  ];

  private readonly mnist = new MnistController(this, 'test');
  private readonly model = new ModelController(this);
  /** Measured points so far. */
  @state() points: { t: number; epsMse: number; x0Mse: number }[] = [];

  /** The measurement, on the button (single-flight, stopped when the cell goes; src/notebook/gated-run.ts). */
  private readonly runner = new GatedRun<{ m: LoadedDdpm; d: MnistSplit }>(this, {
    args: () => {
      const m = this.model.model;
      const d = this.mnist.data;
      return m && d ? { m, d } : null;
    },
    key: () => 'measure',
    cheap: () => false,
    errorPrefix: 'The measurement failed',
    task: async ({ d }, signal) => {
      this.points = [];
      const x0 = new Float32Array(LOSS_DIGITS * MNIST_PIXELS);
      for (let i = 0; i < LOSS_DIGITS; i++)
        imageToSigned(d.images, i * 97, x0.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
      // in the sampling worker: 21 network calls on 32 digits would freeze the page for seconds
      const points = lossByTInWorker({
        model: SHIPPED_MODELS.ddpmMnist,
        x0,
        timesteps: LOSS_TIMESTEPS,
        noiseSeed: 1000,
        signal,
      });
      for await (const p of points) this.points = [...this.points, p];
    },
  });

  private get running(): boolean {
    return this.runner.running;
  }

  /** Measure the curve; resolves when done (never rejects: errors show in the cell). */
  measure(): Promise<void> {
    return this.runner.run();
  }

  // Before rendering, so a status change lands in this render instead of scheduling another.
  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const ready = !!(this.model.model && this.mnist.data);
    const x = this.points.map((p) => stepOfIndex(p.t));
    const series: LineSeries[] = [
      { name: 'noise error ‖ε − ε̂‖² (the loss)', x, y: this.points.map((p) => p.epsMse) },
      { name: 'clean-image error ‖x₀ − x̂₀‖²', x, y: this.points.map((p) => p.x0Mse) },
    ];
    return html`
      <div class="live">live · measured in your browser on ${LOSS_DIGITS} test digits</div>
      <div class="row">
        <button
          type="button"
          class="measure"
          ?disabled=${!ready || this.running}
          @click=${() => void this.measure()}
        >
          ${this.points.length && !this.running ? 'Measure again' : `Measure the loss at ${LOSS_TIMESTEPS.length} timesteps`}
        </button>
        ${this.running ? html`<progress value=${this.points.length / LOSS_TIMESTEPS.length} aria-label="timesteps measured"></progress>` : nothing}
        ${!ready ? html`<span class="status">${this.model.status() || this.mnist.status()}</span>` : nothing}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        this.points.length
          ? html`<dl-line-plot
              .series=${series}
              yType="log"
              dots
              xLabel="t"
              yLabel="mean squared error"
              label="Noise-prediction error and clean-image error against the timestep, log scale"
            ></dl-line-plot>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-loss-by-t': DlLossByT;
  }
}
