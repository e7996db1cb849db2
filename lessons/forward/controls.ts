/** Controls shared by the lesson's cells: timestep, schedule, zero-terminal-SNR and seed. */
import { html } from 'lit';
import { BETA_SCHEDULE_KINDS, type BetaScheduleKind } from '../../src/diffusion/schedule';
import '../../src/widgets/slider';
import { T } from './params';
import { forwardStore } from './state';

export const SCHEDULE_LABELS: Record<BetaScheduleKind, string> = {
  linear: 'linear (DDPM)',
  cosine: 'cosine (Improved DDPM)',
  'scaled-linear': 'scaled-linear (Stable Diffusion)',
  sigmoid: 'sigmoid',
};

export function timestepSlider(label = 'timestep t') {
  return html`<dl-slider
    class="t-slider"
    label=${label}
    min="0"
    max=${T}
    .value=${forwardStore.values.t}
    @dl-change=${(e: { value: number }) => forwardStore.set({ t: e.value })}
  ></dl-slider>`;
}

export function scheduleControls() {
  const v = forwardStore.values;
  return html`<label
      >schedule
      <select
        class="schedule"
        @change=${(e: Event) => forwardStore.set({ schedule: (e.target as HTMLSelectElement).value as BetaScheduleKind })}
      >
        ${BETA_SCHEDULE_KINDS.map((k) => html`<option value=${k} ?selected=${k === v.schedule}>${SCHEDULE_LABELS[k]}</option>`)}
      </select></label
    >
    <label title="Rescale so the last step is pure noise (Lin et al. 2024)"
      ><input
        type="checkbox"
        class="ztsnr"
        .checked=${v.ztsnr}
        @change=${(e: Event) => forwardStore.set({ ztsnr: (e.target as HTMLInputElement).checked })}
      />
      zero terminal SNR</label
    >`;
}
