/**
 * The bridge between pixels and the latent space a latent diffusion model works in (Rombach et al.
 * 2022): encode a digit to the autoencoder's posterior mean, multiply by the latent scale so the
 * latents have unit variance, and pad the 7x7 grid to 8x8 with zeros so the U-Net can halve it twice
 * (8 -> 4 -> 2); decoding crops the padding away, divides by the scale and runs the decoder. The padded
 * entries are zero in every training latent, so the diffusion model learns to keep them at zero, and
 * whatever it leaves there is dropped before decoding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { arrayTrainData, type TrainData } from '../data/train-data';
import type { Autoencoder } from '../nets/autoencoder';
import { yieldToEventLoop } from '../runtime/yield';

export class LatentCodec {
  /** Shape of one diffusion latent: [8, 8, C] for the 7x7xC autoencoder. */
  readonly sampleShape: readonly [number, number, number];
  /** Zero rows and columns added on the bottom and right of the autoencoder's grid. */
  readonly pad: number;

  constructor(
    readonly autoencoder: Autoencoder,
    /** Multiplies the encoder's mean (1 / its standard deviation over the training set). */
    readonly scale: number,
  ) {
    if (!(scale > 0 && Number.isFinite(scale)))
      throw new Error(
        `latent scale ${scale}: it must be a positive number (run \`npm run eval -- autoencoder\`)`,
      );
    const [h, , c] = autoencoder.latentShape as [number, number, number];
    const side = Math.ceil(h / 4) * 4;
    this.pad = side - h;
    this.sampleShape = [side, side, c];
  }

  /** Images [B, 28, 28, 1] in [-1, 1] -> diffusion latents [B, 8, 8, C]. */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const z = tf.mul(this.autoencoder.encode(x).mean, this.scale) as tf.Tensor4D;
      return this.pad
        ? tf.pad(z, [
            [0, 0],
            [0, this.pad],
            [0, this.pad],
            [0, 0],
          ])
        : z;
    });
  }

  /** Diffusion latents [B, 8, 8, C] -> the autoencoder's unscaled latents [B, 7, 7, C]. */
  unpad(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, side, , c] = z.shape;
      const h = side - this.pad;
      const cropped = this.pad ? tf.slice(z, [0, 0, 0, 0], [b, h, h, c]) : z;
      return tf.div(cropped, this.scale) as tf.Tensor4D;
    });
  }

  /** Diffusion latents [B, 8, 8, C] -> images [B, 28, 28, 1] clipped to [-1, 1]. */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.clipByValue(this.autoencoder.decode(this.unpad(z)), -1, 1) as tf.Tensor4D);
  }
}

/**
 * Encode a whole image set to diffusion latents (labels kept), in batches, reporting progress and
 * giving the event loop a turn between batches.
 */
