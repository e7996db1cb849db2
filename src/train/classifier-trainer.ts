/** Training and testing the MNIST classifier used for evaluation (cross-entropy, Adam), on any backend. */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import { MNIST_PIXELS, MNIST_SIDE, type MnistSplit } from '../data/mnist-asset';
import { mnistTrainData } from '../data/train-data';
import { MnistClassifier } from '../nets/classifier';
import { Adam } from './adam';

/** Images idx of a split as a [n, 28, 28, 1] tensor in [-1, 1]. */
export function imagesTensor(data: MnistSplit, idx: ArrayLike<number>): tf.Tensor4D {
  const digits = mnistTrainData(data);
  const x = new Float32Array(idx.length * MNIST_PIXELS);
  for (let i = 0; i < idx.length; i++) digits.copySample(idx[i]!, x, i * MNIST_PIXELS);
  return tf.tensor4d(x, [idx.length, MNIST_SIDE, MNIST_SIDE, 1]);
}

/** One epoch in shuffled mini-batches; yields the mean loss every `every` steps. */
export async function* trainClassifierEpoch(
  net: MnistClassifier,
  adam: Adam,
  data: MnistSplit,
  opts: { batch: number; lr: number; seed: number; every?: number },
): AsyncGenerator<{ step: number; steps: number; loss: number }> {
  const rand = mulberry32(opts.seed);
  const order = Array.from({ length: data.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const steps = Math.floor(data.count / opts.batch);
  const every = opts.every ?? 20;
  let losses: tf.Scalar[] = [];
  for (let s = 0; s < steps; s++) {
    const idx = order.slice(s * opts.batch, (s + 1) * opts.batch);
    const loss = tf.tidy(() => {
      const x = imagesTensor(data, idx);
      const y = tf.oneHot(
        tf.tensor1d(
          idx.map((i) => data.labels[i]!),
          'int32',
        ),
        10,
      );
      const vars = [...net.params.values()];
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, net.logits(x)) as tf.Scalar,
        vars,
      );
      const byName: Record<string, tf.Tensor> = {};
      for (const [k, v] of net.params) byName[k] = grads[v.name]!;
      adam.apply(net.params, byName, opts.lr);
      return value;
    });
    losses.push(loss);
    if (losses.length === every || s === steps - 1) {
      const vals = await Promise.all(losses.map((l) => l.data()));
      tf.dispose(losses);
      losses = [];
      yield { step: s + 1, steps, loss: vals.reduce((a, v) => a + v[0]!, 0) / vals.length };
    }
  }
}

/** Accuracy on a split, in batches. */
export async function accuracy(net: MnistClassifier, data: MnistSplit, batch = 500): Promise<number> {
  let right = 0;
  for (let s = 0; s < data.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, data.count - s) }, (_, i) => s + i);
    const pred = tf.tidy(() => tf.argMax(net.logits(imagesTensor(data, idx)), 1));
    const p = await pred.data();
    pred.dispose();
    idx.forEach((i, k) => (right += p[k] === data.labels[i] ? 1 : 0));
  }
  return right / data.count;
}
