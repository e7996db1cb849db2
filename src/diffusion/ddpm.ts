/**
 * DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), also on a respaced subset of timesteps
 * (Nichol & Dhariwal 2021, section 4). The step math is scalar coefficients in float64; tensors appear
 * only at the edge (step()).
 *
 * With a = alphaBar[t] and p = alphaBar[prevT] (p = 1 when prevT < 0), beta' = 1 - a/p:
 *   x̂0 from the model output (eps: (x_t - sqrt(1-a) eps)/sqrt(a); v: sqrt(a) x_t - sqrt(1-a) v)
 *   posterior mean  mu = sqrt(p) beta'/(1-a) x̂0 + sqrt(1-beta') (1-p)/(1-a) x_t     (DDPM eq. 7)
 *   variance 'fixed-small' = (1-p)/(1-a) beta' (the posterior's, beta-tilde), 'fixed-large' = beta'
 *   x_prev = mu + sqrt(variance) z
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from './sampler';
import { samplingTimesteps, type NoiseSchedule } from './schedule';

export type VarianceKind = 'fixed-small' | 'fixed-large';
export type Prediction = 'epsilon' | 'sample' | 'v';

function alphaPrev(s: NoiseSchedule, prevT: number): number {
  return prevT < 0 ? 1 : s.alphaBar[prevT]!;
}

export function ddpmVariance(
  s: NoiseSchedule,
  t: number,
  prevT = t - 1,
  kind: VarianceKind = 'fixed-small',
): number {
  const a = s.alphaBar[t]!;
  const p = alphaPrev(s, prevT);
  const betaPrime = 1 - a / p;
  return kind === 'fixed-large' ? betaPrime : ((1 - p) / (1 - a)) * betaPrime;
}

/** Coefficients of the posterior mean mu = x0Coef * x̂0 + xtCoef * x_t (DDPM eq. 7). */
export function ddpmPosteriorCoefficients(
  s: NoiseSchedule,
  t: number,
  prevT = t - 1,
): { x0Coef: number; xtCoef: number } {
  const a = s.alphaBar[t]!;
  const p = alphaPrev(s, prevT);
  const betaPrime = 1 - a / p;
  return {
    x0Coef: (Math.sqrt(p) * betaPrime) / (1 - a),
    xtCoef: (Math.sqrt(1 - betaPrime) * (1 - p)) / (1 - a),
  };
}

/** x̂0 and eps from the model output, for each prediction type. */
export function predictX0AndEps(
  out: tf.Tensor,
  xt: tf.Tensor,
  a: number,
  prediction: Prediction,
): { x0: tf.Tensor; eps: tf.Tensor } {
  return tf.tidy(() => {
    const sa = Math.sqrt(a);
    const sb = Math.sqrt(1 - a);
    if (prediction === 'epsilon') return { x0: tf.div(tf.sub(xt, tf.mul(out, sb)), sa), eps: out.clone() };
    if (prediction === 'v') {
      // v = sqrt(a) eps - sqrt(1-a) x0  =>  x0 = sqrt(a) x_t - sqrt(1-a) v,  eps = sqrt(a) v + sqrt(1-a) x_t
      return { x0: tf.sub(tf.mul(xt, sa), tf.mul(out, sb)), eps: tf.add(tf.mul(out, sa), tf.mul(xt, sb)) };
    }
    return { x0: out.clone(), eps: tf.div(tf.sub(xt, tf.mul(out, sa)), sb) };
  });
}

export interface DdpmOptions {
  variance?: VarianceKind; // 'fixed-small'
  clipSample?: boolean; // true: clip x̂0 to [-1, 1]
  prediction?: Prediction; // 'epsilon'
}

export class DdpmSampler implements Sampler {
  timesteps: number[];
  private readonly opts: Required<DdpmOptions>;

  constructor(
    readonly schedule: NoiseSchedule,
    opts: DdpmOptions = {},
  ) {
    this.opts = { variance: 'fixed-small', clipSample: true, prediction: 'epsilon', ...opts };
    this.timesteps = samplingTimesteps(schedule.T, schedule.T);
  }

  /** Use n of the T steps ('leading' spacing); n = T is the original 1000-step sampler. */
  setTimesteps(n: number): void {
    this.timesteps = samplingTimesteps(this.schedule.T, n, 'leading');
  }

  needsNoise(t: number): boolean {
    return this.prevTimestep(t) >= 0;
  }

  reset(): void {}

  /** The kept timestep after t (-1 after the last). */
  prevTimestep(t: number): number {
    const i = this.timesteps.indexOf(t);
    return i >= 0 && i + 1 < this.timesteps.length ? this.timesteps[i + 1]! : -1;
  }

  /** One ancestral step from x_t to x_prev; noise (z ~ N(0, I)) is needed except at the last step. */
  step(
    modelOutput: tf.Tensor,
    t: number,
    xt: tf.Tensor,
    noise?: tf.Tensor,
  ): { prevSample: tf.Tensor; predX0: tf.Tensor } {
    return ancestralStep(this.schedule, modelOutput, t, this.prevTimestep(t), xt, noise, this.opts);
  }
}

/**
 * One ancestral step from x_t to any earlier timestep prevT (-1: to the clean image, where the step
 * returns x̂0 and needs no noise): the posterior q(x_prev | x_t, x̂0) of DDPM eq. 6-7, sampled. The
 * sampler above walks its kept timesteps with it; restoration (src/pipelines/restore.ts) walks its own
 * paths, which start part-way and may go back up.
 */
export function ancestralStep(
  s: NoiseSchedule,
  modelOutput: tf.Tensor,
  t: number,
  prevT: number,
  xt: tf.Tensor,
  noise: tf.Tensor | undefined,
  opts: Required<DdpmOptions>,
): { prevSample: tf.Tensor; predX0: tf.Tensor } {
  if (!(prevT < t)) throw new RangeError(`an ancestral step goes down: from ${t} to ${prevT}`);
  return tf.tidy(() => {
    // 1. predicted x0 (DDPM eq. 15 for epsilon prediction)
    let { x0 } = predictX0AndEps(modelOutput, xt, s.alphaBar[t]!, opts.prediction);
    // 2. optional clipping to the data range
    if (opts.clipSample) x0 = tf.clipByValue(x0, -1, 1);
    // 3. posterior mean (eq. 7)
    const { x0Coef, xtCoef } = ddpmPosteriorCoefficients(s, t, prevT);
    let prev = tf.add(tf.mul(x0, x0Coef), tf.mul(xt, xtCoef));
    // 4. add noise, except on the final step
    if (prevT >= 0) {
      if (!noise) throw new Error('DDPM step needs noise before the last step');
      prev = tf.add(prev, tf.mul(noise, Math.sqrt(ddpmVariance(s, t, prevT, opts.variance))));
    }
    return { prevSample: prev, predX0: x0 };
  });
}
