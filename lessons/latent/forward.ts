import { LitElement, css, html } from 'lit';
import { cellStatus } from '../../src/widgets/cell-status';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, type MnistSplit } from '../../src/data/mnist-asset';
import { normals } from '../../src/diffusion/random';
import { indexOfStep, makeSchedule } from '../../src/diffusion/schedule';
import { LatentModelController, MnistController, type ShippedLatent } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { StoreController } from '../../src/notebook/store';
import { noiseBothSpaces, type NoisedPair } from '../../src/pipelines/latent';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { latentStore } from './params';
import { latentPlanes } from './planes';

/**
 * The forward process in both spaces at the same t: the digit's pixels noised, and its latent noised
 * and then decoded, so a student sees what "noise in latent space" looks like once decoded.
 */
@customElement('dl-latent-forward')
export class DlLatentForward extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .panels {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        margin: 0.6rem 0;
      }
      figure {
        margin: 0;
        width: 8em;
      }
      figure.latent {
        width: 17em;
      }
    `,
  ];

  private readonly params = new StoreController(this, latentStore);
  private readonly mnist = new MnistController(this, 'test');
  private readonly models = new LatentModelController(this);
  /** What is on screen (read by tests). */
  @state() shown: (NoisedPair & { key: string; x0: Float32Array }) | null = null;

  private readonly runner = new GatedRun<{ key: string; m: ShippedLatent; d: MnistSplit }>(this, {
    args: () => {
      const m = this.models.value;
      const d = this.mnist.data;
      const { digit, t, seed } = latentStore.values;
      return m && d ? { key: `${digit}:${t}:${seed}`, m, d } : null;
    },
    key: (a) => a.key,
    cheap: () => true,
    debounceMs: 0,
    errorPrefix: 'The forward process could not run',
    task: async ({ key, m, d }) => {
      const { digit, t, seed } = latentStore.values;
      const x0 = imageToSigned(d.images, digit);
      const schedule = makeSchedule(m.ldm.meta.schedule);
      let k = 0;
      // ᾱ after t steps (Ho et al.'s numbering: t = 0 is the clean digit, ᾱ = 1)
      const pair = await noiseBothSpaces(m.codec, x0, t === 0 ? 1 : schedule.alphaBar[indexOfStep(t)]!, (n) =>
        normals(n, seed * 2 + k++),
      );
      this.shown = { ...pair, key, x0 };
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
    const s = this.shown;
    const shape = this.models.value?.autoencoder.net.latentShape as [number, number, number] | undefined;
    const status = this.models.status() || this.mnist.status();
    return html`
      <div class="live">live · computed in your browser</div>
      <div class="row">
        <dl-slider
          class="t-slider"
          label="timestep t"
          min="0"
          max="1000"
          .value=${v.t}
          @dl-change=${(e: { value: number }) => latentStore.set({ t: e.value })}
        ></dl-slider>
      </div>
      <div class="row">
        ${intInput('test digit #', 'fdigit', v.digit, (n) => latentStore.set({ digit: n }), { max: 9999 })}
        ${intInput('noise seed', 'seed', v.seed, (n) => latentStore.set({ seed: n }))}
      </div>
      ${cellStatus({ text: status, failed: !!(this.models.error || this.mnist.error) }, this.runner.error)}
      <div class="panels">
        <figure>
          <dl-image-grid
            class="x0"
            .data=${s?.x0 ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            label="the clean digit"
          ></dl-image-grid>
          <figcaption>x₀</figcaption>
        </figure>
        <figure>
          <dl-image-grid
            class="pixel-xt"
            .data=${s?.pixelNoised ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            label="the digit's pixels noised to step ${v.t}"
          ></dl-image-grid>
          <figcaption>pixels noised to t = ${v.t}</figcaption>
        </figure>
        ${latentPlanes(
          {
            cls: 'latent-zt',
            planes: s?.latentPlanes,
            shape,
            label: `the digit's latent noised to step ${v.t}, channel by channel`,
          },
          `its latent noised to t = ${v.t}`,
        )}
        <figure>
          <dl-image-grid
            class="latent-decoded"
            .data=${s?.latentDecoded ?? new Float32Array(0)}
            .count=${s ? 1 : 0}
            label="the noised latent, decoded to pixels"
          ></dl-image-grid>
          <figcaption>that latent, decoded</figcaption>
        </figure>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-latent-forward': DlLatentForward;
  }
}
