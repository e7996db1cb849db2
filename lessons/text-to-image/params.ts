import { ParamStore } from '../../src/notebook/store';
import { intParam, numberParam, textParam } from '../../src/notebook/url-state';

/** The longest prompt a link keeps (the text encoder reads at most 22 tokens of it anyway). */
export const PROMPT_URL_CHARS = 300;

/** URL state of the text-to-image lesson: #/text-to-image?prompt=a%20thick%207&w=3&seed=0&neg=&alt=a%20thin%207 */
export const t2iParams = {
  /** The prompt every cell reads. */
  prompt: textParam('a thick 7 leaning right', PROMPT_URL_CHARS),
  /** The negative prompt: guidance pushes away from it instead of from the empty prompt. */
  neg: textParam('', PROMPT_URL_CHARS),
  /** Classifier-free guidance scale w, 0 to 10. */
  w: numberParam(3, 0, 10, 0.5),
  /** Seed of the starting noise. */
  seed: intParam(0, 0, 2 ** 31 - 1),
  /** The same prompt with one word changed, drawn from the same noise. */
  alt: textParam('a thin 7 leaning right', PROMPT_URL_CHARS),
};

export const t2iStore = new ParamStore(t2iParams);

/** Prompts offered as examples: digits, attributes, phrasings the model never saw, and one from far away. */
export const EXAMPLE_PROMPTS = [
  'a thick 7 leaning right',
  'the digit three, thin',
  'a wide 0',
  'a bold 1 slanted left',
  'four, drawn thick and upright',
  'an astronaut riding a horse on the moon',
];
