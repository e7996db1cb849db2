import { ParamStore } from '../../src/notebook/store';
import { enumParam, intParam } from '../../src/notebook/url-state';

export const TOY_DATA = ['spiral', 'moons', 'drawn'] as const;
export type ToyData = (typeof TOY_DATA)[number];
export const TOY_SAMPLERS = ['ddpm', 'ddim'] as const;

/** URL state of the warm-up lesson: #/2d?data=spiral&t=300&sampler=ddpm&steps=1000 */
const toyParams = {
  data: enumParam(TOY_DATA, 'spiral'),
  /** The timestep of the noised points and of the arrows (0 to 999). */
  t: intParam(300, 0, 999),
  sampler: enumParam(TOY_SAMPLERS, 'ddpm'),
  /** Sampling steps, 1 to 1,000. */
  steps: intParam(1000, 1, 1000),
};

export const toyStore = new ParamStore(toyParams);
