/**
 * The unrolled reverse process: start from pure noise and apply the sampler's step at every kept
 * timestep, yielding frames (x_t and the current x̂0) so a widget can animate the whole trajectory.
 * Works with any Sampler (DDPM, DDIM, DPM-Solver++). Deterministic for a seed: x_T and the noise of
 * step i depend only on (seed, i), so samplers with the same seed start from the same x_T.
 * Owns and frees every tensor it makes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../diffusion/sampler';
import type { UNet } from '../nets/unet';

export interface SampleFrame {
  /** 0-based index of the step just taken, of `total`. */
  index: number;
  total: number;
  /** Timestep the step started from. */
  t: number;
  /** x after this step, n*28*28 values. */
  x: Float32Array;
  /** The model's estimate of the clean images at this step. */
  predX0: Float32Array;
}

export interface SampleOptions {
  n: number;
  seed: number;
  /** Yield a frame every this many steps (the last step always yields). Default 1. */
  every?: number;
  signal?: AbortSignal;
}

/** Gaussian noise for sample `seed` and step index i (i = -1: the starting x_T). */
export function stepNoise(shape: number[], seed: number, i: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', (seed * 1_000_003 + i + 1) >>> 0);
}

export async function* sampleDdpm(
  net: UNet,
  sampler: Sampler,
  opts: SampleOptions,
): AsyncGenerator<SampleFrame> {
  const { n, seed } = opts;
  const every = opts.every ?? 1;
  const { size, channels } = net.config;
  const shape = [n, size, size, channels];
  const ts = sampler.timesteps;
  let x = stepNoise(shape, seed, -1); // x_T ~ N(0, I)
  try {
    for (let i = 0; i < ts.length; i++) {
      if (opts.signal?.aborted) return;
      const t = ts[i]!;
      const last = i === ts.length - 1;
      const { prevSample, predX0 } = tf.tidy(() => {
        const out = net.apply(x as tf.Tensor4D, tf.fill([n], t));
        const z = sampler.needsNoise(t) ? stepNoise(shape, seed, i) : undefined;
        return sampler.step(out, t, x, z);
      });
      x.dispose();
      x = prevSample;
      if (last || (i + 1) % every === 0) {
        const [xs, p] = await Promise.all([
          x.data() as Promise<Float32Array>,
          predX0.data() as Promise<Float32Array>,
        ]);
        predX0.dispose();
        yield { index: i, total: ts.length, t, x: xs, predX0: p };
      } else {
        predX0.dispose();
      }
      // Give the event loop a turn after every network call: on WASM and CPU the call and the read-back
      // finish synchronously, so without this a page could not paint progress, react to a click or
      // run timers until the whole run is over.
      await new Promise((r) => setTimeout(r, 0));
    }
  } finally {
    x.dispose();
    sampler.reset();
  }
}

/**
 * The final samples of `count` images (count * size * size * channels values), drawn `batch` at a time;
 * batch k starts from seed + k * batch, so a given (count, seed, batch) always gives the same images.
 */
export async function sampleImages(
  net: UNet,
  sampler: Sampler,
  count: number,
  seed: number,
  batch: number,
  onBatch?: (done: number) => void,
): Promise<Float32Array> {
  const { size, channels } = net.config;
  const per = size * size * channels;
  const out = new Float32Array(count * per);
  for (let s = 0; s < count; s += batch) {
    const m = Math.min(batch, count - s);
    const every = sampler.timesteps.length; // only the last frame
    for await (const f of sampleDdpm(net, sampler, { n: m, seed: seed + s, every })) out.set(f.x, s * per);
    onBatch?.(s + m);
  }
  return out;
}
