// The 2-D warm-up lesson in real Chromium on WASM: the forward process on the plane, ten seconds of
// training in the worker, the learned arrows, and particles carried onto the spiral.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { Dl2dForward } from '../../lessons/2d/forward';
import type { Dl2dLab } from '../../lessons/2d/lab';
import { spiral } from '../../lessons/2d/toy-2d';
import { toyStore } from '../../lessons/2d/params';
import { collectErrors, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(sel: string) => app.querySelector(sel) as T;

beforeAll(async () => {
  app = mountApp('#/2d?data=spiral&t=0&sampler=ddim&steps=50&backend=wasm');
  await waitFor(() => app.querySelector('dl-2d-lab'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

function moments(p: Float32Array) {
  const n = p.length / 2;
  let m = 0;
  let v = 0;
  for (let i = 0; i < n; i++) m += p[2 * i]! / n;
  for (let i = 0; i < n; i++) v += (p[2 * i]! - m) ** 2 / n;
  return { m, sd: Math.sqrt(v) };
}

describe('the 2-D lesson', () => {
  it('noises the cloud by the closed form: the spiral itself at t = 0, a unit Gaussian at t = 999', async () => {
    const f = cell<Dl2dForward>('dl-2d-forward');
    await f.updateComplete;
    const at0 = f.noised();
    // at t = 0 only √(1 − ᾱ₀) = 0.01 of noise is in each point
    const s0 = spiral(2000, 1);
    for (let i = 0; i < 100; i++) expect(Math.abs(at0[i]! - s0[i]!)).toBeLessThan(0.05);
    location.hash = '#/2d?data=spiral&t=999&sampler=ddim&steps=50&backend=wasm';
    await waitFor(() => f.noised()[0] !== at0[0], 'the re-render at t = 999');
    const { m, sd } = moments(f.noised());
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
  });

  it('trains for ten seconds, draws arrows towards the data, and carries particles onto the spiral', async () => {
    location.hash = '#/2d?data=spiral&t=50&sampler=ddim&steps=50&backend=wasm';
    const lab = cell<Dl2dLab>('dl-2d-lab');
    await lab.train();
    expect(lab.progress!.step).toBeGreaterThan(20);
    const field = await waitFor(() => lab.field, 'the arrows', 30_000);
    expect(field.length).toBe(4 * 17 * 17);
    await lab.sample();
    const r = lab.result!;
    expect(r.x.length).toBe(2 * 1000);
    expect(lab.frames.length).toBeGreaterThan(10);
    const refs = lab.references!;
    // closer to the spiral than the starting Gaussian is; how close after ten seconds is a measured figure
    expect(r.distance).toBeLessThan(refs.gaussian);
    // the lesson's default sampler, DDPM with 1,000 steps, from the same trained model
    location.hash = '#/2d?data=spiral&t=50&sampler=ddpm&steps=1000&backend=wasm';
    await waitFor(
      () => toyStore.values.sampler === 'ddpm' && toyStore.values.steps === 1000,
      'the sampler change',
    );
    await lab.sample();
    const ddpm = lab.result!;
    expect(ddpm).not.toBe(r);
    expect(ddpm.distance).toBeLessThan(refs.gaussian);
    console.log(
      `2-D: ${lab.progress!.step} steps in ${lab.progress!.seconds.toFixed(1)} s; distance DDIM-50 ${r.distance.toFixed(3)}, DDPM-1000 ${ddpm.distance.toFixed(3)} (Gaussian ${refs.gaussian.toFixed(3)}, second draw ${refs.secondDraw.toFixed(3)})`,
    );
  }, 180_000);

  it('refuses to train on an empty drawing, in words', async () => {
    location.hash = '#/2d?data=drawn&t=50&sampler=ddim&steps=50&backend=wasm';
    const lab = cell<Dl2dLab>('dl-2d-lab');
    await waitFor(() => /draw a shape/.test(lab.shadowRoot!.textContent ?? ''), 'the message');
    expect(lab.shadowRoot!.querySelector<HTMLButtonElement>('button.train')!.disabled).toBe(true);
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
