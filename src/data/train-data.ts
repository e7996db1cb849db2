/**
 * A training set as the diffusion trainer sees it: `count` samples of one shape, in the range the
 * model works in (pixels in [-1, 1], latents at unit variance, points as they are), with optional class
 * labels. MNIST, autoencoder latents and toy 2-D points all become one of these.
 */
import { MNIST_PIXELS, MNIST_SIDE, type MnistSplit } from './mnist-asset';

export interface TrainData {
  readonly count: number;
  /** Shape of one sample, e.g. [28, 28, 1], [8, 8, 4] or [2]. */
  readonly sampleShape: readonly number[];
  /** Write sample i into out[offset, offset + sample size). */
  copySample(i: number, out: Float32Array, offset: number): void;
  /** Class label of sample i, when the set has labels. */
  label?(i: number): number;
}

/** MNIST digits as 28x28x1 images in [-1, 1] (0 = background -> -1, 255 = ink -> 1), labelled 0-9. */
export function mnistTrainData(split: MnistSplit): TrainData {
  return {
    count: split.count,
    sampleShape: [MNIST_SIDE, MNIST_SIDE, 1],
    copySample(i, out, offset) {
      const base = i * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) out[offset + p] = (split.images[base + p]! / 255) * 2 - 1;
    },
    label: (i) => split.labels[i]!,
  };
}

/** Samples stored back to back in one array (latents, points), with optional labels. */
export function arrayTrainData(
  values: Float32Array,
  sampleShape: readonly number[],
  labels?: ArrayLike<number>,
): TrainData {
  const per = sampleShape.reduce((a, b) => a * b, 1);
  if (!(per > 0) || values.length % per !== 0)
    throw new Error(`${values.length} values do not split into samples of shape [${sampleShape}]`);
  const count = values.length / per;
  if (labels && labels.length !== count) throw new Error(`${labels.length} labels for ${count} samples`);
  return {
    count,
    sampleShape,
    copySample: (i, out, offset) => out.set(values.subarray(i * per, (i + 1) * per), offset),
    ...(labels ? { label: (i: number) => labels[i]! } : {}),
  };
}
