/**
 * <dl-limits-canvas>: counting and placing. The multi-digit canvas model draws four 56×56 canvases for a
 * count ("three sevens") or a relation ("a three left of a seven"); the canvas judge finds each group of
 * ink, the classifier reads each, and the verdict says whether the canvas is what was asked for. The
 * boxes the judge found are drawn over each canvas.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { CANVAS_PIXELS, CANVAS_SIDE, RELATIONS, type Relation } from '../../src/data/canvas';
import {
  findDigits,
  judge,
  type CanvasAsk,
  type CanvasVerdict,
  type FoundDigit,
} from '../../src/metrics/canvas-judge';
import { GatedRun } from '../../src/notebook/gated-run';
import { finalTextToImageInWorker, readDigitsInWorker } from '../../src/notebook/inference/client';
import { cardLinks } from '../../src/notebook/model-info';
import { StoreController } from '../../src/notebook/store';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { countCaption, relationCaption } from '../../src/text/canvas-captions';
import { cellStatus } from '../../src/widgets/cell-status';
import { choiceSelect } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { noiseControls, styles } from './cells';
import { limitsStore } from './params';

/** Canvases per run, and the sampler (as the measurement's). */
export const CANVASES = 4;
const STEPS = 20;

interface CanvasShown {
  prompt: string;
  images: Float32Array;
  found: FoundDigit[][];
  verdicts: CanvasVerdict[];
}

/** What the controls ask for, and its caption. */
export function currentAsk(): { ask: CanvasAsk; prompt: string } {
  const v = limitsStore.values;
  if (v.ask === 'count')
    return { ask: { kind: 'count', digit: v.digit, n: v.count }, prompt: countCaption(v.digit, v.count) };
  return {
    ask: { kind: 'relation', a: v.a, relation: v.rel, b: v.b },
    prompt: relationCaption(v.a, v.rel, v.b),
  };
}

/** A relation between a digit and itself: not something the model or the judge can answer. */
function sameDigits(): boolean {
  const v = limitsStore.values;
  return v.ask === 'relation' && v.a === v.b;
}

const digits = [...Array(10).keys()].map((d) => [String(d), String(d)] as const);

@customElement('dl-limits-canvas')
export class DlLimitsCanvas extends LitElement {
  static override styles = [
    styles,
    css`
      .canvases {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9em, 1fr));
        gap: 0.6rem;
        margin: 0.6rem 0;
      }
      .frame {
        position: relative;
      }
      .frame svg {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
        pointer-events: none;
      }
      .ok {
        color: #1e7b34;
      }
      .bad {
        color: #b3261e;
      }
    `,
  ];

  protected readonly params = new StoreController(this, limitsStore);
  /** What is on screen (read by tests). */
  @state() shown: CanvasShown | null = null;
  @state() private step = 0;
  /** The models are in the worker: later changes redraw by themselves. */
  private loaded = false;

  private readonly runner = new GatedRun<{ prompt: string; ask: CanvasAsk; guidance: number; seed: number }>(
    this,
    {
      // two digits the same ("a seven left of a seven") were never in training, and the judge cannot tell them apart
      args: () =>
        sameDigits()
          ? null
          : { ...currentAsk(), guidance: limitsStore.values.cw, seed: limitsStore.values.cseed },
      key: (a) => JSON.stringify([a.prompt, a.guidance, a.seed]),
      // the first run downloads the canvas models (about 13 MB): on the button; after it, a change redraws
      cheap: () => this.loaded,
      errorPrefix: 'Drawing failed',
      reset: () => (this.shown = null),
      task: async (a, signal) => {
        this.step = 0;
        const images = await finalTextToImageInWorker({
          pipeline: 'canvas',
          prompt: a.prompt,
          guidance: a.guidance,
          n: CANVASES,
          seed: a.seed,
          steps: STEPS,
          signal,
          onStep: (k) => (this.step = k),
        });
        if (signal.aborted || !images) return;
        const found = Array.from({ length: CANVASES }, (_, k) =>
          findDigits(images.subarray(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS), CANVAS_SIDE),
        );
        const crops = found.flat();
        const all = new Float32Array(crops.length * 784);
        crops.forEach((f, i) => all.set(f.crop, i * 784));
        const reads = crops.length ? await readDigitsInWorker(all) : [];
        if (signal.aborted) return;
        let at = 0;
        const verdicts = found.map((f) => {
          const classes = f.map(() => reads[at++]!.digit);
          return judge(f, classes, a.ask);
        });
        this.shown = { prompt: a.prompt, images, found, verdicts };
        this.loaded = true;
      },
    },
  );

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  /** Run with the current controls (the button). */
  draw(): void {
    this.runner.argsChanged(); // controls set just now (a link, a script) count before the next render
    void this.runner.run();
  }

