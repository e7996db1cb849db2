// "What diffusion still gets wrong" in real Chromium on WASM: the text model asked for "42", the model
// trained on 60% ones with and without labels, and the 2-D model trained live on imbalanced clusters,
// each result checked against what the experiment guarantees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import { BIAS_COUNT, TEXT_COUNT, type DlLimitsBias, type DlLimitsText } from '../../lessons/limits/cells';
import { PARTICLES_2D, type DlLimitsBias2d } from '../../lessons/limits/bias-2d';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { limitsStore } from '../../lessons/limits/params';
import { inferenceWorker, sampleInWorker } from '../../src/notebook/inference/client';
import { findDigits, judge } from '../../src/metrics/canvas-judge';
import { CANVASES, type DlLimitsCanvas } from '../../lessons/limits/canvas-cell';
import { CANVAS_PIXELS, CANVAS_SIDE } from '../../src/data/canvas';
import { clusterShares } from '../../src/train/toy-clusters';
import { collectErrors, gridPixels, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(sel: string) => app.querySelector(sel) as T;

beforeAll(async () => {
  app = mountApp('#/limits?text=42&labels=0&w=3&weighting=collected&seed=0&backend=wasm');
  await waitFor(() => app.querySelector('dl-limits-text'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

describe('the limits lesson', () => {
  it('asked for "42", the single-digit model draws eight single digits, each read and its marks counted', async () => {
    const c = cell<DlLimitsText>('dl-limits-text');
    const s = await waitFor(() => c.shown, 'the drawings', 120_000);
    expect(s.prompt).toBe('42');
    expect(s.images.length).toBe(TEXT_COUNT * 784);
    expect(s.reads).toHaveLength(TEXT_COUNT);
    // the marks are the judge's on the images shown, not made up
    for (let k = 0; k < TEXT_COUNT; k++)
      expect(s.marks[k]).toBe(findDigits(s.images.subarray(k * 784, (k + 1) * 784), 28).length);
    // it draws one digit, almost never two: at most two of eight with two or more marks
    expect(s.marks.filter((m) => m >= 2).length).toBeLessThanOrEqual(2);
    // and what it draws reads mostly as a 4 or a 2
    expect(s.reads.filter((r) => r.digit === 4 || r.digit === 2).length).toBeGreaterThanOrEqual(5);
    expect(gridPixels(c.shadowRoot!.querySelector('dl-image-grid'))).not.toBeNull();
  });

  it('the model trained on 60% ones draws mostly ones with no label, and each digit when asked', async () => {
    const c = cell<DlLimitsBias>('dl-limits-bias');
    const none = await waitFor(() => c.shown, 'the unlabelled digits', 120_000);
    expect(none.labels).toBe(false);
    const ones = (s: typeof none) => s.reads.filter((r) => r.digit === 1).length;
    // 40 draws of a model whose data is 60% ones: far more than a balanced model's four
    expect(ones(none)).toBeGreaterThanOrEqual(14);
    const rpc = await inferenceWorker();
    const held = await rpc.call(rpc.api.numTensors());
    limitsStore.set({ labels: true });
    const asked = await waitFor(() => (c.shown !== none ? c.shown : null), 'the labelled digits', 120_000);
    expect(asked.labels).toBe(true);
    // a tenth were asked to be ones: a few more may come out as ones, nowhere near the unlabelled share
    expect(ones(asked)).toBeLessThanOrEqual(BIAS_COUNT / 10 + 4);
    // the ones asked for (every tenth) come out as ones
    expect(asked.reads.filter((r, i) => i % 10 === 1 && r.digit === 1).length).toBeGreaterThanOrEqual(3);
    expect(await rpc.call(rpc.api.numTensors())).toBe(held);
  });

  it('the 2-D model learns the imbalance in ten seconds, and reweighting evens it out', async () => {
    const c = cell<DlLimitsBias2d>('dl-limits-bias-2d');
    const train = async () => {
      const b = await waitFor(
        () => c.shadowRoot?.querySelector<HTMLButtonElement>('button.train:not([disabled])'),
        'the train button',
        60_000,
      );
      const before = c.result;
      b.click();
      return waitFor(() => (c.result && c.result !== before ? c.result : null), 'the samples', 120_000);
    };
    const collected = await train();
    expect(collected.weighting).toBe('collected');
    expect(collected.x.length).toBe(2 * PARTICLES_2D);
    expect(collected.shares).toEqual(clusterShares(collected.x));
    expect(collected.shares[0]).toBeGreaterThan(0.45);
    limitsStore.set({ weighting: 'reweighted' });
    const even = await train();
    expect(even.weighting).toBe('reweighted');
    expect(even.shares[0]).toBeLessThan(0.35);
    expect(Math.min(...even.shares)).toBeGreaterThan(0.1);
  });

  it('the worker samples a label model with labels and guidance, and refuses labels a model cannot take', async () => {
    const draw = async (
      model: typeof SHIPPED_MODELS.biasLdmMnist | typeof SHIPPED_MODELS.ldmMnist,
      o: { labels?: number[]; guidance?: number; n?: number },
    ) => {
      let x: Float32Array | null = null;
      for await (const f of sampleInWorker({
        model,
        spec: { sampler: 'ddim', eta: 0, steps: 5 },
        n: o.n ?? 4,
        seed: 3,
        every: 5,
        ...o,
      }))
        x = f.x;
      return x!;
    };
    const sevens = [7, 7, 7, 7];
    const w1 = await draw(SHIPPED_MODELS.biasLdmMnist, { labels: sevens, guidance: 1 });
    const w3 = await draw(SHIPPED_MODELS.biasLdmMnist, { labels: sevens, guidance: 3 });
    const none = await draw(SHIPPED_MODELS.biasLdmMnist, { labels: [-1, -1, -1, -1], guidance: 1 });
    const diff = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    // the same noise: guidance and the label each change the image
    expect(diff(w1, w3)).toBeGreaterThan(0.1);
    expect(diff(w1, none)).toBeGreaterThan(0.1);
    // and the same request twice gives the same image
    expect(diff(w3, await draw(SHIPPED_MODELS.biasLdmMnist, { labels: sevens, guidance: 3 }))).toBe(0);
    await expect(draw(SHIPPED_MODELS.ldmMnist, { labels: sevens })).rejects.toThrow(
      /labels given to a model that takes none/,
    );
    await expect(draw(SHIPPED_MODELS.biasLdmMnist, { labels: [7, 7], n: 4 })).rejects.toThrow(
      /2 labels for 4 samples/,
    );
  });

  it('the canvas model asked for "three sevens" draws canvases of several digits, each judged as shown', async () => {
    const c = cell<DlLimitsCanvas>('dl-limits-canvas');
    limitsStore.set({ ask: 'count', digit: 7, count: 3, cw: 3, cseed: 0 });
    const rpc = await inferenceWorker();
    c.draw();
    const s = await waitFor(() => c.shown, 'the canvases', 180_000);
    expect(s.prompt).toBe('three sevens');
    expect(s.images.length).toBe(CANVASES * CANVAS_PIXELS);
    for (let k = 0; k < CANVASES; k++) {
      // the boxes are the judge's on the canvas shown, and the verdict follows from them and their reading
      const found = findDigits(s.images.subarray(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS), CANVAS_SIDE);
      expect(s.found[k]).toEqual(found);
      expect(s.verdicts[k]).toEqual(judge(found, s.verdicts[k]!.classes, { kind: 'count', digit: 7, n: 3 }));
    }
    // a model of multi-digit canvases draws more than one digit per canvas on the whole, and mostly sevens
    const digits = s.verdicts.flatMap((v) => v.classes);
    expect(digits.length).toBeGreaterThanOrEqual(2 * CANVASES);
    expect(digits.filter((d) => d === 7).length).toBeGreaterThan(digits.length / 2);
    expect(c.shadowRoot!.querySelectorAll('figure svg rect').length).toBe(digits.length);
    // a relation asked next: a new prompt; and new noise for it leaves the worker's tensors where they were
    limitsStore.set({ ask: 'relation', a: 3, rel: 'left of', b: 7 });
    c.draw();
    const r = await waitFor(
      () => (c.shown && c.shown !== s ? c.shown : null),
      'the relation canvases',
      180_000,
    );
    expect(r.prompt).toBe('a three left of a seven');
    const held = await rpc.call(rpc.api.numTensors());
    limitsStore.set({ cseed: 1 });
    c.draw();
    const r2 = await waitFor(() => (c.shown && c.shown !== r ? c.shown : null), 'new noise', 180_000);
    expect(r2.prompt).toBe('a three left of a seven');
    expect(r2.images).not.toEqual(r.images);
    expect(await rpc.call(rpc.api.numTensors())).toBe(held);
    // a digit beside itself is refused in words; once the models are loaded, a change redraws by itself
    limitsStore.set({ a: 7, b: 7 });
    await c.updateComplete;
    expect(c.shadowRoot!.querySelector<HTMLButtonElement>('button.draw')!.disabled).toBe(true);
    expect(c.shadowRoot!.textContent).toMatch(/Pick two different digits/);
    expect(c.shadowRoot!.querySelectorAll('figure').length).toBe(0);
    limitsStore.set({ a: 4 });
    const r3 = await waitFor(
      () => (c.shown?.prompt === 'a four left of a seven' ? c.shown : null),
      'the redraw',
      180_000,
    );
    expect(r3.images.length).toBe(CANVASES * CANVAS_PIXELS);
  }, 400_000);

  it('raised no error', () => {
    expect(errors).toEqual([]);
  });
});
