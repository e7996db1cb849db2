import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusLine } from '../../src/cli/model-card';
import type { EvalResult } from '../../src/metrics/eval-result';
import { checkQualityTarget } from '../../src/metrics/quality';

// A row with `confident` of 1,000 samples confident and the given class counts (summing to 1,000).
function row(confident: number, counts: number[], step = 500, samples = 1000): EvalResult {
  return {
    generator: `DDPM 1000 steps (step ${step} EMA weights)`,
    source: { kind: 'model', model: 'ddpm-mnist', modelStep: step, sampler: 'ddpm', steps: 1000 },
    samples,
    fid: 6.5,
    fidRealFloor: 6.7,
    precision: 0.9,
    recall: 0.9,
    classShares: counts.map((c) => c / samples),
    confidentShare: confident / samples,
    meanConfidence: 0.95,
    secondsPerImage: 25,
  };
}
const even = new Array<number>(10).fill(100);

describe('the shipped DDPM quality target', () => {
  it('is met at exactly 850 of 1,000 confident and classes at the 5% and 15% edges', () => {
    expect(checkQualityTarget(row(850, even), 1000)).toEqual({ met: true, shortfalls: [] });
    const edges = [50, 150, 100, 100, 100, 100, 100, 100, 100, 100];
    expect(checkQualityTarget(row(900, edges), 1000).met).toBe(true);
  });

  it('is missed one sample below 85%, with the share named', () => {
    const c = checkQualityTarget(row(849, even), 1000);
    expect(c.met).toBe(false);
    expect(c.shortfalls).toEqual(['84.9% confident, below 85%']);
  });

  it('is missed when one class falls outside 5–15%, naming the digit', () => {
    const counts = [49, 151, 100, 100, 100, 100, 100, 100, 100, 100];
    const c = checkQualityTarget(row(900, counts), 1000);
    expect(c.shortfalls).toEqual([
      'digit 0 is 4.9% of the samples, outside 5–15%',
      'digit 1 is 15.1% of the samples, outside 5–15%',
    ]);
  });

  it('needs 1,000 samples of the 1,000-step sampler', () => {
    expect(
      checkQualityTarget(
        row(
          190,
          even.map((c) => c / 5),
          500,
          200,
        ),
        1000,
      ).met,
    ).toBe(false);
    expect(checkQualityTarget(row(950, even), 100).shortfalls).toEqual(['sampled with 100 steps, not 1000']);
  });

  it("sets the model card's status from eval.json for the current step only", () => {
    const dir = mkdtempSync(join(tmpdir(), 'card-'));
    try {
      expect(statusLine(dir, 500)).toMatch(
        /^\*\*Status: training in progress\*\* — 500 steps so far; these weights have no full target run/,
      );
      const write = (rs: EvalResult[]) =>
        writeFileSync(join(dir, 'eval.json'), JSON.stringify({ results: rs }));
      write([row(870, even, 400)]); // a passing row of older weights says nothing about step 500
      expect(statusLine(dir, 500)).toMatch(/no full target run/);
      write([row(870, even, 400), row(840, even, 500)]);
      expect(statusLine(dir, 500)).toMatch(
        /^\*\*Status: training in progress\*\* — 500 steps; short of .*: 84\.0% confident, below 85%\.$/,
      );
      write([row(870, even, 500)]);
      expect(statusLine(dir, 500)).toMatch(
        /^\*\*Status: meets the quality target\*\* at 500 steps: 87\.0% confident, classes 10\.0%–10\.0%, FID 6\.50/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
