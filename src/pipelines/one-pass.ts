/**
 * Drawing digits from the one-pass generators the course compares with diffusion: a GAN's generator
 * and a VAE's decoder each turn a Gaussian code into an image with one network evaluation. Codes come
 * from a seed, so a seed always draws the same digits. Images are n*784 values clipped to [-1, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import type { Gan } from '../nets/gan';
import type { Vae } from '../nets/vae';

/** n Gaussian codes of width `width` for a seed: [n, width]. */
export function codes(n: number, width: number, seed: number): Float32Array {
  return fillNormal(new Float32Array(n * width), mulberry32(seed >>> 0));
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/** n digits from the GAN's generator for a seed. */
export function sampleGan(gan: Gan, n: number, seed: number): Promise<Float32Array> {
  const z = codes(n, gan.config.latent, seed);
  return read(tf.tidy(() => gan.generate(tf.tensor2d(z, [n, gan.config.latent]))));
}

/**
 * n digits from the VAE for a seed: the decoder's mean μ(z) (`noise` false), or a draw from its
 * Gaussian μ(z) + s·ε (`noise` true), the VAE's sample as its likelihood defines it.
 */
export function sampleVae(vae: Vae, n: number, seed: number, noise = false): Promise<Float32Array> {
  const w = vae.config.latent;
  const z = codes(n, w, seed);
  const eps = noise ? fillNormal(new Float32Array(n * 784), mulberry32((seed ^ 0x5bd1e995) >>> 0)) : null;
  return read(
    tf.tidy(() => {
      let x: tf.Tensor = vae.decode(tf.tensor2d(z, [n, w]));
      if (eps) x = tf.add(x, tf.mul(tf.exp(vae.logScale()), tf.tensor4d(eps, [n, 28, 28, 1])));
      return tf.clipByValue(x, -1, 1);
    }),
  );
}

/** Reconstructions by the VAE (encoder mean, then decoder mean) of images n*784 in [-1, 1]. */
export function reconstructVae(vae: Vae, images: Float32Array): Promise<Float32Array> {
  const n = images.length / 784;
  return read(
    tf.tidy(() => tf.clipByValue(vae.decode(vae.encode(tf.tensor4d(images, [n, 28, 28, 1])).mean), -1, 1)),
  );
}
