/** Exponential moving average of a series with bias correction (as in Adam), for a readable loss curve. */
export function smooth(ys: number[], k = 0.9): number[] {
  let m = 0;
  return ys.map((y, i) => (m = k * m + (1 - k) * y) / (1 - k ** (i + 1)));
}
