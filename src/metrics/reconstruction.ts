/**
 * How good an autoencoder's reconstructions are: mean squared error and PSNR on the [0, 1] pixel scale,
 * sharpness as mean gradient energy (blur lowers it: a reconstruction should keep the real digits'),
 * and how often the project's classifier still reads the original digit's label.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainData } from '../data/train-data';
import type { Autoencoder } from '../nets/autoencoder';
import type { MnistClassifier } from '../nets/classifier';

/**
 * Mean gradient energy of square single-channel images stored back to back (values in [-1, 1], read on
 * the [0, 1] scale): the mean over images and pixels of (∂x)² + (∂y)², with forward differences inside
 * the image. A blurred copy of an image has less of it; a sharp reconstruction keeps the original's.
 */
export function gradientEnergy(images: Float32Array, side: number): number {
  const per = side * side;
  const n = images.length / per;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const o = k * per;
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const v = images[o + y * side + x]!;
        if (x + 1 < side) sum += ((images[o + y * side + x + 1]! - v) / 2) ** 2;
        if (y + 1 < side) sum += ((images[o + (y + 1) * side + x]! - v) / 2) ** 2;
      }
  }
  return sum / (n * per);
}

export interface ReconstructionReport {
  images: number;
  /** Mean squared error per pixel on the [0, 1] scale, and the PSNR it gives (dB, peak 1). */
  mse: number;
  psnr: number;
  /** Mean gradient energy of the originals and of the reconstructions (gradientEnergy). */
  sharpnessReal: number;
  sharpnessReconstructed: number;
  /** Share of the originals, and of their reconstructions, that the classifier reads as the true label. */
  accuracyReal: number;
  accuracyReconstructed: number;
}

/**
 * Reconstruct the first `n` samples of `data` (decoding the posterior mean, as the latent diffusion
 * pipeline does, clipped to [-1, 1] as an image is shown) and measure them.
 */
export async function measureReconstruction(
  ae: Autoencoder,
  data: TrainData,
  classifier: MnistClassifier,
  n = data.count,
  batch = 250,
): Promise<ReconstructionReport> {
  if (!data.label) throw new Error('measuring reconstructions needs labelled data');
  const shape = ae.imageShape as [number, number, number];
  const per = shape[0] * shape[1] * shape[2];
  let sq = 0;
  let energyReal = 0;
  let energyRec = 0;
  let rightReal = 0;
  let rightRec = 0;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const x = new Float32Array(m * per);
    for (let i = 0; i < m; i++) data.copySample(s + i, x, i * per);
    const [rec, predReal, predRec] = tf.tidy(() => {
      const xt = tf.tensor4d(x, [m, ...shape]);
      const r = tf.clipByValue(ae.decode(ae.encode(xt).mean), -1, 1) as tf.Tensor4D;
      return [r, tf.argMax(classifier.logits(xt), 1), tf.argMax(classifier.logits(r), 1)];
    });
    const r = (await rec.data()) as Float32Array;
    const pr = await predReal.data();
    const pc = await predRec.data();
    tf.dispose([rec, predReal, predRec]);
    for (let i = 0; i < x.length; i++) sq += ((r[i]! - x[i]!) / 2) ** 2;
    energyReal += gradientEnergy(x, shape[0]) * m;
    energyRec += gradientEnergy(r, shape[0]) * m;
    for (let i = 0; i < m; i++) {
      const label = data.label(s + i);
      rightReal += pr[i] === label ? 1 : 0;
      rightRec += pc[i] === label ? 1 : 0;
    }
  }
  const mse = sq / (n * per);
  return {
    images: n,
    mse,
    psnr: 10 * Math.log10(1 / mse),
    sharpnessReal: energyReal / n,
    sharpnessReconstructed: energyRec / n,
    accuracyReal: rightReal / n,
    accuracyReconstructed: rightRec / n,
  };
}
