import { ParamStore } from '../../src/notebook/store';
import { enumParam, intParam } from '../../src/notebook/url-state';

/** Step counts offered for sampling. */
export const SAMPLE_STEPS = ['25', '100', '250', '1000'] as const;

/** URL state of the noise-prediction lesson: #/predicting-noise?t=500&digit=7&seed=0&sseed=0&ssteps=100 */
const noiseParams = {
  /** Noising steps t = 1..1000 (Ho et al.'s numbering; src/diffusion/schedule.ts). */
  t: intParam(500, 1, 1000),
  /** Index of the MNIST test digit. */
  digit: intParam(0, 0, 9999),
  /** Seed of the noise added. */
  seed: intParam(0, 0, 2 ** 31 - 1),
  /** Seed of the samples drawn by the reverse process. */
  sseed: intParam(0, 0, 2 ** 31 - 1),
  /** Number of sampling steps. */
  ssteps: enumParam(SAMPLE_STEPS, '100'),
};

export const noiseStore = new ParamStore(noiseParams);
