// The latent diffusion lesson in real Chromium, with the shipped autoencoder and latent DDPM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlLatentEncode } from '../../lessons/latent/encode';
import type { DlLatentInterpolate } from '../../lessons/latent/interpolate';
import type { DlLatentForward } from '../../lessons/latent/forward';
import type { DlLatentSample } from '../../lessons/latent/sample';
import type { DlTrainPanel } from '../../src/notebook/live-train/panel';
import { collectErrors, gridPixels, mountApp, waitFor } from './helpers';
import { DrawEvent } from '../../src/widgets/draw-pad';
import * as tf from '@tensorflow/tfjs-core';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(tag: string) => app.querySelector(tag) as T;

beforeAll(async () => {
  app = mountApp('#/latent?digit=7&a=3&b=2&t=400&seed=0&sseed=1&backend=wasm');
  await waitFor(() => app.querySelector('dl-latent-encode'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

describe('the latent diffusion lesson', () => {
  it('encodes a test digit: four 7x7 latent channels, a reconstruction close to it, and the compression in numbers', async () => {
    const enc = cell<DlLatentEncode>('dl-latent-encode');
    const r = await waitFor(() => enc.result, 'the encoded digit', 90_000);
    expect(r.key).toBe('digit:7');
    expect(r.planes.length).toBe(4 * 7 * 7);
    expect(r.recon.length).toBe(784);
    // the shipped autoencoder reconstructs a test digit with a small error (pixels on a 0-1 scale)
    expect(r.mse).toBeLessThan(0.01);
    expect(gridPixels(enc.shadowRoot!.querySelector('dl-image-grid.planes'))).not.toBeNull();
    const text = enc.shadowRoot!.querySelector('.readout')!.textContent!.replace(/\s+/g, ' ');
    expect(text).toContain('784 pixels become 196 numbers: 4× fewer values, 4× smaller on each side');
  });

  it('says so when the drawing canvas is empty, instead of encoding nothing', async () => {
    const enc = cell<DlLatentEncode>('dl-latent-encode');
    const box = enc.shadowRoot!.querySelector<HTMLInputElement>('input.draw-mode')!;
    box.click();
    await enc.updateComplete;
    const pad = await waitFor(() => enc.shadowRoot!.querySelector('dl-draw-pad'), 'the drawing pad');
    // what the pad reports when its canvas is cleared: background everywhere
    pad.dispatchEvent(new DrawEvent(new Float32Array(784).fill(-1)));
    await enc.updateComplete; // the drawing is the new argument: a run starts
    await enc.settled();
    await enc.updateComplete;
    expect(enc.shadowRoot!.querySelector('p.error')!.textContent).toContain(
      'the canvas is empty: draw a digit first',
    );
    box.click();
    await enc.updateComplete;
    await enc.settled();
  });

  it('interpolates: the pixel row is a cross-fade, the latent row starts and ends near the two digits', async () => {
    const cellI = cell<DlLatentInterpolate>('dl-latent-interpolate');
    const rows = await waitFor(() => cellI.rows, 'the two rows', 60_000);
    expect(rows.key).toBe('3:2');
    const n = 784;
    const mid = rows.pixels.subarray(4 * n, 5 * n);
    const a = rows.pixels.subarray(0, n);
    const b = rows.pixels.subarray(8 * n, 9 * n);
    for (const i of [100, 400, 600]) expect(mid[i]).toBeCloseTo((a[i]! + b[i]!) / 2, 5);
    const err = (x: Float32Array, y: Float32Array) =>
      x.reduce((s, v, i) => s + ((v - y[i]!) / 2) ** 2, 0) / n;
    expect(err(rows.latent.subarray(0, n), a)).toBeLessThan(0.01);
    expect(err(rows.latent.subarray(8 * n), b)).toBeLessThan(0.01);
  });

  it('noises both spaces at the same t, and samples 16 latents step by step with decoded guesses', async () => {
    const fwd = cell<DlLatentForward>('dl-latent-forward');
    const f = await waitFor(() => fwd.shown, 'the noised pair', 60_000);
    expect(f.key).toBe('7:400:0');
    expect(f.latentPlanes.length).toBe(196);
    const sample = cell<DlLatentSample>('dl-latent-sample');
    await waitFor(() => sample.frames.length, 'the sampling frames', 120_000);
    expect(sample.frames.length).toBe(50);
    expect(sample.frames.at(-1)!.decoded.length).toBe(16 * 784);
    expect(gridPixels(sample.shadowRoot!.querySelector('dl-image-grid.x0'))).not.toBeNull();
  });

  it('keeps the tensor count stable as the cells re-run', async () => {
    const fwd = cell<DlLatentForward>('dl-latent-forward');
    location.hash = '#/latent?digit=7&a=3&b=2&t=500&seed=0&sseed=1&backend=wasm';
    await waitFor(() => fwd.shown?.key === '7:500:0', 'the re-run at t = 500', 30_000);
    const before = tf.memory().numTensors;
    for (const t of [100, 200, 300]) {
      location.hash = `#/latent?digit=7&a=3&b=2&t=${t}&seed=0&sseed=1&backend=wasm`;
      await waitFor(() => fwd.shown?.key === `7:${t}:0`, `the re-run at t = ${t}`, 30_000);
      await fwd.settled();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the live panel is in latent space', async () => {
    const panel = cell<DlTrainPanel>('dl-train-panel');
    expect(panel.space).toBe('latent');
    expect(panel.shadowRoot!.querySelector('.live')!.textContent).toContain('in latent space');
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
