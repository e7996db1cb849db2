/**
 * Training the latent-diffusion autoencoder (src/nets/autoencoder.ts) on any TF.js backend, through the
 * shared loop of ./trainer.ts. The loss is the KL-regularised autoencoder's of Rombach et al. (2022,
 * appendix G), per image and then divided by the pixel count so its scale does not depend on the image
 * size:
 *
 *   L = mean_pixels |x - D(z)|  +  β · Σ_latent KL(N(μ, σ²) ‖ N(0, 1)) / pixels  (+ λ · edge term),
 *   z = μ + σ·ε
 *
 * with KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − log σ²) per latent entry. A small β keeps the latents
 * informative and their spread bounded (Rombach et al.'s reason for it); the encoder it gives is nearly
 * deterministic (the shipped one's posterior σ is about 0.003 against latents of spread 0.63, see its
 * card), so the decoder is trained on nearly the mean. Everything random comes from (seed, step), so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import type { TrainData } from '../data/train-data';
import { Autoencoder, type AutoencoderConfig } from '../nets/autoencoder';
import { Trainer, type OptimConfig, type StepResult } from './trainer';

export interface AutoencoderTrainConfig extends OptimConfig {
  autoencoder: AutoencoderConfig;
  /** β, the weight of the KL term (per latent entry, relative to the per-pixel reconstruction error). */
  klWeight: number;
  /**
   * Weight of the gradient-difference term (Mathieu et al. 2016): mean |∂x − ∂x̂| over both image axes,
   * which penalises blurred edges that a pixel loss forgives. 0 or absent: off.
   */
  edgeWeight?: number;
}

export const DEFAULT_AUTOENCODER_TRAIN_CONFIG: AutoencoderTrainConfig = {
  autoencoder: { ch: 16, latent: 4, down: 2, groups: 8, size: 28, channels: 1 },
  klWeight: 1e-3,
  edgeWeight: 3,
  batch: 32,
  lr: 1e-3,
  warmup: 100,
  emaDecay: 0.999,
  clipNorm: 1,
  seed: 0,
};

/** The two terms of the loss of a batch, each a mean over its images. */
/** Forward differences of images along height and width: [B, H-1, W, C] and [B, H, W-1, C]. */
function imageGradients(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const [b, h, w, c] = x.shape;
  return [
    tf.sub(tf.slice(x, [0, 1, 0, 0], [b, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [b, h - 1, w, c])),
    tf.sub(tf.slice(x, [0, 0, 1, 0], [b, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [b, h, w - 1, c])),
  ];
}

export function autoencoderLoss(
  ae: Autoencoder,
  x: tf.Tensor4D,
  noise: tf.Tensor4D,
  weights: { klWeight: number; edgeWeight?: number },
): { total: tf.Scalar; reconstruction: tf.Scalar; kl: tf.Scalar; edges: tf.Scalar } {
  return tf.tidy(() => {
    const { mean, logvar } = ae.encode(x);
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise)); // reparameterisation
    const xr = ae.decode(z);
    const reconstruction = tf.mean(tf.abs(tf.sub(xr, x))) as tf.Scalar;
    let edges = tf.scalar(0);
    if (weights.edgeWeight) {
      const [gy, gx] = imageGradients(x);
      const [ry, rx] = imageGradients(xr);
      edges = tf.div(tf.add(tf.mean(tf.abs(tf.sub(gy, ry))), tf.mean(tf.abs(tf.sub(gx, rx)))), 2);
    }
    const pixels = x.shape[1] * x.shape[2] * x.shape[3];
    const klPerImage = tf.mul(
      tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), tf.add(logvar, 1)), [1, 2, 3]),
      0.5,
    ); // [B]
    const kl = tf.div(tf.mean(klPerImage), pixels) as tf.Scalar;
    const total = tf.addN([
      reconstruction,
      tf.mul(kl, weights.klWeight),
      tf.mul(edges, weights.edgeWeight ?? 0),
    ]);
    return { total: total as tf.Scalar, reconstruction, kl, edges: edges as tf.Scalar };
  });
}

export class AutoencoderTrainer extends Trainer<AutoencoderTrainConfig, Autoencoder> {
  readonly checkpointKind = 'autoencoder-checkpoint';

  constructor(
    config: AutoencoderTrainConfig,
    readonly data: TrainData,
  ) {
    const net = new Autoencoder(config.autoencoder, config.seed);
    if (data.sampleShape.join() !== net.imageShape.join()) {
      net.dispose();
      throw new Error(
        `the data's samples are [${data.sampleShape}] but the autoencoder takes [${net.imageShape}]`,
      );
    }
    super(config, net);
  }

  /** The images and the latent noise of step `step` (plain arrays; depends only on (seed, step)). */
  makeBatch(step: number): { x: Float32Array; noise: Float32Array } {
    const { batch, seed } = this.config;
    const per = this.net.imageShape.reduce((a, b) => a * b, 1);
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x = new Float32Array(batch * per);
    for (let i = 0; i < batch; i++) this.data.copySample(Math.floor(rand() * this.data.count), x, i * per);
    const noise = fillNormal(new Float32Array(batch * this.net.latentShape.reduce((a, b) => a * b, 1)), rand);
    return { x, noise };
  }

  trainStep(): StepResult {
    const { batch } = this.config;
    const bt = this.makeBatch(this.step);
    return tf.tidy(() => {
      const x = tf.tensor4d(bt.x, [batch, ...this.net.imageShape] as [number, number, number, number]);
      const noise = tf.tensor4d(bt.noise, [batch, ...this.net.latentShape] as [
        number,
        number,
        number,
        number,
      ]);
      const { value, grads } = this.gradients(() => autoencoderLoss(this.net, x, noise, this.config).total);
      return this.applyGradients(value, grads);
    });
  }
}
