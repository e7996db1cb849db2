/**
 * The live cells of "What diffusion still gets wrong":
 *   <dl-limits-text>     the single-digit text model asked for any prompt ("42", "hello"); each image read
 *                        by the classifier, and its separate marks counted;
 *   <dl-limits-bias>     the model trained on 60% ones, drawing with no label or asked for every digit
 *                        equally; the class histogram beside its training data's;
 *   <dl-limits-bias-2d>  the 2-D model of the first lesson trained live on five clusters, one holding 60%
 *                        of the points, as collected or reweighted; the share of samples per cluster.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { findDigits } from '../../src/metrics/canvas-judge';
import { GatedRun } from '../../src/notebook/gated-run';
import {
  finalTextToImageInWorker,
  readDigitsInWorker,
  sampleInWorker,
  type DigitReading,
} from '../../src/notebook/inference/client';
import { cardLinks } from '../../src/notebook/model-info';
import { StoreController } from '../../src/notebook/store';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import { choiceSelect, intInput } from '../../src/widgets/inputs';
import '../../src/widgets/image-grid';
import '../../src/widgets/slider';
import { limitsStore, PROMPT_CHARS, TEXT_PROMPTS } from './params';

export const styles = [
  cellStyles,
  css`
    .figs {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(5.5em, 1fr));
      gap: 0.5rem;
      margin: 0.6rem 0;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-size: 0.85em;
      font-variant-numeric: tabular-nums;
    }
    dl-image-grid.many {
      display: block;
      width: min(100%, 32em);
    }
    input.prompt {
      width: min(100%, 16em);
    }
    table.hist {
      border-collapse: collapse;
      font-variant-numeric: tabular-nums;
      font-size: 0.9em;
      margin: 0.5rem 0;
    }
    table.hist caption {
      text-align: left;
      font-size: 0.9em;
    }
    table.hist th,
    table.hist td {
      padding: 0.1rem 0.5rem;
      text-align: right;
    }
    table.hist td.bar {
      width: 12em;
      text-align: left;
    }
    .bar span {
      display: block;
      height: 0.7em;
      border-radius: 2px;
    }
    .bar .train {
      background: #999;
    }
    .bar .drawn {
      background: var(--dl-accent, #3b6ea5);
      margin-top: 2px;
    }
    .num {
      font-variant-numeric: tabular-nums;
    }
    @media (max-width: 600px) {
      table.hist td.bar {
        width: 6em;
      }
    }
  `,
];

/** A seed field of the lesson's store and a "New noise" button that steps it. */
export function noiseControls(key: 'seed' | 'tseed' | 'cseed') {
  const seed = limitsStore.values[key];
  return html`${intInput('seed', key, seed, (n) => limitsStore.set({ [key]: n }))}
    <button type="button" @click=${() => limitsStore.set({ [key]: (seed + 1) % 2 ** 31 })}>
      New noise
    </button>`;
}

const pct = (v: number) => `${Math.round(100 * v)}%`;

/** Images drawn per prompt by the text cell, and the text model's settings (as the measurement's). */
export const TEXT_COUNT = 8;
const TEXT_STEPS = 20;
const TEXT_GUIDANCE = 3;

interface TextShown {
  prompt: string;
  images: Float32Array;
  reads: DigitReading[];
  marks: number[];
}

@customElement('dl-limits-text')
export class DlLimitsText extends LitElement {
  static override styles = styles;
  protected readonly params = new StoreController(this, limitsStore);
  /** What is on screen (read by tests). */
  @state() shown: TextShown | null = null;
  @state() private step = 0;

