import { ParamStore } from '../../src/notebook/store';
import { intParam } from '../../src/notebook/url-state';

/** URL state of the latent diffusion lesson: #/latent?digit=3&a=3&b=2&t=400&seed=0&sseed=0 */
const latentParams = {
  /** The test digit encoded in the first cell. */
  digit: intParam(3, 0, 9999),
  /** The two test digits interpolated between. */
  a: intParam(3, 0, 9999),
  b: intParam(2, 0, 9999),
  /** Noising steps of the forward cell, 0 (the clean digit) to 1000 (Ho et al.'s numbering). */
  t: intParam(400, 0, 1000),
  /** Seed of the noise added in the forward cell. */
  seed: intParam(0, 0, 2 ** 31 - 1),
  /** Seed of the latent samples. */
  sseed: intParam(0, 0, 2 ** 31 - 1),
};

export const latentStore = new ParamStore(latentParams);
