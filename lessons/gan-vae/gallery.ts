import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, MNIST_PIXELS } from '../../src/data/mnist-asset';
import { gradientEnergy } from '../../src/metrics/reconstruction';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { MnistController } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { onePassInWorker, sampleInWorker } from '../../src/notebook/inference/client';
import { GAN_BEST_OF } from '../../src/pipelines/one-pass';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import { familyStore } from './params';

/** Digits per row. */
export const GALLERY_N = 8;

export interface GalleryRow {
  id: string;
  label: string;
  images: Float32Array;
  /** Mean gradient energy / that of the real test digits in the first row. */
  sharpness: number;
}

/**
 * The same eight test digits reconstructed by the VAE and by the latent autoencoder, and eight samples of
 * each generator from one seed: the VAE's blur next to the others, with each row's sharpness (mean
 * gradient energy) against the real digits'. Everything runs in the sampling worker.
 */
@customElement('dl-family-gallery')
export class DlFamilyGallery extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: minmax(9em, 14em) minmax(0, 28em) 5em;
        gap: 0.35rem 0.8rem;
        align-items: center;
      }
      .num {
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      /* under the lesson's h2: h3, so the outline has no gap; the size of the cell's text */
      h3 {
        margin: 0.8rem 0 0.3rem;
        font-size: 1rem;
      }
    `,
  ];

  protected readonly params = new StoreController(this, familyStore);
  private readonly mnist = new MnistController(this, 'test');
  /** Rows on screen (read by tests). */
  @state() rows: GalleryRow[] = [];

  private readonly runner = new GatedRun<{ from: number; seed: number }>(this, {
    args: () => (this.mnist.data ? { from: familyStore.values.from, seed: familyStore.values.seed } : null),
    key: (a) => `${a.from}|${a.seed}`,
    cheap: () => true,
    errorPrefix: 'Drawing the digits failed',
    reset: () => (this.rows = []),
    task: async (a, signal) => {
      const d = this.mnist.data!;
      const real = new Float32Array(GALLERY_N * MNIST_PIXELS);
      for (let i = 0; i < GALLERY_N; i++) real.set(imageToSigned(d.images, a.from + i), i * MNIST_PIXELS);
      const base = gradientEnergy(real, 28);
      const rows: GalleryRow[] = [];
      const add = (id: string, label: string, images: Float32Array) => {
        rows.push({ id, label, images, sharpness: gradientEnergy(images, 28) / base });
        if (!signal.aborted) this.rows = [...rows];
      };
      add('real', `test digits ${a.from}–${a.from + GALLERY_N - 1}`, real);
      add(
        'vae-rec',
        'VAE reconstructions (decoder mean)',
        await onePassInWorker({ op: 'reconstruct', kind: 'vae', images: real }),
      );
      add(
        'ae-rec',
        'latent autoencoder reconstructions',
        await onePassInWorker({ op: 'reconstruct', kind: 'autoencoder', images: real }),
      );
      add(
        'gan',
        'GAN samples',
        await onePassInWorker({ op: 'sample', kind: 'gan', n: GALLERY_N, seed: a.seed }),
      );
      add(
        'gan-best-of',
        `GAN samples, each the best of ${GAN_BEST_OF} by its discriminator`,
        await onePassInWorker({ op: 'sample', kind: 'gan', n: GALLERY_N, seed: a.seed, bestOf: true }),
      );
      add(
        'vae-mean',
        "VAE samples: the decoder's mean",
        await onePassInWorker({ op: 'sample', kind: 'vae', n: GALLERY_N, seed: a.seed }),
      );
      add(
        'vae-sample',
        'VAE samples: mean plus the decoder noise',
        await onePassInWorker({ op: 'sample', kind: 'vae', n: GALLERY_N, seed: a.seed, noise: true }),
      );
      let last: Float32Array | null = null;
      for await (const f of sampleInWorker({
        model: SHIPPED_MODELS.ldmMnist,
        spec: { sampler: 'ddim', eta: 0, steps: 20 },
        n: GALLERY_N,
        seed: a.seed,
        every: 20,
        signal,
      }))
        if (f.x.length) last = f.x;
      if (last) add('ldm', 'latent diffusion samples (DDIM, 20 steps)', last);
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const p = familyStore.values;
    const loading = this.mnist.error
      ? { text: this.mnist.error, failed: true }
      : { text: this.mnist.data ? '' : 'Loading the test digits…', failed: false };
    const row = (r: GalleryRow) => html`
      <span>${r.label}</span>
      <dl-image-grid
        .data=${r.images}
        .count=${GALLERY_N}
        columns=${GALLERY_N}
        label=${`${r.label}: ${GALLERY_N} digits, sharpness ${r.sharpness.toFixed(2)} of the real digits'`}
      ></dl-image-grid>
      <span class="num" title="mean gradient energy / the real digits'">${r.sharpness.toFixed(2)}×</span>
    `;
    const rec = this.rows.filter((r) => ['real', 'vae-rec', 'ae-rec'].includes(r.id));
    const gen = this.rows.filter((r) => !['real', 'vae-rec', 'ae-rec'].includes(r.id));
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${intInput('first test digit', 'from', p.from, (v) => familyStore.set({ from: v }), { max: 9992 })}
        ${intInput('seed of the samples', 'seed', p.seed, (v) => familyStore.set({ seed: v }))}
      </div>
      ${cellStatus(loading, this.runner.error)}
      ${this.runner.running ? html`<p class="status" role="status">Drawing… (the diffusion row takes 20 network calls)</p>` : nothing}
      <h3>The same digits, encoded and decoded</h3>
      <div class="grid">${rec.map(row)}</div>
      <h3>New digits from seed ${p.seed}</h3>
      <div class="grid">${gen.map(row)}</div>
      <p class="note">
        Right: mean gradient energy of the row divided by that of the real test digits (1.00×). Blur lowers
        it; pixel noise raises it.
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-family-gallery': DlFamilyGallery;
  }
}
