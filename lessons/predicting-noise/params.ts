import { ParamStore } from '../../src/notebook/store';
import { intParam } from '../../src/notebook/url-state';

/** URL state of the noise-prediction lesson: #/predicting-noise?t=500&digit=7&seed=0 */
export const noiseParams = {
  /** Timestep, 0..999. */
  t: intParam(500, 0, 999),
  /** Index of the MNIST test digit. */
  digit: intParam(0, 0, 9999),
  /** Seed of the noise added. */
  seed: intParam(0, 0, 2 ** 31 - 1),
};

export const noiseStore = new ParamStore(noiseParams);
