/**
 * DDIM: denoising diffusion implicit models (Song, Meng & Ermon 2021). The same trained network as DDPM,
 * but a non-Markovian reverse process that may skip timesteps; eta = 0 makes it deterministic (an ODE
 * solver in disguise), eta = 1 on every timestep is exactly the DDPM ancestral step.
 *
 * With a = alphaBar[t], p = alphaBar[prevT] where prevT = t - floor(T/n)
 * (p = 1 if prevT < 0 and setAlphaToOne, else alphaBar[0]), beta' = 1 - a/p:
 *   sigma  = eta * sqrt((1-p)/(1-a) * beta')                                     (DDIM eq. 16)
 *   x̂0     from the model output (epsilon / v / sample), clipped to [-1, 1] when clipSample
 *   eps    the noise estimate that goes with that x̂0: (x_t - sqrt(a) x̂0) / sqrt(1 - a)
 *   x_prev = sqrt(p) x̂0 + sqrt(1 - p - sigma^2) eps + sigma z                      (DDIM eq. 12)
 * Re-deriving eps from the clipped x̂0 (as diffusers' `use_clipped_model_output` and GLIDE do) keeps the
 * step a DDIM step of one denoiser, "the network, then clip": at eta = 0 it then converges, as the steps
 * get finer, to the probability-flow ODE of that denoiser. Mixing the clipped x̂0 with the network's own
 * eps (`epsFromClippedX0: false`, the behaviour of many implementations) adds
 * sqrt(p) (clip(x̂0) - x̂0) - dirCoef sqrt(a/(1-a)) (clip(x̂0) - x̂0) to every step, which does not shrink
 * with the step size, so more steps do not make that run more accurate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { predictX0AndEps, type Prediction } from './ddpm';
import type { Sampler } from './sampler';
import { samplingTimesteps, type NoiseSchedule, type TimestepSpacing } from './schedule';

export interface DdimOptions {
  eta?: number; // 0
  spacing?: TimestepSpacing; // 'leading'
  offset?: number; // 0
  clipSample?: boolean; // true
  setAlphaToOne?: boolean; // true
  prediction?: Prediction; // 'epsilon'
  /** With clipSample: re-derive eps from the clipped x̂0 (true) or keep the network's (false). */
  epsFromClippedX0?: boolean; // true
}

function alphaPrev(s: NoiseSchedule, prevT: number, setAlphaToOne: boolean): number {
  if (prevT >= 0) return s.alphaBar[prevT]!;
  return setAlphaToOne ? 1 : s.alphaBar[0]!;
}

/** The DDIM noise scale for a step from t to prevT (prevT < 0: to the clean end, alphaBar = 1). */
export function ddimSigma(
  s: NoiseSchedule,
  t: number,
  prevT: number,
  eta: number,
  setAlphaToOne = true,
): number {
  const a = s.alphaBar[t]!;
  const p = alphaPrev(s, prevT, setAlphaToOne);
  const betaPrime = 1 - a / p;
  return eta * Math.sqrt(Math.max(0, ((1 - p) / (1 - a)) * betaPrime));
}

export class DdimSampler implements Sampler {
  timesteps: number[];
  private readonly opts: Required<DdimOptions>;
  private stride = 1;

  constructor(
    readonly schedule: NoiseSchedule,
    opts: DdimOptions = {},
  ) {
    this.opts = {
      eta: 0,
      spacing: 'leading',
      offset: 0,
      clipSample: true,
      setAlphaToOne: true,
      prediction: 'epsilon',
      epsFromClippedX0: true,
      ...opts,
    };
    if (!(this.opts.eta >= 0 && this.opts.eta <= 1))
      throw new RangeError(`eta must lie in [0, 1], got ${this.opts.eta}`);
    // until setTimesteps: every timestep, as the original DDPM would
    this.timesteps = Array.from({ length: schedule.T }, (_, i) => schedule.T - 1 - i);
  }

  setTimesteps(n: number): void {
    this.timesteps = samplingTimesteps(this.schedule.T, n, this.opts.spacing, this.opts.offset);
    this.stride = Math.floor(this.schedule.T / n);
  }

  /**
   * DDIM always steps back floor(T/n) timesteps (as diffusers does, whatever the spacing). With
   * 'leading' spacing that is exactly the next kept timestep; with 'trailing' (when n does not divide T)
   * or 'linspace' the sample lands a little off the next timestep the network is called at.
   */
  prevTimestep(t: number): number {
    return t - this.stride;
  }

  needsNoise(t: number): boolean {
    return ddimSigma(this.schedule, t, this.prevTimestep(t), this.opts.eta, this.opts.setAlphaToOne) > 0;
  }

  reset(): void {}

  step(
    modelOutput: tf.Tensor,
    t: number,
    xt: tf.Tensor,
    noise?: tf.Tensor,
  ): { prevSample: tf.Tensor; predX0: tf.Tensor } {
    const s = this.schedule;
    const prevT = this.prevTimestep(t);
    const a = s.alphaBar[t]!;
    const p = alphaPrev(s, prevT, this.opts.setAlphaToOne);
    // 1. sigma_t(eta) (eq. 16)
    const sigma = ddimSigma(s, t, prevT, this.opts.eta, this.opts.setAlphaToOne);
    if (sigma > 0 && !noise) throw new Error(`DDIM with eta ${this.opts.eta} needs noise at t=${t}`);
    return tf.tidy(() => {
      // 2. x̂0 and eps from the model output ("predicted x0", eq. 12)
      const pred = predictX0AndEps(modelOutput, xt, a, this.opts.prediction);
      // 3. optional clipping of x̂0, and the noise estimate that goes with it
      const x0 = this.opts.clipSample ? tf.clipByValue(pred.x0, -1, 1) : pred.x0;
      const eps =
        this.opts.clipSample && this.opts.epsFromClippedX0
          ? tf.div(tf.sub(xt, tf.mul(x0, Math.sqrt(a))), Math.sqrt(1 - a))
          : pred.eps;
      // 4. x_prev = sqrt(p) x̂0 + "direction pointing to x_t" + random noise (eq. 12)
      const dirCoef = Math.sqrt(Math.max(0, 1 - p - sigma * sigma));
      let prev = tf.add(tf.mul(x0, Math.sqrt(p)), tf.mul(eps, dirCoef));
      if (sigma > 0) prev = tf.add(prev, tf.mul(noise!, sigma));
      return { prevSample: prev, predX0: x0 };
    });
  }
}
