import { describe, expect, it } from 'vitest';
import { mulberry32, normals } from '../../src/diffusion/random';

describe('seeded randomness', () => {
  it('the same seed gives the same numbers, another seed others', () => {
    expect(Array.from(normals(5, 3))).toEqual(Array.from(normals(5, 3)));
    expect(Array.from(normals(5, 3))).not.toEqual(Array.from(normals(5, 4)));
  });

  it('uniforms lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = mulberry32(42);
    const u = Array.from({ length: 100_000 }, r);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const m = u.reduce((a, b) => a + b) / u.length;
    expect(m).toBeCloseTo(0.5, 2);
    expect(u.reduce((a, b) => a + (b - m) ** 2, 0) / u.length).toBeCloseTo(1 / 12, 3);
  });

  it('normals have mean 0, variance 1 and the normal tail mass (odd lengths too)', () => {
    const z = normals(200_001, 9);
    let m = 0;
    for (const v of z) m += v;
    m /= z.length;
    let v2 = 0;
    let tail = 0;
    for (const v of z) {
      v2 += (v - m) ** 2;
      if (Math.abs(v) > 1.96) tail++;
    }
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(v2 / z.length).toBeCloseTo(1, 2);
    expect(tail / z.length).toBeCloseTo(0.05, 2); // P(|Z| > 1.96) = 0.05
    expect(Number.isFinite(z[200_000]!)).toBe(true);
  });
});
