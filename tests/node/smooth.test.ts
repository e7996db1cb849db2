// The loss chart's smoothing (src/metrics/smooth.ts): centred, so it does not lag a falling loss.
import { describe, expect, it } from 'vitest';
import { smooth } from '../../src/metrics/smooth';

describe('loss smoothing', () => {
  it('follows a straight (falling) stretch exactly, ends included', () => {
    const ys = Array.from({ length: 40 }, (_, i) => 1 - 0.02 * i);
    smooth(ys).forEach((v, i) => expect(v).toBeCloseTo(ys[i]!, 12));
  });

  it('averages noise away: alternating ±0.1 around 0.5 becomes nearly flat inside', () => {
    const ys = Array.from({ length: 50 }, (_, i) => 0.5 + (i % 2 ? 0.1 : -0.1));
    const s = smooth(ys);
    // 11 points: 6 of one sign, 5 of the other -> off by 0.1/11
    for (let i = 5; i < 45; i++) expect(Math.abs(s[i]! - 0.5)).toBeCloseTo(0.1 / 11, 12);
  });

  it('the mean of a 3-point window by hand, and an empty series stays empty', () => {
    expect(smooth([3, 6, 12, 0], 1)).toEqual([3, 7, 6, 0]);
    expect(smooth([])).toEqual([]);
  });
});
