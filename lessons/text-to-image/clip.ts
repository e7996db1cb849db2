import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, MNIST_PIXELS } from '../../src/data/mnist-asset';
import { MnistController } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { similarityInWorker } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import '../../src/widgets/image-grid';
import { t2iStore } from './params';

/** Prompts the current one is compared with: the same digit said differently, other digits, other words. */
export const REFERENCE_PROMPTS = [
  '7',
  'seven',
  'the digit seven',
  'a thick 7',
  'a thin 7',
  'a 1',
  'three',
  'a bold 3 leaning left',
  'an astronaut riding a horse on the moon',
];
/** Test digits scored against the prompt, and how many of the best are shown. */
const DIGITS = 500;
const BEST = 8;

/**
 * The text encoder's view of the prompt: how close its embedding is to other prompts' (cosine
 * similarity) and to the image embeddings of real test digits (the CLIP score), the digits it matches
 * best shown. The encoders were trained together so that a digit and its caption land close.
 */
@customElement('dl-t2i-clip')
export class DlT2iClip extends LitElement {
  static override styles = [
    cellStyles,
    css`
      table {
        border-collapse: collapse;
      }
      td {
        padding: 0.1rem 0.5rem;
      }
      .bar {
        display: inline-block;
        height: 0.8em;
        background: var(--dl-accent, #c60);
        vertical-align: middle;
      }
      figure {
        margin: 0.4rem 0;
        width: min(100%, 24em);
      }
    `,
  ];

  private readonly params = new StoreController(this, t2iStore);
  private readonly mnist = new MnistController(this, 'test');
  /** The last result (read by tests). */
  @state() result: { prompts: number[]; best: number[]; scores: number[] } | null = null;

  private readonly runner = new GatedRun<{ prompt: string; digits: Float32Array }>(this, {
    args: () => {
      const d = this.mnist.data;
      if (!d) return null;
      const digits = new Float32Array(DIGITS * MNIST_PIXELS);
      for (let i = 0; i < DIGITS; i++) imageToSigned(d.images, i, digits.subarray(i * MNIST_PIXELS));
      return { prompt: t2iStore.values.prompt, digits };
    },
    key: (a) => a.prompt,
    cheap: () => true,
    errorPrefix: 'The text encoder failed',
    task: async (a, signal) => {
      const r = await similarityInWorker({ prompt: a.prompt, others: REFERENCE_PROMPTS, digits: a.digits });
      if (signal.aborted) return;
      const order = r.digits.map((_, i) => i).sort((x, y) => r.digits[y]! - r.digits[x]!);
      this.result = {
        prompts: r.prompts,
        best: order.slice(0, BEST),
        scores: order.slice(0, BEST).map((i) => r.digits[i]!),
      };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const r = this.result;
    const d = this.mnist.data;
    const best =
      r && d
        ? (() => {
            const out = new Float32Array(r.best.length * MNIST_PIXELS);
            r.best.forEach((i, k) => imageToSigned(d.images, i, out.subarray(k * MNIST_PIXELS)));
            return out;
          })()
        : null;
    return html`
      <div class="live">live · the text encoder runs in your browser</div>
      ${cellStatus({ text: this.mnist.status(), failed: !!this.mnist.error }, this.runner.error)}
      ${
        r
          ? html`<table aria-label="cosine similarity of the prompt to other prompts">
                <caption>
                  Similarity of “${t2iStore.values.prompt.slice(0, 60)}” to:
                </caption>
                ${REFERENCE_PROMPTS.map(
                  (p, i) =>
                    html`<tr>
                      <td>${p}</td>
                      <td>${r.prompts[i]!.toFixed(2)}</td>
                      <td><span class="bar" style="width:${Math.max(0, r.prompts[i]!) * 10}em"></span></td>
                    </tr>`,
                )}
              </table>
              ${
                best
                  ? html`<figure>
                      <dl-image-grid
                        .data=${best}
                        .count=${BEST}
                        columns="8"
                        label="the ${BEST} of the first ${DIGITS} test digits whose image embeddings are closest to the prompt's"
                      ></dl-image-grid>
                      <figcaption>
                        The ${BEST} of the first ${DIGITS} test digits closest to the prompt (similarity
                        ${r.scores[0]!.toFixed(2)} to ${r.scores[BEST - 1]!.toFixed(2)}).
                      </figcaption>
                    </figure>`
                  : nothing
              }`
          : html`<p class="status">${this.runner.running ? 'Loading the text encoder…' : ''}</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-t2i-clip': DlT2iClip;
  }
}
