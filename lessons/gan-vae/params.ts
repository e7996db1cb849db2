import { ParamStore } from '../../src/notebook/store';
import { intParam } from '../../src/notebook/url-state';

/** URL state of the family lesson: #/gan-vae?from=0&seed=1&a=3&b=8&da=0&db=1 */
const familyParams = {
  /** First of the eight test digits the reconstructions start from. */
  from: intParam(0, 0, 9992),
  /** Seed of the drawn samples (the same codes for the GAN and the VAE, the same noise for diffusion). */
  seed: intParam(1, 0, 2 ** 31 - 1),
  /** The two seeds an interpolation walks between. */
  a: intParam(3, 0, 2 ** 31 - 1),
  b: intParam(8, 0, 2 ** 31 - 1),
  /** The two test digits the diffusion walk joins through their DDIM-inverted noises. */
  da: intParam(0, 0, 9999),
  db: intParam(1, 0, 9999),
};

export const familyStore = new ParamStore(familyParams);
