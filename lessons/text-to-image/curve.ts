import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { T2iEvalFile } from '../../src/metrics/adherence';
import { modelFile, SHIPPED_MODELS, type ShippedModel } from '../../src/nets/registry';
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
  /** The label-conditioned twin's, on the same descriptions and seeds (drawn beside it when it loads). */
  @state() labelData: T2iEvalFile | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.data) return;
    const get = (m: ShippedModel) =>
      fetch(new URL(modelFile(m, 'eval'), document.baseURI)).then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json() as Promise<T2iEvalFile>;
      });
    get(SHIPPED_MODELS.t2iMnist).then(
      (d) => (this.data = d),
      (e: Error) => (this.error = `The measurements could not load (${e.message}).`),
    );
    get(SHIPPED_MODELS.labelLdmMnist).then(
      (d) => (this.labelData = d),
      () => undefined, // the text model's chart stands without the comparison
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
    const twin = (this.labelData?.rows ?? [])
      .filter((r) => r.family === 'label')
      .sort((a, b) => a.guidance - b.guidance);
    if (twin.length) {
      const tx = twin.map((r) => r.guidance);
      share.push(
        { name: 'digit, label model', x: tx, y: twin.map((r) => r.digit) },
        { name: 'thickness, label model', x: tx, y: twin.map((r) => r.thickness) },
      );
      diversity.push({ name: 'label model', x: tx, y: twin.map((r) => r.diversity) });
    }
    return html`<div class="live">
        precomputed · ${d.prompts} prompts in phrasings the model never saw, ${d.perPrompt} images each, model
        step ${d.modelStep.toLocaleString('en')}; the dashed line is the guidance set
        above${
          twin.length
            ? '; "label model": the same descriptions and seeds given to a twin that knows only the digit'
            : ''
        }
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
          label="share of images whose digit, thickness, slant and width match the prompt, against the guidance scale, beside the label-conditioned model's digit and thickness"
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
