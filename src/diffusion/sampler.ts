/**
 * What every reverse-process sampler offers, so one sampling loop (src/pipelines/ddpm-sample.ts), the
 * evaluation CLI and the lessons can drive DDPM, DDIM and DPM-Solver++ alike.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface Sampler {
  /** The kept timesteps, in descending order (the network is called once per entry). */
  readonly timesteps: number[];
  /** Keep n of the T timesteps. Also forgets any state of a previous run. */
  setTimesteps(n: number): void;
  /** Whether step() at this timestep needs a noise tensor z ~ N(0, I). */
  needsNoise(t: number): boolean;
  /** One step from x_t to the next kept timestep; returns the new sample and the model's x̂0. */
  step(
    modelOutput: tf.Tensor,
    t: number,
    xt: tf.Tensor,
    noise?: tf.Tensor,
  ): { prevSample: tf.Tensor; predX0: tf.Tensor };
  /** Free tensors a multistep sampler keeps between steps (no-op for one-step samplers). */
  reset(): void;
}
