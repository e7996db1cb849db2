// "Diffusion at work" in real Chromium, with the shipped pixel DDPM and the classifier in the sampling
// worker, on WASM: each cell's result checked against what its method guarantees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlDenoiseLevel, DlInpaint, DlSdedit } from '../../lessons/at-work/restore-cells';
import { atWorkStore } from '../../lessons/at-work/params';
import { inferenceWorker } from '../../src/notebook/inference/client';
import { gradientEnergy } from '../../src/metrics/reconstruction';
import { holeMask, psnrEach } from '../../src/pipelines/restore';
import { collectErrors, gridPixels, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(sel: string) => app.querySelector(sel) as T;
const P = 784;

beforeAll(async () => {
  app = mountApp('#/at-work?digit=3&sigma=1&seed=0&hole=bottom&hdigit=7&edigit=0&strength=0.5&backend=wasm');
  await waitFor(() => app.querySelector('dl-denoise-level'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

describe('the applications lesson', () => {
  it('denoises a digit seen at σ = 1: the one-call estimate is closest to the truth, the samples are sharper', async () => {
    const c = cell<DlDenoiseLevel>('dl-denoise-level');
    const s = await waitFor(() => c.shown, 'the denoised digit', 120_000);
    const psnr = (img: Float32Array) => psnrEach(img, s.clean, P)[0]!;
    expect(psnr(s.x0)).toBeGreaterThan(psnr(s.observed) + 5);
    expect(s.samples.length).toBe(3 * P);
    // in expectation a sample is twice as far from the truth in squared error: checked on the three together
    const se = (img: Float32Array, k = 0) => {
      let e = 0;
      for (let i = 0; i < P; i++) e += (img[k * P + i]! - s.clean[i]!) ** 2;
      return e;
    };
    expect((se(s.samples, 0) + se(s.samples, 1) + se(s.samples, 2)) / 3).toBeGreaterThan(se(s.x0));
    // the posterior mean is a blur: the samples keep more edge energy
    expect(gradientEnergy(s.samples, 28)).toBeGreaterThan(gradientEnergy(s.x0, 28)); // means per image
    // test digit 3 is a 0; at σ = 1 the estimate still reads as one
    expect(s.readings[1]!.digit).toBe(0);
    expect(gridPixels(c.shadowRoot!.querySelector('dl-image-grid'))).not.toBeNull();
  });

  it('fills the bottom half on the button, keeping every known pixel exactly', async () => {
    const c = cell<DlInpaint>('dl-inpaint');
    const button = await waitFor(
      () => c.shadowRoot?.querySelector<HTMLButtonElement>('button.fill:not([disabled])'),
      'the fill button',
      60_000,
    );
    button.click();
    const s = await waitFor(() => c.shown, 'both fills', 240_000);
    const mask = holeMask('bottom');
    let worst = 0;
    for (const img of [s.replace, s.repaint])
      for (let i = 0; i < P; i++) if (mask[i]) worst = Math.max(worst, Math.abs(img[i]! - s.clean[i]!));
    expect(worst).toBeLessThan(1e-5);
    // the hole is filled with ink somewhere, not left black
    let ink = 0;
    for (let i = 0; i < P; i++) if (!mask[i] && s.repaint[i]! > 0) ink++;
    expect(ink).toBeGreaterThan(5);
    // the two methods fill the hole differently (RePaint's walk goes back up; replacing never does)
    let differ = 0;
    for (let i = 0; i < P; i++) if (!mask[i] && Math.abs(s.repaint[i]! - s.replace[i]!) > 0.1) differ++;
    expect(differ).toBeGreaterThan(10);
    expect(s.readings).toHaveLength(3);
  });

  it('edits a rough sketch: four different digits, closer to the sketch at a lower strength, with no leaked tensor', async () => {
    const c = cell<DlSdedit>('dl-sdedit');
    const half = await waitFor(() => c.shown, 'the edits at 0.5', 120_000);
    const mean = (s: typeof half) => {
      let m = 0;
      for (let k = 0; k < 4; k++) m += psnrEach(s.edits.subarray(k * P, (k + 1) * P), s.sketch, P)[0]! / 4;
      return m;
    };
    expect(half.edits.length).toBe(4 * P);
    expect(psnrEach(half.edits.subarray(0, P), half.edits.subarray(P, 2 * P), P)[0]).toBeLessThan(60);
    const rpc = await inferenceWorker();
    const held = await rpc.call(rpc.api.numTensors());
    atWorkStore.set({ strength: '0.2' });
    const low = await waitFor(() => (c.shown !== half ? c.shown : null), 'the edits at 0.2', 120_000);
    expect(mean(low)).toBeGreaterThan(mean(half));
    expect(await rpc.call(rpc.api.numTensors())).toBe(held);
  });

  it('raised no error', () => {
    expect(errors).toEqual([]);
  });
});
