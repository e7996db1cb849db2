import { describe, expect, it } from 'vitest';
import { normals } from '../../src/diffusion/random';
import {
  fitGaussian,
  frechetDistance,
  precisionRecall,
  sqrtPsd,
  symmetricEigen,
  type Gaussian,
} from '../../src/metrics/fid';

const g = (mean: number[], cov: number[]): Gaussian => ({
  mean: Float64Array.from(mean),
  cov: Float64Array.from(cov),
  d: mean.length,
});

describe('Fréchet distance', () => {
  it('is 0 between a Gaussian and itself', () => {
    const a = g([1, 2, 3], [2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 3]);
    expect(frechetDistance(a, a)).toBeCloseTo(0, 9);
  });

  it('diagonal covariances: |mu1-mu2|^2 + sum (sqrt(s1) - sqrt(s2))^2', () => {
    const a = g([0, 0, 1], [4, 0, 0, 0, 1, 0, 0, 0, 9]);
    const b = g([1, 2, 1], [1, 0, 0, 0, 1, 0, 0, 0, 4]);
    expect(frechetDistance(a, b)).toBeCloseTo(1 + 4 + (2 - 1) ** 2 + 0 + (3 - 2) ** 2, 9);
  });

  it('non-commuting 2x2 covariances: tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2)))', () => {
    const s1 = [2, 1, 1, 3];
    const s2 = [1, -0.4, -0.4, 2];
    const p = [s1[0]! * s2[0]! + s1[1]! * s2[2]!, 0, 0, s1[2]! * s2[1]! + s1[3]! * s2[3]!];
    const trP = p[0]! + p[3]!;
    const det = (s1[0]! * s1[3]! - s1[1]! * s1[2]!) * (s2[0]! * s2[3]! - s2[1]! * s2[2]!);
    // |mu1 - mu2|^2 = |(1, 1)|^2 = 2; tr S1 + tr S2 = 5 + 3
    const expected = 2 + (5 + 3) - 2 * Math.sqrt(trP + 2 * Math.sqrt(det));
    expect(frechetDistance(g([1, 1], s1), g([0, 0], s2))).toBeCloseTo(expected, 9);
  });

  it('eigen-decomposition and square root reconstruct their matrix', () => {
    const m = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
    const { values, vectors } = symmetricEigen(m, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += vectors[i * 3 + k]! * values[k]! * vectors[j * 3 + k]!;
        expect(s).toBeCloseTo(m[i * 3 + j]!, 10);
      }
    const r = sqrtPsd(m, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += r[i * 3 + k]! * r[k * 3 + j]!;
        expect(s).toBeCloseTo(m[i * 3 + j]!, 10);
      }
  });

  it('fits mean and unbiased covariance', () => {
    const f = fitGaussian([1, 2, 3, 4, 5, 9], 3, 2); // points (1,2) (3,4) (5,9)
    expect(Array.from(f.mean)).toEqual([3, 5]);
    expect(Array.from(f.cov)).toEqual([4, 7, 7, 13]);
  });

  it('two samples of one distribution are close; a shifted one is far (sampled)', () => {
    const d = 4;
    const n = 4000;
    const a = fitGaussian(normals(n * d, 1), n, d);
    const b = fitGaussian(normals(n * d, 2), n, d);
    const shifted = fitGaussian(
      normals(n * d, 3).map((v, i) => (i % d === 0 ? v + 1 : v)),
      n,
      d,
    );
    expect(frechetDistance(a, b)).toBeLessThan(0.02);
    expect(frechetDistance(a, shifted)).toBeGreaterThan(0.9);
    expect(frechetDistance(a, shifted)).toBeLessThan(1.1);
  });
});

describe('precision and recall (k-NN manifolds)', () => {
  it('same distribution: both high; disjoint: both zero; a collapsed generator: precise but no recall', () => {
    const d = 2;
    const n = 300;
    const real = normals(n * d, 1);
    const same = normals(n * d, 2);
    const far = normals(n * d, 3).map((v) => v + 50);
    const collapsed = normals(n * d, 4).map((v) => v * 0.05);
    const s = precisionRecall(real, n, same, n, d);
    expect(s.precision).toBeGreaterThan(0.85);
    expect(s.recall).toBeGreaterThan(0.85);
    expect(precisionRecall(real, n, far, n, d)).toEqual({ precision: 0, recall: 0 });
    const c = precisionRecall(real, n, collapsed, n, d);
    expect(c.precision).toBeGreaterThan(0.95);
    expect(c.recall).toBeLessThan(0.2);
  });
});
