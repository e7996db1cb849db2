/**
 * The samplers by name: one factory and one set of labels for the lessons, the evaluation table and
 * the benchmarks.
 */
import { DdimSampler } from './ddim';
import { DdpmSampler, type Prediction } from './ddpm';
import { DpmSolverPlusPlus } from './dpm-solver';
import type { Sampler } from './sampler';
import type { NoiseSchedule } from './schedule';

export type SamplerKind = 'ddpm' | 'ddim' | 'dpm++';

export interface SamplerSpec {
  sampler: SamplerKind;
  steps: number;
  /** DDIM only. */
  eta?: number;
}

/**
 * How a model's outputs are read, which belongs to the model, not to the sampler: what the network
 * predicts, and whether x̂0 is clipped to [-1, 1] (right for pixels, wrong for unit-variance latents).
 */
export interface ModelSampling {
  prediction: Prediction;
  clipSample: boolean;
}

/** Pixels in [-1, 1] predicted as noise: the shipped DDPM's reading. */
const PIXEL_SAMPLING: ModelSampling = { prediction: 'epsilon', clipSample: true };

/** A sampler of this kind with its timesteps set, reading the model's outputs as `model` says. */
export function makeSampler(
  spec: SamplerSpec,
  schedule: NoiseSchedule,
  model: ModelSampling = PIXEL_SAMPLING,
): Sampler {
  const { prediction, clipSample } = model;
  const s: Sampler =
    spec.sampler === 'ddim'
      ? new DdimSampler(schedule, { eta: spec.eta ?? 0, prediction, clipSample })
      : spec.sampler === 'dpm++'
        ? new DpmSolverPlusPlus(schedule, { prediction, clipSample })
        : new DdpmSampler(schedule, { prediction, clipSample });
  s.setTimesteps(spec.steps);
  return s;
}

/** "DDIM η=0.5", "DDPM", "DDPM respaced" (fewer than T steps), "DPM-Solver++(2M)". */
export function samplerLabel(spec: SamplerSpec, T = 1000): string {
  if (spec.sampler === 'ddim') return `DDIM η=${spec.eta ?? 0}`;
  if (spec.sampler === 'dpm++') return 'DPM-Solver++(2M)';
  return spec.steps >= T ? 'DDPM' : 'DDPM respaced';
}

/** The chart family a spec belongs to (DDPM at every step count is one line). */
export function samplerFamily(spec: SamplerSpec): string {
  return spec.sampler === 'ddpm' ? 'DDPM (respaced; 1000 = original)' : samplerLabel(spec);
}
