/**
 * The three live cells of "Diffusion at work", each a walk of src/pipelines/restore.ts run by the shipped
 * pixel DDPM in the sampling worker, and each result read by the evaluation's classifier:
 *   <dl-denoise-level>  a test digit seen through noise of level σ; the one-call estimate x̂₀ and three
 *                       posterior samples of the same observation;
 *   <dl-inpaint>        a hole (chosen or painted) filled by replacing the known pixels at every step,
 *                       and by RePaint's back-and-forth;
 *   <dl-sdedit>         a rough sketch (of a test digit, or drawn) edited at a chosen strength, four ways.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { imageToSigned, MNIST_PIXELS } from '../../src/data/mnist-asset';
import { MnistController } from '../../src/notebook/controllers';
import { GatedRun } from '../../src/notebook/gated-run';
import { readDigitsInWorker, restoreInWorker, type DigitReading } from '../../src/notebook/inference/client';
import { StoreController } from '../../src/notebook/store';
import {
  holeMask,
  networkCalls,
  psnrEach,
  REPAINT,
  repaintPath,
  roughSketch,
  WALK_CALLS,
  type RestoreTask,
} from '../../src/pipelines/restore';
import { cellStatus } from '../../src/widgets/cell-status';
import { cellStyles } from '../../src/widgets/cell-styles';
import type { DrawEvent } from '../../src/widgets/draw-pad';
import { DrawnDigit } from '../../src/widgets/drawn-digit';
import '../../src/widgets/draw-pad';
import '../../src/widgets/image-grid';
import { choiceSelect, intInput } from '../../src/widgets/inputs';
import '../../src/widgets/slider';
import { atWorkStore, HOLE_CHOICES, SIGMA_CHOICES, STRENGTH_CHOICES } from './params';

const styles = [
  cellStyles,
  css`
    .figs {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(6.5em, 1fr));
      gap: 0.6rem;
      margin: 0.6rem 0;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-size: 0.85em;
      font-variant-numeric: tabular-nums;
    }
    dl-draw-pad {
      width: 9em;
    }
  `,
];

type Reading = DigitReading;

const one = (images: Float32Array, k: number) => images.slice(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);

/** One image with its caption lines. */
function fig(label: string, image: Float32Array, lines: string[]): TemplateResult {
  return html`<figure>
    <dl-image-grid
      .data=${image}
      .count=${1}
      columns="1"
      label=${`${label}: ${lines.join(', ')}`}
    ></dl-image-grid>
    <figcaption><strong>${label}</strong>${lines.map((l) => html`<br />${l}`)}</figcaption>
  </figure>`;
}

const reads = (r: Reading | undefined) => (r ? `reads ${r.digit} (${Math.round(100 * r.p)}%)` : 'reading…');
const db = (v: number) => `${v.toFixed(1)} dB`;

/** Progress of a walk, for the status line. */
function walking(done: number, calls: number, what: string): TemplateResult {
  return html`<p class="status" role="status">${what}: ${done} of ${calls} network calls…</p>`;
}

interface DenoiseShown {
  clean: Float32Array;
  observed: Float32Array;
  x0: Float32Array;
  samples: Float32Array;
  readings: Reading[];
}

/** Posterior samples drawn per observation. */
export const DENOISE_SAMPLES = 3;

@customElement('dl-denoise-level')
export class DlDenoiseLevel extends LitElement {
  static override styles = styles;
  protected readonly params = new StoreController(this, atWorkStore);
  private readonly mnist = new MnistController(this, 'test');
  /** What is on screen (read by tests). */
  @state() shown: DenoiseShown | null = null;
  @state() private progress = 0;

