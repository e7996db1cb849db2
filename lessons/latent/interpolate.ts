import { LitElement, css, html } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, type MnistSplit } from '../../src/data/mnist-asset';
import { LatentModelController, MnistController, type ShippedLatent } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { StoreController } from '../../src/notebook/store';
import { interpolateLatent, interpolatePixels } from '../../src/pipelines/latent';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import { latentStore } from './params';

/** Frames from digit a to digit b, both ends included. */
export const FRAMES = 9;

/**
 * Between two digits: a straight line in pixel space (a cross-fade: two half-digits on top of each
 * other) and a straight line in the autoencoder's latent space, decoded (a morph through shapes that
 * look like handwriting), both computed live.
 */
@customElement('dl-latent-interpolate')
export class DlLatentInterpolate extends LitElement {
  static override styles = [
    cellStyles,
    css`
      figure {
        margin: 0.4rem 0;
        max-width: 40em;
      }
    `,
  ];

  private readonly params = new StoreController(this, latentStore);
  private readonly mnist = new MnistController(this, 'test');
  private readonly models = new LatentModelController(this);
  /** The two rows on screen (read by tests). */
  @state() rows: { key: string; pixels: Float32Array; latent: Float32Array } | null = null;

  private readonly runner = new GatedRun<{ key: string; m: ShippedLatent; d: MnistSplit }>(this, {
    args: () => {
      const m = this.models.value;
      const d = this.mnist.data;
      const { a, b } = latentStore.values;
      return m && d ? { key: `${a}:${b}`, m, d } : null;
    },
    key: (a) => a.key,
    cheap: () => true,
    debounceMs: 100,
    errorPrefix: 'The interpolation could not run',
    task: async ({ key, m, d }) => {
      const { a, b } = latentStore.values;
      const xa = imageToSigned(d.images, a);
      const xb = imageToSigned(d.images, b);
      const pixels = interpolatePixels(xa, xb, FRAMES);
      const latent = await interpolateLatent(m.autoencoder.net, xa, xb, FRAMES);
      this.rows = { key, pixels, latent };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = latentStore.values;
    const r = this.rows;
    const status = this.models.status() || this.mnist.status();
    return html`
      <div class="live">live · computed in your browser</div>
      <div class="row">
        ${intInput('from test digit #', 'a', v.a, (n) => latentStore.set({ a: n }), { max: 9999 })}
        ${intInput('to test digit #', 'b', v.b, (n) => latentStore.set({ b: n }), { max: 9999 })}
        <button
          type="button"
          @click=${() =>
            latentStore.set({ a: Math.floor(Math.random() * 10000), b: Math.floor(Math.random() * 10000) })}
        >
          Two other digits
        </button>
      </div>
      ${cellStatus({ text: status, failed: !!(this.models.error || this.mnist.error) }, this.runner.error)}
      <figure>
        <dl-image-grid
          class="pixels"
          .data=${r?.pixels ?? new Float32Array(0)}
          .count=${r ? FRAMES : 0}
          columns=${FRAMES}
          label="a straight line between the two digits in pixel space: a cross-fade"
        ></dl-image-grid>
        <figcaption>in pixel space: (1 − α)·x_a + α·x_b, α from 0 to 1</figcaption>
      </figure>
      <figure>
        <dl-image-grid
          class="latent"
          .data=${r?.latent ?? new Float32Array(0)}
          .count=${r ? FRAMES : 0}
          columns=${FRAMES}
          label="a straight line between the two digits in latent space, decoded"
        ></dl-image-grid>
        <figcaption>in latent space: decode((1 − α)·z_a + α·z_b)</figcaption>
      </figure>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-latent-interpolate': DlLatentInterpolate;
  }
}
