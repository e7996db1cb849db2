// Leak-free over a class period: tensors and memory stay flat over slider scrubs, lesson-to-lesson
// navigation, sampling runs in the sampling worker and live training in its worker. A short soak runs in
// `npm test`; the full one (10,000 training steps, 1,000 scrubs, 100 sampling runs, 50 navigations) with
// `VITE_SOAK=full npx vitest run --project browser tests/browser/soak.test.ts`. Each part prints its figures.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DlApp } from '../../src/notebook/app';
import type { DlTrainPanel } from '../../src/notebook/live-train/panel';
import { inferenceWorker, sampleInWorker } from '../../src/notebook/inference/client';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { collectErrors, gridPixels, mountApp, nextFrame, waitFor } from './helpers';

const FULL = import.meta.env.VITE_SOAK === 'full';
const N = FULL
  ? { steps: 10_000, scrubs: 1_000, samples: 100, navigations: 50 }
  : { steps: 150, scrubs: 100, samples: 6, navigations: 8 };
const LONG = FULL ? 4 * 3600_000 : 300_000;

const errors = collectErrors();
let app: DlApp;
const explorer = () => app.querySelector('dl-forward-explorer');
const grid = () => explorer()?.shadowRoot?.querySelector('dl-image-grid');
const slider = () =>
  explorer()?.shadowRoot?.querySelector('dl-slider')?.shadowRoot?.querySelector('input') ?? null;
type Updating = HTMLElement & { updateComplete: Promise<boolean> };

/** The heap of this page (Chromium's performance.memory), in MB, where the browser reports it. */
const heapMb = () =>
  ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN) / 1e6;

/** Settle the forward explorer: its own update and its grid's. */
async function settled() {
  for (let i = 0; i < 50; i++) {
    const e = explorer() as Updating | null;
    const g = grid() as Updating | null | undefined;
    if (e && g && (await e.updateComplete) && (await g.updateComplete)) return;
    await nextFrame();
  }
}

beforeAll(async () => {
  app = mountApp('#/forward?t=100&backend=wasm');
  await waitFor(() => gridPixels(grid()) && slider(), 'the forward lesson', 60_000);
  // The explorer can draw before the chosen backend has finished starting: wait for it too.
  await tf.ready();
  await settled();
});
afterAll(() => app.remove());

describe(`soak (${FULL ? 'full' : 'short'})`, () => {
  it(
    `${N.scrubs} slider scrubs leave the page's tensors where they were`,
    async () => {
      const before = tf.memory().numTensors;
      const input = slider()!;
      for (let i = 0; i < N.scrubs; i++) {
        input.value = String((i * 37) % 1001);
        input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        if (i % 10 === 9) await settled();
      }
      await settled();
      console.log(
        `soak: ${N.scrubs} scrubs, page tensors ${before} -> ${tf.memory().numTensors}, heap ${heapMb().toFixed(0)} MB`,
      );
      expect(tf.memory().numTensors).toBe(before);
    },
    LONG,
  );

  it(
    `${N.navigations} navigations between lessons leave the page's and the sampling worker's tensors flat`,
    async () => {
      const ids = ['predicting-noise', 'latent', 'faster-sampling', 'forward'];
      const go = async (id: string) => {
        location.hash = `#/${id}?backend=wasm`;
        await waitFor(
          () => {
            const page = app.querySelector('dl-lesson-page');
            return (
              page?.lesson === id && page.querySelector('article.lesson') && !page.querySelector('.loading')
            );
          },
          `the ${id} lesson`,
          60_000,
        );
        await new Promise((r) => setTimeout(r, 500)); // its cells start their work, to be cancelled by leaving
      };
      const rpc = await inferenceWorker();
      /** The worker's tensor count once it stops changing (cancelled runs unwound, models loaded). */
      const quiet = async () => {
        let last = -1;
        for (;;) {
          await new Promise((r) => setTimeout(r, 700));
          const n = await rpc.call(rpc.api.numTensors());
          if (n === last) return n;
          last = n;
        }
      };
      for (let k = 0; k < 2; k++) for (const id of ids) await go(id); // every lesson's models loaded
      await settled();
      const worker0 = await quiet();
      const page0 = tf.memory().numTensors;
      for (let i = 0; i < N.navigations; i++) await go(ids[i % ids.length]!);
      if (N.navigations % ids.length)
        for (let i = N.navigations % ids.length; i < ids.length; i++) await go(ids[i]!);
      await settled();
      const worker1 = await quiet();
      console.log(
        `soak: ${N.navigations} navigations, page tensors ${page0} -> ${tf.memory().numTensors}, sampling worker ${worker0} -> ${worker1}, heap ${heapMb().toFixed(0)} MB`,
      );
      expect(tf.memory().numTensors).toBe(page0);
      expect(worker1).toBe(worker0);
    },
    LONG,
  );

  it(
    `${N.samples} sampling runs in the sampling worker leave its tensors flat`,
    async () => {
      const rpc = await inferenceWorker();
      const run = async (seed: number) => {
        for await (const f of sampleInWorker({
          model: SHIPPED_MODELS.ddpmMnist,
          spec: { sampler: 'ddim', steps: 5, eta: 0 },
          n: 4,
          seed,
          every: 5,
        }))
          void f;
      };
      await run(0);
      const before = await rpc.call(rpc.api.numTensors());
      for (let i = 1; i <= N.samples; i++) await run(i);
      const after = await rpc.call(rpc.api.numTensors());
      console.log(`soak: ${N.samples} sampling runs, sampling worker tensors ${before} -> ${after}`);
      expect(after).toBe(before);
    },
    LONG,
  );

  it(
    `${N.steps} live training steps keep the training worker's tensors and memory flat`,
    async () => {
      location.hash = '#/train-live?backend=wasm&batch=4&every=250';
      const panel = await waitFor(
        () => app.querySelector('dl-train-panel') as DlTrainPanel | null,
        'the panel',
      );
      const start = () => panel.shadowRoot!.querySelector<HTMLButtonElement>('button.start')!;
      await waitFor(
        () => panel.shadowRoot?.querySelector('button.start') && !start().disabled,
        'the digits',
        120_000,
      );
      const s = panel.session;
      const data = await panel.mnist.load();
      await s.start(data, 30); // warm: the model, Adam's moments and the EMA exist
      await s.makePreview(); // and the preview's network
      await s.start(data, 1); // the worker's state, counted after all of that
      const t0 = s.state!.tensors;
      const mb0 = s.state!.mb;
      await s.start(data, N.steps);
      console.log(
        `soak: ${N.steps} training steps, training worker tensors ${t0} -> ${s.state!.tensors}, ${mb0.toFixed(1)} -> ${s.state!.mb.toFixed(1)} MB`,
      );
      expect(s.state!.tensors).toBe(t0);
      expect(s.state!.mb).toBeLessThanOrEqual(mb0 * 1.01 + 0.5);
    },
    LONG,
  );

  it('raised no errors', () => {
    expect(errors).toEqual([]);
  });
});
