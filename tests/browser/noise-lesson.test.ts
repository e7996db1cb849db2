import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlNoisePredictor } from '../../lessons/predicting-noise/predictor';
import type { DlLossByT } from '../../lessons/predicting-noise/loss-by-t';
import type { DlReverseProcess } from '../../lessons/predicting-noise/reverse';
import { collectErrors, differingPixels, gridPixels, waitFor, mountApp } from './helpers';
import { modelFile, SHIPPED_MODELS } from '../../src/nets/registry';
import type { EvalResult } from '../../src/metrics/eval-result';

const errors = collectErrors();
let app: DlApp;
const predictor = () => app.querySelector('dl-noise-predictor') as DlNoisePredictor | null;
const panel = (cls: string) => predictor()?.shadowRoot?.querySelector(`dl-image-grid.${cls}`);

async function waitResult(key: string) {
  return waitFor(
    () => {
      const r = predictor()?.result;
      return r && r.key.startsWith(key) && r;
    },
    `the prediction for ${key}`,
    90_000,
  );
}

beforeAll(async () => {
  // WASM: the quickest backend for a 1M-parameter net in this CPU-only Chromium
  app = mountApp('#/predicting-noise?t=300&digit=3&seed=0&backend=wasm');
  await app.updateComplete;
});
afterAll(() => app.remove());

