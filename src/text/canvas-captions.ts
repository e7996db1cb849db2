/**
 * Captions of multi-digit canvases (src/data/canvas.ts): "three sevens", "a canvas with two fours",
 * "a three left of a seven", "a nine above a one". Numbers are words, so that counting is a matter of
 * reading the caption, not of drawing a numeral. A scene's training caption varies with the epoch (one
 * of a few phrasings), deterministically in (scene, epoch, seed).
 */
import { mulberry32 } from '../diffusion/random';
import type { CanvasScene, Relation } from '../data/canvas';

export const DIGIT_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
] as const;
export const DIGIT_PLURALS = [
  'zeros',
  'ones',
  'twos',
  'threes',
  'fours',
  'fives',
  'sixes',
  'sevens',
  'eights',
  'nines',
] as const;
const NUMBER_WORDS = ['', 'one', 'two', 'three', 'four'] as const;

/** A count caption: n copies of a digit, in phrasing p (0–2). */
export function countCaption(digit: number, n: number, p = 0): string {
  if (!(n >= 1 && n <= 4)) throw new RangeError(`a canvas holds 1 to 4 digits, got ${n}`);
  const what = n === 1 ? DIGIT_WORDS[digit]! : DIGIT_PLURALS[digit]!;
  const amount = n === 1 && p === 2 ? 'a' : NUMBER_WORDS[n]!;
  return p === 1 ? `a canvas with ${amount} ${what}` : `${amount} ${what}`;
}

/** A relation caption: digit a (relation) digit b, in phrasing p (0–1). */
export function relationCaption(a: number, relation: Relation, b: number, p = 0): string {
  return p === 1
    ? `${DIGIT_WORDS[a]} ${relation} ${DIGIT_WORDS[b]}`
    : `a ${DIGIT_WORDS[a]} ${relation} a ${DIGIT_WORDS[b]}`;
}

/** The caption of a scene in phrasing p (p wraps around the kind's phrasings). */
export function sceneCaption(scene: CanvasScene, p = 0): string {
  if (scene.kind === 'count') return countCaption(scene.digit, scene.digits.length, p % 3);
  return relationCaption(scene.digits[0].digit, scene.relation, scene.digits[1].digit, p % 2);
}

/** A training caption of scene k for epoch e: the same for the same (k, e, seed), varying across epochs. */
export function canvasTrainingCaption(scene: CanvasScene, k: number, epoch: number, seed = 0): string {
  const rand = mulberry32(((k + 1) * 2246822519 + epoch * 3266489917 + seed) >>> 0);
  return sceneCaption(scene, Math.floor(rand() * 6));
}
