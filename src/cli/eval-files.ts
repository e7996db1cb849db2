/**
 * What the DDPM and latent DDPM evaluations share: the real-digit reference row, scoring each generator,
 * merging new rows into a model's eval.json (a row measured again replaces the old one), the sample grid
 * a target run leaves beside eval.md, and eval.md itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MnistSplit } from '../data/mnist-asset';
import { MNIST_PIXELS } from '../data/mnist-asset';
import {
  classify,
  evaluate,
  isConfident,
  realImages,
  resultsTable,
  type DigitGenerator,
  type EvalResult,
  type Reference,
} from '../metrics/evaluate';
import { CONFIDENT_ABOVE, sameMeasurement } from '../metrics/quality';
import type { MnistClassifier as Classifier } from '../nets/classifier';
import { writeFileAtomic } from './files';
import { digitGrid, encodePng } from './png';

const GRID_FILE = 'samples.png';
const GRID_SAMPLES = 100;

/** The line every eval.md gives to what FID and its floor mean here. */
export const FID_NOTE =
  'FID is on the classifier\'s 128-d features against the 10,000 test digits; "floor" is the same FID for as many real training digits.';

/** The picture a target run leaves beside eval.md. */
export interface SampleGrid {
  file: string;
  generator: string;
  samples: number;
  flagged: number;
}

export interface EvalJson {
  machine: string;
  command: string;
  results: EvalResult[];
  grid?: SampleGrid;
}

/** Real training digits (30,000 onwards), scored like a generator: the floor every model is read against. */
export function realReference(train: MnistSplit): DigitGenerator {
  return {
    name: 'real training digits (reference)',
    source: { kind: 'real', split: 'train' },
    generate: (count) =>
      realImages(
        train,
        Array.from({ length: count }, (_, i) => 30000 + i),
      ),
  };
}

/** Score each generator on n samples, logging its row; `secondsPerImage` fills the sampling time of model rows. */
export async function scoreAll(
  generators: DigitGenerator[],
  classifier: Classifier,
  ref: Reference,
  n: number,
  secondsPerImage: number,
): Promise<EvalResult[]> {
  const results: EvalResult[] = [];
  for (const g of generators) {
    console.log(`evaluating ${g.name} on ${n} samples…`);
    const r = await evaluate(g, classifier, ref, n, 1);
    if (g.source && g.source.kind !== 'real') r.secondsPerImage = secondsPerImage;
    console.log(resultsTable([r]));
    results.push(r);
  }
  return results;
}

/** The model's eval.json as committed (empty when there is none yet). */
export function readEvalJson(dir: string): Partial<EvalJson> & { results: EvalResult[] } {
  const path = join(dir, 'eval.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as EvalJson) : { results: [] };
}

/** Earlier rows, less those measured again, then the new ones. */
export function mergeResults(prev: EvalResult[], results: EvalResult[]): EvalResult[] {
  return [...prev.filter((o) => !results.some((r) => sameMeasurement(r, o))), ...results];
}

/**
 * The first 100 samples as a picture (dir/samples.png), framed red where the classifier is not
 * confident: what the percentages look like.
 */
export async function writeSampleGrid(
  dir: string,
  images: Float32Array,
  classifier: Classifier,
  generator: string,
): Promise<SampleGrid> {
  const shown = images.subarray(0, GRID_SAMPLES * MNIST_PIXELS);
  const { probs } = await classify(classifier, shown);
  const flagged = Array.from({ length: GRID_SAMPLES }, (_, i) => !isConfident(probs, i));
  const g = digitGrid(shown, { cols: 10, scale: 2, frame: 2, flagged });
  writeFileAtomic(join(dir, GRID_FILE), encodePng(g.width, g.height, g.rgb));
  return { file: GRID_FILE, generator, samples: GRID_SAMPLES, flagged: flagged.filter(Boolean).length };
}

/** Write eval.json and eval.md: a title, an introduction, the results table and the grid when there is one. */
export function writeEvalFiles(dir: string, title: string, intro: string, json: EvalJson): void {
  writeFileAtomic(join(dir, 'eval.json'), JSON.stringify(json, null, 1) + '\n');
  const { grid } = json;
  const figure = grid
    ? `\n![The first ${grid.samples} samples of the target run](${grid.file})\n\n` +
      `The first ${grid.samples} samples (seeds 1–${grid.samples}) of the latest target run, ${grid.generator}; ` +
      `framed red: the ${grid.flagged} the classifier does not recognise with confidence > ${CONFIDENT_ABOVE}.\n`
    : '';
  writeFileAtomic(join(dir, 'eval.md'), `# ${title}\n\n${intro}\n\n${resultsTable(json.results)}\n${figure}`);
}
