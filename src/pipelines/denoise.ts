/**
 * One look inside a trained DDPM: noise clean images to step t, ask the network for the noise,
 * and turn its answer into an estimate of the clean image (DDPM eq. 15). Also the loss against t.
 */
import * as tf from '@tensorflow/tfjs-core';
import { predictX0AndEps } from '../diffusion/ddpm';
import type { NoiseSchedule } from '../diffusion/schedule';
import { sampleSize, type Denoiser } from '../nets/denoiser';
import { yieldToEventLoop } from '../runtime/yield';

export interface DenoiseResult {
  /** x_t = sqrt(abar) x0 + sqrt(1-abar) eps. */
  xt: Float32Array;
  /** The network's noise estimate eps-hat. */
  epsHat: Float32Array;
  /** The implied clean image x0-hat = (x_t - sqrt(1-abar) eps-hat) / sqrt(abar). */
  x0Hat: Float32Array;
  /** Mean squared error of eps-hat against the true eps (the training loss, L_simple). */
  epsMse: number;
  /** Mean squared error of x0-hat against x0. */
  x0Mse: number;
}

function mse(a: Float32Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

/** n samples (n * values per sample; images in [-1, 1]) with their noise, all at timestep t. */
export async function denoiseAt(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: 'epsilon' | 'v',
  x0: Float32Array,
  eps: Float32Array,
  t: number,
): Promise<DenoiseResult> {
  const n = x0.length / sampleSize(net.sampleShape);
  const a = schedule.alphaBar[t]!;
  const [xtT, epsT, x0T] = tf.tidy(() => {
    const shape = [n, ...net.sampleShape];
    const x0t = tf.tensor(x0, shape);
    const et = tf.tensor(eps, shape);
    const xt = tf.add(tf.mul(x0t, Math.sqrt(a)), tf.mul(et, Math.sqrt(1 - a))); // DDPM eq. 4
    const out = net.apply(xt, tf.fill([n], t));
    const p = predictX0AndEps(out, xt, a, prediction);
    return [xt, p.eps, p.x0];
  });
  try {
    const [xt, epsHat, x0Hat] = (await Promise.all([xtT.data(), epsT.data(), x0T.data()])) as Float32Array[];
    return { xt: xt!, epsHat: epsHat!, x0Hat: x0Hat!, epsMse: mse(epsHat!, eps), x0Mse: mse(x0Hat!, x0) };
  } finally {
    tf.dispose([xtT, epsT, x0T]);
  }
}

/** The noise-prediction loss and the x0 error at each of the given timesteps, one point at a time. */
export async function* lossByTimestep(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: 'epsilon' | 'v',
  x0: Float32Array,
  epsFor: (t: number) => Float32Array,
  timesteps: number[],
  signal?: AbortSignal,
): AsyncGenerator<{ t: number; epsMse: number; x0Mse: number; done: number }> {
  let done = 0;
  for (const t of timesteps) {
    if (signal?.aborted) return;
    const r = await denoiseAt(net, schedule, prediction, x0, epsFor(t), t);
    done++;
    yield { t, epsMse: r.epsMse, x0Mse: r.x0Mse, done };
    await yieldToEventLoop();
  }
}
