import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTES,
  attributeBins,
  caption,
  partialDescription,
  DIGIT_WORDS,
  TERCILE_WORDS,
  tercileOf,
  trainingCaption,
  type DigitDescription,
  type Tercile,
} from '../../src/text/captions';
import type { DigitAttributes } from '../../src/data/digit-attributes';
import { mulberry32 } from '../../src/diffusion/random';
import { loadMnistNode } from '../../src/data/mnist-node';
import { attributesFile, measureSplit, TOKENIZER_DIR, type AttributesFile } from '../../src/cli/text-files';

const attrs = (thickness: number, slant: number, width: number): DigitAttributes => ({
  thickness,
  slant,
  width,
  height: 20,
  area: 100,
  cx: 14,
  cy: 14,
});

describe('captions from measured attributes', () => {
  it('bins values into thirds: each tercile holds a third of the values it was made from', () => {
    const values = Array.from({ length: 300 }, (_, i) => attrs(i % 97, (i * 7) % 101, i % 10));
    const labels = values.map(() => 3);
    const bins = attributeBins(values, labels);
    for (const key of ['thickness', 'slant'] as const) {
      const counts = [0, 0, 0];
      for (const v of values) counts[tercileOf(v[key], bins[key])]!++;
      for (const c of counts) expect(Math.abs(c - 100)).toBeLessThanOrEqual(4);
    }
    expect(tercileOf(1, [1, 2])).toBe(1); // a boundary value belongs to the upper third
    expect(tercileOf(0.999, [1, 2])).toBe(0);
    expect(tercileOf(2, [1, 2])).toBe(2);
  });

  it('the shipped boundaries are those of the training digits, recomputed here', () => {
    const shipped = JSON.parse(readFileSync(`${TOKENIZER_DIR}/attributes.json`, 'utf8')) as AttributesFile;
    const train = loadMnistNode('train');
    const measured = measureSplit(train);
    const fresh = attributesFile(measured, train.labels);
    expect(fresh.bins).toEqual(shipped.bins);
    // and the terciles really split the training digits in thirds (within rounding at tied values)
    const t = measured.map((a) => tercileOf(a.slant, shipped.bins.slant));
    for (const k of [0, 1, 2])
      expect(Math.abs(t.filter((x) => x === k).length / t.length - 1 / 3)).toBeLessThan(0.01);
  }, 60_000);

  it('every caption names the digit and the words of exactly the attributes it was given', () => {
    const rand = mulberry32(7);
    for (let n = 0; n < 3000; n++) {
      const d: DigitDescription = { digit: Math.floor(rand() * 10) };
      for (const a of ATTRIBUTES) if (rand() < 0.5) d[a] = Math.floor(rand() * 3) as Tercile;
      for (const family of ['train', 'validation', 'unseen'] as const) {
        const c = caption(d, rand, family);
        expect(c.includes(String(d.digit)) || c.includes(DIGIT_WORDS[d.digit]!)).toBe(true);
        for (const a of ATTRIBUTES) {
          const said = TERCILE_WORDS[a].map((words) => words.some((w) => new RegExp(`\\b${w}\\b`).test(c)));
          // "medium" is a prefix of "medium-width": only the whole word counts
          if (a === 'thickness' && d.width === 1 && d.thickness !== 1) said[1] = /\bmedium\b(?!-)/.test(c);
          if (d[a] === undefined) expect(said, `${c} (${a})`).toEqual([false, false, false]);
          else expect(said, `${c} (${a})`).toEqual([0, 1, 2].map((k) => k === d[a]));
        }
      }
    }
  });

  it('the unseen and validation phrasings never occur among the training captions of the same digits', () => {
    const full = { digit: 7, thickness: 2, slant: 2, width: 0 } as const;
    const train = new Set(Array.from({ length: 20000 }, (_, e) => trainingCaption(full, 1, e)));
    const rand = mulberry32(3);
    for (let n = 0; n < 500; n++) {
      // any subset of the attributes, none included
      const d = partialDescription(full, rand, 0.5);
      expect(train.has(caption(d, rand, 'unseen')), caption(d, mulberry32(n), 'unseen')).toBe(false);
      expect(train.has(caption(d, rand, 'validation'))).toBe(false);
    }
    expect(train.size).toBeGreaterThan(100); // many phrasings of the same digit
  });

  it('a training caption depends only on (digit, epoch, seed)', () => {
    const full = { digit: 8, thickness: 0, slant: 1, width: 2 } as const;
    expect(trainingCaption(full, 5, 3)).toBe(trainingCaption(full, 5, 3));
    expect(new Set(Array.from({ length: 50 }, (_, e) => trainingCaption(full, 5, e))).size).toBeGreaterThan(
      10,
    );
    expect(caption({ digit: 8 }, mulberry32(1), 'train')).toMatch(
      /^(an (8|eight)|the digit (8|eight)|a handwritten (8|eight)|8|eight)$/,
    );
  });
});
