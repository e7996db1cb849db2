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

/** The codes the GAN's best-of draw weighs per digit (the course's best setting of the GAN). */
export const GAN_BEST_OF = 8;

/**
 * n digits from the GAN for a seed, each the one of k codes its own discriminator scores as most real:
 * the discriminator has learnt what the generator's failures look like, so it can sort them out at
 * drawing time (the idea of discriminator rejection sampling, Azadi et al. 2019, in its simplest form:
 * best of a fixed k, so every digit costs exactly k generator and k discriminator passes). The codes of
 * digit i are rows ik…ik+k-1 of `codes(n·k, …)`, so k = 1 draws exactly what sampleGan draws.
 */
export function sampleGanBestOf(gan: Gan, n: number, seed: number, k: number): Promise<Float32Array> {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`best of k needs a whole k of at least 1, got ${k}`);
  const w = gan.config.latent;
  const z = codes(n * k, w, seed);
  return read(
    tf.tidy(() => {
      const x = gan.generate(tf.tensor2d(z, [n * k, w])); // [n·k, 28, 28, 1]
      const logit = tf.reshape(gan.discriminate(x), [n, k]);
      const pick = tf.add(tf.argMax(logit, 1), tf.range(0, n * k, k, 'int32')); // row of each digit's best
      return tf.gather(x, pick);
    }),
  );
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

/**
 * How a one-pass model's digits are drawn: a GAN's generator, the GAN's best of GAN_BEST_OF codes by its
 * discriminator, a VAE's decoder mean, or its mean plus noise.
 */
export type OnePassDraw = 'generator' | 'best-of' | 'mean' | 'sample';

/**
 * n digits for a seed from a GAN (its generator, or with `draw` 'best-of' the best of GAN_BEST_OF codes
 * each) or a VAE (its mean, or with `draw` 'sample' its noisy draw).
 */
export function drawOnePass(
  net: Gan | Vae,
  n: number,
  seed: number,
  draw?: OnePassDraw,
): Promise<Float32Array> {
  if ('generate' in net)
    return draw === 'best-of' ? sampleGanBestOf(net, n, seed, GAN_BEST_OF) : sampleGan(net, n, seed);
  return sampleVae(net, n, seed, draw === 'sample');
}

/** A one-pass draw in words, as the evaluation's tables name it ("GAN generator", "VAE decoder's mean"). */
export function onePassLabel(kind: 'gan' | 'vae', draw: OnePassDraw): string {
  if (kind === 'gan')
    return draw === 'best-of' ? `GAN, best of ${GAN_BEST_OF} codes by its discriminator` : 'GAN generator';
  return draw === 'sample' ? 'VAE draw with decoder noise' : "VAE decoder's mean";
}

/** Reconstructions by the VAE (encoder mean, then decoder mean) of images n*784 in [-1, 1]. */
export function reconstructVae(vae: Vae, images: Float32Array): Promise<Float32Array> {
  const n = images.length / 784;
  return read(
    tf.tidy(() => tf.clipByValue(vae.decode(vae.encode(tf.tensor4d(images, [n, 28, 28, 1])).mean), -1, 1)),
  );
}

/**
 * `frames` codes on the great circle from a to b (spherical interpolation, White 2016): for Gaussian
 * codes in many dimensions, the straight line's midpoint is much shorter than any typical code, the arc
 * keeps the length the generator was trained on. Falls back to the straight line for (anti)parallel codes.
 */
export function slerpCodes(a: Float32Array, b: Float32Array, frames: number): Float32Array {
  const w = a.length;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < w; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const omega = Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb))));
  const out = new Float32Array(frames * w);
  for (let f = 0; f < frames; f++) {
    const t = frames === 1 ? 0 : f / (frames - 1);
    const [ka, kb] =
      Math.sin(omega) < 1e-6
        ? [1 - t, t]
        : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    for (let i = 0; i < w; i++) out[f * w + i] = ka * a[i]! + kb * b[i]!;
  }
  return out;
}

/** Digits along the arc between the codes of two seeds: the GAN's generator, or the VAE's decoder mean. */
export function interpolateOnePass(
  net: Gan | Vae,
  seedA: number,
  seedB: number,
  frames: number,
): Promise<Float32Array> {
  const w = net.config.latent;
  const z = slerpCodes(codes(1, w, seedA), codes(1, w, seedB), frames);
  return read(
    tf.tidy(() => {
      const zt = tf.tensor2d(z, [frames, w]);
      return 'generate' in net ? net.generate(zt) : tf.clipByValue(net.decode(zt), -1, 1);
    }),
  );
}
