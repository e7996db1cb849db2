/**
 * Training the VAE of src/nets/vae.ts through the shared loop of ./trainer.ts, on the negative evidence
 * lower bound (Kingma & Welling 2014, eq. 10), per image, in nats:
 *
 *   −ELBO = E_q[−log p(x|z)] + β · KL(q(z|x) ‖ N(0, I)),   z = μ + σ·ε (the reparameterisation)
 *   −log p(x|z) = Σ_pixels (x − μ_θ(z))² / (2 s²) + log s + ½ log 2π      (the Gaussian decoder)
 *   KL = ½ Σ_latent (μ² + σ² − 1 − log σ²)
 *
 * β = 1 is the VAE's own objective; the optimiser sees it divided by the pixel count so its scale does
 * not depend on the image size. The two parts are reported apart ("reconstruction" and "kl", nats per
 * image) because their balance is what the lesson shows. Everything random comes from (seed, step).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import type { TrainData } from '../data/train-data';
import { Vae, type VaeConfig } from '../nets/vae';
import { Trainer, type OptimConfig, type StepResult } from './trainer';

export interface VaeTrainConfig extends OptimConfig {
  vae: VaeConfig;
  /** β, the KL term's weight (1 for the plain VAE). */
  klWeight: number;
}

export const DEFAULT_VAE_TRAIN_CONFIG: VaeTrainConfig = {
  vae: { latent: 16, ch: 32 },
  klWeight: 1,
  batch: 64,
  lr: 1e-3,
  warmup: 100,
  emaDecay: 0.999,
  clipNorm: 1,
  seed: 0,
};

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The two parts of −ELBO of a batch (means over its images, nats per image) and the weighted total. */
export function vaeLoss(
  vae: Vae,
  x: tf.Tensor4D,
  eps: tf.Tensor2D,
  klWeight: number,
): { total: tf.Scalar; reconstruction: tf.Scalar; kl: tf.Scalar } {
  return tf.tidy(() => {
    const { mean, logvar } = vae.encode(x);
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps));
    const mu = vae.decode(z);
    const logS = vae.logScale();
    const pixels = x.shape[1] * x.shape[2] * x.shape[3];
    const sq = tf.sum(tf.square(tf.sub(x, mu)), [1, 2, 3]); // [B]
    const reconstruction = tf.add(
      tf.mean(tf.mul(sq, tf.mul(tf.exp(tf.mul(logS, -2)), 0.5))),
      tf.mul(tf.add(logS, HALF_LOG_2PI), pixels),
    ) as tf.Scalar;
    const kl = tf.mean(
      tf.mul(tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), tf.add(logvar, 1)), 1), 0.5),
    ) as tf.Scalar;
    const total = tf.div(tf.add(reconstruction, tf.mul(kl, klWeight)), pixels) as tf.Scalar;
    return { total, reconstruction, kl };
  });
}

export class VaeTrainer extends Trainer<VaeTrainConfig, Vae> {
  readonly checkpointKind = 'vae-checkpoint';

  constructor(
    config: VaeTrainConfig,
    readonly data: TrainData,
  ) {
    const net = new Vae(config.vae, config.seed);
    if (data.sampleShape.join() !== net.imageShape.join()) {
      net.dispose();
      throw new Error(`the data's samples are [${data.sampleShape}] but the VAE takes [${net.imageShape}]`);
    }
    super(config, net);
  }

  makeBatch(step: number): { x: Float32Array; eps: Float32Array } {
    const { batch, seed } = this.config;
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x = new Float32Array(batch * 784);
    for (let i = 0; i < batch; i++) this.data.copySample(Math.floor(rand() * this.data.count), x, i * 784);
    return { x, eps: fillNormal(new Float32Array(batch * this.config.vae.latent), rand) };
  }

  trainStep(): StepResult {
    const { batch, klWeight } = this.config;
    const bt = this.makeBatch(this.step);
    return tf.tidy(() => {
      const x = tf.tensor4d(bt.x, [batch, 28, 28, 1]);
      const eps = tf.tensor2d(bt.eps, [batch, this.config.vae.latent]);
      let parts: { reconstruction: tf.Scalar; kl: tf.Scalar } | null = null;
      const { value, grads } = this.gradients(() => {
        const l = vaeLoss(this.net, x, eps, klWeight);
        parts = { reconstruction: tf.keep(l.reconstruction), kl: tf.keep(l.kl) };
        return l.total;
      });
      const r = this.applyGradients(value, grads);
      return { ...r, terms: parts! };
    });
  }
}
