// The family comparison's measures (src/metrics/families.ts) on histograms and features whose answers
// are worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  classCoverage,
  classEntropyBits,
  classesHolding,
  predictedClasses,
  withinClassSpread,
} from '../../src/metrics/families';

describe('class histogram measures', () => {
  it('entropy: log2 10 for ten equal classes, 1 bit for two, 0 for one', () => {
    expect(classEntropyBits(new Array(10).fill(0.1))).toBeCloseTo(Math.log2(10), 12);
    expect(classEntropyBits([0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(1, 12);
    expect(classEntropyBits([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(0);
    // counts work as well as shares: (1/4, 1/4, 1/2) -> 1.5 bits
    expect(classEntropyBits([1, 1, 2])).toBeCloseTo(1.5, 12);
  });

  it('coverage counts classes with at least 1% of the samples', () => {
    expect(classCoverage([0.495, 0.495, 0.005, 0.005, 0, 0, 0, 0, 0, 0])).toBe(2);
    expect(classCoverage(new Array(10).fill(0.1))).toBe(10);
    expect(classCoverage([0.9, 0.05, 0.05], 0.06)).toBe(1);
  });

  it('classes holding 80%: eight of ten equal classes, one for a collapsed generator', () => {
    expect(classesHolding(new Array(10).fill(0.1))).toBe(8);
    expect(classesHolding([0.85, 0.05, 0.05, 0.05])).toBe(1);
    expect(classesHolding([0.05, 0.4, 0.05, 0.4, 0.1])).toBe(2);
  });
});

describe('within-class spread', () => {
  it('is the count-weighted mean squared distance to each class mean', () => {
    // class 0: (0,0), (2,0) -> mean (1,0), squared distances 1 + 1
    // class 1: (0,0), (0,4), (0,8) -> mean (0,4), squared distances 16 + 0 + 16
    const f = [0, 0, 2, 0, 0, 0, 0, 4, 0, 8];
    const labels = [0, 0, 1, 1, 1];
    expect(withinClassSpread(f, labels, 2, 2)).toBeCloseTo((2 + 32) / 5, 12);
    // a class under minCount is left out: only class 1 counts
    expect(withinClassSpread(f, labels, 2, 3)).toBeCloseTo(32 / 3, 12);
    expect(withinClassSpread(f, labels, 2, 4)).toBe(0);
  });

  it('predicted classes are the arg max of each row of ten', () => {
    const probs = new Float32Array(30);
    probs[3] = 0.9;
    probs[10 + 7] = 0.6;
    probs[10 + 2] = 0.4;
    probs[20 + 0] = 0.5;
    probs[20 + 9] = 0.5; // a tie goes to the first
    expect([...predictedClasses(probs, 3)]).toEqual([3, 7, 0]);
  });
});
