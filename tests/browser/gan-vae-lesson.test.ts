// The "Diffusion vs GAN vs VAE" lesson in real Chromium, with the shipped GAN, VAE, autoencoder and
// latent DDPM, on WASM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/main';
import type { DlApp } from '../../src/notebook/app';
import type { DlFamilyGallery } from '../../lessons/gan-vae/gallery';
import type { DlFamilyInterpolate } from '../../lessons/gan-vae/interpolate';
import type { DlFamilyTrain } from '../../lessons/gan-vae/family-train';
import { onePassInWorker, inferenceWorker } from '../../src/notebook/inference/client';
import { imageToSigned } from '../../src/data/mnist-asset';
import { collectErrors, gridPixels, mountApp, waitFor } from './helpers';

const errors = collectErrors();
let app: DlApp;
const cell = <T extends Element>(sel: string) => app.querySelector(sel) as T;

beforeAll(async () => {
  app = mountApp('#/gan-vae?from=0&seed=1&a=3&b=8&da=0&db=1&backend=wasm');
  await waitFor(() => app.querySelector('dl-family-gallery'), 'the lesson', 30_000);
});
afterAll(() => app.remove());

describe('the GAN, VAE and diffusion lesson', () => {
  it('shows the VAE blur beside the autoencoder and the generators, each row with its sharpness', async () => {
    const g = cell<DlFamilyGallery>('dl-family-gallery');
    await waitFor(() => g.rows.length === 8, 'all eight rows', 120_000);
    const by = Object.fromEntries(g.rows.map((r) => [r.id, r]));
    expect(by.real!.sharpness).toBeCloseTo(1, 10);
    // the VAE's reconstructions are blurred: less gradient energy than the latent autoencoder's
    expect(by['vae-rec']!.sharpness).toBeLessThan(by['ae-rec']!.sharpness);
    expect(by['vae-rec']!.sharpness).toBeLessThan(0.8);
    // adding the decoder's noise raises the energy (grain, not edges)
    expect(by['vae-sample']!.sharpness).toBeGreaterThan(by['vae-mean']!.sharpness);
    for (const r of g.rows) expect(r.images.length).toBe(8 * 784);
    // the GAN's best-of row chooses among other codes than its plain row (Node tests check the choice)
    expect(by['gan-best-of']!.images).not.toEqual(by.gan!.images);
    expect(gridPixels(g.shadowRoot!.querySelector('dl-image-grid'))).not.toBeNull();
  });

  it("walks between two seeds' codes: the walk ends at the two seeds' own samples", async () => {
    const w = cell<DlFamilyInterpolate>('dl-family-interpolate');
    const walks = await waitFor(() => w.walks, 'the two walks', 60_000);
    expect(walks.gan.length).toBe(10 * 784);
    const a = await onePassInWorker({ op: 'sample', kind: 'gan', n: 1, seed: 3 });
    const b = await onePassInWorker({ op: 'sample', kind: 'vae', n: 1, seed: 8 });
    for (const i of [200, 400, 600]) {
      expect(walks.gan[i]).toBeCloseTo(a[i]!, 4);
      expect(walks.vae[9 * 784 + i]).toBeCloseTo(b[i]!, 4);
    }
    // the diffusion walk starts and ends at the two test digits themselves (DDIM inversion's round trip)
    const diffusion = await waitFor(() => w.diffusion, 'the diffusion walk', 120_000);
    const digits = (w as unknown as { mnist: { data: { images: Uint8Array } } }).mnist.data;
    const err = (frame: number, digit: number) => {
      const real = imageToSigned(digits.images, digit);
      let e = 0;
      for (let i = 0; i < 784; i++) e += ((diffusion[frame * 784 + i]! - real[i]!) / 2) ** 2;
      return e / 784;
    };
    expect(err(0, 0)).toBeLessThan(0.01);
    expect(err(9, 1)).toBeLessThan(0.01);
    expect(err(0, 1)).toBeGreaterThan(0.03);
  });

  it('trains the GAN live: both losses, a fixed-seed grid and the class monitor, then pauses with no leak', async () => {
    const t = cell<DlFamilyTrain>('dl-family-train[family="gan"]');
    await t.start();
    await waitFor(() => t.snapshot && (t.progress?.step ?? 0) >= 20, 'twenty steps and a snapshot', 180_000);
    t.pause();
    await waitFor(() => !t.running, 'the pause', 30_000);
    const p = t.progress!;
    expect(Object.keys(p.terms!).sort()).toEqual(['discriminator', 'generator']);
    const s = t.snapshot!;
    expect(s.grid.length).toBe(16 * 784);
    expect(s.classShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const held = await t.workerTensors();
    // going on trains more steps from where it stopped and holds no more tensors once paused again
    const step = p.step;
    await t.start(false);
    await waitFor(() => (t.progress?.step ?? 0) >= step + 10, 'ten more steps', 120_000);
    t.pause();
    await waitFor(() => !t.running, 'the second pause', 30_000);
    expect(await t.workerTensors()).toBe(held);
  });

  it('offers the collapse preset for the GAN only, and the VAE reports its two parts', async () => {
    const gan = cell<DlFamilyTrain>('dl-family-train[family="gan"]');
    expect(gan.shadowRoot!.querySelector('select')!.textContent).toContain('collapse preset');
    const vae = cell<DlFamilyTrain>('dl-family-train[family="vae"]');
    expect(vae.shadowRoot!.querySelector('select')).toBeNull();
    await vae.start();
    await waitFor(() => vae.progress?.terms, 'the first VAE report', 120_000);
    vae.pause();
    await waitFor(() => !vae.running, 'the VAE pause', 30_000);
    expect(Object.keys(vae.progress!.terms!).sort()).toEqual(['kl', 'reconstruction']);
  });

  it('keeps the sampling worker flat as the gallery re-runs', async () => {
    const g = cell<DlFamilyGallery>('dl-family-gallery');
    const rpc = await inferenceWorker();
    location.hash = '#/gan-vae?from=8&seed=2&a=3&b=8&backend=wasm';
    await waitFor(
      () => g.rows.length === 8 && g.rows[0]!.label.startsWith('test digits 8'),
      'the re-run',
      120_000,
    );
    const before = await rpc.call(rpc.api.numTensors());
    location.hash = '#/gan-vae?from=16&seed=3&a=3&b=8&backend=wasm';
    await waitFor(
      () => g.rows.length === 8 && g.rows[0]!.label.startsWith('test digits 16'),
      'the second re-run',
      120_000,
    );
    expect(await rpc.call(rpc.api.numTensors())).toBe(before);
  });

  it('raised no console errors', () => {
    expect(errors).toEqual([]);
  });
});
