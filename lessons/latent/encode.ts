import { LitElement, css, html, nothing } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import * as tf from '@tensorflow/tfjs-core';
import { imageToSigned, MNIST_PIXELS, MNIST_SIDE, type MnistSplit } from '../../src/data/mnist-asset';
import { LatentModelController, MnistController, type ShippedLatent } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { StoreController } from '../../src/notebook/store';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import { DrawnDigit } from '../../src/widgets/drawn-digit';
import '../../src/widgets/image-grid';
import { formatNumber } from '../../src/widgets/line-plot';
import { latentStore } from './params';
import { latentPlanes } from './planes';

export interface Encoded {
  key: string;
  x: Float32Array;
  /** The latent (posterior mean times the latent scale), channel after channel: C planes of h*w. */
  planes: Float32Array;
  recon: Float32Array;
  err: Float32Array;
  mse: number;
}

/** A ratio as a student reads it: 4, 2.5, 5.3 (at most one decimal, none when whole). */
const ratio = (x: number) => String(Number(x.toFixed(1)));

/** Ink below this everywhere (pixels in [-1, 1]) counts as an empty canvas. */
const EMPTY_INK = -0.5;

/**
 * Encode a test digit (or one you draw) with the shipped autoencoder: its latent channels as small
 * images, the decoded reconstruction and its error, and how much smaller the latent is.
 */
@customElement('dl-latent-encode')
export class DlLatentEncode extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .panels {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
        margin: 0.6rem 0;
      }
      figure {
        margin: 0;
        width: 8em;
      }
      figure.latent {
        width: 17em;
      }
      dl-draw-pad {
        width: 8em;
      }
      .readout {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  private readonly params = new StoreController(this, latentStore);
  private readonly mnist = new MnistController(this, 'test');
  private readonly models = new LatentModelController(this);
  @state() private shown: Encoded | null = null;
  private readonly draw = new DrawnDigit(this);
  /** What is on screen (read by tests). */
  get result(): Readonly<Encoded> | null {
    return this.shown;
  }

  private readonly runner = new GatedRun<{ key: string; m: ShippedLatent; d: MnistSplit }>(this, {
    args: () => {
      const m = this.models.value;
      const d = this.mnist.data;
      return m && d ? { key: this.key(), m, d } : null;
    },
    key: (a) => a.key,
    cheap: () => true,
    debounceMs: 0,
    errorPrefix: 'The autoencoder could not run',
    task: async ({ key, m, d }) => {
      const x = this.draw.image ?? imageToSigned(d.images, latentStore.values.digit);
      if (this.draw.on && !x.some((v) => v > EMPTY_INK))
        throw new Error('the canvas is empty: draw a digit first');
      const ae = m.autoencoder.net;
      const [h, w, c] = ae.latentShape as [number, number, number];
      const [planesT, reconT] = tf.tidy(() => {
        const z = ae.encode(tf.tensor4d(x, [1, MNIST_SIDE, MNIST_SIDE, 1])).mean; // [1, h, w, C]
        // one image per channel, in the scaled units the diffusion model sees (as the forward cell shows them)
        const planes = tf.transpose(tf.reshape(tf.mul(z, m.codec.scale), [h * w, c])); // [C, h*w]
        return [planes, tf.clipByValue(ae.decode(z), -1, 1)];
      });
      const planes = (await planesT.data()) as Float32Array;
      const recon = (await reconT.data()) as Float32Array;
      tf.dispose([planesT, reconT]);
      const err = recon.map((v, i) => Math.abs(v - x[i]!));
      const mse = err.reduce((a, e) => a + (e / 2) ** 2, 0) / MNIST_PIXELS;
      this.shown = { key, x, planes, recon, err, mse };
    },
  });

  private key(): string {
    return this.draw.on ? this.draw.key() : `digit:${latentStore.values.digit}`;
  }

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  /** Resolves once the current digit is encoded (for tests). */
  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = latentStore.values;
    const s = this.shown;
    const m = this.models.value;
    const shape = m?.autoencoder.net.latentShape as [number, number, number] | undefined;
    const latentValues = shape ? shape[0] * shape[1] * shape[2] : 0;
    const status = this.models.status() || this.mnist.status();
    return html`
      <div class="live">live · the shipped autoencoder runs in your browser</div>
      <div class="row">
        ${intInput('test digit #', 'digit', v.digit, (n) => latentStore.set({ digit: n }), {
          max: 9999,
          disabled: this.draw.on,
        })}
        ${this.draw.toggle()}
      </div>
      ${this.draw.pad('Draw a digit: it is encoded and decoded after every stroke.')}
      ${cellStatus({ text: status, failed: !!(this.models.error || this.mnist.error) }, this.runner.error)}
      <div class="panels">
        <figure>
          <dl-image-grid
            class="x"
            .data=${s?.x ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            label="the digit"
          ></dl-image-grid>
          <figcaption>the digit, ${MNIST_PIXELS} pixels</figcaption>
        </figure>
        ${latentPlanes(
          {
            cls: 'planes',
            planes: s?.planes,
            shape,
            label: `its latent: ${shape?.[2] ?? 4} channels of ${shape?.[0] ?? 7} by ${shape?.[1] ?? 7} numbers, grey is zero`,
          },
          html`its latent: ${shape ? `${shape[2]} channels of ${shape[0]}×${shape[1]}` : '…'},
          ${latentValues || '…'} numbers (grey is 0)`,
        )}
        <figure>
          <dl-image-grid
            class="recon"
            .data=${s?.recon ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            label="the decoded reconstruction"
          ></dl-image-grid>
          <figcaption>decoded from the latent</figcaption>
        </figure>
        <figure>
          <dl-image-grid
            class="err"
            .data=${s?.err ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            .range=${[0, 1]}
            label="the error of the reconstruction, black is zero"
          ></dl-image-grid>
          <figcaption>|error|, black is 0</figcaption>
        </figure>
      </div>
      <p class="readout">
        ${
          latentValues
            ? html`${MNIST_PIXELS} pixels become ${latentValues} numbers:
              ${ratio(MNIST_PIXELS / latentValues)}× fewer values, ${ratio(MNIST_SIDE / shape![0])}× smaller
              on each side.`
            : nothing
        }
        ${s ? html` Reconstruction error of this digit: MSE ${formatNumber(s.mse)} (pixels on a 0–1 scale).` : nothing}
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-latent-encode': DlLatentEncode;
  }
}
