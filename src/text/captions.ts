/**
 * Captions for MNIST digits, built from what the image shows: its label and the attributes measured from
 * its pixels (digit-attributes.ts), each binned into terciles of the training set, so "thick" means thick
 * for MNIST and a word guessed at random is right one time in three.
 *
 *   thickness: thin / medium / thick        (terciles of all training digits)
 *   slant:     leaning left / upright / leaning right   (terciles of all training digits)
 *   width:     narrow / medium / wide       (terciles within the digit's own class: a wide 1 is wide for a 1)
 *
 * Position and height are measured but not described: MNIST centres every digit by its centre of mass and
 * scales it into a 20-pixel box, so 98% of training digits have their centre within half a pixel of the
 * middle and two thirds are exactly 20 pixels tall (models/tokenizer-mnist/README.md has the distributions).
 *
 * Three disjoint families of phrasings: `train` captions teach the text encoder and the text-to-image
 * model; `validation` phrasings choose the guidance scale; `unseen` phrasings (word orders and
 * constructions the training captions never use) measure whether the model understood or memorised.
 */
import { mulberry32, type Uniform } from '../diffusion/random';
import type { DigitAttributes } from '../data/digit-attributes';

export type Tercile = 0 | 1 | 2;

export const ATTRIBUTES = ['thickness', 'slant', 'width'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** A digit and (optionally) the tercile of each attribute: what a caption says, or what a prompt asks. */
export interface DigitDescription {
  digit: number;
  thickness?: Tercile;
  slant?: Tercile;
  width?: Tercile;
}

/** The tercile boundaries [one third, two thirds] of each attribute; width per class. */
export interface AttributeBins {
  thickness: [number, number];
  slant: [number, number];
  width: [number, number][];
}

/** The value at quantile q of sorted values (linear interpolation between order statistics). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const terciles = (values: number[]): [number, number] => {
  const s = Float64Array.from(values).sort();
  return [quantile(s, 1 / 3), quantile(s, 2 / 3)];
};

/** Tercile boundaries from the measured attributes of a set of digits (the training set). */
export function attributeBins(attrs: readonly DigitAttributes[], labels: ArrayLike<number>): AttributeBins {
  const width: [number, number][] = [];
  for (let d = 0; d < 10; d++)
    width.push(terciles(attrs.filter((_, i) => labels[i] === d).map((a) => a.width)));
  return {
    thickness: terciles(attrs.map((a) => a.thickness)),
    slant: terciles(attrs.map((a) => a.slant)),
    width,
  };
}

/** Which third a value falls in: below the first boundary, between, or at or above the second. */
export function tercileOf(value: number, [a, b]: readonly [number, number]): Tercile {
  return value < a ? 0 : value < b ? 1 : 2;
}

/** The full description of a measured digit. */
export function describe(label: number, a: DigitAttributes, bins: AttributeBins): Required<DigitDescription> {
  return {
    digit: label,
    thickness: tercileOf(a.thickness, bins.thickness),
    slant: tercileOf(a.slant, bins.slant),
    width: tercileOf(a.width, bins.width[label]!),
  };
}

export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The words of each tercile, the first being the plain name the lesson shows. */
export const TERCILE_WORDS: Record<Attribute, [string[], string[], string[]]> = {
  thickness: [
    ['thin', 'light', 'fine'],
    ['medium', 'regular'],
    ['thick', 'bold', 'heavy'],
  ],
  slant: [
    ['leaning left', 'slanted left', 'tilted left'],
    ['upright', 'straight'],
    ['leaning right', 'slanted right', 'tilted right'],
  ],
  width: [['narrow', 'slim'], ['medium-width'], ['wide', 'broad']],
};

/** The plain name of an attribute's tercile: "thick", "leaning right", "narrow". */
export const tercileName = (attr: Attribute, t: Tercile) => TERCILE_WORDS[attr][t][0]!;

export type PhrasingFamily = 'train' | 'validation' | 'unseen';

const pick = <T>(rand: Uniform, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function shuffle<T>(rand: Uniform, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

const article = (next: string) =>
  /^(8|eight|1[18]\b|a|e|i|o|u)/.test(next) && !/^(one|u[bcfhjkqrstn][aeiou])/.test(next) ? 'an' : 'a';

/** "a" or "an" joined to the phrase that follows. */
export const withArticle = (phrase: string) => `${article(phrase)} ${phrase}`;

/** "x", "x and y", "x, y and z". */
function andList(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** Words of one described attribute, chosen at random among its synonyms. */
function words(rand: Uniform, d: DigitDescription, attr: Attribute): string | null {
  const t = d[attr];
  return t === undefined ? null : pick(rand, TERCILE_WORDS[attr][t]);
}

/**
 * One caption of a description in a phrasing family. Attributes missing from the description are not
 * mentioned; `rand` chooses the phrasing, the synonyms, numeral or word, and the order of the adjectives.
 */
export function caption(d: DigitDescription, rand: Uniform, family: PhrasingFamily = 'train'): string {
  const digit = rand() < 0.5 ? String(d.digit) : DIGIT_WORDS[d.digit]!;
  const thick = words(rand, d, 'thickness');
  const slant = words(rand, d, 'slant');
  const width = words(rand, d, 'width');
  const adjectives = shuffle(
    rand,
    [thick, width].filter((x): x is string => x !== null),
  );
  const all = shuffle(
    rand,
    [thick, width, slant].filter((x): x is string => x !== null),
  );
  const phrasings: Record<PhrasingFamily, (() => string)[]> = {
    train: [
      // "a bold 7 leaning right", "a thin wide seven"
      () => withArticle([...adjectives, digit, ...(slant ? [slant] : [])].join(' ')),
      // "the digit seven, thin and leaning right"
      () => `the digit ${digit}${all.length ? `, ${andList(all)}` : ''}`,
      // "a handwritten 3 that is thick and narrow"
      () => `a handwritten ${digit}${all.length ? ` that is ${andList(all)}` : ''}`,
      // "7, bold, slanted left"
      () => [digit, ...all].join(', '),
    ],
    validation: [
      // "number 7: thick, leaning right"
      () => `number ${digit}${all.length ? `: ${all.join(', ')}` : ''}`,
      // "an image of a thin seven"
      () => `an image of ${withArticle([...adjectives, digit].join(' '))}${slant ? ` ${slant}` : ''}`,
    ],
    unseen: [
      // "seven, drawn thick and leaning right"
      () => (all.length ? `${digit}, drawn ${andList(all)}` : `draw ${withArticle(digit)}`),
      // "leaning right and thick: the digit 7" (attributes before the digit)
      () => (all.length ? `${andList(all)}: the digit ${digit}` : `just the digit ${digit}`),
      // "write a 7 with a bold stroke, wide and leaning right"
      () =>
        `write ${withArticle(digit)}${thick ? ` with a ${thick} stroke` : ''}${[width, slant].some(Boolean) ? `, ${andList([width, slant].filter((x): x is string => x !== null))}` : ''}`,
    ],
  };
  return pick(rand, phrasings[family])();
}

/**
 * A random partial description of a measured digit: each attribute is mentioned with probability
 * `mention`, so the models also learn from captions that leave some (or all) attributes out.
 */
export function partialDescription(
  full: Required<DigitDescription>,
  rand: Uniform,
  mention = 0.6,
): DigitDescription {
  const d: DigitDescription = { digit: full.digit };
  for (const a of ATTRIBUTES) if (rand() < mention) d[a] = full[a];
  return d;
}

/** A training caption of digit i for epoch e: the same for the same (i, e, seed), different across epochs. */
export function trainingCaption(
  full: Required<DigitDescription>,
  i: number,
  epoch: number,
  seed = 0,
): string {
  const rand = mulberry32(((i + 1) * 2654435761 + epoch * 40503 + seed) >>> 0);
  return caption(partialDescription(full, rand), rand, 'train');
}

/** Training captions of a data set by sample index: what the text encoder and the text-to-image trainer read. */
export interface Captioner {
  /** Samples captioned (the data's count). */
  readonly count: number;
  /** Sample k's caption for epoch (or step) e: the same for the same (k, e, seed). */
  caption(k: number, epoch: number, seed: number): string;
}

/** Captions of single digits from their full descriptions (trainingCaption). */
export function digitCaptioner(descriptions: readonly Required<DigitDescription>[]): Captioner {
  return {
    count: descriptions.length,
    caption: (k, epoch, seed) => trainingCaption(descriptions[k]!, k, epoch, seed),
  };
}
