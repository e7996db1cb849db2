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

/**
 * Clipping x̂0 to [-1, 1] while sampling pixels. 'x0': clip, and DDIM steps with the noise estimate that
 * goes with the clipped x̂0 (what the project's samplers do for pixels). 'x0-model-eps': clip, but DDIM
 * keeps the network's own noise estimate (the update of many implementations; it does not converge as
 * the steps get finer, src/diffusion/ddim.ts). 'off': no clipping. DDPM and DPM-Solver++ work from x̂0
 * alone, so for them the two clipping modes are the same.
 */
export type ClipMode = 'x0' | 'x0-model-eps' | 'off';

export interface SamplerSpec {
  sampler: SamplerKind;
  steps: number;
  /** DDIM only. */
  eta?: number;
  /** Override the model's own reading (ModelSampling.clipSample): for experiments and the lesson. */
  clip?: ClipMode;
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
  const { prediction } = model;
  const clip = clipModeOf(spec, model);
  const clipSample = clip !== 'off';
  const s: Sampler =
    spec.sampler === 'ddim'
      ? new DdimSampler(schedule, {
          eta: spec.eta ?? 0,
          prediction,
          clipSample,
          epsFromClippedX0: clip !== 'x0-model-eps',
        })
      : spec.sampler === 'dpm++'
        ? new DpmSolverPlusPlus(schedule, { prediction, clipSample })
        : new DdpmSampler(schedule, { prediction, clipSample });
  s.setTimesteps(spec.steps);
  return s;
}

/** The clipping a spec samples with: its own override, else the model's reading. */
export function clipModeOf(spec: SamplerSpec, model: ModelSampling = PIXEL_SAMPLING): ClipMode {
  return spec.clip ?? (model.clipSample ? 'x0' : 'off');
}

const CLIP_WORDS: Record<ClipMode, string> = {
  x0: '',
  'x0-model-eps': ", clipped x̂₀ with the network's ε̂",
  off: ', no clipping',
};

/**
 * "DDIM η=0.5", "DDPM", "DDPM respaced" (fewer than T steps), "DPM-Solver++(2M)"; an explicit clipping
 * override is named: "DDIM η=0, no clipping".
 */
export function samplerLabel(spec: SamplerSpec, T = 1000): string {
  const clip = spec.clip ? CLIP_WORDS[spec.clip] : '';
  if (spec.sampler === 'ddim') return `DDIM η=${spec.eta ?? 0}${clip}`;
  if (spec.sampler === 'dpm++') return `DPM-Solver++(2M)${clip}`;
  return `${spec.steps >= T ? 'DDPM' : 'DDPM respaced'}${clip}`;
}

/** The chart family a spec belongs to (DDPM at every step count is one line). */
export function samplerFamily(spec: SamplerSpec): string {
  return spec.sampler === 'ddpm'
    ? `DDPM (respaced; 1000 = original)${spec.clip ? CLIP_WORDS[spec.clip] : ''}`
    : samplerLabel(spec);
}
