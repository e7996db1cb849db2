import { html, nothing, type TemplateResult } from 'lit';

/**
 * The two lines a live cell shows above its figures: what is still loading (or failed to load), and
 * the error of its last run. Either is left out when empty.
 */
export function cellStatus(loading: { text: string; failed: boolean }, runError = ''): TemplateResult {
  return html`${
    loading.text
      ? html`<p class=${loading.failed ? 'error' : 'status'} role="status">${loading.text}</p>`
      : nothing
  }
  ${runError ? html`<p class="error" role="alert">${runError}</p>` : nothing}`;
}
