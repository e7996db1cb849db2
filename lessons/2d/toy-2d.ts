/**
 * Two-dimensional toy data for the warm-up lesson: point clouds small enough to see whole, each scaled to
 * zero mean and unit standard deviation per axis (the size a diffusion schedule is made for, as pixels in
 * [-1, 1] are). Points are stored x, y, x, y, … in a Float32Array.
 */
import { fillNormal, mulberry32 } from '../../src/diffusion/random';

export type Toy2dKind = 'spiral' | 'moons';

/** Shift and scale points so each axis has mean 0 and standard deviation 1 (in place; returns them). */
export function standardize(points: Float32Array): Float32Array {
  const n = points.length / 2;
  if (n < 2) throw new Error('need at least two points');
  for (const axis of [0, 1]) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += points[2 * i + axis]! / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (points[2 * i + axis]! - mean) ** 2 / n;
    const sd = Math.sqrt(v) || 1;
    for (let i = 0; i < n; i++) points[2 * i + axis] = (points[2 * i + axis]! - mean) / sd;
  }
  return points;
}

/**
 * n points on a two-turn spiral, r growing with the angle, with Gaussian jitter of `noise` (before
 * standardising, where the spiral's radius runs to 1).
 */
export function spiral(n: number, seed: number, noise = 0.03): Float32Array {
  const rand = mulberry32(seed);
  const z = fillNormal(new Float32Array(2 * n), rand);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(rand()); // more points where the spiral is longer (outer turns)
    const theta = 4 * Math.PI * s + 0.5;
    const r = s;
    out[2 * i] = r * Math.cos(theta) + noise * z[2 * i]!;
    out[2 * i + 1] = r * Math.sin(theta) + noise * z[2 * i + 1]!;
  }
  return standardize(out);
}

/** n points on two interleaving half circles (as scikit-learn's make_moons), with Gaussian jitter. */
export function moons(n: number, seed: number, noise = 0.06): Float32Array {
  const rand = mulberry32(seed);
  const z = fillNormal(new Float32Array(2 * n), rand);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = Math.PI * rand();
    const upper = i % 2 === 0;
    out[2 * i] = (upper ? Math.cos(a) : 1 - Math.cos(a)) + noise * z[2 * i]!;
    out[2 * i + 1] = (upper ? Math.sin(a) : 0.5 - Math.sin(a)) + noise * z[2 * i + 1]!;
  }
  return standardize(out);
}

/**
 * n points spread over the ink of a drawing (a square greyscale image, values in [-1, 1] with -1 the
 * background, as the drawing pad gives): each point lands in a pixel chosen with probability in
 * proportion to its ink, uniformly inside it, with y flipped to point up; then standardised. Throws, in
 * words, for an empty drawing.
 */
export function fromInk(image: Float32Array, side: number, n: number, seed: number): Float32Array {
  const ink = Array.from(image, (v) => Math.max(0, (v + 1) / 2));
  const total = ink.reduce((a, b) => a + b, 0);
  if (!(total > 0.5)) throw new Error('the drawing is empty: draw a shape first (a letter, a loop, a star)');
  const cum = new Float64Array(ink.length);
  let acc = 0;
  ink.forEach((v, i) => (cum[i] = acc += v));
  const rand = mulberry32(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const u = rand() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[2 * i] = (lo % side) + rand();
    out[2 * i + 1] = -(Math.floor(lo / side) + rand());
  }
  return standardize(out);
}

/**
 * Arrows (x, y, dx, dy, …) no longer than `max`, directions kept: an arrow to a far-away guess would cross
 * the whole picture; shortened, the arrows read as a field of directions, longer where the guess is near.
 */
export function shortened(arrows: Float32Array, max: number): Float32Array {
  const out = arrows.slice();
  for (let i = 0; i < out.length; i += 4) {
    const len = Math.hypot(out[i + 2]!, out[i + 3]!);
    if (len > max) {
      out[i + 2] = (out[i + 2]! * max) / len;
      out[i + 3] = (out[i + 3]! * max) / len;
    }
  }
  return out;
}