export async function encodeTrainData(
  codec: LatentCodec,
  data: TrainData,
  opts: {
    batch?: number;
    count?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<TrainData> {
  const batch = opts.batch ?? 250;
  const total = Math.min(opts.count ?? data.count, data.count);
  const imgShape = codec.autoencoder.imageShape as [number, number, number];
  const per = imgShape[0] * imgShape[1] * imgShape[2];
  const latentPer = codec.sampleShape[0] * codec.sampleShape[1] * codec.sampleShape[2];
  const out = new Float32Array(total * latentPer);
  for (let s = 0; s < total; s += batch) {
    if (opts.signal?.aborted) throw new DOMException('encoding stopped', 'AbortError');
    const m = Math.min(batch, total - s);
    const x = new Float32Array(m * per);
    for (let i = 0; i < m; i++) data.copySample(s + i, x, i * per);
    const z = tf.tidy(() => codec.encode(tf.tensor4d(x, [m, ...imgShape])));
    out.set((await z.data()) as Float32Array, s * latentPer);
    z.dispose();
    opts.onProgress?.(s + m, total);
    await yieldToEventLoop();
  }
  const labels = data.label ? Array.from({ length: total }, (_, i) => data.label!(i)) : undefined;
  return arrayTrainData(out, codec.sampleShape, labels);
}

/** `frames` images on the straight line from xa to xb in pixel space (both ends included). */
export function interpolatePixels(xa: Float32Array, xb: Float32Array, frames: number): Float32Array {
  const n = xa.length;
  const out = new Float32Array(frames * n);
  for (let f = 0; f < frames; f++) {
    const alpha = f / (frames - 1);
    for (let i = 0; i < n; i++) out[f * n + i] = (1 - alpha) * xa[i]! + alpha * xb[i]!;
  }
  return out;
}

/**
 * `frames` images decoded from the straight line between the latents (posterior means) of xa and xb
 * (both ends included: the reconstructions of the two digits), clipped to [-1, 1].
 */
export async function interpolateLatent(
  ae: Autoencoder,
  xa: Float32Array,
  xb: Float32Array,
  frames: number,
): Promise<Float32Array> {
  const [s, , c] = ae.imageShape as [number, number, number];
  const out = tf.tidy(() => {
    const z = ae.encode(tf.tensor4d([...xa, ...xb], [2, s, s, c])).mean; // [2, h, w, C]
    const [, h, w, k] = z.shape;
    const za = tf.slice(z, [0, 0, 0, 0], [1, h, w, k]);
    const zb = tf.slice(z, [1, 0, 0, 0], [1, h, w, k]);
    const alpha = tf.tensor4d(
      Array.from({ length: frames }, (_, f) => f / (frames - 1)),
      [frames, 1, 1, 1],
    );
    const line = tf.add(tf.mul(za, tf.sub(1, alpha)), tf.mul(zb, alpha)) as tf.Tensor4D; // [frames, h, w, C]
    return tf.clipByValue(ae.decode(line), -1, 1);
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** One image and its diffusion latent, both noised to the same t with the same schedule. */
export interface NoisedPair {
  /** x_t in pixel space (pixels, noise of the image's size). */
  pixelNoised: Float32Array;
  /** z_t in latent space, decoded to pixels (clipped to [-1, 1]). */
  latentDecoded: Float32Array;
  /** z_t itself, the autoencoder's grid channel after channel (C planes of h*w, scaled units). */
  latentPlanes: Float32Array;
}

/**
 * The forward process at step t in both spaces: x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε on the pixels, and the
 * same on the scaled latent z0 = codec.encode(x0), then decoded. Noise from `noise(n)` (n values).
 */
export async function noiseBothSpaces(
  codec: LatentCodec,
  x0: Float32Array,
  alphaBar: number,
  noise: (n: number) => Float32Array,
): Promise<NoisedPair> {
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  const epsPixels = noise(x0.length);
  const pixelNoised = x0.map((v, i) => a * v + b * epsPixels[i]!);
  const [side, , c] = codec.sampleShape;
  const [s, , ch] = codec.autoencoder.imageShape as [number, number, number];
  const epsLatent = noise(side * side * c);
  const [decodedT, planesT] = tf.tidy(() => {
    const z0 = codec.encode(tf.tensor4d(x0, [1, s, s, ch]));
    const zt = tf.add(tf.mul(z0, a), tf.mul(tf.tensor4d(epsLatent, [1, side, side, c]), b)) as tf.Tensor4D;
    const grid = tf.mul(codec.unpad(zt), codec.scale) as tf.Tensor4D; // back to scaled units on the autoencoder grid
    const [, h, w] = grid.shape;
    return [codec.decode(zt), tf.transpose(tf.reshape(grid, [h * w, c]))];
  });
  const latentDecoded = (await decodedT.data()) as Float32Array;
  const latentPlanes = (await planesT.data()) as Float32Array;
  tf.dispose([decodedT, planesT]);
  return { pixelNoised, latentDecoded, latentPlanes };
}

/** Decode n diffusion latents (n * 8*8*C values) to n images (n * 784 values, clipped to [-1, 1]). */
export async function decodeLatents(
  codec: LatentCodec,
  latents: Float32Array,
  n: number,
): Promise<Float32Array> {
  const out = tf.tidy(() => codec.decode(tf.tensor4d(latents, [n, ...codec.sampleShape])));
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** The autoencoder's reconstructions (posterior mean, decoded, clipped to [-1, 1]) of images n·784 in [-1, 1]. */
export async function reconstructAutoencoder(ae: Autoencoder, images: Float32Array): Promise<Float32Array> {
  const n = images.length / 784;
  const y = tf.tidy(() =>
    tf.clipByValue(ae.decode(ae.encode(tf.tensor4d(images, [n, 28, 28, 1])).mean), -1, 1),
  );
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}