describe('the noise-prediction lesson, with the shipped model', () => {
  it('shows x0, eps, x_t, eps-hat, the error and x0-hat for a test digit', async () => {
    const r = await waitResult('300:3:0');
    for (const cls of ['x0', 'eps', 'xt', 'eps-hat', 'err', 'x0-hat'])
      expect(gridPixels(panel(cls)), cls).not.toBeNull();
    expect(r.epsHat.length).toBe(784);
    expect(r.epsHat.every(Number.isFinite)).toBe(true);
    const info = predictor()!.shadowRoot!.querySelector('.model-info')!.textContent!.replace(/\s+/g, ' ');
    // The count the page shows is the shipped weights' own: the sum of their shapes in model.json.
    const manifest = (await (await fetch(modelFile(SHIPPED_MODELS.ddpmMnist, 'model'))).json()) as {
      weightsManifest: { weights: { shape: number[] }[] }[];
    };
    const params = manifest.weightsManifest
      .flatMap((g) => g.weights)
      .reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
    expect(params).toBeGreaterThan(1_000_000);
    expect(info).toContain(`${params.toLocaleString('en')}-parameter U-Net, trained`);
    expect(info).toMatch(/-parameter U-Net, trained [\d,]+ steps/);
    expect(info).toMatch(/running on wasm/);
    // The measured quality of these weights, from eval.json's target-run row for their step: shown when
    // there is one (the shipped weights have one), absent otherwise.
    const meta = (await (await fetch(modelFile(SHIPPED_MODELS.ddpmMnist, 'model'))).json()) as {
      userDefinedMetadata: { step: number };
    };
    const rows = (
      (await (await fetch(modelFile(SHIPPED_MODELS.ddpmMnist, 'eval'))).json()) as {
        results: EvalResult[];
      }
    ).results;
    const row = rows.find(
      (r) =>
        r.source?.kind === 'model' &&
        r.source.sampler === 'ddpm' &&
        r.source.steps === 1000 &&
        r.source.modelStep === meta.userDefinedMetadata.step &&
        r.samples >= 1000,
    );
    const real = rows.find((r) => r.source?.kind === 'real' && r.samples === row?.samples);
    // the shipped weights have a full target run of their own, and its real-digit reference
    expect(row).toBeDefined();
    expect(real).toBeDefined();
    const shown = await waitFor(
      () => predictor()!.shadowRoot!.querySelector('.model-info .quality'),
      'the measured quality line',
      10_000,
    );
    expect(shown.textContent).toBe(`${(100 * row!.confidentShare).toFixed(1)}%`);
    const line = predictor()!.shadowRoot!.querySelector('.model-info')!.textContent!.replace(/\s+/g, ' ');
    expect(line).toContain(
      `Of ${row!.samples.toLocaleString('en')} digits it drew with the 1,000-step sampler`,
    );
    expect(line).toContain(`(real digits: ${(100 * real!.confidentShare).toFixed(1)}%)`);
  });

  it('the implied clean digit is far better at t = 50 than at t = 900 (and the URL drives it)', async () => {
    location.hash = '#/predicting-noise?t=50&digit=3&seed=0&backend=wasm';
    const early = await waitResult('50:3:0');
    const xtEarly = gridPixels(panel('xt'))!;
    location.hash = '#/predicting-noise?t=900&digit=3&seed=0&backend=wasm';
    const late = await waitResult('900:3:0');
    expect(early.x0Mse).toBeLessThan(late.x0Mse);
    expect(differingPixels(xtEarly, gridPixels(panel('xt'))!)).toBeGreaterThan(100);
  });

  it('predicts on a digit you draw', async () => {
    location.hash = '#/predicting-noise?t=200&digit=3&seed=0&backend=wasm';
    await waitResult('200:3:0');
    const box = predictor()!.shadowRoot!.querySelector<HTMLInputElement>('input.draw-mode')!;
    box.click();
    const pad = await waitFor(
      () => predictor()!.shadowRoot!.querySelector('dl-draw-pad')?.shadowRoot?.querySelector('canvas'),
      'the pad',
    );
    const r = pad.getBoundingClientRect();
    const at = (fx: number, fy: number) => ({
      clientX: r.left + fx * r.width,
      clientY: r.top + fy * r.height,
      bubbles: true,
      pointerId: 1,
    });
    pad.dispatchEvent(new PointerEvent('pointerdown', at(0.5, 0.2)));
    for (let i = 1; i <= 10; i++) pad.dispatchEvent(new PointerEvent('pointermove', at(0.5, 0.2 + 0.06 * i)));
    pad.dispatchEvent(new PointerEvent('pointerup', at(0.5, 0.8)));
    const drawn = await waitResult('200:3:0:drawn');
    const ink = drawn.x0.filter((v) => v > 0).length;
    expect(ink).toBeGreaterThan(15); // a vertical stroke
    expect(ink).toBeLessThan(200);
  });

  it('measures the loss against t: noise is hardest to guess at small t, the digit at large t', async () => {
    const cell = app.querySelector('dl-loss-by-t') as DlLossByT;
    const button = await waitFor(
      () => {
        const b = cell.shadowRoot?.querySelector<HTMLButtonElement>('button.measure');
        return b && !b.disabled && b;
      },
      'the measure button',
      90_000,
    );
    button.click();
    await waitFor(() => cell.points.length === 21, 'all 21 points', 120_000);
    const first = cell.points[0]!;
    const last = cell.points[20]!;
    expect(first.t).toBe(0);
    expect(last.t).toBe(999);
    expect(first.epsMse).toBeGreaterThan(last.epsMse);
    expect(last.x0Mse).toBeGreaterThan(first.x0Mse);
    await waitFor(
      () => cell.shadowRoot!.querySelector('dl-line-plot')?.shadowRoot?.querySelector('svg'),
      'the chart',
    );
  });

  it('runs the reverse process from pure noise, keeping frames to replay', async () => {
    location.hash = '#/predicting-noise?t=200&digit=3&seed=0&sseed=4&ssteps=25&backend=wasm';
    const cell = app.querySelector('dl-reverse-process') as DlReverseProcess;
    const button = await waitFor(
      () => {
        const b = cell.shadowRoot?.querySelector<HTMLButtonElement>('button.run');
        return b && !b.disabled && b;
      },
      'the sample button',
      90_000,
    );
    await waitFor(
      () => cell.shadowRoot!.querySelector<HTMLSelectElement>('select.steps')!.value === '25',
      'the URL to set 25 steps',
    );
    button.click();
    await waitFor(
      () => cell.frames.at(-1)?.index === 24 && cell.shadowRoot!.querySelector('dl-slider'),
      'the 25th step',
      90_000,
    );
    expect(cell.frames).toHaveLength(25);
    expect(cell.frames.map((f) => f.t)).toEqual(Array.from({ length: 25 }, (_, i) => 960 - 40 * i));
    const last = cell.frames.at(-1)!.x;
    expect(last.length).toBe(16 * 784);
    expect(last.every(Number.isFinite)).toBe(true);
    // the first frame is still mostly noise, the last one is in the data range [-1, 1] (clipped x0 at the end)
    expect(Math.max(...cell.frames[0]!.x.map(Math.abs))).toBeGreaterThan(1.5);
    expect(Math.max(...last.map(Math.abs))).toBeLessThanOrEqual(1.0001);
    expect(gridPixels(cell.shadowRoot!.querySelector('dl-image-grid.xt'))).not.toBeNull();
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
