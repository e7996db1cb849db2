/**
 * The unrolled reverse process: start from pure noise and apply the sampler's step at every kept
 * timestep, yielding frames (x_t and the current x̂0) so a widget can animate the whole trajectory.
 * Works with any Sampler (DDPM, DDIM, DPM-Solver++) and any Denoiser: the sample shape comes from the
 * network (28x28x1 pixels, 8x8x4 latents, 2-D points), and a conditional network can be guided
 * (classifier-free guidance, batched as diffusers does). Deterministic for a seed: x_T and the noise of
 * step i depend only on (seed, i), so samplers with the same seed start from the same x_T.
 * Owns and frees every tensor it makes (the caller owns `cond` and `uncond`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../diffusion/sampler';
import { nullCondition, sampleSize, type Denoiser } from '../nets/denoiser';
import { yieldToEventLoop } from '../runtime/yield';

export interface SampleFrame {
  /** 0-based index of the step just taken, of `total`. */
  index: number;
  total: number;
  /** Timestep the step started from. */
  t: number;
  /** x after this step, n * (values per sample). */
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
  /** The condition, one row per sample (e.g. classCondition(labels, 10)); none: unconditional. */
  cond?: tf.Tensor;
  /**
   * Classifier-free guidance scale w (Ho & Salimans 2022): output = uncond + w (cond - uncond). Absent or
   * 1: the conditional prediction alone, one network call per step; otherwise both in one batched call.
   */
  guidanceScale?: number;
  /** The condition guidance pushes away from (default: the null condition; a negative prompt replaces it). */
  uncond?: tf.Tensor;
  /** Start from these x_T (n * values per sample, e.g. DDIM-inverted digits) instead of the seed's noise. */
  xT?: Float32Array;
}

/**
 * The network output at one step, guided when asked: with w != 1 the batch is [uncond; cond] in one call,
 * split in two and mixed as uncond + w (cond - uncond) (diffusers' `chunk(2)`). Call inside tf.tidy.
 */
export function guidedOutput(
  net: Denoiser,
  x: tf.Tensor,
  t: number,
  opts: Pick<SampleOptions, 'cond' | 'guidanceScale' | 'uncond'>,
): tf.Tensor {
  const n = x.shape[0]!;
  const w = opts.guidanceScale ?? 1;
  if (!opts.cond || w === 1) return net.apply(x, tf.fill([n], t), opts.cond);
  const c = net.conditioning;
  const uncond = opts.uncond ?? (c.kind === 'class' ? nullCondition(n, c.classes) : undefined);
  if (!uncond) throw new Error('guidance needs an unconditional input for this network: pass `uncond`');
  const both = net.apply(tf.concat([x, x]), tf.fill([2 * n], t), tf.concat([uncond, opts.cond])); // [2n, ...]
  const [u, cd] = tf.split(both, 2);
  return tf.add(u!, tf.mul(tf.sub(cd!, u!), w)); // uncond + w (cond - uncond)
}

/**
 * Gaussian noise for sample `seed` and step index i (i = -1: the starting x_T). TF.js takes a seed of 0
 * as "no seed" and draws from Math.random, so the one (seed, i) that maps to 0 (seed 0's x_T) gets a
 * fixed non-zero seed instead: every seed, 0 included, gives the same noise on every load.
 */
export function stepNoise(shape: number[], seed: number, i: number): tf.Tensor {
  const s = (seed * 1_000_003 + i + 1) >>> 0;
  return tf.randomNormal(shape, 0, 1, 'float32', s === 0 ? SEED_ZERO : s);
}

/** The TF.js seed used where the formula gives 0 (no step index comes near it). */
const SEED_ZERO = 0x5eed_0000;

export async function* sampleDdpm(
  net: Denoiser,
  sampler: Sampler,
  opts: SampleOptions,
): AsyncGenerator<SampleFrame> {
  const { n, seed } = opts;
  const every = opts.every ?? 1;
  const shape = [n, ...net.sampleShape];
  if (opts.cond && opts.cond.shape[0] !== n)
    throw new Error(`the condition has ${opts.cond.shape[0]} rows for ${n} samples`);
  const ts = sampler.timesteps;
  if (opts.xT && opts.xT.length !== shape.reduce((a, b) => a * b, 1))
    throw new Error(`x_T has ${opts.xT.length} values for ${n} samples of shape [${net.sampleShape}]`);
  let x = opts.xT ? tf.tensor(opts.xT, shape) : stepNoise(shape, seed, -1); // x_T ~ N(0, I)
  try {
    for (let i = 0; i < ts.length; i++) {
      if (opts.signal?.aborted) return;
      const t = ts[i]!;
      const last = i === ts.length - 1;
      const { prevSample, predX0 } = tf.tidy(() => {
        const out = guidedOutput(net, x, t, opts);
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
      await yieldToEventLoop();
    }
  } finally {
    x.dispose();
    sampler.reset();
  }
}

/**
 * The final samples of `count` images (count * values per sample), drawn `batch` at a time; batch k
 * starts from seed + k * batch, so a given (count, seed, batch) always gives the same images.
 */
export async function sampleImages(
  net: Denoiser,
  sampler: Sampler,
  count: number,
  seed: number,
  batch: number,
  onBatch?: (done: number) => void,
): Promise<Float32Array> {
  const per = sampleSize(net.sampleShape);
  const out = new Float32Array(count * per);
  for (let s = 0; s < count; s += batch) {
    const m = Math.min(batch, count - s);
    const every = sampler.timesteps.length; // only the last frame
    for await (const f of sampleDdpm(net, sampler, { n: m, seed: seed + s, every })) out.set(f.x, s * per);
    onBatch?.(s + m);
  }
  return out;
}
