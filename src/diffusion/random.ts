/**
 * Seeded pseudo-random numbers, so that the same URL shows the same picture.
 * mulberry32 (Tommy Ettinger, public domain) for uniforms; Box–Muller for normals.
 */

/** A function returning uniforms in [0, 1), deterministic for a given seed. */
export type Uniform = () => number;

export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fill out with independent N(0, 1) samples (Box–Muller, both outputs used). */
export function fillNormal(out: Float32Array, rand: Uniform): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rand(); // in (0, 1]: log stays finite
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** n standard normals from a seed. */
export function normals(n: number, seed: number): Float32Array {
  return fillNormal(new Float32Array(n), mulberry32(seed));
}
