/**
 * DDPM training (Ho et al. 2020, Algorithm 1) as an async generator that yields progress, on any
 * TF.js backend and for any sample shape: 28x28x1 pixels, 8x8x4 latents or 2-D points, the shape coming
 * from the data and the network (src/nets/denoiser.ts). Epsilon prediction (L_simple) or v prediction
 * (Salimans & Ho 2022), optional min-SNR-γ loss weighting (Hang et al. 2023), class conditioning with
 * condition dropout for classifier-free guidance (Ho & Salimans 2022), Adam with warm-up, global-norm
 * clipping, EMA weights, and a NaN guard (the loop every run shares: ./trainer.ts). Everything random
 * comes from (seed, step), so a resumed run continues exactly as it would have. Checkpoints: ./checkpoint.ts.
 */
import type { LatentSource } from '../nets/latent-pair';
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import { makeSchedule, type BetaScheduleKind, type NoiseSchedule } from '../diffusion/schedule';
import type { TrainData } from '../data/train-data';
import { classCondition, sampleSize, type Denoiser } from '../nets/denoiser';
import { MlpDenoiser, type MlpDenoiserConfig } from '../nets/mlp-denoiser';
import { UNet, UNET_PRESETS, type UNetConfig, type UNetPreset } from '../nets/unet';
import {
  NonFiniteLossError,
  Trainer,
  type OptimConfig,
  type RunOptions,
  type StepResult,
  type TrainProgress,
} from './trainer';

export { NonFiniteLossError, type TrainProgress };

export interface TrainConfig extends OptimConfig {
  /** U-Net size. */
  preset: UNetPreset;
  /** A custom U-Net instead of the preset (tests use tiny ones; a grown run has its deeper one here). */
  unet?: UNetConfig;
  /** A multilayer perceptron instead of a U-Net (flat samples such as 2-D points). */
  mlp?: MlpDenoiserConfig;
  /** Where the run was made deeper (`--grow` on a resumed run): the step and the U-Net before it. */
  grown?: { step: number; from: UNetConfig }[];
  schedule: BetaScheduleKind;
  T: number;
  /** What the network predicts. */
  prediction: 'epsilon' | 'v';
  /** min-SNR-γ loss weighting; null for plain L_simple. */
  minSnrGamma: number | null;
  /**
   * Conditional nets: the share of samples trained with the null condition instead of their label, so
   * one network learns both predictions classifier-free guidance mixes (Ho & Salimans 2022 use 0.1-0.2).
   */
  condDrop?: number;
  /**
   * How samples of the trained model are read: clip x̂0 to [-1, 1] (absent: yes, right for pixels; false
   * for unit-variance latents). Written into the exported model's metadata.
   */
  clipSample?: boolean;
  /**
   * A latent diffusion run: the samples are an autoencoder's latents (src/pipelines/latent.ts), scaled
   * by `scale`; `weightsSha256` names the autoencoder's weights, so a resumed run or a sampler never
   * pairs the model with latents of another autoencoder.
   */
  latent?: LatentSource;
  /**
   * A text-to-image run: the frozen text encoder and tokenizer whose token states condition the U-Net,
   * named by the hashes of their files so the model is never paired with another's states.
   */
  text?: { clipSha256: string; tokenizerSha256: string };
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  preset: 'shipped',
  batch: 32,
  lr: 1e-3,
  warmup: 200,
  emaDecay: 0.999,
  clipNorm: 1,
  schedule: 'linear',
  T: 1000,
  prediction: 'epsilon',
  minSnrGamma: 5,
  seed: 0,
};

/** The U-Net a configuration describes: its own `unet`, else its preset's. */
export function unetConfigOf(config: Pick<TrainConfig, 'unet' | 'preset'>): UNetConfig {
  return config.unet ?? UNET_PRESETS[config.preset];
}

/** The network a configuration describes (a seed for its initial weights). */
export function makeDenoiser(config: TrainConfig, seed = config.seed): Denoiser {
  if (config.mlp) return new MlpDenoiser(config.mlp, seed);
  return new UNet(unetConfigOf(config), seed);
}

/** Loss weight per timestep for min-SNR-γ (eps: min(SNR, γ)/SNR; v: min(SNR, γ)/(SNR + 1)). */
export function lossWeight(
  s: NoiseSchedule,
  t: number,
  prediction: 'epsilon' | 'v',
  gamma: number | null,
): number {
  if (gamma === null) return 1;
  const a = s.alphaBar[t]!;
  const snr = a / (1 - a);
  return Math.min(snr, gamma) / (prediction === 'epsilon' ? snr : snr + 1);
}

