/**
 * The evaluation suite: any generator of 28x28 digits in [-1, 1] is judged by the project's MNIST
 * classifier — class histogram and coverage, confidence, FID on its penultimate features against the
 * test set (with the train-vs-test floor as reference), precision and recall, and time per image.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MNIST_PIXELS, type MnistSplit, MNIST_SIDE } from '../data/mnist-asset';
import { mnistTrainData } from '../data/train-data';
import { FEATURE_DIM, type MnistClassifier } from '../nets/classifier';
import type { EvalResult, EvalSource } from './eval-result';
import { CONFIDENT_ABOVE, topClasses } from './quality';

export { CONFIDENT_ABOVE };
import { fitGaussian, frechetDistance, precisionRecall, type Gaussian } from './fid';

export type { EvalResult } from './eval-result';

export interface DigitGenerator {
  /** Short name for tables, e.g. "DDPM 1000 steps". */
  name: string;
  /** What makes the images, as data (copied into the result). */
  source?: EvalSource;
  /** n images (n*784 values in [-1, 1]) for a seed. */
  generate(n: number, seed: number): Promise<Float32Array>;
}

/** Features and softmax probabilities of images (n*784), in batches. */
export async function classify(
  net: MnistClassifier,
  images: Float32Array,
  batch = 250,
): Promise<{ features: Float32Array; probs: Float32Array }> {
  const n = images.length / MNIST_PIXELS;
  const features = new Float32Array(n * FEATURE_DIM);
  const probs = new Float32Array(n * 10);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const [f, p] = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(s * MNIST_PIXELS, (s + m) * MNIST_PIXELS), [
        m,
        MNIST_SIDE,
        MNIST_SIDE,
        1,
      ]);
      const feats = net.features(x);
      return [feats, tf.softmax(net.logits(x))];
    });
    features.set((await f.data()) as Float32Array, s * FEATURE_DIM);
    probs.set((await p.data()) as Float32Array, s * 10);
    tf.dispose([f, p]);
  }
  return { features, probs };
}

/** Images of a real split as n*784 floats in [-1, 1] (the first n, or those given). */
export async function realImages(data: MnistSplit, idx: number[]): Promise<Float32Array> {
  const digits = mnistTrainData(data);
  const out = new Float32Array(idx.length * MNIST_PIXELS);
  idx.forEach((i, k) => digits.copySample(i, out, k * MNIST_PIXELS));
  return out;
}

export interface Reference {
  test: Gaussian;
  testFeatures: Float32Array;
  nTest: number;
  /** Features of real training digits for the floor. */
  trainFeatures: Float32Array;
}

export async function makeReference(
  net: MnistClassifier,
  test: MnistSplit,
  train: MnistSplit,
  nTrain: number,
): Promise<Reference> {
  const all = Array.from({ length: test.count }, (_, i) => i);
  const { features } = await classify(net, await realImages(test, all));
  const trainIdx = Array.from({ length: nTrain }, (_, i) => Math.floor((i * train.count) / nTrain));
  const tr = await classify(net, await realImages(train, trainIdx));
  return {
    test: fitGaussian(features, test.count, FEATURE_DIM),
    testFeatures: features,
    nTest: test.count,
    trainFeatures: tr.features,
  };
}

/** Whether sample `i` of `probs` (10 class probabilities per sample) is a confident digit. */
export const isConfident = (probs: Float32Array, i: number): boolean =>
  Math.max(...probs.subarray(i * 10, i * 10 + 10)) > CONFIDENT_ABOVE;

/** Samples per predicted class, how many have a top probability > CONFIDENT_ABOVE, and the mean top probability. */
export function summarizeProbs(
  probs: Float32Array,
  n: number,
): { counts: number[]; confident: number; meanConfidence: number } {
  const counts = new Array<number>(10).fill(0);
  let confident = 0;
  let confSum = 0;
  topClasses(probs, n).forEach((best, i) => {
    const p = probs[i * 10 + best]!;
    counts[best]!++;
    confSum += p;
    if (p > CONFIDENT_ABOVE) confident++;
  });
  return { counts, confident, meanConfidence: confSum / n };
}

export async function evaluate(
  gen: DigitGenerator,
  net: MnistClassifier,
  ref: Reference,
  n: number,
  seed = 0,
): Promise<EvalResult> {
  const t0 = performance.now();
  const images = await gen.generate(n, seed);
  const secondsPerImage = (performance.now() - t0) / 1000 / n;
  const { features, probs } = await classify(net, images);
  const { counts, confident, meanConfidence } = summarizeProbs(probs, n);
  const nTrain = ref.trainFeatures.length / FEATURE_DIM;
  const floorN = Math.min(n, nTrain);
  // precision/recall against an equal number of test digits (k-NN is O(n^2))
  const prN = Math.min(n, 1000);
  const pr = precisionRecall(
    ref.testFeatures.subarray(0, prN * FEATURE_DIM),
    prN,
    features.subarray(0, prN * FEATURE_DIM),
    prN,
    FEATURE_DIM,
  );
  return {
    generator: gen.name,
    ...(gen.source ? { source: gen.source } : {}),
    samples: n,
    fid: frechetDistance(fitGaussian(features, n, FEATURE_DIM), ref.test),
    fidRealFloor: frechetDistance(
      fitGaussian(ref.trainFeatures.subarray(0, floorN * FEATURE_DIM), floorN, FEATURE_DIM),
      ref.test,
    ),
    precision: pr.precision,
    recall: pr.recall,
    classShares: counts.map((c) => c / n),
    confidentShare: confident / n,
    meanConfidence,
    secondsPerImage,
  };
}

/** A Markdown table of results. */
export function resultsTable(rs: EvalResult[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const head =
    '| generator | samples | FID (floor) | precision | recall | confident > 0.9 | mean confidence | class shares min–max | s/image |\n|---|---|---|---|---|---|---|---|---|';
  const rows = rs.map(
    (r) =>
      `| ${r.generator} | ${r.samples} | ${r.fid.toFixed(2)} (${r.fidRealFloor.toFixed(2)}) | ${pct(r.precision)} | ${pct(r.recall)} | ${pct(r.confidentShare)} | ${pct(r.meanConfidence)} | ${pct(Math.min(...r.classShares))}–${pct(Math.max(...r.classShares))} | ${r.secondsPerImage.toFixed(2)} |`,
  );
  return [head, ...rows].join('\n');
}
