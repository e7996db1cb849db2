import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { caption, type DigitDescription, type Tercile } from '../../src/text/captions';
import { mulberry32 } from '../../src/diffusion/random';
import {
  BpeTokenizer,
  byteToken,
  END,
  learnMerges,
  PAD,
  preTokenize,
  START,
  type TokenizerJson,
} from '../../src/text/bpe';
import { TOKENIZER_DIR } from '../../src/cli/text-files';

const shipped = BpeTokenizer.fromJSON(
  JSON.parse(readFileSync(`${TOKENIZER_DIR}/tokenizer.json`, 'utf8')) as TokenizerJson,
);

/** Random strings of printable ASCII, Latin-1, Arabic, CJK, emoji and white space. */
function randomText(rand: () => number): string {
  const ranges = [
    [0x20, 0x7e],
    [0xa0, 0xff],
    [0x600, 0x6ff],
    [0x4e00, 0x4e80],
    [0x1f600, 0x1f64f],
    [0x09, 0x0a],
  ];
  let s = '';
  const n = Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    const [a, b] = ranges[Math.floor(rand() * ranges.length)]!;
    s += String.fromCodePoint(a! + Math.floor(rand() * (b! - a! + 1)));
  }
  return s;
}

describe('the BPE tokenizer', () => {
  it('learns the merges of the classic example by counting pairs (Sennrich et al. 2016)', () => {
    // low x5, lower x2, newest x6, widest x3: e+s and s+t occur 9 times (tie: the pair that sorts
    // first), then es+t 9, then l+o and o+w 7 each
    const corpus = [
      ...Array(5).fill('low'),
      ...Array(2).fill('lower'),
      ...Array(6).fill('newest'),
      ...Array(3).fill('widest'),
    ];
    const steps = learnMerges(corpus, 4);
    expect(steps.map((s) => s.pair.join('+'))).toEqual(['e+s', 'es+t', 'l+o', 'lo+w']);
    expect(steps.map((s) => s.count)).toEqual([9, 9, 7, 7]);
    expect(learnMerges(['ab', 'cd'], 10)).toEqual([]); // no pair occurs twice
  });

  it('pre-tokenises: white space, punctuation runs and every digit apart', () => {
    expect(preTokenize('a thick 7, leaning right!! 42')).toEqual([
      'a',
      'thick',
      '7',
      ',',
      'leaning',
      'right',
      '!!',
      '4',
      '2',
    ]);
    expect(preTokenize('')).toEqual([]);
  });

  it('gives exactly the ids @huggingface/tokenizers gives for its tokenizer.json, on any string', () => {
    const hf = new Tokenizer(shipped.toJSON(), {});
    const rand = mulberry32(11);
    const texts = [
      'a thick 7 leaning right',
      'An astronaut riding a horse on the moon',
      '',
      '   ',
      'SEVEN Seven seven 7',
      'café naïve ﬁne Ⅻ', // NFKC folds the ligature and the numeral
      '😀👍🏽 7',
      'مرحبا seven',
      '<script>alert("x")</script>',
      'a <end> b <start>',
    ];
    for (let i = 0; i < 300; i++) {
      const d: DigitDescription = {
        digit: i % 10,
        thickness: (i % 3) as Tercile,
        slant: ((i >> 2) % 3) as Tercile,
      };
      texts.push(caption(d, rand, (['train', 'validation', 'unseen'] as const)[i % 3]), randomText(rand));
    }
    for (const t of texts) {
      const ours = shipped.encode(t);
      if (ours.dropped) continue; // the library does not truncate; compared below on the full sequence
      expect(hf.encode(t).ids, JSON.stringify(t)).toEqual(ours.ids.slice(0, ours.length));
    }
    // untruncated: the library's tokens are <start>, our tokens, <end>
    const long = 'thick seven '.repeat(50);
    expect(hf.encode(long).tokens).toEqual([START, ...shipped.tokenize(long), END]);
  });

  it('answers every string: start, end, padding to the context length, truncation counted', () => {
    const L = shipped.contextLength;
    const empty = shipped.encode('');
    expect(empty.tokens.slice(0, 3)).toEqual([START, END, PAD]);
    expect(empty.length).toBe(2);
    expect(empty.ids).toHaveLength(L);
    const long = shipped.encode('seven '.repeat(10_000 / 6));
    expect(long.ids).toHaveLength(L);
    expect(long.tokens[L - 1]).toBe(END);
    expect(long.dropped).toBe(Math.floor(10_000 / 6) - (L - 2));
    const rand = mulberry32(5);
    for (let i = 0; i < 200; i++) {
      const e = shipped.encode(randomText(rand));
      expect(e.ids.every((id) => Number.isInteger(id) && id >= 0 && id < shipped.vocab.length)).toBe(true);
    }
  });

  it('spells characters it lacks as UTF-8 bytes, which decode back', () => {
    const e = shipped.encode('😀 7');
    expect(e.tokens.slice(1, 5)).toEqual([0xf0, 0x9f, 0x98, 0x80].map(byteToken));
    expect(e.isByte.slice(1, 6)).toEqual([true, true, true, true, false]);
    expect(shipped.decode(e.ids)).toBe('😀7'); // pieces are joined without the spaces between them
    expect(shipped.decode(shipped.encode('مرحبا').ids)).toBe('مرحبا');
  });

  it('keeps case and width apart from meaning: SEVEN, Seven and ｓｅｖｅｎ are seven', () => {
    const ids = (t: string) => shipped.encode(t).ids;
    expect(ids('SEVEN')).toEqual(ids('seven'));
    expect(ids('Seven')).toEqual(ids('seven'));
    expect(ids('ｓｅｖｅｎ')).toEqual(ids('seven')); // full-width letters, folded by NFKC
    expect(shipped.encode('seven').length).toBe(3); // a caption word is one token
  });

  it('round-trips through tokenizer.json', () => {
    const again = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(shipped.toJSON())) as TokenizerJson);
    expect(again.vocab).toEqual(shipped.vocab);
    expect(again.encode('a bold 3 slanted left').ids).toEqual(shipped.encode('a bold 3 slanted left').ids);
  });
});
