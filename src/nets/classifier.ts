/**
 * A small MNIST classifier, trained by the project, used to judge generated digits: its class
 * probabilities give confidence and class balance, its 128-d penultimate features give FID and
 * precision/recall (the role Inception plays for natural images).
 * conv3x3(32) - conv3x3/2(32) - conv3x3(64) - conv3x3/2(64) - dense(128) - dense(10), ReLU between.
 * Stride-2 convolutions instead of max-pooling keep every gradient available on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import { variableFrom } from './variables';

interface Spec {
  name: string;
  shape: number[];
  fanIn: number;
}

const SPECS: Spec[] = [
  { name: 'c1.w', shape: [3, 3, 1, 32], fanIn: 9 },
  { name: 'c1.b', shape: [32], fanIn: -1 },
  { name: 'c2.w', shape: [3, 3, 32, 32], fanIn: 288 },
  { name: 'c2.b', shape: [32], fanIn: -1 },
  { name: 'c3.w', shape: [3, 3, 32, 64], fanIn: 288 },
  { name: 'c3.b', shape: [64], fanIn: -1 },
  { name: 'c4.w', shape: [3, 3, 64, 64], fanIn: 576 },
  { name: 'c4.b', shape: [64], fanIn: -1 },
  { name: 'f1.w', shape: [7 * 7 * 64, 128], fanIn: 3136 },
  { name: 'f1.b', shape: [128], fanIn: -1 },
  { name: 'f2.w', shape: [128, 10], fanIn: 128 },
  { name: 'f2.b', shape: [10], fanIn: -1 },
];

export const FEATURE_DIM = 128;

export class MnistClassifier {
  readonly params = new Map<string, tf.Variable>();

  constructor(seed = 0) {
    const rand = mulberry32(seed);
    for (const s of SPECS) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      // He-uniform for ReLU layers; zero biases
      if (s.fanIn > 0) for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * Math.sqrt(6 / s.fanIn);
      this.params.set(s.name, variableFrom(tf.tensor(v, s.shape), true));
    }
  }

  get paramSpecs(): readonly { name: string; shape: readonly number[] }[] {
    return SPECS;
  }

  private p(n: string) {
    return this.params.get(n)!;
  }

  private conv(x: tf.Tensor4D, n: string, stride: number): tf.Tensor4D {
    return tf.relu(
      tf.add(tf.conv2d(x, this.p(`${n}.w`) as unknown as tf.Tensor4D, stride, 'same'), this.p(`${n}.b`)),
    ) as tf.Tensor4D;
  }

  /** Penultimate features [B, 128] for images in [-1, 1], [B, 28, 28, 1]. */
  features(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = this.conv(x, 'c1', 1); // [B, 28, 28, 32]
      h = this.conv(h, 'c2', 2); // [B, 14, 14, 32]
      h = this.conv(h, 'c3', 1); // [B, 14, 14, 64]
      h = this.conv(h, 'c4', 2); // [B, 7, 7, 64]
      const flat = tf.reshape(h, [x.shape[0], 7 * 7 * 64]) as tf.Tensor2D;
      return tf.relu(
        tf.add(tf.matMul(flat, this.p('f1.w') as unknown as tf.Tensor2D), this.p('f1.b')),
      ) as tf.Tensor2D;
    });
  }

  /** Class logits [B, 10]. */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(
      () =>
        tf.add(
          tf.matMul(this.features(x), this.p('f2.w') as unknown as tf.Tensor2D),
          this.p('f2.b'),
        ) as tf.Tensor2D,
    );
  }

  setWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>): void {
    tf.tidy(() => {
      for (const s of SPECS) {
        const w = weights.get(s.name);
        if (!w || w.shape.join() !== s.shape.join())
          throw new Error(`classifier weights do not match at ${s.name}`);
        this.p(s.name).assign(tf.tensor(w.data, s.shape));
      }
    });
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
