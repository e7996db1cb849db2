import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { GatedRun } from '../../src/notebook/gated-run';
import { finalTextToImageInWorker } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/image-grid';
import { COUNT, STEPS } from './generate';
import { PROMPT_URL_CHARS, t2iStore } from './params';

/** Change one word, keep the seed: the prompt and a second prompt drawn from the very same noise. */
@customElement('dl-t2i-swap')
export class DlT2iSwap extends LitElement {
  static override styles = [
    cellStyles,
    css`
      .pair {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 12em));
        gap: 1rem;
      }
      figure {
        margin: 0;
      }
      input {
        width: min(100%, 22em);
      }
    `,
  ];

  private readonly params = new StoreController(this, t2iStore);
  /** Final images of the two prompts (read by tests). */
  @state() images: [Float32Array, Float32Array] | null = null;

  private readonly runner = new GatedRun<{ a: string; b: string; guidance: number; seed: number }>(this, {
    args: () => {
      const v = t2iStore.values;
      return { a: v.prompt, b: v.alt, guidance: v.w, seed: v.seed };
    },
    key: (x) => JSON.stringify(x),
    cheap: () => true,
    errorPrefix: 'Drawing failed',
    task: async (x, signal) => {
      const out: Float32Array[] = [];
      for (const prompt of [x.a, x.b]) {
        const last = await finalTextToImageInWorker({
          prompt,
          guidance: x.guidance,
          n: COUNT,
          seed: x.seed,
          steps: STEPS,
          signal,
        });
        if (signal.aborted || !last) return;
        out.push(last);
      }
      this.images = [out[0]!, out[1]!];
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = t2iStore.values;
    return html`
      <div class="live">live · same seed, same guidance, one prompt changed</div>
      <label
        >second prompt
        <input
          class="alt"
          type="text"
          maxlength=${PROMPT_URL_CHARS}
          .value=${v.alt}
          @change=${(e: Event) => t2iStore.set({ alt: (e.target as HTMLInputElement).value })}
      /></label>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        this.images
          ? html`<div class="pair">
              ${[v.prompt, v.alt].map(
                (p, i) =>
                  html`<figure>
                    <dl-image-grid
                      .data=${this.images![i]!}
                      .count=${COUNT}
                      columns="2"
                      label="${COUNT} digits drawn for “${p}” from seed ${v.seed}"
                    ></dl-image-grid>
                    <figcaption>${p}</figcaption>
                  </figure>`,
              )}
            </div>`
          : html`<p class="status">${this.runner.running ? 'Drawing…' : ''}</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-t2i-swap': DlT2iSwap;
  }
}
