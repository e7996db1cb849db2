import { describe, expect, it } from 'vitest';
import { normals } from '../../src/diffusion/random';
import { ksCritical05, ksStatistic, meanStd } from '../../src/metrics/moments';

describe('sample statistics', () => {
  it('mean and (population) std of a hand case', () => {
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
  });

  it('KS statistic: hand cases', () => {
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
  });

  it('KS: two samples of one distribution pass the 5% test, a shifted one fails', () => {
    const a = normals(10000, 1);
    const b = normals(10000, 2);
    const shifted = b.map((v) => v + 0.1);
    const crit = ksCritical05(10000, 10000);
    expect(crit).toBeCloseTo(0.0192, 3);
    expect(ksStatistic(a, b)).toBeLessThan(crit);
    expect(ksStatistic(a, shifted)).toBeGreaterThan(crit);
  });
});