  private readonly runner = new GatedRun<{ digit: number; sigma: number; seed: number }>(this, {
    args: () =>
      this.mnist.data
        ? {
            digit: atWorkStore.values.digit,
            sigma: Number(atWorkStore.values.sigma),
            seed: atWorkStore.values.seed,
          }
        : null,
    key: (a) => `${a.digit}|${a.sigma}|${a.seed}`,
    cheap: () => true,
    errorPrefix: 'Denoising failed',
    reset: () => (this.shown = null),
    task: async (a, signal) => {
      const clean = imageToSigned(this.mnist.data!.images, a.digit);
      const task: RestoreTask = { op: 'denoise', sigma: a.sigma, calls: WALK_CALLS, copies: DENOISE_SAMPLES };
      let observed: Float32Array | null = null;
      let x0: Float32Array | null = null;
      let samples: Float32Array | null = null;
      this.progress = 0;
      for await (const f of restoreInWorker({ task, images: clean, seed: a.seed, every: 1, signal })) {
        if (f.observed) observed = f.observed;
        if (f.done === 1) x0 = one(f.predX0, 0); // the first call's x̂₀: the posterior mean, from the observation
        this.progress = f.done;
        if (f.done === f.calls) samples = f.x;
      }
      if (signal.aborted || !observed || !x0 || !samples) return;
      const shownImages = new Float32Array((2 + DENOISE_SAMPLES) * MNIST_PIXELS);
      shownImages.set(
        observed.map((v) => Math.max(-1, Math.min(1, v))),
        0,
      );
      shownImages.set(x0, MNIST_PIXELS);
      shownImages.set(
        samples.map((v) => Math.max(-1, Math.min(1, v))),
        2 * MNIST_PIXELS,
      );
      const readings = await readDigitsInWorker(shownImages);
      if (signal.aborted) return;
      this.shown = {
        clean,
        observed: one(shownImages, 0),
        x0,
        samples: shownImages.slice(2 * MNIST_PIXELS),
        readings,
      };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const v = atWorkStore.values;
    const s = this.shown;
    const idx = SIGMA_CHOICES.indexOf(v.sigma);
    const psnr = (img: Float32Array) => db(psnrEach(img, s!.clean, MNIST_PIXELS)[0]!);
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${intInput('test digit', 'digit', v.digit, (n) => atWorkStore.set({ digit: n }), { max: 9999 })}
        <dl-slider
          class="sigma"
          label="noise level σ"
          min="0"
          max=${SIGMA_CHOICES.length - 1}
          .value=${idx}
          .text=${`σ = ${v.sigma}`}
          @dl-change=${(e: { value: number }) => atWorkStore.set({ sigma: SIGMA_CHOICES[e.value]! })}
        ></dl-slider>
        ${intInput('noise seed', 'seed', v.seed, (n) => atWorkStore.set({ seed: n }))}
      </div>
      ${cellStatus({ text: this.mnist.error, failed: !!this.mnist.error }, this.runner.error)}
      ${this.runner.running && !s ? walking(this.progress, WALK_CALLS, 'Walking down from the noisy digit') : nothing}
      ${
        s
          ? html`<div class="figs">
              ${fig('clean digit', s.clean, ['the truth, hidden from the model'])}
              ${fig(`seen at σ = ${v.sigma}`, s.observed, [psnr(s.observed), reads(s.readings[0])])}
              ${fig('one call: x̂₀', s.x0, [psnr(s.x0), reads(s.readings[1])])}
              ${[...Array(DENOISE_SAMPLES).keys()].map((k) =>
                fig(`posterior sample ${k + 1}`, one(s.samples, k), [
                  psnr(one(s.samples, k)),
                  reads(s.readings[2 + k]),
                ]),
              )}
            </div>`
          : nothing
      }
    `;
  }
}

interface InpaintShown {
  clean: Float32Array;
  observed: Float32Array;
  replace: Float32Array;
  repaint: Float32Array;
  readings: Reading[];
  mask: Float32Array;
}

@customElement('dl-inpaint')
export class DlInpaint extends LitElement {
  static override styles = styles;
  protected readonly params = new StoreController(this, atWorkStore);
  private readonly mnist = new MnistController(this, 'test');
  /** What is on screen (read by tests). */
  @state() shown: InpaintShown | null = null;
  @state() private progress = { done: 0, calls: 0, what: '' };
  /** The painted hole (1 = known, 0 = hole); all known until painted. */
  @state() private painted = new Float32Array(MNIST_PIXELS).fill(1);

  private mask(): Float32Array {
    const h = atWorkStore.values.hole;
    return h === 'drawn' ? this.painted : holeMask(h);
  }

  private readonly runner = new GatedRun<{ digit: number; mask: Float32Array; seed: number }>(this, {
    args: () =>
      this.mnist.data
        ? { digit: atWorkStore.values.hdigit, mask: this.mask(), seed: atWorkStore.values.seed }
        : null,
    key: (a) => `${a.digit}|${a.seed}|${Array.from(a.mask, (v) => (v ? 1 : 0)).join('')}`,
    cheap: () => false, // about 110 network calls: on the button
    errorPrefix: 'Inpainting failed',
    reset: () => (this.shown = null),
    task: async (a, signal) => {
      if (a.mask.every((v) => v === 1))
        throw new Error('the hole is empty: paint over the digit where pixels should be missing');
      const clean = imageToSigned(this.mnist.data!.images, a.digit);
      const fill = async (passes: number, what: string) => {
        const task: RestoreTask = {
          op: 'inpaint',
          mask: a.mask,
          calls: WALK_CALLS,
          passes,
          jump: REPAINT.jump,
        };
        const out: { x: Float32Array; observed: Float32Array | null } = {
          x: new Float32Array(0),
          observed: null,
        };
        for await (const f of restoreInWorker({ task, images: clean, seed: a.seed, every: 1, signal })) {
          if (f.observed) out.observed = f.observed;
          this.progress = { done: f.done, calls: f.calls, what };
          if (f.done === f.calls) out.x = f.x;
        }
        return out;
      };
      const replace = await fill(1, 'Filling by replacing the known pixels');
      if (signal.aborted) return;
      const repaint = await fill(REPAINT.passes, 'Filling with RePaint');
      if (signal.aborted || !replace.observed) return;
      const all = new Float32Array(3 * MNIST_PIXELS);
      all.set(replace.observed, 0);
      all.set(replace.x, MNIST_PIXELS);
      all.set(repaint.x, 2 * MNIST_PIXELS);
      const readings = await readDigitsInWorker(all);
      if (signal.aborted) return;
      this.shown = {
        clean,
        observed: replace.observed,
        replace: replace.x,
        repaint: repaint.x,
        readings,
        mask: a.mask,
      };
    },
  });

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const v = atWorkStore.values;
    const s = this.shown;
    const holeWords: Record<(typeof HOLE_CHOICES)[number], string> = {
      bottom: 'bottom half',
      right: 'right half',
      centre: 'centre square',
      drawn: 'paint my own',
    };
    const inHole = s?.mask.map((m) => 1 - m);
    const psnr = (img: Float32Array) =>
      `${db(psnrEach(img, s!.clean, MNIST_PIXELS, inHole)[0]!)} in the hole`;
    const calls = (passes: number) => networkCalls(repaintPath(999, WALK_CALLS, REPAINT.jump, passes));
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${intInput('test digit', 'hdigit', v.hdigit, (n) => atWorkStore.set({ hdigit: n }), { max: 9999 })}
        ${choiceSelect(
          'hole',
          'hole',
          v.hole,
          HOLE_CHOICES.map((h) => [h, holeWords[h]] as const),
          (h) => atWorkStore.set({ hole: h }),
        )}
        <button
          type="button"
          class="fill"
          ?disabled=${this.runner.running || !this.mnist.data}
          @click=${() => void this.runner.run()}
        >
          Fill the hole (${calls(1)} + ${calls(REPAINT.passes)} network calls)
        </button>
      </div>
      ${
        v.hole === 'drawn'
          ? html`<div class="row">
              <dl-draw-pad
                brush="2.5"
                @dl-draw=${(e: DrawEvent) => {
                  this.painted = Float32Array.from(e.data, (x) => (x > 0 ? 0 : 1));
                }}
              ></dl-draw-pad>
              <p>
                Paint the hole: where you paint, the model will not see the digit. (Not saved in the link.)
              </p>
            </div>`
          : nothing
      }
      ${cellStatus({ text: this.mnist.error, failed: !!this.mnist.error }, this.runner.error)}
      ${this.runner.running ? walking(this.progress.done, this.progress.calls, this.progress.what) : nothing}
      ${
        s
          ? html`<div class="figs">
              ${fig('clean digit', s.clean, ['the truth'])}
              ${fig('with the hole', s.observed, [reads(s.readings[0])])}
              ${fig('replace', s.replace, [psnr(s.replace), reads(s.readings[1])])}
              ${fig('RePaint', s.repaint, [psnr(s.repaint), reads(s.readings[2])])}
            </div>`
          : this.runner.status === 'waiting' && !this.runner.running
            ? html`<p class="status">Press “Fill the hole” to run both fills.</p>`
            : nothing
      }
    `;
  }
}

/** Edits drawn per sketch. */
export const EDITS = 4;

interface EditShown {
  sketch: Float32Array;
  edits: Float32Array;
  readings: Reading[];
}

@customElement('dl-sdedit')
export class DlSdedit extends LitElement {
  static override styles = styles;
  protected readonly params = new StoreController(this, atWorkStore);
  private readonly mnist = new MnistController(this, 'test');
  private readonly draw = new DrawnDigit(this);
  /** What is on screen (read by tests). */
  @state() shown: EditShown | null = null;
  @state() private progress = 0;

  private sketch(): Float32Array | null {
    const drawn = this.draw.image;
    if (drawn) return drawn;
    return this.mnist.data
      ? roughSketch(imageToSigned(this.mnist.data.images, atWorkStore.values.edigit))
      : null;
  }

  private readonly runner = new GatedRun<{ sketch: Float32Array; strength: number; seed: number; k: string }>(
    this,
    {
      args: () => {
        const sketch = this.sketch();
        const v = atWorkStore.values;
        return sketch
          ? { sketch, strength: Number(v.strength), seed: v.seed, k: this.draw.key() || `test${v.edigit}` }
          : null;
      },
      key: (a) => `${a.k}|${a.strength}|${a.seed}`,
      cheap: () => true,
      errorPrefix: 'Editing failed',
      reset: () => (this.shown = null),
      task: async (a, signal) => {
        if (a.sketch.every((v) => v <= -1)) throw new Error('the drawing is empty: draw a digit first');
        const calls = Math.max(1, Math.round(WALK_CALLS * a.strength));
        const images = new Float32Array(EDITS * MNIST_PIXELS);
        for (let k = 0; k < EDITS; k++) images.set(a.sketch, k * MNIST_PIXELS);
        let edits: Float32Array | null = null;
        this.progress = 0;
        for await (const f of restoreInWorker({
          task: { op: 'sdedit', strength: a.strength, calls },
          images,
          seed: a.seed,
          every: 1,
          signal,
        })) {
          this.progress = f.done;
          if (f.done === f.calls) edits = f.x;
        }
        if (signal.aborted || !edits) return;
        const all = new Float32Array((1 + EDITS) * MNIST_PIXELS);
        all.set(a.sketch, 0);
        all.set(edits, MNIST_PIXELS);
        const readings = await readDigitsInWorker(all);
        if (signal.aborted) return;
        this.shown = { sketch: a.sketch, edits, readings };
      },
    },
  );

  protected override willUpdate(): void {
    this.runner.argsChanged();
  }

  override render() {
    const v = atWorkStore.values;
    const s = this.shown;
    const idx = STRENGTH_CHOICES.indexOf(v.strength);
    const calls = Math.max(1, Math.round(WALK_CALLS * Number(v.strength)));
    return html`
      <div class="live">live · computed in your browser, in a worker</div>
      <div class="row">
        ${this.draw.on ? nothing : intInput('sketch of test digit', 'edigit', v.edigit, (n) => atWorkStore.set({ edigit: n }), { max: 9999 })}
        ${this.draw.toggle()}
        <dl-slider
          class="strength"
          label="strength"
          min="0"
          max=${STRENGTH_CHOICES.length - 1}
          .value=${idx}
          .text=${`${v.strength}: noised to t = ${Math.round(Number(v.strength) * 999) + 1}, ${calls} network calls back`}
          @dl-change=${(e: { value: number }) => atWorkStore.set({ strength: STRENGTH_CHOICES[e.value]! })}
        ></dl-slider>
      </div>
      ${this.draw.pad('Draw roughly; the model does the rest.')}
      ${cellStatus({ text: this.mnist.error, failed: !!this.mnist.error }, this.runner.error)}
      ${this.runner.running && !s ? walking(this.progress, calls, 'Editing') : nothing}
      ${
        s
          ? html`<div class="figs">
              ${fig('sketch', s.sketch, [reads(s.readings[0])])}
              ${[...Array(EDITS).keys()].map((k) =>
                fig(`edit ${k + 1}`, one(s.edits, k), [
                  `${db(psnrEach(one(s.edits, k), s.sketch, MNIST_PIXELS)[0]!)} from the sketch`,
                  reads(s.readings[1 + k]),
                ]),
              )}
            </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-denoise-level': DlDenoiseLevel;
    'dl-inpaint': DlInpaint;
    'dl-sdedit': DlSdedit;
  }
}
