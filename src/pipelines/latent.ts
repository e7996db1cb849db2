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
    await new Promise((r) => setTimeout(r, 0));
  }
  const labels = data.label ? Array.from({ length: total }, (_, i) => data.label!(i)) : undefined;
  return arrayTrainData(out, codec.sampleShape, labels);
}