  private readonly runner = new GatedRun<{ prompt: string; seed: number }>(this, {
    args: () => ({ prompt: limitsStore.values.text, seed: limitsStore.values.tseed }),
    key: (a) => JSON.stringify(a),
    cheap: () => true, // 20 steps of the small latent U-Net on 8 images: a second or two on WASM
    errorPrefix: 'Drawing failed',
    reset: () => (this.shown = null),
    task: async (a, signal) => {
      this.step = 0;
      const images = await finalTextToImageInWorker({
        prompt: a.prompt,
        guidance: TEXT_GUIDANCE,
        n: TEXT_COUNT,
        seed: a.seed,
        steps: TEXT_STEPS,
        signal,
        onStep: (k) => (this.step = k),
      });
      if (signal.aborted || !images) return;
      const reads = await readDigitsInWorker(images);
      if (signal.aborted) return;
      const marks = Array.from(
        { length: TEXT_COUNT },
        (_, k) => findDigits(images.subarray(k * 784, (k + 1) * 784), 28).length,
      );
      this.shown = { prompt: a.prompt, images, reads, marks };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = limitsStore.values;
    const s = this.shown;
    const tally = new Map<number, number>();
    for (const r of s?.reads ?? []) tally.set(r.digit, (tally.get(r.digit) ?? 0) + 1);
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        <label
          >prompt
          <input
            class="prompt"
            type="text"
            maxlength=${PROMPT_CHARS}
            .value=${v.text}
            placeholder="type, then press Enter"
            @change=${(e: Event) => limitsStore.set({ text: (e.target as HTMLInputElement).value })}
        /></label>
        <span role="group" aria-label="example prompts">
          ${TEXT_PROMPTS.map(
            (p) =>
              html`<button
                type="button"
                aria-pressed=${v.text === p}
                @click=${() => limitsStore.set({ text: p })}
              >
                ${p === '' ? '(empty)' : `“${p}”`}
              </button>`,
          )}
        </span>
      </div>
      <div class="row">${noiseControls('tseed')}</div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        this.runner.running && !s
          ? html`<p class="status" role="status">
              Drawing ${TEXT_COUNT} images: step ${this.step} of ${TEXT_STEPS}…
            </p>`
          : nothing
      }
      ${
        s
          ? html`<div class="figs">
                ${s.reads.map(
                  (r, k) =>
                    html`<figure>
                      <dl-image-grid
                        .data=${s.images.slice(k * 784, (k + 1) * 784)}
                        .count=${1}
                        columns="1"
                        label=${`image ${k + 1} for “${s.prompt}”: read as ${r.digit} (${pct(r.p)}), ${s.marks[k]} separate mark${s.marks[k] === 1 ? '' : 's'}`}
                      ></dl-image-grid>
                      <figcaption>
                        reads ${r.digit} (${pct(r.p)})<br />${s.marks[k]} mark${s.marks[k] === 1 ? '' : 's'}
                      </figcaption>
                    </figure>`,
                )}
              </div>
              <p class="num">
                “${s.prompt}”: read as
                ${[...tally]
                  .sort((a, b) => b[1] - a[1])
                  .map(([d, c]) => `${d} (${c} of ${TEXT_COUNT})`)
                  .join(', ')};
                two or more separate marks in ${s.marks.filter((m) => m >= 2).length} of ${TEXT_COUNT}.
              </p>`
          : nothing
      }
      ${cardLinks([{ model: SHIPPED_MODELS.t2iMnist, name: `text-to-image U-Net (DDIM ${TEXT_STEPS} steps, guidance ${TEXT_GUIDANCE})` }])}
    `;
  }
}

/** Digits the bias cell draws: four of each class when asked, forty with no label. */
export const BIAS_COUNT = 40;
const BIAS_STEPS = 20;
/** The imbalanced subset's class shares (6,000 ones of 10,000: see src/cli/bias-files.ts). */
export const BIAS_TRAIN_SHARES = Array.from({ length: 10 }, (_, c) => (c === 1 ? 0.6 : 0.4 / 9));

interface BiasShown {
  labels: boolean;
  guidance: number;
  images: Float32Array;
  reads: DigitReading[];
}

/** A histogram of shares as a table with bars: the training data's beside what was drawn. */
export function histogramTable(
  caption: string,
  kind: string,
  names: string[],
  train: number[],
  drawn: number[],
  o: { target?: string; drawnOf?: number } = {},
): TemplateResult {
  const max = Math.max(...train, ...drawn, 1e-9);
  // a few dozen draws are shown as counts ("4 of 40"), not as rounded percentages that look like a trend
  const shown = (v: number) => (o.drawnOf ? `${Math.round(v * o.drawnOf)} of ${o.drawnOf}` : pct(v));
  return html`<table class="hist">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">${kind}</th>
        <th scope="col">${o.target ?? 'in training'}</th>
        <th scope="col">drawn</th>
        <th scope="col">share</th>
      </tr>
    </thead>
    <tbody>
      ${names.map(
        (n, i) =>
          html`<tr>
            <th scope="row">${n}</th>
            <td>${pct(train[i]!)}</td>
            <td>${shown(drawn[i]!)}</td>
            <td class="bar" aria-hidden="true">
              <span class="train" style=${`width:${(100 * train[i]!) / max}%`}></span>
              <span class="drawn" style=${`width:${(100 * drawn[i]!) / max}%`}></span>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

@customElement('dl-limits-bias')
export class DlLimitsBias extends LitElement {
  static override styles = styles;
  protected readonly params = new StoreController(this, limitsStore);
  /** What is on screen (read by tests). */
  @state() shown: BiasShown | null = null;
  @state() private step = 0;

  private readonly runner = new GatedRun<{ labels: boolean; guidance: number; seed: number }>(this, {
    args: () => ({
      labels: limitsStore.values.labels,
      guidance: limitsStore.values.labels ? limitsStore.values.w : 1,
      seed: limitsStore.values.seed,
    }),
    key: (a) => JSON.stringify(a),
    cheap: () => true, // 20 steps of the latent U-Net on 40 digits (80 when guided): a few seconds on WASM
    errorPrefix: 'Drawing failed',
    reset: () => (this.shown = null),
    task: async (a, signal) => {
      const labels = Array.from({ length: BIAS_COUNT }, (_, i) => (a.labels ? i % 10 : -1));
      let images: Float32Array | null = null;
      this.step = 0;
      for await (const f of sampleInWorker({
        model: SHIPPED_MODELS.biasLdmMnist,
        spec: { sampler: 'ddim', eta: 0, steps: BIAS_STEPS },
        n: BIAS_COUNT,
        seed: a.seed,
        every: 5, // progress four times; each frame of a latent model is decoded
        labels,
        guidance: a.guidance,
        signal,
      })) {
        this.step = f.index + 1;
        if (f.index === f.total - 1) images = f.x;
      }
      if (signal.aborted || !images) return;
      const reads = await readDigitsInWorker(images);
      if (signal.aborted) return;
      this.shown = { labels: a.labels, guidance: a.guidance, images, reads };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  override render() {
    const v = limitsStore.values;
    const s = this.shown;
    const drawn = new Array<number>(10).fill(0);
    for (const r of s?.reads ?? []) drawn[r.digit]! += 1 / BIAS_COUNT;
    const right = s?.labels ? s.reads.filter((r, i) => r.digit === i % 10).length : 0;
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${choiceSelect(
          'ask for',
          'ask',
          v.labels ? 'each' : 'none',
          [
            ['none', 'nothing: no label'],
            ['each', 'each digit equally'],
          ],
          (c) => limitsStore.set({ labels: c === 'each' }),
        )}
        ${
          v.labels
            ? html`<dl-slider
                class="guidance"
                label="guidance w"
                min="1"
                max="5"
                .value=${v.w}
                @dl-change=${(e: { value: number }) => limitsStore.set({ w: e.value })}
              ></dl-slider>`
            : nothing
        }
        ${noiseControls('seed')}
      </div>
      ${cellStatus({ text: '', failed: false }, this.runner.error)}
      ${
        this.runner.running && !s
          ? html`<p class="status" role="status">
              Drawing ${BIAS_COUNT} digits: step ${this.step} of ${BIAS_STEPS}…
            </p>`
          : nothing
      }
      ${
        s
          ? html`<dl-image-grid
                class="many"
                .data=${s.images}
                .count=${BIAS_COUNT}
                columns="10"
                label=${`${BIAS_COUNT} digits drawn ${s.labels ? `asked for each digit in turn, guidance ${s.guidance}` : 'with no label'}, read by the classifier as: ${s.reads.map((r) => r.digit).join(' ')}`}
              ></dl-image-grid>
              ${s.labels ? html`<p class="note">Each column is the digit asked for, 0 to 9.</p>` : nothing}
              ${histogramTable(
                s.labels
                  ? 'Share of each digit asked for (grey) and among the digits drawn (colour)'
                  : 'Share of each digit in the training data (grey) and among the digits drawn (colour)',
                'digit',
                [...Array(10).keys()].map(String),
                s.labels ? new Array<number>(10).fill(0.1) : BIAS_TRAIN_SHARES,
                drawn,
                { target: s.labels ? 'asked for' : 'in training', drawnOf: BIAS_COUNT },
              )}
              <p class="num">
                Ones drawn: <strong>${pct(drawn[1]!)}</strong> (training data: ${pct(BIAS_TRAIN_SHARES[1]!)}).
                ${s.labels ? html`The classifier reads the digit asked for in ${right} of ${BIAS_COUNT}.` : nothing}
              </p>`
          : nothing
      }
      ${cardLinks([{ model: SHIPPED_MODELS.biasLdmMnist, name: `the model trained on 60% ones (DDIM ${BIAS_STEPS} steps)` }])}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-limits-text': DlLimitsText;
    'dl-limits-bias': DlLimitsBias;
  }
}
