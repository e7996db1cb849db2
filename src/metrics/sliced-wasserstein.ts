/**
 * The sliced Wasserstein-2 distance between two 2-D point clouds (Rabin, Peyré, Delon & Bernot 2011):
 * project both on a direction, where the optimal transport between two sorted lists of equal length is
 * to pair them in order, and average the squared distances over directions:
 *
 *   SW₂(a, b)² = mean over directions u of  (1/n) Σ_k (sort(a·u)_k − sort(b·u)_k)²
 *
 * The K directions are evenly spaced angles πk/K, so the figure is deterministic. Clouds of different
 * sizes are compared at n = the smaller size, each through its quantiles.
 */

function sortedProjection(points: Float32Array, c: number, s: number, n: number): Float64Array {
  const m = points.length / 2;
  const p = new Float64Array(m);
  for (let i = 0; i < m; i++) p[i] = points[2 * i]! * c + points[2 * i + 1]! * s;
  p.sort();
  if (m === n) return p;
  const q = new Float64Array(n);
  for (let k = 0; k < n; k++) q[k] = p[Math.min(m - 1, Math.floor(((k + 0.5) * m) / n))]!;
  return q;
}

export function slicedWasserstein2d(a: Float32Array, b: Float32Array, directions = 64): number {
  const n = Math.min(a.length, b.length) / 2;
  if (!(n >= 1)) throw new Error('both clouds need points');
  let sum = 0;
  for (let k = 0; k < directions; k++) {
    const th = (Math.PI * k) / directions;
    const pa = sortedProjection(a, Math.cos(th), Math.sin(th), n);
    const pb = sortedProjection(b, Math.cos(th), Math.sin(th), n);
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (pa[i]! - pb[i]!) ** 2;
    sum += sq / n;
  }
  return Math.sqrt(sum / directions);
}
