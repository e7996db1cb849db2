// The warm-up lesson's 2-D data (src/data/toy-2d.ts) and its distance between point clouds
// (src/metrics/sliced-wasserstein.ts), against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { fromInk, moons, shortened, spiral, standardize } from '../../lessons/2d/toy-2d';
import { normals } from '../../src/diffusion/random';
import { slicedWasserstein2d } from '../../src/metrics/sliced-wasserstein';

function moments(p: Float32Array) {
  const n = p.length / 2;
  const m = [0, 0];
  const v = [0, 0];
  for (let i = 0; i < n; i++) for (const a of [0, 1]) m[a]! += p[2 * i + a]! / n;
  for (let i = 0; i < n; i++) for (const a of [0, 1]) v[a]! += (p[2 * i + a]! - m[a]!) ** 2 / n;
  return { m, v };
}

describe('2-D toy data', () => {
  it('every set is standardised: mean 0 and standard deviation 1 on each axis', () => {
    for (const p of [spiral(2000, 1), moons(2000, 2)]) {
      const { m, v } = moments(p);
      for (const a of [0, 1]) {
        expect(m[a]).toBeCloseTo(0, 5);
        expect(v[a]).toBeCloseTo(1, 4);
      }
    }
    expect([...standardize(Float32Array.from([1, 10, 3, 30]))]).toEqual([-1, -1, 1, 1]);
  });

  it('the spiral turns twice: its points sweep every direction from the centre', () => {
    const p = spiral(4000, 3, 0);
    const bins = new Array(8).fill(0);
    for (let i = 0; i < 4000; i++)
      bins[Math.floor(((Math.atan2(p[2 * i + 1]!, p[2 * i]!) + Math.PI) / (2 * Math.PI)) * 8) % 8]++;
    for (const b of bins) expect(b).toBeGreaterThan(200);
  });

  it('a drawing becomes points where its ink is, in proportion to the ink, y pointing up; an empty one is refused', () => {
    // a 4x4 image: full ink in the top-left pixel, half ink in the bottom-right one
    const img = new Float32Array(16).fill(-1);
    img[0] = 1;
    img[15] = 0;
    const p = fromInk(img, 4, 3000, 4);
    let top = 0;
    for (let i = 0; i < 3000; i++) if (p[2 * i + 1]! > 0) top++;
    // ink 1 against 0.5: two thirds of the points in the top-left pixel, which is on top (y up)
    expect(top / 3000).toBeGreaterThan(0.63);
    expect(top / 3000).toBeLessThan(0.7);
    expect(() => fromInk(new Float32Array(16).fill(-1), 4, 10, 1)).toThrow(/empty/);
  });
});

describe('sliced Wasserstein distance', () => {
  it('is 0 for a cloud and itself, and d/√2 for a copy shifted by d', () => {
    const a = Float32Array.from(normals(2000, 5));
    expect(slicedWasserstein2d(a, a)).toBe(0);
    const b = a.map((v, i) => (i % 2 === 0 ? v + 0.8 : v));
    // each direction at angle θ sees the shift as 0.8 cos θ; the mean of cos² over evenly spaced angles is 1/2
    expect(slicedWasserstein2d(a, b)).toBeCloseTo(0.8 / Math.SQRT2, 6);
  });

  it('tells a spiral from a Gaussian, and two draws of the spiral apart only by sampling noise', () => {
    const s1 = spiral(2000, 1);
    const s2 = spiral(2000, 2);
    const g = Float32Array.from(normals(4000, 9));
    const same = slicedWasserstein2d(s1, s2);
    const far = slicedWasserstein2d(s1, g);
    expect(same).toBeLessThan(0.05);
    expect(far).toBeGreaterThan(3 * same);
  });
});

describe('the field of arrows', () => {
  it('shortens arrows longer than the limit to it, direction kept, and leaves short ones alone', () => {
    const a = shortened(Float32Array.from([1, 2, 3, 4, 0, 0, 0.3, 0]), 1);
    expect([...a.subarray(0, 2)]).toEqual([1, 2]);
    expect(a[2]).toBeCloseTo(0.6, 6);
    expect(a[3]).toBeCloseTo(0.8, 6);
    expect([...a.subarray(4)].map((v) => +v.toFixed(6))).toEqual([0, 0, 0.3, 0]);
  });
});
