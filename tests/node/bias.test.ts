// The bias experiment's subset (src/cli/bias-files.ts): exactly the asked share of the major class, the
// rest spread evenly, each index once, the same for the same seed.
import { describe, expect, it } from 'vitest';
import { imbalancedIndices } from '../../src/cli/bias-files';
import { loadMnistNode } from '../../src/data/mnist-node';

describe('the imbalanced subset', () => {
  it('holds 6,000 ones and 4,000 others spread 444 or 445 per class', () => {
    const { labels } = loadMnistNode('train');
    const idx = imbalancedIndices(labels);
    const counts = new Array<number>(10).fill(0);
    for (const i of idx) counts[labels[i]!]!++;
    expect(counts[1]).toBe(6000);
    const others = counts.filter((_, c) => c !== 1);
    expect(others.reduce((a, b) => a + b, 0)).toBe(4000);
    for (const n of others) expect([444, 445]).toContain(n);
    expect(new Set(idx).size).toBe(idx.length);
    expect(imbalancedIndices(labels)).toEqual(idx);
    expect(imbalancedIndices(labels, { major: 1, majorCount: 6000, othersCount: 4000, seed: 1 })).not.toEqual(
      idx,
    );
  });
});
