/**
 * DDIM inversion (Song, Meng & Ermon 2021, §4.3; Dhariwal & Nichol 2021, appendix F): deterministic DDIM
 * (η = 0) is a discretised ODE, so running its update the other way, from a clean image up the noise
 * levels, gives the x_T that DDIM would carry back to (nearly) that image. With the kept timesteps
 * t_1 < … < t_n and ᾱ of the clean end taken as 1, each step uses the network at the level it starts from:
 *
 *   ε̂ = ε_θ(x_{i−1}, t_{i−1})        (t_0: the smallest timestep, for the clean image)
 *   x̂₀ = (x_{i−1} − √(1 − ᾱ_{i−1}) ε̂) / √ᾱ_{i−1}
 *   x_i = √ᾱ_i x̂₀ + √(1 − ᾱ_i) ε̂
 *
 * The approximation is that ε̂ barely changes over one step; with 20 or more steps the round trip (invert,
 * then sample with DDIM η = 0 and no clipping) returns close to the start. Noise found this way can be
 * mixed and sampled like any x_T: the lesson walks between two digits' inverted noises.
 */
import * as tf from '@tensorflow/tfjs-core';
import { predictX0AndEps, type Prediction } from '../diffusion/ddpm';
import { samplingTimesteps, type NoiseSchedule } from '../diffusion/schedule';
import type { Denoiser } from '../nets/denoiser';
import { yieldToEventLoop } from '../runtime/yield';

export async function invertDdim(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: Prediction,
  x0: Float32Array,
  steps: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const per = net.sampleShape.reduce((a, b) => a * b, 1);
  const n = x0.length / per;
  const up = samplingTimesteps(schedule.T, steps, 'leading', 0).slice().reverse(); // ascending
  let x = tf.tensor(x0, [n, ...net.sampleShape]);
  let prevA = 1; // the clean end
  let prevT = up[0]!;
  try {
    for (const t of up) {
      if (signal?.aborted) throw new DOMException('inversion stopped', 'AbortError');
      const a = schedule.alphaBar[t]!;
      const next = tf.tidy(() => {
        const out = net.apply(x, tf.fill([n], prevT) as tf.Tensor1D);
        // x̂₀ and ε̂ at the level x is at (for the clean image: x̂₀ = x, ε̂ the network's guess at t_1)
        const eps =
          prevA === 1
            ? predictX0AndEps(out, x, schedule.alphaBar[prevT]!, prediction).eps
            : predictX0AndEps(out, x, prevA, prediction).eps;
        const x0hat =
          prevA === 1 ? x : tf.div(tf.sub(x, tf.mul(eps, Math.sqrt(1 - prevA))), Math.sqrt(prevA));
        return tf.add(tf.mul(x0hat, Math.sqrt(a)), tf.mul(eps, Math.sqrt(1 - a)));
      });
      x.dispose();
      x = next;
      prevA = a;
      prevT = t;
      await yieldToEventLoop();
    }
    return (await x.data()) as Float32Array;
  } finally {
    x.dispose();
  }
}
