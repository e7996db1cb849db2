import { html } from 'lit';
import type { ModelController } from '../../src/notebook/controllers';

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
    <a href="models/ddpm-mnist/README.md" target="_blank" rel="noopener">Model card</a>
  </p>`;
}
