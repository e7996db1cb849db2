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
import { mulberry32 } from '../diffusion/random';
import { BpeTokenizer, type MergeStep, type TokenizerJson } from '../text/bpe';
import { caption, partialDescription, TERCILE_WORDS, type PhrasingFamily } from '../text/captions';
import { cardTemplate, renderTemplate } from './template';
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
  const seconds = (performance.now() - t0) / 1000;
  writeTokenizerCard({ file, tokenizer, steps, corpus: corpus.length, longest, seconds });
  console.log(
    `${steps.length} merges, vocabulary ${tokenizer.vocab.length}, longest caption ${longest} tokens of ${CONTEXT_LENGTH}, ` +
      `${seconds.toFixed(1)} s: ${TOKENIZER_DIR}/`,
  );
}

const FORMULAS: Record<keyof DigitAttributes, string> = {
  thickness: 'mean stroke width t = (√(L² + 4A) − L) / 2, A ink area, L skeleton length (pixels)',
  slant: 'atan(−μ₁₁ / μ₀₂) of the intensities, degrees, + leans right',
  width: 'ink bounding box, pixels',
  height: 'ink bounding box, pixels',
  area: 'ink pixels',
  cx: 'centre of mass, pixels from the left',
  cy: 'centre of mass, pixels from the top',
};

function writeTokenizerCard(o: {
  file: AttributesFile;
  tokenizer: BpeTokenizer;
  steps: MergeStep[];
  corpus: number;
  longest: number;
  seconds: number;
}): void {
  const f = (x: number) => (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
  const examples = (family: PhrasingFamily) => {
    const rand = mulberry32(family.length);
    const d = { digit: 7, thickness: 2, slant: 2, width: 0 } as const;
    return [0, 1, 2].map(() => `"${caption(partialDescription(d, rand, 0.7), rand, family)}"`).join(', ');
  };
  const bins = o.file.bins;
  const widthRange = (k: 0 | 1) =>
    `${Math.min(...bins.width.map((w) => w[k]))}–${Math.max(...bins.width.map((w) => w[k]))}`;
  writeFileAtomic(
    join(TOKENIZER_DIR, 'README.md'),
    renderTemplate(cardTemplate('tokenizer.md'), {
      seconds: o.seconds.toFixed(1),
      quantileRows: (Object.keys(FORMULAS) as (keyof DigitAttributes)[])
        .map((k) => `| ${k} | ${FORMULAS[k]} | ${o.file.quantiles[k].map(f).join(' | ')} |`)
        .join('\n'),
      binRows: [
        `| thickness | ${TERCILE_WORDS.thickness.map((w) => w.join(', ')).join(' / ')} | ${bins.thickness.map(f).join(' and ')} px |`,
        `| slant | ${TERCILE_WORDS.slant.map((w) => w.join(', ')).join(' / ')} | ${bins.slant.map(f).join('° and ')}° |`,
        `| width | ${TERCILE_WORDS.width.map((w) => w.join(', ')).join(' / ')} | per digit, ${widthRange(0)} and ${widthRange(1)} px |`,
      ].join('\n'),
      trainExamples: examples('train'),
      validationExamples: examples('validation'),
      unseenExamples: examples('unseen'),
      corpus: o.corpus.toLocaleString('en'),
      vocab: o.tokenizer.vocab.length,
      alphabet: o.tokenizer.vocab.length - 3 - 256 - o.steps.length,
      merges: o.steps.length,
      context: o.tokenizer.contextLength,
      longest: o.longest,
      firstMerges: o.steps
        .slice(0, 24)
        .map(
          (s, i) =>
            `${i + 1}. \`${s.pair[0]}\` + \`${s.pair[1]}\` → \`${s.pair.join('')}\` (${s.count.toLocaleString('en')})`,
        )
        .join('\n'),
    }),
  );
}
