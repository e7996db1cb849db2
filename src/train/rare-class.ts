/**
 * Made data for a rare class, the experiment of the lesson "Diffusion at work": a small classifier
 * trained on digits where one class is rare (a handful of real examples, as a rare condition is in a
 * hospital's records), then again with that class topped up by digits a class-conditional diffusion
 * model drew, and, as the cheap alternative, with its few real examples repeated instead. Its recall on
 * the rare class's real test digits says whether the made examples taught it anything the real ones had
 * not (related gains from generated training data: Azizi et al. 2023 on ImageNet, Trabucco et al. 2024
 * for few-shot classes).
 *
 * The classifier is deliberately small and separate from the evaluation's classifier (a one-hidden-layer
 * perceptron, `SmallClassifier`), so that the judge is not the pupil; generated digits are used as drawn,
 * never filtered by any classifier. Measured by `npm run eval -- at-work --part rare`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import { dense } from '../nets/layers';
import { NamedWeights } from '../nets/named-weights';
import { Adam } from './adam';

const PIXELS = 784;
const HIDDEN = 128;

/** 784 → 128 (ReLU) → 10: a perceptron with one hidden layer. */
export class SmallClassifier extends NamedWeights {
  constructor(seed: number) {
    super(
      [
        { name: 'h.w', shape: [PIXELS, HIDDEN], fanIn: PIXELS },
        { name: 'h.b', shape: [HIDDEN], fanIn: PIXELS },
        { name: 'o.w', shape: [HIDDEN, 10], fanIn: HIDDEN },
        { name: 'o.b', shape: [10], fanIn: HIDDEN },
      ],
      seed,
      'the small classifier',
    );
  }

  /** Class logits [B, 10] for images [B, 784] in [-1, 1]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.relu(tf.add(dense(x, this.p('h.w')), this.p('h.b'))) as tf.Tensor2D;
      return tf.add(dense(h, this.p('o.w')), this.p('o.b')) as tf.Tensor2D;
    });
  }
}

/** A labelled set of images (n × 784 values in [-1, 1]). */
export interface LabelledImages {
  images: Float32Array;
  labels: Uint8Array;
}

/** Join labelled sets into one. */
export function concatSets(...sets: LabelledImages[]): LabelledImages {
  const n = sets.reduce((a, s) => a + s.labels.length, 0);
  const images = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  let k = 0;
  for (const s of sets) {
    images.set(s.images, k * PIXELS);
    labels.set(s.labels, k);
    k += s.labels.length;
  }
  return { images, labels };
}

/**
 * Indices of a training set in which `rare` keeps only `rareCount` examples and every other class keeps
 * `perClass`, picked at random by `seed` (each a different subset).
 */
export function rareSubset(
  labels: ArrayLike<number>,
  rare: number,
  rareCount: number,
  perClass: number,
  seed: number,
): number[] {
  const rand = mulberry32(seed);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const out: number[] = [];
  byClass.forEach((idx, c) => {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const want = c === rare ? rareCount : perClass;
    if (idx.length < want) throw new Error(`class ${c} has ${idx.length} examples, ${want} asked for`);
    out.push(...idx.slice(0, want));
  });
  return out.sort((a, b) => a - b);
}

/** `copies` copies of each image of a set (oversampling: the same few examples, seen more often). */
export function repeatSet(s: LabelledImages, copies: number): LabelledImages {
  return concatSets(...Array.from({ length: copies }, () => s));
}

export interface FitOptions {
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  signal?: AbortSignal;
  /** Called every 50 steps with the steps done (for a progress bar). */
  onProgress?: (done: number) => void;
}

/** Train a fresh SmallClassifier on a set with Adam and cross-entropy; mini-batches drawn with replacement. */
export async function fitSmallClassifier(set: LabelledImages, o: FitOptions): Promise<SmallClassifier> {
  const net = new SmallClassifier(o.seed);
  const adam = new Adam(net.params);
  const rand = mulberry32(o.seed + 1);
  const n = set.labels.length;
  if (n === 0) throw new Error('no training images');
  const x = new Float32Array(o.batch * PIXELS);
  const y = new Int32Array(o.batch);
  try {
    for (let s = 0; s < o.steps; s++) {
      if (o.signal?.aborted) break;
      for (let b = 0; b < o.batch; b++) {
        const i = Math.floor(rand() * n);
        x.set(set.images.subarray(i * PIXELS, (i + 1) * PIXELS), b * PIXELS);
        y[b] = set.labels[i]!;
      }
      tf.tidy(() => {
        const xt = tf.tensor2d(x, [o.batch, PIXELS]);
        const yt = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
        const { grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(yt, net.logits(xt)) as tf.Scalar,
          [...net.params.values()],
        );
        const byName: Record<string, tf.Tensor> = {};
        for (const [k, v] of net.params) byName[k] = grads[v.name]!;
        adam.apply(net.params, byName, o.lr);
      });
      if ((s + 1) % 50 === 0) {
        o.onProgress?.(s + 1);
        await new Promise((r) => setTimeout(r, 0));
      }
    }
  } finally {
    adam.dispose();
  }
  return net;
}

/** The classifier's predicted class of every image. */
export async function predictClasses(
  net: SmallClassifier,
  images: Float32Array,
  batch = 500,
): Promise<Uint8Array> {
  const n = images.length / PIXELS;
  const out = new Uint8Array(n);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const p = tf.tidy(() =>
      tf.argMax(net.logits(tf.tensor2d(images.subarray(s * PIXELS, (s + m) * PIXELS), [m, PIXELS])), 1),
    );
    out.set(Uint8Array.from((await p.data()) as Int32Array), s);
    p.dispose();
  }
  return out;
}

export interface RareScore {
  /** Share of the rare class's test digits called that class. */
  recall: number;
  /** Share of the test digits called the rare class that are (1 when none are). */
  precision: number;
  /** Share of all test digits classified right. */
  accuracy: number;
}

export function scoreRare(pred: Uint8Array, labels: ArrayLike<number>, rare: number): RareScore {
  let tp = 0;
  let pos = 0;
  let called = 0;
  let right = 0;
  for (let i = 0; i < pred.length; i++) {
    if (labels[i] === rare) pos++;
    if (pred[i] === rare) called++;
    if (pred[i] === rare && labels[i] === rare) tp++;
    if (pred[i] === labels[i]) right++;
  }
  return { recall: pos ? tp / pos : 0, precision: called ? tp / called : 1, accuracy: right / pred.length };
}
