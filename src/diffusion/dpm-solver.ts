/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
 * Probabilistic Models", Algorithm 2): what came after DDIM. It solves the same probability-flow ODE as
 * DDIM with eta = 0, written in the log-SNR variable lambda = log(alpha/sigma), and reuses the previous
 * step's x̂0 to make each step second order, so 10-20 network calls suffice.
 *
 * With alpha_t = sqrt(alphaBar_t), sigma_t = sqrt(1 - alphaBar_t), lambda_t = log(alpha_t / sigma_t) and
 * the step from s = t_{i-1} to t = t_i, h = lambda_t - lambda_s:
 *   first step / last step (first order, = DDIM eta 0):  x_t = (sigma_t/sigma_s) x_s - alpha_t (e^{-h} - 1) x̂0_s
 *   otherwise, with r = h_prev / h:  D = (1 + 1/(2r)) x̂0_s - 1/(2r) x̂0_prev
 *                                    x_t = (sigma_t/sigma_s) x_s - alpha_t (e^{-h} - 1) D
 * The last step goes to the clean end (alpha = 1, sigma = 0), where x_0 = x̂0 of the last call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { predictX0AndEps, type Prediction } from './ddpm';
import type { Sampler } from './sampler';
import { logSnr, samplingTimesteps, type NoiseSchedule, type TimestepSpacing } from './schedule';

export interface DpmSolverOptions {
  spacing?: TimestepSpacing; // 'trailing': start at the noisiest timestep T-1
  clipSample?: boolean; // true: clip x̂0 to [-1, 1] (static thresholding)
  prediction?: Prediction; // 'epsilon'
}

/** lambda_t = log(alpha_t / sigma_t) = log SNR / 2. */
export function halfLogSnr(s: NoiseSchedule, t: number): number {
  return 0.5 * logSnr(s, t);
}

export class DpmSolverPlusPlus implements Sampler {
  timesteps: number[] = [];
  private readonly opts: Required<DpmSolverOptions>;
  /** x̂0 of the previous network call and the previous step's h (second-order memory). */
  private prevX0: tf.Tensor | null = null;
  private prevH = 0;

  constructor(
    readonly schedule: NoiseSchedule,
    opts: DpmSolverOptions = {},
  ) {
    this.opts = { spacing: 'trailing', clipSample: true, prediction: 'epsilon', ...opts };
    this.setTimesteps(20);
  }

  setTimesteps(n: number): void {
    this.reset();
    this.timesteps = samplingTimesteps(this.schedule.T, n, this.opts.spacing);
  }

  needsNoise(): boolean {
    return false;
  }

  reset(): void {
    this.prevX0?.dispose();
    this.prevX0 = null;
    this.prevH = 0;
  }

  step(modelOutput: tf.Tensor, t: number, xt: tf.Tensor): { prevSample: tf.Tensor; predX0: tf.Tensor } {
    const s = this.schedule;
    const i = this.timesteps.indexOf(t);
    if (i < 0)
      throw new Error(`timestep ${t} is not one of this solver's ${this.timesteps.length} timesteps`);
    if (i === 0) this.reset();
    const last = i === this.timesteps.length - 1;
    const prevT = last ? -1 : this.timesteps[i + 1]!;
    const a = s.alphaBar[t]!;
    return tf.tidy(() => {
      // 1. data prediction x̂0 (DPM-Solver++ works with x̂0, not eps)
      const pred = predictX0AndEps(modelOutput, xt, a, this.opts.prediction);
      const x0 = this.opts.clipSample ? tf.clipByValue(pred.x0, -1, 1) : pred.x0;
      let next: tf.Tensor;
      if (last) {
        // 2a. last step to alpha = 1, sigma = 0: the first-order update reduces to x_0 = x̂0
        next = x0.clone();
      } else {
        const p = s.alphaBar[prevT]!;
        const alphaT = Math.sqrt(p);
        const ratio = Math.sqrt(1 - p) / Math.sqrt(1 - a); // sigma_t / sigma_s
        const h = halfLogSnr(s, prevT) - halfLogSnr(s, t);
        const coef = -alphaT * Math.expm1(-h); // -alpha_t (e^{-h} - 1)
        let d: tf.Tensor = x0;
        if (this.prevX0 && this.prevH > 0) {
          // 2b. second order: D = (1 + 1/(2r)) x̂0_s - 1/(2r) x̂0_prev, r = h_prev / h
          const r = this.prevH / h;
          d = tf.sub(tf.mul(x0, 1 + 1 / (2 * r)), tf.mul(this.prevX0, 1 / (2 * r)));
        }
        // 3. x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) D
        next = tf.add(tf.mul(xt, ratio), tf.mul(d, coef));
        this.prevH = h;
      }
      // 4. remember x̂0 for the next step (kept outside any caller's tidy)
      this.prevX0?.dispose();
      this.prevX0 = last ? null : tf.keep(x0.clone());
      if (last) this.prevH = 0;
      return { prevSample: next, predX0: x0 };
    });
  }
}
