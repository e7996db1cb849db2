import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BackendInfo } from '../runtime/backend';

/** Shows which TF.js backend runs (webgpu, webgl, wasm, cpu), on what device, and why any fallback happened. */
@customElement('dl-backend-chip')
export class DlBackendChip extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      font:
        0.85rem/1.2 system-ui,
        sans-serif;
    }
    details {
      position: relative;
    }
    summary {
      cursor: pointer;
      list-style: none;
      padding: 0.25em 0.7em;
      border-radius: 999px;
      border: 1px solid var(--dl-border, #8886);
      background: var(--dl-chip-bg, #8881);
      white-space: nowrap;
    }
    summary::-webkit-details-marker {
      display: none;
    }
    summary:focus-visible {
      outline: 2px solid var(--dl-accent, #36c);
      outline-offset: 2px;
    }
    .dot {
      display: inline-block;
      width: 0.6em;
      height: 0.6em;
      border-radius: 50%;
      margin-right: 0.4em;
      background: var(--c);
    }
    .panel {
      position: absolute;
      right: 0;
      z-index: 10;
      margin-top: 0.4em;
      padding: 0.7em 0.9em;
      width: min(26rem, 80vw);
      background: var(--dl-bg, #fff);
      color: inherit;
      border: 1px solid var(--dl-border, #8886);
      border-radius: 8px;
      box-shadow: 0 4px 16px #0003;
    }
    ul {
      margin: 0.3em 0 0;
      padding-left: 1.2em;
    }
    .err {
      color: var(--dl-danger, #c33);
    }
  `;

  /** The running backend; null while it starts. */
  @property({ attribute: false }) info: BackendInfo | null = null;
  /** Why no backend could start, if so. */
  @property() error = '';
  /** TF.js is not loaded yet (the home page runs no model; it loads with the first lesson). */
  @property({ type: Boolean }) idle = false;

  override render() {
    if (this.error) {
      return html`<details>
        <summary class="err"><span class="dot" style="--c:#c33"></span>no backend</summary>
        <div class="panel">${this.error}</div>
      </details>`;
    }
    const i = this.info;
    if (!i && this.idle)
      return html`<details>
        <summary><span class="dot" style="--c:#999"></span>TF.js not loaded</summary>
        <div class="panel">
          This page runs no model, so TF.js is not loaded yet. It starts with the first lesson you open, and
          on a first visit each backend is timed once (a few seconds) to keep the fastest.
        </div>
      </details>`;
    if (!i)
      return html`<details>
        <summary title="On a first visit each backend is timed once, a few seconds">
          <span class="dot" style="--c:#999"></span>starting TF.js…
        </summary>
      </details>`;
    const colour = { webgpu: '#2a2', webgl: '#7a2', wasm: '#c80', cpu: '#c33' }[i.name];
    return html`<details>
      <summary aria-label="TF.js backend: ${i.name}, ${i.device}. Show details">
        <span class="dot" style="--c:${colour}"></span>${i.name}
      </summary>
      <div class="panel">
        <div><strong>Backend:</strong> ${i.name}</div>
        <div><strong>Device:</strong> ${i.device}</div>
        ${i.requested ? html`<div>The URL asked for <code>${i.requested}</code>.</div>` : nothing}
        ${
          i.unknownRequest
            ? html`<div class="err">
                The address asked for a backend called <code>${i.unknownRequest}</code>, which does not exist
                (webgpu, webgl, wasm or cpu): ignored.
              </div>`
            : nothing
        }
        ${
          i.measured?.length
            ? html`<div>
                <strong>Chosen by speed</strong>${i.remembered ? ' (measured on an earlier visit)' : ''}: the
                same small probe on each backend that started, fastest first:
                <ul class="measured">
                  ${i.measured.map(
                    (m) =>
                      html`<li>
                        <code>${m.name}</code>: ${m.ms.toFixed(0)}
                        ms${m.software ? ' (a software GPU: the CPU pretending)' : ''}
                      </li>`,
                  )}
                </ul>
              </div>`
            : nothing
        }
        ${
          i.skipped.length
            ? html`<div>
                <strong>${i.measured ? 'Could not start' : 'Why not faster'}:</strong>
                <ul>
                  ${i.skipped.map((s) => html`<li><code>${s.name}</code>: ${s.reason}</li>`)}
                </ul>
              </div>`
            : i.measured
              ? nothing
              : html`<div>The first choice worked; nothing fell back.</div>`
        }
        <div style="margin-top:.4em">
          Add <code>&amp;backend=wasm</code> (or webgpu, webgl, cpu) to the address to pick one.
        </div>
      </div>
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-backend-chip': DlBackendChip;
  }
}
