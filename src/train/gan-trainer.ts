/**
 * Training the GAN of src/nets/gan.ts through the shared loop of ./trainer.ts. Each step is one round
 * of the two-player game (Goodfellow et al. 2014, Algorithm 1): `dSteps` updates of the discriminator D
 * on a real batch and a made batch, then one update of the generator G through D. With D's logit l,
 *
 *   D's loss (standard):  softplus(−l(x)) + softplus(l(G(z)))      = −log D(x) − log(1 − D(G(z)))
 *   D's loss (hinge):     relu(1 − l(x)) + relu(1 + l(G(z)))       (Lim & Ye 2017; Miyato et al. 2018)
 *   G's loss:  non-saturating  softplus(−l(G(z)))  = −log D(G(z))   (the paper's practical choice)
 *              saturating     −softplus(l(G(z)))  = log(1 − D(G(z))) (the minimax game as written: its
 *                                                    gradient vanishes when D wins, the classic failure)
 *              hinge          −l(G(z))
 *
 * The two losses pull against each other, so neither settles the way a diffusion loss falls: they
 * oscillate while the game goes on. Adam uses β1 = 0.5 (DCGAN); the generator's EMA (the trainer's EMA,
 * over all weights, of which only G's are used) gives steadier samples (Yazıcı et al. 2019). Everything
 * random comes from (seed, step), so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import type { TrainData } from '../data/train-data';
import { Gan, type GanConfig } from '../nets/gan';
import { clipByGlobalNorm } from './adam';
import { Trainer, type OptimConfig, type StepResult } from './trainer';

export type GanLoss = 'non-saturating' | 'saturating' | 'hinge';

export interface GanTrainConfig extends OptimConfig {
  gan: GanConfig;
  loss: GanLoss;
  /** The discriminator's peak learning rate (`lr` is the generator's). */
  dLr: number;
  /** Discriminator updates per generator update. */
  dSteps: number;
}

export const DEFAULT_GAN_TRAIN_CONFIG: GanTrainConfig = {
  gan: { latent: 64, gch: 32, dch: 32, gNorm: 'pixel', dKernel: 5, dDepth: 3 },
  loss: 'non-saturating',
  batch: 64,
  lr: 2e-4,
  dLr: 2e-4,
  dSteps: 1,
  beta1: 0.5,
  beta2: 0.999,
  warmup: 0,
  emaDecay: 0.999,
  clipNorm: 10,
  seed: 0,
};

/**
 * The GAN settings the course measures: the best one it found (the default), and settings that fail in
 * the textbook's ways, each a change of the default.
 */
export const GAN_PRESETS: Record<string, (c: GanTrainConfig) => GanTrainConfig> = {
  best: (c) => c,
  /** The minimax loss as first written: once D wins, G's gradient vanishes. */
  saturating: (c) => ({ ...c, loss: 'saturating' }),
  /**
   * Both players five times faster, Adam's usual β₁ = 0.9, no EMA of the generator, and the short-sighted
   * discriminator (3x3 kernels, two convolutions): the discriminator wins within a few hundred steps and
   * the generator's output collapses to one image for every code, saturated so far that its final tanh
   * passes almost no gradient (models/probe-browser-gan-collapse.md measures it in the lesson's cell).
   * With the default discriminator the same changes gave an unsteady game rather than a collapse to one
   * image (a few classes holding most samples, coming and going).
   */
  collapse: (c) => ({
    ...c,
    gan: { ...c.gan, dKernel: 3, dDepth: 2 },
    dLr: 5 * c.dLr,
    lr: 5 * c.lr,
    emaDecay: 0,
    beta1: 0.9,
  }),
};

/** D's loss for its logits on a real batch and a made batch (means over each batch). */
export function discriminatorLoss(loss: GanLoss, real: tf.Tensor1D, fake: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () =>
      (loss === 'hinge'
        ? tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake))))
        : tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake)))) as tf.Scalar,
  );
}

