import { html } from 'lit';
import { CONFIDENT_ABOVE, QUALITY_TARGET } from '../metrics/quality';
import type { ModelController } from './controllers';
import { modelCardPage, modelFile, SHIPPED_MODELS, type ShippedModel } from '../nets/registry';

const DDPM = SHIPPED_MODELS.ddpmMnist;

/** One line saying which model runs where, and how long it trained: honest about a young model. */
export function modelInfo(c: ModelController) {
  const m = c.model?.meta;
  if (!m) return html`<p class=${c.error ? 'error' : 'status'} role="status">${c.status()}</p>`;
  const hours = m.wallSeconds
    ? ` (${(m.wallSeconds / 3600).toFixed(1)} h of training on one or two CPU cores, no GPU)`
    : '';
  return html`<p class="model-info">
    Shipped model: ${c.model!.net.paramCount.toLocaleString('en')}-parameter U-Net, trained
    ${(m.step ?? 0).toLocaleString('en')} steps${hours}; running on <strong>${c.backend?.name}</strong>.
    ${quality(c)}
    <a href=${modelCardPage(DDPM)} target="_blank" rel="noopener">Model card</a>
  </p>`;
}

/** What the target run measured on these weights, when it has been run: how good "trained" is. */
function quality(c: ModelController) {
  const q = c.quality;
  if (!q) return '';
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return html`Of ${q.row.samples.toLocaleString('en')} digits it drew with the
    ${QUALITY_TARGET.steps.toLocaleString('en')}-step sampler, the project's classifier reads
    <strong class="quality">${pct(q.row.confidentShare)}</strong> as a digit with confidence &gt;
    ${CONFIDENT_ABOVE}${q.real ? html` (real digits: ${pct(q.real.confidentShare)})` : ''};
    <a href=${modelFile(DDPM, 'samples')} target="_blank" rel="noopener">see 100 of them</a>.`;
}

/** Links to the model cards of the shipped models a cell runs, each opening in a new tab. */
export function cardLinks(models: readonly { model: ShippedModel; name: string }[]) {
  return html`<p class="model-info">
    Model card${models.length > 1 ? 's' : ''}:
    ${models.map(
      (m, i) =>
        html`${i ? ' · ' : ''}<a href=${modelCardPage(m.model)} target="_blank" rel="noopener">${m.name}</a>`,
    )}
  </p>`;
}
