import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlSamplerRace, RaceResult } from '../../lessons/faster-sampling/race';
import type { DlStepsQuality } from '../../lessons/faster-sampling/quality';
import { inferenceWorker } from '../../src/notebook/inference/client';
import { collectErrors, gridPixels, waitFor, mountApp } from './helpers';

const errors = collectErrors();
let app: DlApp;
const race = () => app.querySelector('dl-sampler-race') as DlSamplerRace;
const quality = () => app.querySelector('dl-steps-quality') as DlStepsQuality;

/**
 * Runs estimated at over 20 s (at the speed measured so far) wait for the Run button instead of starting
 * on their own; on a slow or busy machine even a 5-step race can, so press it where it is offered.
 */
function pressRunIfOffered(): void {
  if (!race()?.running) race()?.shadowRoot?.querySelector<HTMLButtonElement>('button.run')?.click();
}

/** Wait until all three samplers finished at `steps`; returns their results. */
async function allThree(
  steps: number,
  eta = 0,
  seed = 3,
): Promise<Record<'ddpm' | 'ddim' | 'dpm++', RaceResult>> {
  const ok = (x?: RaceResult) => x?.steps === steps && x.eta === eta && x.seed === seed;
  return waitFor(
    () => {
      pressRunIfOffered();
      const r = race()?.results;
      return (
        r &&
        ok(r.ddpm) &&
        ok(r.ddim) &&
        ok(r['dpm++']) &&
        !race().running &&
        (r as Record<'ddpm' | 'ddim' | 'dpm++', RaceResult>)
      );
    },
    `three samplers at ${steps} steps`,
    150_000,
  );
}

beforeAll(async () => {
  // 5 steps keeps the three runs to a few seconds on this CPU-only Chromium
  app = mountApp('#/faster-sampling?steps=5&eta=0&seed=3&backend=wasm');
  await app.updateComplete;
});
afterAll(() => app.remove());

