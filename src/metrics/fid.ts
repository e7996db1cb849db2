/**
 * Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017, "GANs Trained by
 * a Two Time-Scale Update Rule…", eq. 6):
 *   FID = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)).
 * tr((S1 S2)^(1/2)) is computed as the sum of sqrt(eigenvalues) of S1^(1/2) S2 S1^(1/2), a symmetric
 * matrix, by Jacobi rotations in float64. Plus precision and recall (Kynkäänniemi et al. 2019, k-NN).
 */

export interface Gaussian {
  mean: Float64Array;
  /** d*d, row-major. */
  cov: Float64Array;
  d: number;
}

/** Mean and (unbiased) covariance of n feature vectors of dimension d (row-major n*d). */
export function fitGaussian(features: ArrayLike<number>, n: number, d: number): Gaussian {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += features[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = features[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ca = c[a]!;
      if (ca === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b]! += ca * c[b]!;
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b]! / Math.max(1, n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  return { mean, cov, d };
}

/** Eigenvalues and eigenvectors (columns of V) of a symmetric d*d matrix, by cyclic Jacobi. */
export function symmetricEigen(m: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q]! - a[p * d + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]!), vectors: v };
}

function matmul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += aik * b[k * d + j]!;
    }
  return out;
}

/** Symmetric PSD square root V diag(sqrt(max(l, 0))) V^T. */
export function sqrtPsd(m: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(0, values[k]!));
    if (s === 0) continue;
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k]! * s;
      for (let j = 0; j < d; j++) out[i * d + j]! += vik * vectors[j * d + k]!;
    }
  }
  return out;
}

export function frechetDistance(g1: Gaussian, g2: Gaussian): number {
  const d = g1.d;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (g1.mean[i]! - g2.mean[i]!) ** 2;
  const s1h = sqrtPsd(g1.cov, d);
  const inner = matmul(matmul(s1h, g2.cov, d), s1h, d); // S1^(1/2) S2 S1^(1/2), symmetric PSD
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const avg = (inner[i * d + j]! + inner[j * d + i]!) / 2; // remove rounding asymmetry
      inner[i * d + j] = inner[j * d + i] = avg;
    }
  const { values } = symmetricEigen(inner, d);
  let trSqrt = 0;
  for (const l of values) trSqrt += Math.sqrt(Math.max(0, l));
  let tr = 0;
  for (let i = 0; i < d; i++) tr += g1.cov[i * d + i]! + g2.cov[i * d + i]!;
  return meanTerm + tr - 2 * trSqrt;
}

function sqDist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += (a[i * d + k]! - b[j * d + k]!) ** 2;
  return s;
}

/** Distance from each point to its k-th nearest neighbour within the same set (the manifold radius). */
function kthRadii(x: ArrayLike<number>, n: number, d: number, k: number): Float64Array {
  const r = new Float64Array(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) dist[j] = sqDist(x, i, x, j, d);
    r[i] = Float64Array.from(dist).sort()[k]!; // index 0 is the point itself
  }
  return r;
}

/** Share of points of `a` that fall inside the k-NN manifold of `b`. */
function coverage(
  a: ArrayLike<number>,
  na: number,
  b: ArrayLike<number>,
  nb: number,
  radii: Float64Array,
  d: number,
): number {
  let inside = 0;
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      if (sqDist(a, i, b, j, d) <= radii[j]!) {
        inside++;
        break;
      }
    }
  }
  return inside / na;
}

/**
 * Improved precision (share of generated samples inside the real manifold) and recall (share of real
 * samples inside the generated manifold), Kynkäänniemi et al. 2019, with k nearest neighbours.
 */
export function precisionRecall(
  real: ArrayLike<number>,
  nReal: number,
  fake: ArrayLike<number>,
  nFake: number,
  d: number,
  k = 3,
): { precision: number; recall: number } {
  const rReal = kthRadii(real, nReal, d, k);
  const rFake = kthRadii(fake, nFake, d, k);
  return {
    precision: coverage(fake, nFake, real, nReal, rReal, d),
    recall: coverage(real, nReal, fake, nFake, rFake, d),
  };
}
