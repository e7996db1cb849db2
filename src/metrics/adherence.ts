/**
 * Does a generated digit show what its prompt asked for? The digit is judged by the project's MNIST
 * classifier (its most likely class), each attribute by the same measure and the same tercile
 * boundaries the training captions were made with (src/data/digit-attributes.ts, src/text/captions.ts),
 * so "thick" is judged exactly as it was taught. Chance: 10% for the digit, 1/3 for a tercile.
 *
 * Diversity within a prompt: the mean distance between the classifier features of every pair of its
 * images, divided by the same mean over real test digits of that class (1 = as varied as real digits of
 * the class; guidance is known to trade it for fidelity, Ho & Salimans 2022).
 */
import { measureDigit } from '../data/digit-attributes';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { FEATURE_DIM } from '../nets/classifier';
import {
  ATTRIBUTES,
  describe,
  type Attribute,
  type AttributeBins,
  type DigitDescription,
} from '../text/captions';

/** Per image: whether its digit and each asked-for attribute match (undefined: not asked). */
export interface Adherence {
  digit: boolean;
  thickness?: boolean;
  slant?: boolean;
  width?: boolean;
}

/** Images in [-1, 1] (n·784) judged against a description; `probs` are the classifier's (n·10). */
export function judge(
  images: Float32Array,
  probs: Float32Array,
  asked: DigitDescription,
  bins: AttributeBins,
): Adherence[] {
  const n = images.length / MNIST_PIXELS;
  const px = new Float32Array(MNIST_PIXELS);
  const out: Adherence[] = [];
  for (let i = 0; i < n; i++) {
    const p = probs.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[c]! > p[best]!) best = c;
    for (let k = 0; k < MNIST_PIXELS; k++) px[k] = (images[i * MNIST_PIXELS + k]! + 1) / 2;
    // the attributes are binned as the asked digit's (width is per class), whatever was drawn
    const got = describe(asked.digit, measureDigit(px, 28, false), bins);
    const a: Adherence = { digit: best === asked.digit };
    for (const attr of ATTRIBUTES) if (asked[attr] !== undefined) a[attr] = got[attr] === asked[attr];
    out.push(a);
  }
  return out;
}

/** Share of true among the judgements that exist for a key. */
export function share(judged: readonly Adherence[], key: 'digit' | Attribute): { share: number; n: number } {
  const xs = judged.map((j) => j[key]).filter((v): v is boolean => v !== undefined);
  return { share: xs.length ? xs.filter(Boolean).length / xs.length : NaN, n: xs.length };
}

/** Mean Euclidean distance between the features (n·FEATURE_DIM) of every pair. */
export function meanPairwiseDistance(features: Float32Array): number {
  const n = features.length / FEATURE_DIM;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let k = 0; k < FEATURE_DIM; k++) {
        const x = features[i * FEATURE_DIM + k]! - features[j * FEATURE_DIM + k]!;
        d += x * x;
      }
      sum += Math.sqrt(d);
      pairs++;
    }
  return pairs ? sum / pairs : NaN;
}

/**
 * One row of the text-to-image evaluation: a phrasing family at one guidance scale; `label` for the
 * label-conditioned twin, which is given only the digit of each description.
 */
export interface AdherenceRow {
  family: 'train' | 'validation' | 'unseen' | 'label';
  guidance: number;
  images: number;
  digit: number;
  thickness: number;
  slant: number;
  width: number;
  /** Mean of the four shares (what the choice of the default guidance maximises). */
  mean: number;
  fid: number;
  /** Mean pairwise feature distance within a prompt / the same within real digits of its class. */
  diversity: number;
}

/** models/t2i-mnist/eval.json, as `npm run eval -- t2i` writes it and the lesson reads it. */
export interface T2iEvalFile {
  modelStep: number;
  defaultGuidance: number | null;
  atDefault: { train: AdherenceRow | null; unseen: AdherenceRow | null };
  perPrompt: number;
  prompts: number;
  sampler: { sampler: 'ddim'; eta: number; steps: number };
  chance: { digit: number; tercile: number };
  ceiling: { digits: number; digit: number; thickness: number; slant: number; width: number };
  fidFloor: number;
  rows: AdherenceRow[];
}
