/**
 * The held-out noise-prediction error of a DDPM: test digits noised at 10 timesteps spread over [0, T)
 * with fixed noise (the noise of timestep t depends only on t), scored as the plain, unweighted MSE of the
 * implied ε̂ and of the implied x̂0 clipped to [-1, 1]. Every network, prediction type and loss weighting
 * is measured on the same scale and the same noisy digits, so two runs (or two steps of one run) compare.
 */
import { normals } from '../diffusion/random';
import type { NoiseSchedule } from '../diffusion/schedule';
import type { Denoiser } from '../nets/denoiser';
import { denoiseAt } from '../pipelines/denoise';

export const HELD_OUT_TIMESTEPS = Array.from({ length: 10 }, (_, i) => i * 100 + 50); // 50, 150, …, 950

export interface HeldOutError {
  heldOutEpsMse: number;
  heldOutX0Mse: number;
  /** The same per timestep of HELD_OUT_TIMESTEPS. */
  epsByT: number[];
  x0ByT: number[];
}

export async function heldOut(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: 'epsilon' | 'v',
  x0: Float32Array,
): Promise<HeldOutError> {
  const epsByT: number[] = [];
  const x0ByT: number[] = [];
  for (const t of HELD_OUT_TIMESTEPS) {
    const r = await denoiseAt(net, schedule, prediction, x0, normals(x0.length, 1000 + t), t);
    epsByT.push(r.epsMse);
    // x̂0 clipped to the pixel range, as the samplers use it (unclipped, t near T dominates the mean).
    let e = 0;
    for (let i = 0; i < x0.length; i++) e += (Math.min(1, Math.max(-1, r.x0Hat[i]!)) - x0[i]!) ** 2;
    x0ByT.push(e / x0.length);
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return { heldOutEpsMse: mean(epsByT), heldOutX0Mse: mean(x0ByT), epsByT, x0ByT };
}
