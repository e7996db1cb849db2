import { describe, expect, it } from 'vitest';
import { judge, meanPairwiseDistance, share } from '../../src/metrics/adherence';
import { FEATURE_DIM } from '../../src/nets/classifier';
import type { AttributeBins } from '../../src/text/captions';

/** An upright bar w pixels wide, in [-1, 1]. */
function bar(w: number): Float32Array {
  const img = new Float32Array(784).fill(-1);
  for (let y = 4; y < 24; y++)
    for (let x = 14 - Math.floor(w / 2); x < 14 - Math.floor(w / 2) + w; x++) img[y * 28 + x] = 1;
  return img;
}

const bins: AttributeBins = {
  thickness: [2.1, 2.7],
  slant: [-0.6, 12.6],
  width: Array.from({ length: 10 }, () => [3, 5] as [number, number]),
};

describe('adherence of generated digits to their prompt', () => {
  it('judges the digit by the most likely class and each asked attribute by its tercile', () => {
    const images = new Float32Array(3 * 784);
    images.set(bar(1), 0);
    images.set(bar(4), 784);
    images.set(bar(2), 2 * 784);
    const probs = new Float32Array(30);
    probs[1] = 0.9; // image 0: a 1
    probs[10 + 7] = 0.6; // image 1: a 7
    probs[20 + 1] = 0.4; // image 2: a 1, unsure but still the most likely
    const j = judge(images, probs, { digit: 1, thickness: 0 }, bins);
    expect(j.map((a) => a.digit)).toEqual([true, false, true]);
    // widths 1, 4, 2 against boundaries 2.1 and 2.7: thin, thick, thin
    expect(j.map((a) => a.thickness)).toEqual([true, false, true]);
    expect(j[0]!.slant).toBeUndefined(); // not asked
    const thick = judge(images, probs, { digit: 1, thickness: 2, slant: 1, width: 0 }, bins);
    expect(thick.map((a) => a.thickness)).toEqual([false, true, false]);
    expect(thick.map((a) => a.slant)).toEqual([true, true, true]); // upright bars: 0° is the middle third
    expect(thick.map((a) => a.width)).toEqual([true, false, true]); // width 1 and 2 < 3, width 4 is not
    expect(share(thick, 'thickness')).toEqual({ share: 1 / 3, n: 3 });
    expect(share(j, 'width').n).toBe(0);
  });

  it('measures diversity as the mean distance between every pair of feature vectors', () => {
    const f = new Float32Array(3 * FEATURE_DIM);
    f[0] = 0; // (0, …), (3, 4, …), (6, 8, …): distances 5, 10, 5
    f[FEATURE_DIM] = 3;
    f[FEATURE_DIM + 1] = 4;
    f[2 * FEATURE_DIM] = 6;
    f[2 * FEATURE_DIM + 1] = 8;
    expect(meanPairwiseDistance(f)).toBeCloseTo(20 / 3, 6);
    expect(Number.isNaN(meanPairwiseDistance(new Float32Array(FEATURE_DIM)))).toBe(true);
  });
});
