import { CONFIDENT_ABOVE } from '../../src/metrics/quality';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { samplerFamily, samplerLabel, type ClipMode } from '../../src/diffusion/samplers';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import type { SamplingTable, TableRow } from '../../src/metrics/sampling-table';
import { StoreController } from '../../src/notebook/store';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/line-plot';
import type { LineSeries } from '../../src/widgets/line-plot';
import { fastStore, fastParams } from './params';

type Metric = (typeof fastParams.metric)['default'];

const METRICS: Record<Metric, { label: string; axis: string; value: (r: TableRow) => number; log: boolean }> =
  {
    fid: { label: 'FID (lower is better)', axis: 'FID ↓', value: (r) => r.result.fid, log: false },
    confident: {
      label: `share recognised with confidence > ${CONFIDENT_ABOVE}`,
      axis: `confident > ${CONFIDENT_ABOVE} (%) ↑`,
      value: (r) => 100 * r.result.confidentShare,
      log: false,
    },
    precision: {
      label: 'precision (samples that look real)',
      axis: 'precision (%) ↑',
      value: (r) => 100 * r.result.precision,
      log: false,
    },
    recall: {
      label: 'recall (variety covered)',
      axis: 'recall (%) ↑',
      value: (r) => 100 * r.result.recall,
      log: false,
    },
    time: {
      label: 'seconds per image',
      axis: 's per image ↓',
      value: (r) => r.result.secondsPerImage,
      log: true,
    },
  };

/** The measured series, one per sampler family, in the order of the lesson's text. */
function tableSeries(t: SamplingTable, metric: Metric): LineSeries[] {
  const names = [...new Set(t.rows.map(samplerFamily))];
  return names.map((name) => {
    const rows = t.rows.filter((r) => samplerFamily(r) === name).sort((a, b) => a.steps - b.steps);
    return { name, x: rows.map((r) => r.steps), y: rows.map(METRICS[metric].value) };
  });
}

/**
 * The measured row nearest the live settings: DDIM at these steps, with the race's clipping where the table
 * has it (else another clipping, which its label names), at the nearest measured eta.
 */
function nearestRow(t: SamplingTable, steps: number, eta: number, clip: ClipMode): TableRow | undefined {
  const ddim = t.rows.filter((r) => r.sampler === 'ddim' && r.steps === steps);
  const off = (r: TableRow) => ((r.clip ?? 'x0') === clip ? 0 : 10) + Math.abs((r.eta ?? 0) - eta);
  return ddim.sort((a, b) => off(a) - off(b))[0];
}

/**
 * Quality against number of steps, from the committed evaluation (models/ddpm-mnist/sampling.json,
 * made by `npm run eval -- table`), with the live settings of the race above highlighted.
 */
@customElement('dl-steps-quality')
export class DlStepsQuality extends LitElement {
  static override styles = [
    cellStyles,
    css`
      dl-line-plot {
        max-width: 40em;
      }
      table {
        border-collapse: collapse;
        font-size: 0.85em;
        font-variant-numeric: tabular-nums;
        margin-top: 0.6rem;
        /* on a phone the table scrolls inside the cell instead of pushing the page sideways */
        display: block;
        max-width: 100%;
        overflow-x: auto;
      }
      th,
      td {
        padding: 0.15em 0.6em;
        text-align: right;
        border-bottom: 1px solid var(--dl-border, #ccc);
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      tr.you td {
        font-weight: bold;
      }
    `,
  ];

  private readonly params = new StoreController(this, fastStore);
  /** The committed table, once loaded (read by tests). */
  @state() table: SamplingTable | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.table) return;
    fetch(new URL(modelFile(SHIPPED_MODELS.ddpmMnist, 'sampling'), document.baseURI))
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json() as Promise<SamplingTable>;
      })
      .then(
        (t) => (this.table = t),
        (e: Error) =>
          (this.error = `The measured table could not load (${e.message}); run \`npm run eval -- table\` to make it.`),
      );
  }

  override render() {
    const t = this.table;
    if (!t)
      return html`<p class=${this.error ? 'error' : 'status'} role="status">
        ${this.error || 'Loading the measurements…'}
      </p>`;
    const v = fastStore.values;
    const steps = Number(v.steps);
    const eta = Number(v.eta);
    const metric = METRICS[v.metric];
    const you = nearestRow(t, steps, eta, v.clip);
    const atSteps = t.rows.filter((r) => r.steps === steps);
    return html`<div class="live">
        precomputed · ${t.samples} samples per point, model step ${t.modelStep.toLocaleString('en')}
      </div>
      <div class="row">
        <label
          >measure
          <select
            class="metric"
            @change=${(e: Event) => fastStore.set({ metric: (e.target as HTMLSelectElement).value as Metric })}
          >
            ${Object.entries(METRICS).map(([k, m]) => html`<option value=${k} ?selected=${k === v.metric}>${m.label}</option>`)}
          </select></label
        >
      </div>
      <dl-line-plot
        .series=${tableSeries(t, v.metric)}
        .highlight=${you ? { x: steps, y: metric.value(you), label: `you: η=${you.eta}` } : null}
        .marker=${null}
        xType="log"
        yType=${metric.log ? 'log' : 'linear'}
        xLabel="sampling steps (network calls)"
        yLabel=${metric.axis}
        dots
        width="560"
        height="300"
        label=${`${metric.label} against the number of sampling steps for each sampler`}
        note=${`Real digits score FID ${t.rows[0]?.result.fidRealFloor.toFixed(1) ?? '–'} at this sample count: a reference, not a floor (a slightly less varied set can score lower). ${you ? '' : `Steps = ${steps} was not measured: the table has ${[...new Set(t.rows.map((r) => r.steps))].sort((a, b) => a - b).join(', ')}.`}`}
      ></dl-line-plot>
      ${
        atSteps.length
          ? html`<table class="at-steps">
              <caption style="text-align:left;font-size:0.9em">
                Measured at ${steps} steps (s / image: wall time on a shared machine, noisy; every sampler
                costs one network call per step)
              </caption>
              <tr>
                <th>sampler</th>
                <th>FID ↓</th>
                <th>confident ↑</th>
                <th>precision</th>
                <th>recall</th>
                <th>s / image</th>
              </tr>
              ${atSteps.map(
                (r) =>
                  html`<tr class=${r === you ? 'you' : ''}>
                    <td>${samplerLabel(r)}</td>
                    <td>${r.result.fid.toFixed(1)}</td>
                    <td>${(100 * r.result.confidentShare).toFixed(0)}%</td>
                    <td>${(100 * r.result.precision).toFixed(0)}%</td>
                    <td>${(100 * r.result.recall).toFixed(0)}%</td>
                    <td>${r.result.secondsPerImage.toFixed(2)}</td>
                  </tr>`,
              )}
            </table>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-steps-quality': DlStepsQuality;
  }
}