/**
 * One step's batch (see DdpmTrainer.makeBatch): rows of samples x0 and noise, timesteps, coefficients,
 * loss weights and class labels (-1 = the null condition; empty for an unconditional net). Plain arrays,
 * so a batch can be sent to a worker.
 */
export interface TrainBatch {
  x0: Float32Array;
  t: Float32Array;
  a: Float32Array;
  b: Float32Array;
  w: Float32Array;
  eps: Float32Array;
  label: Float32Array;
  /** Which training sample each row is (the caption of a text-to-image run is drawn for it). */
  index: Int32Array;
  /** A text-conditional net's condition: the token states of each row's caption, [B, L, width]. */
  context?: Float32Array;
}

/** Something that computes sliceGradients for a slice of a batch with given weights (e.g. a worker thread). */
export interface GradientHelper {
  gradients(
    weights: Map<string, Float32Array>,
    batch: TrainBatch,
    from: number,
    to: number,
  ): Promise<{ loss: number; grads: Map<string, Float32Array> }>;
}

/**
 * Loss and gradients of rows [from, to) of a batch, scaled so that the slices of a batch add up to the
 * whole batch's loss (the mean of min-SNR-weighted per-sample errors) and gradient.
 */
export function sliceGradients(
  net: Denoiser,
  prediction: 'epsilon' | 'v',
  bt: TrainBatch,
  from: number,
  to: number,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const n = to - from;
  const total = bt.t.length;
  const shape = [n, ...net.sampleShape];
  const per = sampleSize(net.sampleShape);
  const axes = net.sampleShape.map((_, i) => i + 1);
  return tf.tidy(() => {
    const column = [n, ...net.sampleShape.map(() => 1)]; // [n, 1, 1, 1] for images, [n, 1] for points
    const rows = (a: Float32Array, k: number) => a.subarray(from * k, to * k);
    const x0 = tf.tensor(rows(bt.x0, per), shape);
    const eps = tf.tensor(rows(bt.eps, per), shape);
    const a = tf.tensor(rows(bt.a, 1), column);
    const b = tf.tensor(rows(bt.b, 1), column);
    const xt = tf.add(tf.mul(a, x0), tf.mul(b, eps)); // x_t = sqrt(abar) x0 + sqrt(1-abar) eps (DDPM eq. 4)
    const target = prediction === 'epsilon' ? eps : tf.sub(tf.mul(a, eps), tf.mul(b, x0)); // v = sqrt(abar) eps - sqrt(1-abar) x0
    const t = tf.tensor1d(rows(bt.t, 1));
    const w = tf.tensor1d(rows(bt.w, 1));
    const c = net.conditioning;
    let cond: tf.Tensor | undefined;
    if (c.kind === 'class') cond = classCondition(rows(bt.label, 1), c.classes); // [n, K+1]
    if (c.kind === 'text') {
      if (!bt.context) throw new Error("a text-conditional network needs the batch's token states");
      cond = tf.tensor3d(rows(bt.context, c.length * c.width), [n, c.length, c.width]);
    }
    const vars = [...net.params.values()];
    const { value, grads } = tf.variableGrads(() => {
      const err = tf.mean(tf.square(tf.sub(net.apply(xt, t, cond), target)), axes); // [n]
      return tf.div(tf.sum(tf.mul(err, w)), total) as tf.Scalar;
    }, vars);
    const byName: Record<string, tf.Tensor> = {};
    for (const [k, v] of net.params) byName[k] = grads[v.name]!; // variableGrads keys by TF.js variable name
    return { loss: value, grads: byName };
  });
}

export class DdpmTrainer extends Trainer<TrainConfig, Denoiser> {
  readonly checkpointKind = 'ddpm-checkpoint';
  readonly schedule: NoiseSchedule;
  /** Helpers that share each batch during run() (see trainStepShared). */
  private helpers: readonly GradientHelper[] = [];

