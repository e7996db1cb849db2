import { describe, expect, it } from 'vitest';
import { samplerLabel } from '../../src/diffusion/samplers';
import type { EvalResult } from '../../src/metrics/evaluate';
import {
  mergeRows,
  same,
  tableGrid,
  tableMarkdown,
  tablePart,
  type TableRow,
} from '../../src/metrics/sampling-table';

const fakeResult = (fid: number) =>
  ({
    fid,
    fidRealFloor: 16,
    precision: 0.7,
    recall: 0.8,
    confidentShare: 0.6,
    classShares: Array(10).fill(0.1),
    secondsPerImage: 1,
  }) as unknown as EvalResult;

describe('the steps-vs-quality table', () => {
  it("has every row of the DDIM paper's Table 1: S = 10..1000 for DDIM eta 0/0.5/1 and DDPM, the solver at 10 and 20", () => {
    const grid = tableGrid();
    for (const steps of [10, 20, 50, 100, 1000]) {
      for (const eta of [0, 0.5, 1]) {
        const has = grid.some((r) => same(r, { sampler: 'ddim', eta, steps }));
        // η=1 on all 1,000 steps is the DDPM step (samplers.test.ts): the DDPM row stands for it, once
        expect(has).toBe(!(eta === 1 && steps === 1000));
      }
      expect(grid.some((r) => same(r, { sampler: 'ddpm', steps }))).toBe(true);
    }
    expect(grid.filter((r) => r.sampler === 'dpm++').map((r) => r.steps)).toEqual([10, 20]);
    // and what clipping does to η=0: off, and clipped with the network's ε̂, at every step count
    for (const steps of [10, 20, 50, 100, 1000])
      for (const clip of ['off', 'x0-model-eps'] as const)
        expect(grid.some((r) => same(r, { sampler: 'ddim', eta: 0, steps, clip }))).toBe(true);
    expect(new Set(grid.map((r) => `${r.sampler}/${r.eta ?? 0}/${r.steps}/${r.clip ?? 'x0'}`)).size).toBe(
      grid.length,
    );
    // a row without a clipping mode is the model's own reading, clipped x̂0
    expect(
      same({ sampler: 'ddim', eta: 0, steps: 10 }, { sampler: 'ddim', eta: 0, steps: 10, clip: 'x0' }),
    ).toBe(true);
    expect(
      same({ sampler: 'ddim', eta: 0, steps: 10 }, { sampler: 'ddim', eta: 0, steps: 10, clip: 'off' }),
    ).toBe(false);
  });

  it('splits into parts that cover the grid exactly once, each with about the same number of network calls', () => {
    const grid = tableGrid();
    const total = grid.reduce((a, r) => a + r.steps, 0);
    for (const n of [1, 2, 3]) {
      const parts = Array.from({ length: n }, (_, k) => tablePart(grid, k, n));
      expect(parts.flat().length).toBe(grid.length);
      for (const r of grid) expect(parts.filter((p) => p.includes(r)).length).toBe(1);
      for (const p of parts) {
        const calls = p.reduce((a, r) => a + r.steps, 0);
        expect(Math.abs(calls - total / n)).toBeLessThanOrEqual(1000); // within one 1,000-step row
        // each part keeps the grid's cheapest-first order
        expect(p.map((r) => grid.indexOf(r))).toEqual(
          [...p.map((r) => grid.indexOf(r))].sort((a, b) => a - b),
        );
      }
    }
    expect(() => tablePart(grid, 2, 2)).toThrow(/0 <= k < n/);
  });

  it('merges rows written by two parts into one table in grid order, without duplicates', () => {
    const grid = tableGrid();
    const row = (i: number, fid: number): TableRow => ({ ...grid[i]!, result: fakeResult(fid) });
    const a = [row(5, 1), row(0, 2)];
    const b = [row(3, 3), row(5, 99)]; // row 5 measured by both: the first table's copy wins
    const merged = mergeRows(a, b);
    expect(merged.map((r) => grid.findIndex((g) => same(g, r)))).toEqual([0, 3, 5]);
    expect(merged.find((r) => same(r, grid[5]!))!.result.fid).toBe(1);
    const md = tableMarkdown({ modelStep: 10, samples: 4, machine: 'm', command: 'c', rows: merged });
    expect(md).toContain(`| ${samplerLabel(grid[3]!)} | ${grid[3]!.steps} | 3.00 |`);
    expect(md).toMatch(/Not measured yet/);
  });
});
