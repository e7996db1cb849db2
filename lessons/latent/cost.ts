import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import type { EvalResult } from '../../src/metrics/eval-result';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import { UNET_PRESETS } from '../../src/nets/unet';
import { GatedRun } from '../../src/notebook/gated-run';
import { backendReady } from '../../src/runtime/session';
import { connectWorker } from '../../src/runtime/worker-rpc';
import { latentUNet } from '../../src/train/live-settings';
import { cellStyles } from '../../src/widgets/cell-styles';
import type { CostWorkerApi, SpaceCost } from './cost-worker';

/** Images (or latents) per step in the comparison. */
export const COST_BATCH = 16;

type Measured = { backend: string; pixel: SpaceCost; latent: SpaceCost };

/** The latest full evaluation of a shipped model (its most samples, then its latest step), if any. */
async function bestRow(file: string): Promise<EvalResult | null> {
  try {
    const r = await fetch(new URL(file, document.baseURI));
    if (!r.ok) return null;
    const rows = ((await r.json()) as { results?: EvalResult[] }).results ?? [];
    const model = rows.filter((x) => x.source?.kind === 'model');
    model.sort(
      (a, b) =>
        b.samples - a.samples ||
        (b.source as { modelStep: number }).modelStep - (a.source as { modelStep: number }).modelStep,
    );
    return model[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Pixel against latent, measured in this browser: the same U-Net code at the same width on 28×28×1
 * pixels and on 8×8×4 latents; FLOPs per call, and the time of a training step and of a denoising step
 * at the same batch, on the page's backend, in a worker. Beside them, what the shipped models reach.
 */
@customElement('dl-latent-cost')
export class DlLatentCost extends LitElement {
  static override styles = [
    cellStyles,
    css`
      table {
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
        margin: 0.6rem 0;
      }
      th,
      td {
        padding: 0.2rem 0.7rem;
        border-bottom: 1px solid var(--dl-border);
        text-align: right;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
    `,
  ];

  /** The measurement on screen (read by tests). */
  @state() measured: Measured | null = null;
  @state() private quality: { pixel: EvalResult | null; latent: EvalResult | null } | null = null;

  private readonly runner = new GatedRun<{ key: string }>(this, {
    args: () => ({ key: 'measure' }),
    key: (a) => a.key,
    cheap: () => false, // a pixel training step can take seconds on an emulated GPU: on the button only
    errorPrefix: 'The measurement failed',
    task: async (_, signal) => {
      const page = await backendReady();
      const rpc = connectWorker<CostWorkerApi>(
        new Worker(new URL('./cost-worker.ts', import.meta.url), { type: 'module' }),
        'the measuring worker',
      );
      const stop = () => rpc.terminate();
      signal.addEventListener('abort', stop);
      try {
        const r = await rpc.call(
          rpc.api.measure({
            backend: page.name,
            pixel: UNET_PRESETS.shipped,
            latent: latentUNet('shipped'),
            batch: COST_BATCH,
            reps: 3,
          }),
        );
        this.measured = {
          backend: `${r.backend.name} (${r.backend.device})`,
          pixel: r.pixel,
          latent: r.latent,
        };
      } finally {
        signal.removeEventListener('abort', stop);
        rpc.terminate();
      }
    },
  });

  override connectedCallback(): void {
    super.connectedCallback();
    void Promise.all([
      bestRow(modelFile(SHIPPED_MODELS.ddpmMnist, 'eval')),
      bestRow(modelFile(SHIPPED_MODELS.ldmMnist, 'eval')),
    ]).then(([pixel, latent]) => (this.quality = { pixel, latent }));
  }

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  /** Measure now (resolves when done; errors show in the cell). */
  measure(): Promise<void> {
    return this.runner.run();
  }

  private row(label: string, p: number, l: number, unit: string, digits = 1) {
    return html`<tr>
      <td>${label}</td>
      <td>${p.toFixed(digits)} ${unit}</td>
      <td>${l.toFixed(digits)} ${unit}</td>
      <td>${(p / l).toFixed(1)}×</td>
    </tr>`;
  }

  override render() {
    const m = this.measured;
    // (the same U-Net has almost the same parameters in both spaces: only its first and last layers differ)
    const q = this.quality;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const qual = (r: EvalResult | null | undefined) =>
      r
        ? `${pct(r.confidentShare)} recognised, FID ${r.fid.toFixed(1)} (${r.samples.toLocaleString('en')} samples)`
        : 'not measured yet';
    return html`
      <div class="live">live · measured in your browser, in a worker</div>
      <div class="row">
        <button
          type="button"
          class="measure"
          ?disabled=${this.runner.running}
          @click=${() => void this.measure()}
        >
          ${m ? 'Measure again' : `Measure both at batch ${COST_BATCH}`}
        </button>
        ${this.runner.running ? html`<span class="status" role="status">Measuring… (a few seconds on WASM, longer on an emulated GPU)</span>` : nothing}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        m
          ? html`<table>
                <thead>
                  <tr>
                    <th>the same U-Net, width ${UNET_PRESETS.shipped.ch}, on</th>
                    <th>28×28×1 pixels</th>
                    <th>8×8×4 latents</th>
                    <th>pixel / latent</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.row('parameters', m.pixel.params / 1e6, m.latent.params / 1e6, 'M', 2)}
                  ${this.row('FLOPs per network call, per sample', m.pixel.flopsPerCall / 1e6, m.latent.flopsPerCall / 1e6, 'M')}
                  ${this.row(`training step, batch ${COST_BATCH}`, m.pixel.trainMs, m.latent.trainMs, 'ms', 0)}
                  ${this.row(`denoising step, batch ${COST_BATCH}`, m.pixel.denoiseMs, m.latent.denoiseMs, 'ms', 0)}
                </tbody>
              </table>
              <p class="status">Medians of 3 on ${m.backend}.</p>`
          : nothing
      }
      <p>
        Quality reached by the shipped models, on the same classifier: pixel DDPM ${qual(q?.pixel)}; latent
        DDPM (decoded) ${qual(q?.latent)}.
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-latent-cost': DlLatentCost;
  }
}
