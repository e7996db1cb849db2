import { ParamStore } from '../../src/notebook/store';
import { enumParam, intParam } from '../../src/notebook/url-state';

/** Noise levels offered for denoising (σ in pixel units of the [-1, 1] range), as the measurement's. */
export const SIGMA_CHOICES = ['0.25', '0.5', '1', '2', '4'] as const;
/** Editing strengths offered (t = strength × T). */
export const STRENGTH_CHOICES = ['0.2', '0.35', '0.5', '0.65', '0.8', '1'] as const;
/** Holes offered for inpainting; "drawn" is the student's own. */
export const HOLE_CHOICES = ['bottom', 'right', 'centre', 'drawn'] as const;

/** URL state of the applications lesson: #/at-work?digit=3&sigma=1&hole=bottom&hdigit=7&edigit=0&strength=0.5 */
const atWorkParams = {
  /** Test digit the denoising works on. */
  digit: intParam(3, 0, 9999),
  sigma: enumParam(SIGMA_CHOICES, '1'),
  /** Seed of the observation's noise and of the walks. */
  seed: intParam(0, 0, 2 ** 31 - 1),
  hole: enumParam(HOLE_CHOICES, 'bottom'),
  /** Test digit the inpainting works on. */
  hdigit: intParam(7, 0, 9999),
  /** Test digit whose rough sketch the editing starts from (unless the student draws). */
  edigit: intParam(0, 0, 9999),
  strength: enumParam(STRENGTH_CHOICES, '0.5'),
};

export const atWorkStore = new ParamStore(atWorkParams);