/** G's loss for D's logits on a made batch (mean over the batch). */
export function generatorLoss(loss: GanLoss, fake: tf.Tensor1D): tf.Scalar {
  return tf.tidy(
    () =>
      (loss === 'hinge'
        ? tf.neg(tf.mean(fake))
        : loss === 'saturating'
          ? tf.neg(tf.mean(tf.softplus(fake)))
          : tf.mean(tf.softplus(tf.neg(fake)))) as tf.Scalar,
  );
}

export class GanTrainer extends Trainer<GanTrainConfig, Gan> {
  readonly checkpointKind = 'gan-checkpoint';
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(
    config: GanTrainConfig,
    readonly data: TrainData,
  ) {
    const net = new Gan(config.gan, config.seed);
    if (data.sampleShape.join() !== net.imageShape.join()) {
      net.dispose();
      throw new Error(`the data's samples are [${data.sampleShape}] but the GAN makes [${net.imageShape}]`);
    }
    super(config, net);
    this.gVars = net.generatorNames.map((k) => net.params.get(k)!);
    this.dVars = net.discriminatorNames.map((k) => net.params.get(k)!);
  }

  /** The discriminator's learning rate at a step (the generator's is lrAt). */
  dLrAt(step: number): number {
    return (this.lrAt(step) * this.config.dLr) / this.config.lr;
  }

  /** Real images for each D update and the codes for D's made batches and for G's (from (seed, step)). */
  makeBatch(step: number): { x: Float32Array; zD: Float32Array; zG: Float32Array } {
    const { batch, seed, dSteps } = this.config;
    const per = 28 * 28;
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x = new Float32Array(dSteps * batch * per);
    for (let i = 0; i < dSteps * batch; i++)
      this.data.copySample(Math.floor(rand() * this.data.count), x, i * per);
    const z = this.config.gan.latent;
    const zD = fillNormal(new Float32Array(dSteps * batch * z), rand);
    const zG = fillNormal(new Float32Array(batch * z), rand);
    return { x, zD, zG };
  }

  private grads(
    loss: () => tf.Scalar,
    vars: tf.Variable[],
  ): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
    const { value, grads } = tf.variableGrads(loss, vars);
    const byName: Record<string, tf.Tensor> = {};
    for (const [k, v] of this.net.params) if (grads[v.name]) byName[k] = grads[v.name]!;
    return { value, grads: byName };
  }

  trainStep(): StepResult {
    const { batch, dSteps, loss: kind, clipNorm } = this.config;
    const z = this.config.gan.latent;
    const bt = this.makeBatch(this.step);
    return tf.tidy(() => {
      let dLoss: tf.Scalar = tf.scalar(0);
      for (let k = 0; k < dSteps; k++) {
        const x = tf.tensor4d(bt.x.subarray(k * batch * 784, (k + 1) * batch * 784), [batch, 28, 28, 1]);
        const fake = this.net.generate(
          tf.tensor2d(bt.zD.subarray(k * batch * z, (k + 1) * batch * z), [batch, z]),
        );
        const { value, grads } = this.grads(
          () => discriminatorLoss(kind, this.net.discriminate(x), this.net.discriminate(fake)),
          this.dVars,
        );
        const { grads: clipped } = clipByGlobalNorm(grads, clipNorm);
        this.adam.apply(this.net.params, clipped, this.dLrAt(this.step), { sameUpdate: k > 0 });
        dLoss = tf.add(dLoss, tf.div(value, dSteps));
      }
      const zg = tf.tensor2d(bt.zG, [batch, z]);
      const { value: gLoss, grads } = this.grads(
        () => generatorLoss(kind, this.net.discriminate(this.net.generate(zg))),
        this.gVars,
      );
      const { grads: clipped, norm } = clipByGlobalNorm(grads, clipNorm);
      this.adam.apply(this.net.params, clipped, this.lrAt(this.step), { sameUpdate: true });
      this.ema.update(this.net.params, this.step);
      this.step++;
      return {
        loss: tf.add(dLoss, gLoss) as tf.Scalar,
        norm,
        terms: { discriminator: dLoss, generator: gLoss },
      };
    });
  }
}