  constructor(
    config: TrainConfig,
    readonly data: TrainData,
  ) {
    const net = makeDenoiser(config);
    if (data.sampleShape.join() !== net.sampleShape.join()) {
      net.dispose();
      throw new Error(
        `the data's samples are [${data.sampleShape}] but the network takes [${net.sampleShape}]`,
      );
    }
    if (net.conditioning.kind === 'class' && !data.label) {
      net.dispose();
      throw new Error('a class-conditional network needs labelled data');
    }
    super(config, net);
    this.schedule = makeSchedule({ kind: config.schedule, T: config.T });
  }

  /**
   * The batch of step `step`: samples x0, timesteps, noise, per-sample coefficients and labels. The
   * random stream is drawn in a fixed order (per sample: index, timestep; then the noise; then the
   * condition dropout), so a batch depends only on (seed, step).
   */
  makeBatch(step: number): TrainBatch {
    const { batch, seed, T, prediction, minSnrGamma } = this.config;
    const per = sampleSize(this.net.sampleShape);
    const conditional = this.net.conditioning.kind === 'class';
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x0 = new Float32Array(batch * per);
    const t = new Float32Array(batch);
    const a = new Float32Array(batch);
    const b = new Float32Array(batch);
    const w = new Float32Array(batch);
    const label = new Float32Array(conditional ? batch : 0);
    const index = new Int32Array(batch);
    for (let i = 0; i < batch; i++) {
      const idx = Math.floor(rand() * this.data.count);
      index[i] = idx;
      this.data.copySample(idx, x0, i * per);
      if (conditional) label[i] = this.data.label!(idx);
      const ti = Math.floor(rand() * T);
      t[i] = ti;
      a[i] = Math.sqrt(this.schedule.alphaBar[ti]!);
      b[i] = Math.sqrt(1 - this.schedule.alphaBar[ti]!);
      w[i] = lossWeight(this.schedule, ti, prediction, minSnrGamma);
    }
    const eps = fillNormal(new Float32Array(batch * per), rand);
    const drop = this.config.condDrop ?? 0;
    if (conditional && drop > 0) for (let i = 0; i < batch; i++) if (rand() < drop) label[i] = -1;
    return { x0, t, a, b, w, eps, label, index };
  }

  trainStep(): StepResult {
    const bt = this.makeBatch(this.step);
    return tf.tidy(() => {
      const { loss, grads } = sliceGradients(this.net, this.config.prediction, bt, 0, this.config.batch);
      return this.applyGradients(loss, grads);
    });
  }

  /**
   * One optimisation step whose batch is shared with helpers (other threads or workers, each with its
   * own copy of the net): the helpers get the current weights and a slice of the batch each, this
   * thread computes the first slice meanwhile, and the summed gradients are applied here. Same batch,
   * same update as trainStep() up to float rounding, so a run can switch between the two on resume.
   */
  async trainStepShared(helpers: readonly GradientHelper[]): Promise<StepResult> {
    if (!helpers.length) return this.trainStep();
    const { batch } = this.config;
    const bt = this.makeBatch(this.step);
    const cuts = Array.from({ length: helpers.length + 2 }, (_, i) =>
      Math.round((i * batch) / (helpers.length + 1)),
    );
    const weights = await this.net.weights();
    const remote = helpers.map((h, i) => h.gradients(weights, bt, cuts[i + 1]!, cuts[i + 2]!));
    const local = sliceGradients(this.net, this.config.prediction, bt, 0, cuts[1]!);
    const parts = await Promise.all(remote);
    const out = tf.tidy(() => {
      let loss: tf.Scalar = local.loss;
      const grads: Record<string, tf.Tensor> = { ...local.grads };
      for (const part of parts) {
        loss = tf.add(loss, part.loss);
        for (const [k, v] of this.net.params)
          grads[k] = tf.add(grads[k]!, tf.tensor(part.grads.get(k)!, v.shape));
      }
      return this.applyGradients(loss, grads);
    });
    tf.dispose([local.loss, ...Object.values(local.grads)]);
    return out;
  }

  protected override nextStep(): StepResult | Promise<StepResult> {
    return this.helpers.length ? this.trainStepShared(this.helpers) : this.trainStep();
  }

  /** Trainer.run, optionally sharing each batch with `helpers` (other threads; see trainStepShared). */
  override run(
    steps: number,
    opts: RunOptions & { helpers?: readonly GradientHelper[] } = {},
  ): AsyncGenerator<TrainProgress> {
    this.helpers = opts.helpers ?? [];
    return super.run(steps, opts);
  }
}