  private verdictText(v: CanvasVerdict, ask: CanvasAsk): string {
    if (v.found === 0) return 'no digit found';
    const seen = `found ${v.classes.join(', ')}`;
    if (ask.kind === 'count')
      return `${seen}: ${v.right ? 'right' : !v.countRight ? `${v.found} digits, not ${ask.n}` : 'wrong digit'}`;
    return `${seen}: ${v.right ? 'right' : !v.countRight ? `${v.found} digits, not 2` : !v.digitsRight ? 'wrong digits' : 'wrong order'}`;
  }

  override render() {
    const v = limitsStore.values;
    const { prompt, ask } = currentAsk();
    const s = sameDigits() ? null : this.shown; // canvases of an earlier prompt do not answer this one
    const rightCount = s ? s.verdicts.filter((x) => x.right).length : 0;
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${choiceSelect(
          'ask for',
          'ask',
          v.ask,
          [
            ['count', 'how many'],
            ['relation', 'where'],
          ],
          (k) => limitsStore.set({ ask: k }),
        )}
        ${
          v.ask === 'count'
            ? html`${choiceSelect(
                'how many',
                'count',
                String(v.count),
                ['1', '2', '3', '4'].map((n) => [n, n] as const),
                (n) => limitsStore.set({ count: Number(n) }),
              )}
              ${choiceSelect('of the digit', 'digit', String(v.digit), digits, (d) =>
                limitsStore.set({ digit: Number(d) }),
              )}`
            : html`${choiceSelect('digit', 'a', String(v.a), digits, (d) => limitsStore.set({ a: Number(d) }))}
              ${choiceSelect<Relation>(
                'is',
                'rel',
                v.rel,
                RELATIONS.map((r) => [r, r] as const),
                (r) => limitsStore.set({ rel: r }),
              )}
              ${choiceSelect('digit', 'b', String(v.b), digits, (d) => limitsStore.set({ b: Number(d) }))}`
        }
      </div>
      <div class="row">
        <dl-slider
          class="guidance"
          label="guidance w"
          min="1"
          max="7"
          .value=${v.cw}
          @dl-change=${(e: { value: number }) => limitsStore.set({ cw: e.value })}
        ></dl-slider>
        <button
          type="button"
          class="draw"
          ?disabled=${this.runner.running || sameDigits()}
          @click=${() => this.draw()}
        >
          ${this.runner.running ? 'Drawing…' : `Draw ${CANVASES} canvases`}
        </button>
        ${noiseControls('cseed')}
      </div>
      ${
        sameDigits()
          ? html`<p class="note" role="status">
              Pick two different digits: the training canvases never put a digit beside itself, and the judge
              could not tell which one is which.
            </p>`
          : html`<p class="status">Prompt: <q>${prompt}</q></p>`
      }
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        this.runner.running && !s
          ? html`<p class="status" role="status">
              ${this.step === 0 ? 'Loading the canvas models (about 13 MB the first time)…' : `Drawing ${CANVASES} canvases: step ${this.step} of ${STEPS}…`}
            </p>`
          : !s && !this.runner.running && !sameDigits()
            ? html`<p class="note">Press “Draw” to draw ${CANVASES} canvases for the prompt above.</p>`
            : nothing
      }
      ${
        s
          ? html`<div class="canvases">
                ${s.verdicts.map((verdict, k) => {
                  const text = this.verdictText(verdict, ask);
                  return html`<figure>
                    <div class="frame">
                      <dl-image-grid
                        .data=${s.images.slice(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS)}
                        .count=${1}
                        side=${CANVAS_SIDE}
                        columns="1"
                        label=${`canvas ${k + 1} for “${s.prompt}”: ${text}`}
                      ></dl-image-grid>
                      <svg viewBox="0 0 ${CANVAS_SIDE} ${CANVAS_SIDE}" aria-hidden="true">
                        ${s.found[k]!.map(
                          (f, i) =>
                            svg`<rect x=${f.x0 - 0.5} y=${f.y0 - 0.5} width=${f.x1 - f.x0 + 1} height=${f.y1 - f.y0 + 1}
                              fill="none" stroke=${verdict.right ? '#4caf50' : '#ff7043'} stroke-width="0.6"></rect>
                            <text x=${f.x0} y=${Math.max(4, f.y0 - 1)} font-size="5" fill="#ffeb3b">${verdict.classes[i]}</text>`,
                        )}
                      </svg>
                    </div>
                    <figcaption class=${verdict.right ? 'ok' : 'bad'}>
                      ${verdict.right ? '✓' : '✗'} ${text}
                    </figcaption>
                  </figure>`;
                })}
              </div>
              <p class="num">${rightCount} of ${CANVASES} canvases are what was asked for.</p>`
          : nothing
      }
      ${cardLinks([
        { model: SHIPPED_MODELS.tokenizerCanvas, name: 'tokenizer' },
        { model: SHIPPED_MODELS.clipCanvas, name: 'text encoder' },
        { model: SHIPPED_MODELS.t2iCanvas, name: 'canvas U-Net' },
        { model: SHIPPED_MODELS.autoencoderCanvas, name: 'autoencoder (decoder)' },
      ])}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-limits-canvas': DlLimitsCanvas;
  }
}
