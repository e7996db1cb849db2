import { BETA_SCHEDULE_KINDS } from '../../src/diffusion/schedule';
import { boolParam, enumParam, intParam } from '../../src/notebook/url-state';

/** Number of diffusion steps in this lesson. */
export const T = 1000;

/** URL state of the forward-process lesson: #/forward?t=250&schedule=cosine&ztsnr=0&seed=3 */
export const forwardParams = {
  /** Noising steps taken, 0 (the clean digits) to T (Ho et al.'s numbering; src/diffusion/schedule.ts). */
  t: intParam(250, 0, T),
  /** Beta schedule. */
  schedule: enumParam(BETA_SCHEDULE_KINDS, 'linear'),
  /** Zero terminal SNR rescaling (Lin et al.). */
  ztsnr: boolParam(false),
  /** Seed of the digits shown and of their noise. */
  seed: intParam(0, 0, 2 ** 31 - 1),
};
