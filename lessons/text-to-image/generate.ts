import { stepOfIndex } from '../../src/diffusion/schedule';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { GatedRun } from '../../src/notebook/gated-run';
import { cardLinks } from '../../src/notebook/model-info';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { textToImageInWorker, type TextToImageFrame } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import type { BpeTokenizer } from '../../src/text/bpe';
import { shippedTokenizer } from './models';
import { PROMPT_URL_CHARS, t2iStore } from './params';

/** Images drawn per run, and denoising steps (each one batched call for both predictions). */
export const COUNT = 4;
export const STEPS = 20;
/** The latent grid (7x7 of the autoencoder, padded to 8x8 for the U-Net). */
const GRID = 8;
const SHOWN_GRID = 7;

/**
 * Text to image, every stage of a step visible: the unconditional (or negative-prompt), conditional and
 * guided x̂₀, decoded, side by side, and where each token of the prompt is looked at (the cross-attention
 * maps, averaged over heads and layers). Runs in the sampling worker, again whenever the prompt, the
 * negative prompt, the guidance or the seed changes.
 */
@customElement('dl-t2i-generate')
export class DlT2iGenerate extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .panels {
        display: grid;
        grid-template-columns: repeat(3, minmax(0, 10em));
        gap: 0.6rem;
      }
      figure {
        margin: 0;
      }
      .maps {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin: 0.4rem 0;
      }
      .maps figure {
        width: 5.5em;
        text-align: center;
        font-family: var(--dl-mono, monospace);
        font-size: 0.85em;
      }
      .maps canvas {
        width: 100%;
        image-rendering: pixelated;
        border-radius: 3px;
        display: block;
      }
      input.neg {
        width: min(100%, 22em);
      }
      @media (max-width: 600px) {
        .panels {
          grid-template-columns: repeat(3, minmax(0, 1fr));
        }
      }
    `,
  ];

  private readonly params = new StoreController(this, t2iStore);
  /** Frames of the last run (read by tests). */
  @state() frames: TextToImageFrame[] = [];
  @state() private shown = -1;
  @state() private image = 0;
  @state() private ms = 0;
  @state() private tokenizer: BpeTokenizer | null = null;
  @query('.maps') private mapsEl?: HTMLElement;
  /** The replay timer while the steps play back (null when still). */
  @state() private playing: ReturnType<typeof setInterval> | null = null;

  /** Replay the denoising from the first step to the last, a frame every 150 ms. */
  play(): void {
    this.stop();
    this.shown = 0;
    this.playing = setInterval(() => {
      if (this.shown >= this.frames.length - 1) this.stop();
      else this.shown++;
    }, 150);
  }

  stop(): void {
    if (this.playing !== null) clearInterval(this.playing);
    this.playing = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private readonly runner = new GatedRun<{
    prompt: string;
    negative: string;
    guidance: number;
    seed: number;
  }>(this, {
    args: () => {
      const v = t2iStore.values;
      return { prompt: v.prompt, negative: v.neg, guidance: v.w, seed: v.seed };
    },
    key: (a) => JSON.stringify(a),
    cheap: () => true, // 20 steps of an 8x8 U-Net on 8 latents: about a second on WASM
    errorPrefix: 'Drawing failed',
    task: async (a, signal) => {
      const frames: TextToImageFrame[] = [];
      const t0 = performance.now();
      for await (const f of textToImageInWorker({
        ...a,
        n: COUNT,
        steps: STEPS,
        inspect: true,
        previews: true,
        signal,
      }))
        frames.push(f);
      if (signal.aborted) return;
      this.ms = performance.now() - t0;
      this.frames = frames;
      this.shown = frames.length - 1;
    },
  });

  override connectedCallback(): void {
    super.connectedCallback();
    void shippedTokenizer().then((t) => (this.tokenizer = t));
  }

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  protected override updated(_: PropertyValues): void {
    this.drawMaps();
  }

  /** The tokens the maps are labelled with: those of the prompt, without the padding. */
  private tokens(): string[] {
    if (!this.tokenizer) return [];
    const e = this.tokenizer.encode(t2iStore.values.prompt);
    return e.tokens.slice(0, e.length);
  }

  /** Each token's attention over the 7x7 latent grid, as a heat map over the decoded guess. */
  private drawMaps(): void {
    const f = this.frames[this.shown];
    const host = this.mapsEl;
    if (!f?.attention || !host) return;
    const L = f.attention.length / (COUNT * GRID * GRID);
    const canvases = host.querySelectorAll('canvas');
    const img = f.image.subarray(this.image * 784, (this.image + 1) * 784);
    // one scale for all the maps of this image, so a token that draws little attention looks dark
    let globalMax = 1e-9;
    for (let cell = 0; cell < GRID * GRID; cell++) {
      if (cell % GRID >= SHOWN_GRID || cell >= SHOWN_GRID * GRID) continue;
      for (let token = 0; token < canvases.length; token++)
        globalMax = Math.max(globalMax, f.attention[(this.image * GRID * GRID + cell) * L + token]!);
    }
    canvases.forEach((canvas, token) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const size = 28;
      canvas.width = size;
      canvas.height = size;
      const out = ctx.createImageData(size, size);
      // this token's attention at each of the 7x7 cells (the padding row and column are left out)
      const a = new Float32Array(SHOWN_GRID * SHOWN_GRID);
      for (let y = 0; y < SHOWN_GRID; y++)
        for (let x = 0; x < SHOWN_GRID; x++) {
          const cell = y * GRID + x;
          a[y * SHOWN_GRID + x] = f.attention![(this.image * GRID * GRID + cell) * L + token]!;
        }
      const max = globalMax;
      for (let p = 0; p < size * size; p++) {
        const px = p % size;
        const py = Math.floor(p / size);
        const heat =
          a[Math.floor((py * SHOWN_GRID) / size) * SHOWN_GRID + Math.floor((px * SHOWN_GRID) / size)]! / max;
        const ink = (img[p]! + 1) / 2;
        // the digit in dim grey, the attention in orange on top of it
        const grey = 0.35 * ink;
        out.data[4 * p] = Math.round(255 * Math.max(grey, heat));
        out.data[4 * p + 1] = Math.round(255 * Math.max(grey, heat * 0.55));
        out.data[4 * p + 2] = Math.round(255 * grey);
        out.data[4 * p + 3] = 255;
      }
      ctx.putImageData(out, 0, 0);
    });
  }

  override render() {
    const v = t2iStore.values;
    const f = this.frames[this.shown];
    const tokens = this.tokens();
    const against = v.neg ? `the negative prompt "${v.neg}"` : 'the empty prompt';
    const one = (data: Float32Array | undefined, cls: string, label: string, caption: string) =>
      data
        ? html`<figure>
            <dl-image-grid
              class=${cls}
              .data=${data}
              .count=${COUNT}
              columns="2"
              label=${label}
            ></dl-image-grid>
            <figcaption>${caption}</figcaption>
          </figure>`
        : nothing;
    return html`
      <div class="live">live · the text-to-image model draws in your browser</div>
      ${cardLinks([
        { model: SHIPPED_MODELS.tokenizerMnist, name: 'tokenizer' },
        { model: SHIPPED_MODELS.clipMnist, name: 'text encoder' },
        { model: SHIPPED_MODELS.t2iMnist, name: 'text-to-image U-Net' },
        { model: SHIPPED_MODELS.autoencoderMnist, name: 'autoencoder (decoder)' },
      ])}
      <p class="status">
        Prompt: <q>${v.prompt.length > 80 ? `${v.prompt.slice(0, 80)}…` : v.prompt}</q> (edit it above)
      </p>
      <div class="row">
        <dl-slider
          class="guidance"
          label="guidance w"
          min="0"
          max="10"
          step="0.5"
          .value=${v.w}
          @dl-change=${(e: { value: number }) => t2iStore.set({ w: e.value })}
        ></dl-slider>
        ${intInput('seed', 'seed', v.seed, (n) => t2iStore.set({ seed: n }))}
        <button type="button" @click=${() => t2iStore.set({ seed: (v.seed + 1) % 2 ** 31 })}>
          New noise
        </button>
      </div>
      <div class="row">
        <label
          >negative prompt
          <input
            class="neg"
            type="text"
            maxlength=${PROMPT_URL_CHARS}
            .value=${v.neg}
            placeholder="(empty: no text)"
            @change=${(e: Event) => t2iStore.set({ neg: (e.target as HTMLInputElement).value })}
        /></label>
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        f
          ? html`<div class="panels">
                ${one(f.unconditional, 'uncond', `the model's guess of the final digits from ${against} after step ${f.index + 1}`, `x̂₀ from ${v.neg ? 'the negative prompt' : 'no text'}`)}
                ${one(f.conditional, 'cond', `the model's guess from the prompt alone after step ${f.index + 1}`, 'x̂₀ from the prompt')}
                ${one(f.image, 'guided', `the guided guess after step ${f.index + 1}, which the sampler follows`, `x̂₀ guided, w = ${v.w}`)}
              </div>
              <dl-slider
                class="step-slider"
                label="step"
                min="1"
                max=${this.frames.length}
                .value=${this.shown + 1}
                @dl-change=${(e: { value: number }) => {
                  this.stop();
                  this.shown = e.value - 1;
                }}
              ></dl-slider>
              <button
                type="button"
                class="play"
                @click=${() => (this.playing === null ? this.play() : this.stop())}
              >
                ${this.playing === null ? '▶ Replay the steps' : '⏸ Pause'}
              </button>
              <p class="status">
                Each panel decodes the model's guess x̂₀ of the final latents after step ${f.index + 1} of
                ${f.total} (from t = ${stepOfIndex(f.t)}). The sampler follows the guided prediction, ε̂(∅) +
                w·(ε̂(c) − ε̂(∅)).
              </p>
              <h4>Where each token looks</h4>
              <div class="row" role="group" aria-label="which image the maps are for">
                ${Array.from(
                  { length: COUNT },
                  (_, i) =>
                    html`<button
                      type="button"
                      aria-pressed=${this.image === i}
                      @click=${() => (this.image = i)}
                    >
                      image ${i + 1}
                    </button>`,
                )}
              </div>
              <div class="maps">
                ${tokens.map(
                  (t) =>
                    html`<figure>
                      <canvas
                        role="img"
                        aria-label="attention of the latent grid to the token ${t} at step ${f.index + 1}, over image ${this.image + 1}"
                      ></canvas>
                      <figcaption>${t}</figcaption>
                    </figure>`,
                )}
              </div>
              <p class="status">
                ${STEPS} steps, two predictions each in one batched call, ${COUNT} images, decoding every
                step: ${(this.ms / 1000).toFixed(2)} s.
              </p>`
          : html`<p class="status">${this.runner.running ? 'Loading the models and drawing…' : ''}</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-t2i-generate': DlT2iGenerate;
  }
}
