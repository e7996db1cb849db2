import { ParamStore } from '../../src/notebook/store';
import { enumParam, intParam } from '../../src/notebook/url-state';

/** Step counts offered by the steps slider (the measured table has 10, 20, 50, 100 and 1000). */
export const STEP_CHOICES = ['5', '10', '20', '50', '100', '250', '1000'] as const;
/** eta in tenths, as text so the URL reads naturally: #/faster-sampling?eta=0.5 */
export const ETA_CHOICES = ['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1'] as const;

/** URL state of the faster-sampling lesson: #/faster-sampling?steps=20&eta=0&seed=0&digit=1&clip=x0&metric=fid */
export const fastParams = {
  /** Sampling steps (network calls) for every sampler. */
  steps: enumParam(STEP_CHOICES, '20'),
  /** DDIM's eta: 0 deterministic, 1 as random as DDPM. */
  eta: enumParam(ETA_CHOICES, '0'),
  /** Seed of the starting noise x_T, shared by the three samplers. */
  seed: intParam(0, 0, 2 ** 31 - 1),
  /** Which of the 16 digits the x̂0 trajectories follow (1-based). */
  digit: intParam(1, 1, 16),
  /** Clipping of x̂0 (src/diffusion/samplers.ts ClipMode): the samplers' own, none, or the old DDIM update. */
  clip: enumParam(['x0', 'off', 'x0-model-eps'] as const, 'x0'),
  /** Quality measure plotted against steps. */
  metric: enumParam(['fid', 'confident', 'precision', 'recall', 'time'] as const, 'fid'),
};

export const fastStore = new ParamStore(fastParams);
