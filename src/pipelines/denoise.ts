/**
 * One look inside a trained DDPM: noise clean images to step t, ask the network for the noise,
 * and turn its answer into an estimate of the clean image (DDPM eq. 15). Also the loss against t.
 */
import * as tf from '@tensorflow/tfjs-core';
import { predictX0AndEps } from '../diffusion/ddpm';
import type { NoiseSchedule } from '../diffusion/schedule';
import type { UNet } from '../nets/unet';

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

/** n images (n*784 values in [-1,1]) with their noise, all at timestep t. */
export async function denoiseAt(
  net: UNet,
  schedule: NoiseSchedule,
  prediction: 'epsilon' | 'v',
  x0: Float32Array,
  eps: Float32Array,
  t: number,
): Promise<DenoiseResult> {
  const { size, channels } = net.config;
  const n = x0.length / (size * size * channels);
  const a = schedule.alphaBar[t]!;
  const [xtT, epsT, x0T] = tf.tidy(() => {
    const shape = [n, size, size, channels];
    const x0t = tf.tensor4d(x0, shape as [number, number, number, number]);
    const et = tf.tensor4d(eps, shape as [number, number, number, number]);
    const xt = tf.add(tf.mul(x0t, Math.sqrt(a)), tf.mul(et, Math.sqrt(1 - a))) as tf.Tensor4D;
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
  net: UNet,
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
    await new Promise((res) => setTimeout(res, 0));
  }
}