describe('the "1,000 steps to 20" lesson', () => {
  let first: Record<'ddpm' | 'ddim' | 'dpm++', RaceResult>;

  it('runs DDPM, DDIM and DPM-Solver++ from the same noise on its own, with times and trajectories', async () => {
    first = await allThree(5);
    for (const k of ['ddpm', 'ddim', 'dpm++'] as const) {
      const r = first[k];
      expect(r.x.length).toBe(16 * 784);
      expect(r.x.every(Number.isFinite)).toBe(true);
      expect(r.ms).toBeGreaterThan(0);
      // a frame per step at 5 steps: x̂0 after steps 1..5
      expect(r.trajectory.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    }
    // DDPM and DDIM share the 'leading' timesteps; DPM-Solver++ starts at the noisiest step
    expect(first.ddim.trajectory.map((f) => f.t)).toEqual([800, 600, 400, 200, 0]);
    expect(first['dpm++'].trajectory[0]!.t).toBe(999);
    const root = race().shadowRoot!;
    for (const cls of ['col-ddpm', 'col-ddim', 'col-dpm'])
      expect(gridPixels(root.querySelector(`.${cls} dl-image-grid`)), cls).not.toBeNull();
    expect(gridPixels(root.querySelector('dl-image-grid.strip-ddim'))).not.toBeNull();
    expect(root.querySelector('.col-ddim figcaption')!.textContent).toMatch(/5 network calls in [\d.]+ s/);
    // different samplers, different digits from the same x_T
    expect(Array.from(first.ddim.x)).not.toEqual(Array.from(first.ddpm.x));
  });

  it('is deterministic for DDIM η=0 and re-runs when the URL changes η or the seed', async () => {
    location.hash = '#/faster-sampling?steps=5&eta=1&seed=3&backend=wasm';
    const eta1 = await allThree(5, 1);
    expect(race().shadowRoot!.querySelector('.col-ddim h3')!.textContent).toContain('η=1');
    expect(Array.from(eta1.ddim!.x)).not.toEqual(Array.from(first.ddim.x));
    // the deterministic samplers depend only on x_T: DPM-Solver++ is unchanged by eta
    expect(Array.from(eta1['dpm++']!.x)).toEqual(Array.from(first['dpm++'].x));
    const before = tf.memory().numTensors;
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=3&backend=wasm';
    const back = await allThree(5, 0);
    expect(Array.from(back.ddim.x)).toEqual(Array.from(first.ddim.x));
    // a new seed, new digits
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=4&backend=wasm';
    const seed4 = await allThree(5, 0, 4);
    expect(Array.from(seed4.ddim.x)).not.toEqual(Array.from(first.ddim.x));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shows what clipping x̂0 does: off changes every sampler, the old DDIM update only DDIM', async () => {
    const sameSeed = (clip: string) =>
      waitFor(
        () => {
          pressRunIfOffered();
          const r = race()?.results;
          const ok = (x?: RaceResult) => x?.steps === 5 && x.seed === 3 && x.clip === clip;
          return r && ok(r.ddpm) && ok(r.ddim) && ok(r['dpm++']) && !race().running && r;
        },
        `three samplers with clip=${clip}`,
        150_000,
      );
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=3&clip=x0-model-eps&backend=wasm';
    const old = await sameSeed('x0-model-eps');
    const root = race().shadowRoot!;
    expect(root.querySelector('.col-ddim h3')!.textContent).toContain("the network's ε̂");
    expect(root.querySelector('.col-ddpm h3')!.textContent).not.toContain('ε̂');
    expect(Array.from(old.ddim!.x)).not.toEqual(Array.from(first.ddim.x));
    expect(Array.from(old.ddpm!.x)).toEqual(Array.from(first.ddpm.x));
    expect(Array.from(old['dpm++']!.x)).toEqual(Array.from(first['dpm++'].x));
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=3&clip=off&backend=wasm';
    const off = await sameSeed('off');
    for (const k of ['ddpm', 'ddim', 'dpm++'] as const) {
      expect(root.querySelector(`.col-${k === 'dpm++' ? 'dpm' : k} h3`)!.textContent).toContain(
        'no clipping',
      );
      expect(Array.from(off[k]!.x)).not.toEqual(Array.from(first[k].x));
    }
    expect(root.querySelector<HTMLSelectElement>('select.clip')!.value).toBe('off');
  });

  it('a settings change in the middle of a run stops it, shows only the new run, and leaks nothing', async () => {
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=6&backend=wasm';
    await allThree(5, 0, 6);
    const idle = tf.memory().numTensors;
    // the samplers run in the sampling worker: its tensors must not pile up either
    const worker = (await inferenceWorker()).api;
    const idleInWorker = await worker.numTensors();
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=7&backend=wasm';
    await waitFor(
      () => (pressRunIfOffered(), race().running === 'ddim'),
      'the DDIM run at seed 7 (the page must stay responsive while sampling)',
      60_000,
    );
    location.hash = '#/faster-sampling?steps=5&eta=0&seed=8&backend=wasm';
    const r = await allThree(5, 0, 8);
    expect(Object.values(r).every((x) => x.seed === 8)).toBe(true);
    expect(tf.memory().numTensors).toBe(idle);
    expect(await worker.numTensors()).toBe(idleInWorker);
  });

  it('shows the measured quality-vs-steps chart with the live setting ringed', async () => {
    location.hash = '#/faster-sampling?steps=10&eta=0&seed=3&backend=wasm';
    const q = await waitFor(() => quality()?.table, 'the committed table', 30_000);
    expect(q.rows.length).toBeGreaterThan(4);
    const svg = await waitFor(
      () => quality().shadowRoot!.querySelector('dl-line-plot')?.shadowRoot?.querySelector('svg'),
      'the chart',
    );
    // one line per sampler setting of the committed table, drawn as SVG paths (the legend is its own svg)
    const plotRoot = svg.getRootNode() as ShadowRoot;
    const lines = [...plotRoot.querySelectorAll('svg')].flatMap((g) => [...g.querySelectorAll('path')]);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    await waitFor(() => quality().shadowRoot!.querySelector('table.at-steps tr.you'), 'the ringed row');
    const you = quality().shadowRoot!.querySelector('table.at-steps tr.you')!.textContent!;
    expect(you).toContain('DDIM η=0');
  });

  it('a run estimated at over 20 s waits for the button, which shows the estimate; Stop ends it and leaks nothing', async () => {
    // a 10-step race may have started on its own (or, on a slow machine, be waiting for the button)
    const stopNow = async () => {
      race().shadowRoot!.querySelector<HTMLButtonElement>('button.stop')?.click();
      await waitFor(() => !race().running, 'the run to stop', 60_000);
    };
    const changed = new Promise((r) => addEventListener('hashchange', r, { once: true }));
    location.hash = '#/faster-sampling?steps=1000&eta=0&seed=3&backend=wasm';
    await changed; // the lesson's settings follow the address on this event
    await race().updateComplete;
    await stopNow();
    const idle = tf.memory().numTensors;
    // 3 x 1,000 calls at the measured speed is far over 20 s: nothing starts on its own
    const button = await waitFor(
      () => race().shadowRoot!.querySelector<HTMLButtonElement>('button.run'),
      'the Run button',
    );
    const est = race().estimateSeconds()!;
    expect(est).toBeGreaterThan(20);
    expect(button.textContent).toContain(`about ${Math.ceil(est)} s here`);
    await new Promise((r) => setTimeout(r, 400));
    expect(race().running).toBeNull();
    expect(race().results).toEqual({});
    button.click();
    await waitFor(() => race().running === 'ddpm', 'the DDPM run to start');
    await stopNow();
    expect(race().results.ddpm).toBeUndefined();
    expect(race().shadowRoot!.querySelector('button.run')).not.toBeNull();
    expect(tf.memory().numTensors).toBe(idle);
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
