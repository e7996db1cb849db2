import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { GatedRun } from '../../src/notebook/gated-run';
import { imageToSigned, MNIST_PIXELS } from '../../src/data/mnist-asset';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { MnistController } from '../../src/notebook/controllers';
import { inversionWalkInWorker, onePassInWorker } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import { familyStore } from './params';

/** Digits along each walk, ends included. */
export const FRAMES = 10;
/** DDIM steps of the diffusion walk, both ways. */
export const INVERSION_STEPS = 20;

/**
 * A walk between two codes (seeds a and b) along the arc between them, decoded by the GAN's generator
 * and by the VAE's decoder: every point of a one-pass model's code space is some image. Beside them,
 * diffusion's counterpart: two test digits DDIM-inverted to their noises, the arc between the noises,
 * and DDIM back from every point of it (its own run, redone only when its two digits change: 20 network
 * calls on both digits to invert, 20 on the ten points of the walk).
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
  /** The diffusion walk (its own run: 40 network calls, redone only when its two digits change; read by tests). */
  @state() diffusion: Float32Array | null = null;
  private readonly mnist = new MnistController(this, 'test');

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

  private readonly diffusionRunner = new GatedRun<{ da: number; db: number }>(this, {
    args: () => (this.mnist.data ? { da: familyStore.values.da, db: familyStore.values.db } : null),
    key: (x) => `${x.da}|${x.db}`,
    cheap: () => true,
    errorPrefix: 'The diffusion walk failed',
    reset: () => (this.diffusion = null),
    task: async (x, signal) => {
      const d = this.mnist.data!;
      const images = new Float32Array(2 * MNIST_PIXELS);
      images.set(imageToSigned(d.images, x.da), 0);
      images.set(imageToSigned(d.images, x.db), MNIST_PIXELS);
      const walk = await inversionWalkInWorker({
        model: SHIPPED_MODELS.ddpmMnist,
        images,
        steps: INVERSION_STEPS,
        frames: FRAMES,
        signal,
      });
      if (!signal.aborted) this.diffusion = walk;
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
    this.diffusionRunner.argsChanged();
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
        ${intInput('diffusion: from test digit', 'da', v.da, (n) => familyStore.set({ da: n }), { max: 9999 })}
        ${intInput('to test digit', 'db', v.db, (n) => familyStore.set({ db: n }), { max: 9999 })}
      </div>
      ${cellStatus({ text: this.mnist.error, failed: !!this.mnist.error }, this.runner.error || this.diffusionRunner.error)}
      ${this.runner.running && !w ? html`<p class="status" role="status">Decoding…</p>` : nothing}
      ${
        w
          ? html`<div class="grid">
              ${row('GAN', w.gan)}${row('VAE (mean)', w.vae)}
              ${
                this.diffusion
                  ? html`<span>diffusion (DDIM-inverted test digits ${v.da} and ${v.db})</span>
                      <dl-image-grid
                        .data=${this.diffusion}
                        .count=${FRAMES}
                        columns=${FRAMES}
                        label=${`diffusion: ${FRAMES} digits on the way between the DDIM-inverted noises of test digits ${v.da} and ${v.db}`}
                      ></dl-image-grid>`
                  : html`<span>diffusion</span
                      ><span class="status" role="status"
                        >Inverting the two test digits and walking back (40 network calls)…</span
                      >`
              }
            </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-family-interpolate': DlFamilyInterpolate;
  }
}
