/**
 * The text side's files in Node: the measured attributes of the MNIST training digits and their tercile
 * boundaries (models/tokenizer-mnist/attributes.json), the tokenizer learned from their captions
 * (tokenizer.json, merges.json), and the CLIP-style encoders' run (models/clip-mnist/).
 *
 * `npm run train -- tokenizer` measures every training digit, bins the attributes, captions each digit
 * once and learns the BPE merges from those captions: deterministic, a few seconds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  attributeBins,
  describe,
  quantile,
  trainingCaption,
  type AttributeBins,
  type DigitDescription,
} from '../text/captions';
import { measureDigit, type DigitAttributes } from '../data/digit-attributes';
import { MNIST_PIXELS, type MnistSplit, type MnistSplitName } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { BpeTokenizer, type TokenizerJson } from '../text/bpe';
import { writeFileAtomic } from './files';

export const TOKENIZER_DIR = 'models/tokenizer-mnist';
export const CLIP_DIR = 'models/clip-mnist';
/** Longest token sequence the text encoder reads, <start> and <end> included. */
export const CONTEXT_LENGTH = 24;
/** At most this many merges (learning stops earlier once every caption word is one token). */
export const MAX_MERGES = 400;

/** The attributes of every digit of a split. */
export function measureSplit(split: MnistSplit): DigitAttributes[] {
  return Array.from({ length: split.count }, (_, i) =>
    measureDigit(split.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)),
  );
}

export interface AttributesFile {
  /** Where the boundaries come from. */
  source: string;
  bins: AttributeBins;
  /** Quantiles 1, 10, 33.3, 50, 66.7, 90, 99% of every measure over the training digits. */
  quantiles: Record<keyof DigitAttributes, number[]>;
}

export const QUANTILES = [0.01, 0.1, 1 / 3, 0.5, 2 / 3, 0.9, 0.99];

export function attributesFile(attrs: DigitAttributes[], labels: ArrayLike<number>): AttributesFile {
  const keys = Object.keys(attrs[0]!) as (keyof DigitAttributes)[];
  const quantiles = Object.fromEntries(
    keys.map((k) => {
      const s = Float64Array.from(attrs.map((a) => a[k])).sort();
      return [k, QUANTILES.map((q) => quantile(s, q))];
    }),
  ) as AttributesFile['quantiles'];
  return { source: 'the 60,000 MNIST training digits', bins: attributeBins(attrs, labels), quantiles };
}

/** A split with its digits' full descriptions under the shipped tercile boundaries. */
export function describedSplit(name: MnistSplitName): {
  split: MnistSplit;
  attrs: DigitAttributes[];
  descriptions: Required<DigitDescription>[];
  bins: AttributeBins;
} {
  const path = join(TOKENIZER_DIR, 'attributes.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run train -- tokenizer\` first`);
  const { bins } = JSON.parse(readFileSync(path, 'utf8')) as AttributesFile;
  const split = loadMnistNode(name);
  const attrs = measureSplit(split);
  return { split, attrs, bins, descriptions: attrs.map((a, i) => describe(split.labels[i]!, a, bins)) };
}

export function loadTokenizer(dir = TOKENIZER_DIR): BpeTokenizer {
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run train -- tokenizer\` first`);
  return BpeTokenizer.fromJSON(JSON.parse(readFileSync(path, 'utf8')) as TokenizerJson);
}

/** `npm run train -- tokenizer`: attributes, boundaries, captions, merges; writes models/tokenizer-mnist/. */
export function trainTokenizerCli(): void {
  const t0 = performance.now();
  const train = loadMnistNode('train');
  const attrs = measureSplit(train);
  const file = attributesFile(attrs, train.labels);
  const corpus = attrs.map((a, i) => trainingCaption(describe(train.labels[i]!, a, file.bins), i, 0));
  const { tokenizer, steps } = BpeTokenizer.learn(corpus, {
    maxMerges: MAX_MERGES,
    contextLength: CONTEXT_LENGTH,
  });
  writeFileAtomic(join(TOKENIZER_DIR, 'attributes.json'), JSON.stringify(file, null, 1));
  writeFileAtomic(join(TOKENIZER_DIR, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
  writeFileAtomic(
    join(TOKENIZER_DIR, 'merges.json'),
    JSON.stringify({ corpus: corpus.length, examples: corpus.slice(0, 20), steps }),
  );
  const longest = Math.max(...corpus.map((c) => tokenizer.encode(c).length));
  console.log(
    `${steps.length} merges, vocabulary ${tokenizer.vocab.length}, longest caption ${longest} tokens of ${CONTEXT_LENGTH}, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s: ${TOKENIZER_DIR}/`,
  );
}
