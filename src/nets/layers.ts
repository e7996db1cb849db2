/**
 * Building blocks the networks share (the U-Net, the MLP denoiser, the autoencoder), each written so
 * that its gradient exists and is fast on every TF.js backend.
 */
import * as tf from '@tensorflow/tfjs-core';

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
