import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import {
  BETA_SCHEDULE_KINDS,
  logSnr,
  sqrtAlphaBar,
  sqrtOneMinusAlphaBar,
  stepAxis,
  type NoiseSchedule,
} from '../../src/diffusion/schedule';
import { cellStyles } from '../../src/widgets/cell-styles';
import { StoreController } from '../../src/notebook/store';
import '../../src/widgets/line-plot';
import type { LineSeries } from '../../src/widgets/line-plot';
import { SCHEDULE_LABELS, scheduleControls, timestepSlider } from './controls';
import { forwardStore, scheduleFor } from './state';

/** One array for the fixed y domain, so the chart does not see a new value on every render. */
const UNIT: [number, number] = [0, 1];

function logSnrCurve(s: NoiseSchedule): Float64Array {
  return Float64Array.from({ length: s.T }, (_, i) => logSnr(s, i));
}

/**
 * The schedule as curves: alphaBar, sqrt(alphaBar), sqrt(1 - alphaBar) against t, and log-SNR of every
 * schedule with the chosen one in colour; a marker follows the timestep.
 */
@customElement('dl-schedule-charts')
export class DlScheduleCharts extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .charts {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
      dl-line-plot {
        flex: 1 1 380px;
        max-width: 30em;
      }
    `,
  ];

  private readonly params = new StoreController(this, forwardStore);
  private key = '';
  private coefficients: LineSeries[] = [];
  private snrs: LineSeries[] = [];

  override render() {
    const v = forwardStore.values;
    const key = `${v.schedule}:${v.ztsnr}`;
    if (key !== this.key) {
      // New arrays only when the schedule changes, so scrubbing t just moves the markers.
      const s = scheduleFor(v.schedule, v.ztsnr);
      // plotted against the step t = 1..T (the arrays are 0-based: index t - 1)
      const x = stepAxis(s);
      this.coefficients = [
        { name: 'ᾱ_t', x, y: s.alphaBar },
        { name: '√ᾱ_t (signal kept)', x, y: sqrtAlphaBar(s) },
        { name: '√(1−ᾱ_t) (noise std)', x, y: sqrtOneMinusAlphaBar(s) },
      ];
      this.snrs = BETA_SCHEDULE_KINDS.map((k) => ({
        name: SCHEDULE_LABELS[k],
        x,
        y: logSnrCurve(scheduleFor(k, v.ztsnr)),
        strong: k === v.schedule,
      }));
      this.key = key;
    }
    return html`
      <div class="live">live · exact values, float64</div>
      <div class="row">${timestepSlider()}</div>
      <div class="row">${scheduleControls()}</div>
      <div class="charts">
        <dl-line-plot
          class="coefficients"
          .series=${this.coefficients}
          .marker=${v.t}
          .yDomain=${UNIT}
          yLabel="coefficient"
          label="alpha-bar, its square root and the noise standard deviation against t for the ${v.schedule} schedule"
        ></dl-line-plot>
        <dl-line-plot
          class="log-snr"
          .series=${this.snrs}
          .marker=${v.t}
          yLabel="log SNR"
          note="Grey: the other three schedules."
          label="log signal-to-noise ratio against t for all four schedules, ${v.schedule} highlighted"
        ></dl-line-plot>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-schedule-charts': DlScheduleCharts;
  }
}
