import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { T2iEvalFile } from '../../src/metrics/adherence';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import { StoreController } from '../../src/notebook/store';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/line-plot';
import type { LineSeries } from '../../src/widgets/line-plot';
import { t2iStore } from './params';

/** One array for the fixed y domain, so the chart does not see a new value on every render. */
const SHARE: [number, number] = [0, 1];

/**
 * The fidelity/diversity trade-off of guidance, measured: for the unseen phrasings, the share of images
 * whose digit and attributes match the prompt, and the diversity within a prompt, against the guidance
 * scale, with the cell's live setting marked (precomputed; the figure's command is on the model card).
 */
@customElement('dl-t2i-curve')
export class DlT2iCurve extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .charts {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
      dl-line-plot {
        flex: 1 1 340px;
        max-width: 30em;
      }
    `,
  ];

  private readonly params = new StoreController(this, t2iStore);
  /** The committed evaluation, once loaded (read by tests). */
  @state() data: T2iEvalFile | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.data) return;
    fetch(new URL(modelFile(SHIPPED_MODELS.t2iMnist, 'eval'), document.baseURI))
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json() as Promise<T2iEvalFile>;
      })
      .then(
        (d) => (this.data = d),
        (e: Error) => (this.error = `The measurements could not load (${e.message}).`),
      );
  }

  override render() {
    const d = this.data;
    if (!d)
      return html`<p class=${this.error ? 'error' : 'status'} role="status">
        ${this.error || 'Loading the measurements…'}
      </p>`;
    const rows = d.rows.filter((r) => r.family === 'unseen').sort((a, b) => a.guidance - b.guidance);
    const x = rows.map((r) => r.guidance);
    const share: LineSeries[] = [
      { name: 'digit', x, y: rows.map((r) => r.digit) },
      { name: 'thickness', x, y: rows.map((r) => r.thickness) },
      { name: 'slant', x, y: rows.map((r) => r.slant) },
      { name: 'width', x, y: rows.map((r) => r.width) },
    ];
    const diversity: LineSeries[] = [
      { name: 'diversity within a prompt', x, y: rows.map((r) => r.diversity) },
    ];
    return html`<div class="live">
        precomputed · ${d.prompts} prompts in phrasings the model never saw, ${d.perPrompt} images each, model
        step ${d.modelStep.toLocaleString('en')}; the dashed line is the guidance set above
      </div>
      <div class="charts">
        <dl-line-plot
          class="adherence"
          .series=${share}
          .marker=${t2iStore.values.w}
          .yDomain=${SHARE}
          xLabel="guidance w"
          yLabel="share matching the prompt"
          dots
          label="share of images whose digit, thickness, slant and width match the prompt, against the guidance scale"
        ></dl-line-plot>
        <dl-line-plot
          class="diversity"
          .series=${diversity}
          .marker=${t2iStore.values.w}
          xLabel="guidance w"
          yLabel="diversity (real digits: 1)"
          dots
          label="diversity of the images of one prompt relative to real digits of that class, against the guidance scale"
        ></dl-line-plot>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-t2i-curve': DlT2iCurve;
  }
}
