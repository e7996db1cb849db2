/**
 * A readable loss curve: the centred moving average of a series over up to `half` points on each side
 * (fewer at the ends, where the window is cut to stay symmetric). A causal average (an exponential one,
 * say) lags a falling loss and draws it above the raw points early in training; a centred one follows
 * any straight stretch exactly and only evens out the noise. The last point is its own average: the
 * newest value is shown as it is, not as a guess from the past.
 */
export function smooth(ys: readonly number[], half = 5): number[] {
  const n = ys.length;
  return ys.map((_, i) => {
    const h = Math.min(half, i, n - 1 - i);
    let s = 0;
    for (let j = i - h; j <= i + h; j++) s += ys[j]!;
    return s / (2 * h + 1);
  });
}
