/**
 * The 2-D bias experiment's data: five round clusters evenly spaced on a circle, one of them holding most
 * of the points (as one digit held 60% of the imbalanced MNIST subset); and the mitigation, reweighting:
 * the same collected points resampled with weights inverse to their cluster's size, so every cluster
 * is seen equally often (rare points repeat; no new data is collected). Points are x, y, x, y, … at the
 * scale the 2-D lesson's model is made for (each axis about unit spread).
 */
import { fillNormal, mulberry32 } from '../diffusion/random';

export const CLUSTERS = 5;
/** Share of the points in cluster 0. */
export const MAJOR_SHARE = 0.6;
const RADIUS = 1.4;
const SPREAD = 0.18;

/** The centre of cluster k (k = 0 at the top, then clockwise). */
export function clusterCentre(k: number): [number, number] {
  const a = Math.PI / 2 - (2 * Math.PI * k) / CLUSTERS;
  return [RADIUS * Math.cos(a), RADIUS * Math.sin(a)];
}

/** The cluster of each point: the nearest centre. */
export function nearestCluster(points: Float32Array): Uint8Array {
  const n = points.length / 2;
  const out = new Uint8Array(n);
  const centres = Array.from({ length: CLUSTERS }, (_, k) => clusterCentre(k));
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    centres.forEach(([cx, cy], k) => {
      const d = (points[2 * i]! - cx) ** 2 + (points[2 * i + 1]! - cy) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    });
    out[i] = best;
  }
  return out;
}

/** The share of points in each cluster. */
export function clusterShares(points: Float32Array): number[] {
  const c = nearestCluster(points);
  const shares = new Array<number>(CLUSTERS).fill(0);
  for (const k of c) shares[k]! += 1 / c.length;
  return shares;
}

/**
 * n points as collected: round(MAJOR_SHARE·n) in cluster 0, the rest spread evenly over the other four,
 * each a Gaussian of standard deviation SPREAD around its centre.
 */
export function collectedClusters(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const z = fillNormal(new Float32Array(2 * n), rand);
  const major = Math.round(MAJOR_SHARE * n);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const k = i < major ? 0 : 1 + ((i - major) % (CLUSTERS - 1));
    const [cx, cy] = clusterCentre(k);
    out[2 * i] = cx + SPREAD * z[2 * i]!;
    out[2 * i + 1] = cy + SPREAD * z[2 * i + 1]!;
  }
  return out;
}

/**
 * Reweighting: n points drawn with replacement from `points`, each with probability inverse to the size
 * of its cluster, so every cluster is drawn equally often in expectation.
 */
export function reweighted(points: Float32Array, n: number, seed: number): Float32Array {
  const rand = mulberry32(seed + 101);
  const cluster = nearestCluster(points);
  const size = new Array<number>(CLUSTERS).fill(0);
  for (const k of cluster) size[k]!++;
  const m = cluster.length;
  // cumulative weights 1 / size(cluster), over the m collected points
  const cum = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < m; i++) cum[i] = total += 1 / size[cluster[i]!]!;
  const out = new Float32Array(2 * n);
  for (let j = 0; j < n; j++) {
    const u = rand() * total;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[2 * j] = points[2 * lo]!;
    out[2 * j + 1] = points[2 * lo + 1]!;
  }
  return out;
}
