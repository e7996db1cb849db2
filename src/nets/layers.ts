/**
 * Building blocks the networks share (the U-Net, the MLP denoiser, the autoencoder, the CLIP encoders), each written so
 * that its gradient exists and is fast on every TF.js backend.
 */
import * as tf from '@tensorflow/tfjs-core';

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];
/** Explicit symmetric padding of 1 for a 3x3 convolution, as PyTorch's padding=1 (TF's 'same' pads stride-2 convs asymmetrically). */
export const PAD1: Pad4 = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];
/** Padding of the far side only, for a stride-2 3x3 convolution: 28 -> 14 -> 7 exactly (the GAN's and the VAE's). */
export const PAD_DOWN: Pad4 = [
  [0, 0],
  [0, 1],
  [0, 1],
  [0, 0],
];

/**
 * GroupNorm (Wu & He 2018): normalise over (H, W, C/G) within each of G channel groups, then scale and
 * shift per channel. The statistics come from the 5-D grouped view; the normalisation is one per-channel
 * multiply-add on the 4-D tensor (y = x * a + b, a = gamma / sd, b = beta - mean * a), which keeps the
 * big elementwise ops few and 4-D (TF.js WASM broadcasts 5-D tensors slowly).
 */
export function groupNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  groups: number,
  eps = 1e-5,
): tf.Tensor4D {
  const [b, , , c] = x.shape;
  const g = Math.min(groups, c);
  // Statistics per (image, group) from per-channel means over space: every op stays 4-D (or small), as
  // 5-D broadcasts and reductions over non-adjacent axes are slow on WASM (see src/runtime/wasm-kernels.ts).
  const groupMean = (perChannel: tf.Tensor) =>
    // [B, 1, 1, C] -> the mean of its group, per channel
    tf.reshape(tf.mul(tf.mean(tf.reshape(perChannel, [b, g, c / g]), 2, true), tf.ones([1, 1, c / g])), [
      b,
      1,
      1,
      c,
    ]);
  const mean = groupMean(tf.mean(x, [1, 2], true));
  const centred = tf.sub(x, mean);
  const variance = groupMean(tf.mean(tf.square(centred), [1, 2], true));
  const a = tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma); // [B, 1, 1, C]
  return tf.add(tf.mul(centred, a), beta) as tf.Tensor4D;
}

/** Sinusoidal embedding of timesteps [B] -> [B, dim] (Vaswani et al. 2017; DDPM's time embedding). */
export function sinusoidalEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const freqs = tf.tensor2d(
    Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)),
    [1, half],
  );
  const a = tf.mul(tf.reshape(t, [-1, 1]), freqs) as tf.Tensor2D; // [B, half]
  return tf.concat([tf.sin(a), tf.cos(a)], 1);
}

export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/** Nearest-neighbour 2x upsampling as a broadcast multiply (its gradient is a plain sum on every backend). */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const spread = tf.mul(tf.reshape(x, [b, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])); // [B, H, 2, W, 2, C]
  return tf.reshape(spread, [b, 2 * h, 2 * w, c]);
}

/** LayerNorm over the last axis of a 2-D input (Ba et al. 2016). */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta) as tf.Tensor2D;
}

/**
 * Multi-head attention of queries q [B, Nq, D] over keys/values k, v [B, Nk, D] with `heads` heads, an
 * optional additive bias broadcast to [B·heads, Nq, Nk]; returns the heads joined [B, Nq, D] and the
 * attention weights [B, heads, Nq, Nk]. Batched 3-D matMuls of equal batch sizes only.
 */
export function multiHeadAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  heads: number,
  bias?: tf.Tensor,
): { out: tf.Tensor3D; weights: tf.Tensor4D } {
  const [b, nq, d] = q.shape;
  const nk = k.shape[1];
  const dh = d / heads;
  const split = (x: tf.Tensor3D, n: number) =>
    tf.reshape(tf.transpose(tf.reshape(x, [b, n, heads, dh]), [0, 2, 1, 3]), [
      b * heads,
      n,
      dh,
    ]) as tf.Tensor3D;
  let scores = tf.div(tf.matMul(split(q, nq), split(k, nk), false, true), Math.sqrt(dh)) as tf.Tensor3D;
  if (bias) scores = tf.add(scores, bias) as tf.Tensor3D;
  const weights = tf.softmax(scores) as tf.Tensor3D; // [B·H, Nq, Nk]
  const heads3 = tf.matMul(weights, split(v, nk)); // [B·H, Nq, dh]
  const out = tf.reshape(tf.transpose(tf.reshape(heads3, [b, heads, nq, dh]), [0, 2, 1, 3]), [b, nq, d]);
  return { out: out as tf.Tensor3D, weights: tf.reshape(weights, [b, heads, nq, nk]) as tf.Tensor4D };
}

/**
 * x [N, I] times w [I, O] as a 1x1 convolution over N "pixels": the same numbers, but TF.js WASM runs
 * convolutions (and their gradients, src/runtime/wasm-conv-grad.ts) in XNNPACK, several times faster
 * than its MatMul for these shapes (the U-Net's applyPointwise does the same).
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D {
  const [n, i] = x.shape;
  const o = w.shape[1]!;
  const y = tf.conv2d(
    tf.reshape(x, [1, n, 1, i]) as tf.Tensor4D,
    tf.reshape(w, [1, 1, i, o]) as tf.Tensor4D,
    1,
    'valid',
  );
  return tf.reshape(y, [n, o]) as tf.Tensor2D;
}
