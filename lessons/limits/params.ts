import { RELATIONS } from '../../src/data/canvas';
import { ParamStore } from '../../src/notebook/store';
import { boolParam, enumParam, intParam, numberParam, textParam } from '../../src/notebook/url-state';

/** The longest prompt a link keeps (the text encoders read at most 24 and 12 tokens). */
export const PROMPT_CHARS = 120;

/** Prompts offered to the single-digit model: what it knows, two numerals, letters, nothing. */
export const TEXT_PROMPTS = ['7', '42', '77', 'a 7 and a 1', 'hello', ''] as const;

/** Training data of the 2-D bias experiment: as collected, or reweighted so every cluster counts the same. */
export const WEIGHTINGS = ['collected', 'reweighted'] as const;
export type Weighting = (typeof WEIGHTINGS)[number];

/** URL state of the limits lesson: #/limits?text=42&tseed=0&ask=count&digit=7&count=3&cw=3&cseed=0&labels=0&w=3&weighting=collected&seed=0 */
const limitsParams = {
  /** The prompt of the single-digit text model. */
  text: textParam('42', PROMPT_CHARS),
  /** Canvas cell: ask for a number of one digit, or two digits in a relation. */
  ask: enumParam(['count', 'relation'] as const, 'count'),
  /** Count: which digit, and how many. */
  digit: intParam(7, 0, 9),
  count: intParam(3, 1, 4),
  /** Relation: digit a, the relation, digit b. */
  a: intParam(3, 0, 9),
  rel: enumParam(RELATIONS, 'left of'),
  b: intParam(7, 0, 9),
  /** Canvas model's guidance. */
  cw: numberParam(3, 1, 7, 1),
  /** Bias cell: ask for every digit equally (true) or give no label (false). */
  labels: boolParam(false),
  /** Bias cell's guidance towards the asked digit. */
  w: numberParam(3, 1, 5, 1),
  /** 2-D bias cell: the training data's weighting. */
  weighting: enumParam(WEIGHTINGS, 'collected'),
  /** Seed of the canvas cell's noise. */
  cseed: intParam(0, 0, 2 ** 31 - 1),
  /** Seed of the text cell's noise. */
  tseed: intParam(0, 0, 2 ** 31 - 1),
  /** Seed of the bias cells' noise. */
  seed: intParam(0, 0, 2 ** 31 - 1),
};

export const limitsStore = new ParamStore(limitsParams);
