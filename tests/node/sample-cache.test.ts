import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClipMode } from '../../src/diffusion/samplers';
import { cacheDirName, partStarts, sampleCached, weightsHash } from '../../src/cli/sample-cache';

const PER = 3;
/** A stand-in sampler: sample j's values are j*10 + (0, 1, 2), so any mix-up of order or seeds shows. */
function fake(calls: number[]) {
  return (start: number, m: number) => {
    calls.push(start);
    const x = new Float32Array(m * PER);
    for (let i = 0; i < m; i++) for (let p = 0; p < PER; p++) x[i * PER + p] = (start + i) * 10 + p;
    return Promise.resolve(x);
  };
}
const expected = (count: number) =>
  Array.from({ length: count * PER }, (_, k) => Math.floor(k / PER) * 10 + (k % PER));

const dirs: string[] = [];
function tmp() {
  const d = mkdtempSync(join(tmpdir(), 'sample-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('batch-cached sampling', () => {
  it('names a cache folder by weights, sampler and sizes, as the committed runs/ folders are named', () => {
    const hash = '57f4007e4853';
    const ddpm = cacheDirName({ weightsHash: hash, sampler: 'ddpm', steps: 1000, count: 1000, batch: 100 });
    expect(ddpm).toBe('57f4007e4853-ddpm1000-n1000-b100');
    expect(existsSync(join('runs', 'eval-ddpm', ddpm))).toBe(true);
    const ddim = (eta?: number) =>
      cacheDirName({ weightsHash: hash, sampler: 'ddim', eta, steps: 1000, count: 200, batch: 100 });
    expect(ddim(0.5)).toBe('57f4007e4853-ddim-eta0.5-1000-n200-b100');
    // no eta is eta 0, and different settings never share a folder
    expect(ddim()).toBe(ddim(0));
    const names = [ddpm, ddim(0), ddim(0.5), ddim(1)];
    expect(new Set(names).size).toBe(names.length);
    // the committed folders of the update that keeps the network's eps keep their names; the consistent
    // update and unclipped runs get their own
    const clipped = (clip: ClipMode) =>
      cacheDirName({ weightsHash: hash, sampler: 'ddim', eta: 0, clip, steps: 1000, count: 200, batch: 100 });
    expect(clipped('x0-model-eps')).toBe(ddim(0));
    expect(existsSync(join('runs', 'sampling-table', 'batches', clipped('x0-model-eps')))).toBe(true);
    expect(clipped('x0')).toBe('57f4007e4853-ddim-eta0-ceps-1000-n200-b100');
    expect(clipped('off')).toBe('57f4007e4853-ddim-eta0-noclip-1000-n200-b100');
    // DDPM samples do not depend on the clipping mode of DDIM's update
    expect(
      cacheDirName({ weightsHash: hash, sampler: 'ddpm', clip: 'x0', steps: 1000, count: 1000, batch: 100 }),
    ).toBe(ddpm);
  });

  it('parts deal every batch to exactly one process', () => {
    for (const [count, batch] of [
      [1000, 100],
      [7, 2],
      [5, 5],
    ] as const) {
      const all = partStarts(count, batch);
      expect(all).toEqual(Array.from({ length: Math.ceil(count / batch) }, (_, i) => i * batch));
      for (const n of [1, 2, 3, 4]) {
        const parts = Array.from({ length: n }, (_, k) => partStarts(count, batch, [k, n]));
        expect(parts.flat().sort((a, b) => a - b)).toEqual(all);
        // balanced: part sizes differ by at most one batch
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('two parts assemble the same samples as one run, and only the last part gets them', async () => {
    const dir = tmp();
    const calls: number[] = [];
    const common = { dir, count: 7, batch: 2, per: PER, generate: fake(calls) };
    const first = await sampleCached({ ...common, part: [0, 2] });
    expect(calls).toEqual([0, 4]);
    expect(first.images).toBeNull();
    if (!first.images) expect(first.missing).toEqual([2, 6]);
    const second = await sampleCached({ ...common, part: [1, 2] });
    expect(calls).toEqual([0, 4, 2, 6]);
    expect(second.images && Array.from(second.images)).toEqual(expected(7));

    const whole = await sampleCached({ ...common, dir: tmp(), generate: fake([]) });
    expect(whole.images && Array.from(whole.images)).toEqual(expected(7));
    expect(whole.images && 'seconds' in whole && whole.seconds).toBeGreaterThanOrEqual(0);
  });

  it('resumes: finished batches are not sampled again, a batch without its metadata is', async () => {
    const dir = tmp();
    const calls: number[] = [];
    const common = { dir, count: 6, batch: 2, per: PER, generate: fake(calls) };
    await sampleCached(common);
    expect(calls).toEqual([0, 2, 4]);
    // an interrupted batch: the samples were written, the process died before the metadata
    unlinkSync(join(dir, 'b2.json'));
    expect(existsSync(join(dir, 'b2.f32'))).toBe(true);
    const again = await sampleCached(common);
    expect(calls).toEqual([0, 2, 4, 2]);
    expect(again.images && Array.from(again.images)).toEqual(expected(6));
  });

  it('rejects a bad part and a generator that returns the wrong size', async () => {
    const common = { dir: tmp(), count: 4, batch: 2, per: PER, generate: fake([]) };
    await expect(sampleCached({ ...common, part: [2, 2] })).rejects.toThrow(/0 <= k < n/);
    await expect(
      sampleCached({ ...common, generate: () => Promise.resolve(new Float32Array(5)) }),
    ).rejects.toThrow(/expected 6 values, got 5/);
  });
});

describe('the weights hash of sample folders', () => {
  it('is the first 12 hex digits of SHA-256 (FIPS 180-2 test vectors)', () => {
    expect(weightsHash(new Uint8Array())).toBe('e3b0c44298fc');
    expect(weightsHash(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01');
  });
});
