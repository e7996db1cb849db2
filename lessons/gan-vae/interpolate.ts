import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { GatedRun } from '../../src/notebook/gated-run';
import { onePassInWorker } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import { familyStore } from './params';

/** Digits along each walk, ends included. */
export const FRAMES = 10;

/**
 * A walk between two codes (seeds a and b) along the arc between them, decoded by the GAN's generator
 * and by the VAE's decoder: every point of a one-pass model's code space is some image.
 */
@customElement('dl-family-interpolate')
export class DlFamilyInterpolate extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: minmax(6em, 9em) minmax(0, 34em);
        gap: 0.4rem 0.8rem;
        align-items: center;
      }
    `,
  ];

  protected readonly params = new StoreController(this, familyStore);
  /** The two walks on screen (read by tests). */
  @state() walks: { gan: Float32Array; vae: Float32Array } | null = null;

  private readonly runner = new GatedRun<{ a: number; b: number }>(this, {
    args: () => ({ a: familyStore.values.a, b: familyStore.values.b }),
    key: (x) => `${x.a}|${x.b}`,
    cheap: () => true,
    errorPrefix: 'The interpolation failed',
    reset: () => (this.walks = null),
    task: async (x, signal) => {
      const seeds: [number, number] = [x.a, x.b];
      const gan = await onePassInWorker({ op: 'interpolate', kind: 'gan', seeds, frames: FRAMES });
      const vae = await onePassInWorker({ op: 'interpolate', kind: 'vae', seeds, frames: FRAMES });
      if (!signal.aborted) this.walks = { gan, vae };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const v = familyStore.values;
    const w = this.walks;
    const row = (name: string, images: Float32Array) =>
      html`<span>${name}</span>
        <dl-image-grid
          .data=${images}
          .count=${FRAMES}
          columns=${FRAMES}
          label=${`${name}: ${FRAMES} digits on the way from the code of seed ${v.a} to the code of seed ${v.b}`}
        ></dl-image-grid>`;
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${intInput('from seed', 'a', v.a, (n) => familyStore.set({ a: n }))}
        ${intInput('to seed', 'b', v.b, (n) => familyStore.set({ b: n }))}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${this.runner.running && !w ? html`<p class="status" role="status">Decoding…</p>` : nothing}
      ${w ? html`<div class="grid">${row('GAN', w.gan)}${row('VAE (mean)', w.vae)}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-family-interpolate': DlFamilyInterpolate;
  }
}
