/**
 * DDPM training (Ho et al. 2020, Algorithm 1) as an async generator that yields progress, on any
 * TF.js backend. Epsilon prediction (L_simple) or v prediction (Salimans & Ho 2022), optional min-SNR-γ
 * loss weighting (Hang et al. 2023), Adam with warm-up, global-norm clipping, EMA weights, and a NaN
 * guard. The loss is read back asynchronously every `readEvery` steps, never with dataSync.
 * Everything random comes from (seed, step), so a resumed run continues exactly as it would have.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillNormal, mulberry32 } from '../diffusion/random';
import { makeSchedule, type BetaScheduleKind, type NoiseSchedule } from '../diffusion/schedule';
import { MNIST_PIXELS, type MnistSplit } from '../data/mnist-asset';
import { UNet, UNET_PRESETS, unetSpecs, type UNetConfig, type UNetPreset } from '../nets/unet';
import { Adam, clipByGlobalNorm, Ema } from './adam';
import { encodeWeights, decodeWeights, type ModelJson, type NamedWeight } from './weights-format';

export interface TrainConfig {
  /** U-Net size. */
  preset: UNetPreset;
  /** A custom U-Net instead of the preset (tests use tiny ones; a grown run has its deeper one here). */
  unet?: UNetConfig;
  /** Where the run was made deeper (`--grow` on a resumed run): the step and the U-Net before it. */
  grown?: { step: number; from: UNetConfig }[];
  /** Images per step. */
  batch: number;
  /** Peak learning rate, reached linearly over `warmup` steps. */
  lr: number;
  /** Later learning rates, each `[fromStep, lr]` (set with `--lr` on a resumed run): piecewise constant. */
  lrSteps?: [number, number][];
  warmup: number;
  /** EMA decay of the weights used for sampling. */
  emaDecay: number;
  /** Global gradient-norm clip. */
  clipNorm: number;
  schedule: BetaScheduleKind;
  T: number;
  /** What the network predicts. */
  prediction: 'epsilon' | 'v';
  /** min-SNR-γ loss weighting; null for plain L_simple. */
  minSnrGamma: number | null;
  seed: number;
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

export interface TrainProgress {
  step: number;
  /** Mean loss over the steps since the last report. */
  loss: number;
  gradNorm: number;
  lr: number;
  /** Training seconds so far (all sessions). */
  wallSeconds: number;
  stepsPerSecond: number;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
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

/** One step's batch (see DdpmTrainer.makeBatch): rows of images, timesteps, noise and coefficients. */
export type TrainBatch = ReturnType<DdpmTrainer['makeBatch']>;

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
 * whole batch's loss (the mean of min-SNR-weighted per-image errors) and gradient.
 */
export function sliceGradients(
  net: UNet,
  prediction: 'epsilon' | 'v',
  bt: TrainBatch,
  from: number,
  to: number,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const n = to - from;
  const total = bt.t.length;
  const px = bt.x0.length / total;
  return tf.tidy(() => {
    const shape4 = [n, 1, 1, 1];
    const rows = (a: Float32Array, per: number) => a.subarray(from * per, to * per);
    const x0 = tf.tensor4d(rows(bt.x0, px), [n, 28, 28, 1]);
    const eps = tf.tensor4d(rows(bt.eps, px), [n, 28, 28, 1]);
    const a = tf.tensor(rows(bt.a, 1), shape4);
    const b = tf.tensor(rows(bt.b, 1), shape4);
    const xt = tf.add(tf.mul(a, x0), tf.mul(b, eps)) as tf.Tensor4D; // x_t = sqrt(abar) x0 + sqrt(1-abar) eps (DDPM eq. 4)
    const target = prediction === 'epsilon' ? eps : tf.sub(tf.mul(a, eps), tf.mul(b, x0)); // v = sqrt(abar) eps - sqrt(1-abar) x0
    const t = tf.tensor1d(rows(bt.t, 1));
    const w = tf.tensor1d(rows(bt.w, 1));
    const vars = [...net.params.values()];
    const { value, grads } = tf.variableGrads(() => {
      const err = tf.mean(tf.square(tf.sub(net.apply(xt, t), target)), [1, 2, 3]); // [n]
      return tf.div(tf.sum(tf.mul(err, w)), total) as tf.Scalar;
    }, vars);
    const byName: Record<string, tf.Tensor> = {};
    for (const [k, v] of net.params) byName[k] = grads[v.name]!; // variableGrads keys by TF.js variable name
    return { loss: value, grads: byName };
  });
}

/** The configuration of a run made deeper at `step` (see DdpmTrainer.restoreGrown). */
export function grownConfig(
  config: TrainConfig,
  step: number,
  depth: readonly [number, number, number],
): TrainConfig {
  const from = config.unet ?? UNET_PRESETS[config.preset];
  return { ...config, unet: { ...from, depth }, grown: [...(config.grown ?? []), { step, from }] };
}

/** What checkpoint() writes beside the tensors. */
interface CheckpointMeta {
  kind?: string;
  config?: TrainConfig;
  step?: number;
  adamT?: number;
  wallSeconds?: number;
  history?: [number, number][];
}

export class DdpmTrainer {
  readonly net: UNet;
  readonly ema: Ema;
  readonly adam: Adam;
  readonly schedule: NoiseSchedule;
  step = 0;
  wallSeconds = 0;
  /** [step, mean loss] every report. */
  history: [number, number][] = [];

  constructor(
    readonly config: TrainConfig,
    readonly data: MnistSplit,
  ) {
    this.net = new UNet(config.unet ?? UNET_PRESETS[config.preset], config.seed);
    this.ema = new Ema(this.net.params, config.emaDecay);
    this.adam = new Adam(this.net.params);
    this.schedule = makeSchedule({ kind: config.schedule, T: config.T });
  }

  lrAt(step: number): number {
    let lr = this.config.lr;
    for (const [from, value] of this.config.lrSteps ?? []) if (step >= from) lr = value;
    return lr * Math.min(1, (step + 1) / Math.max(1, this.config.warmup));
  }

  /** The batch of step `step`: images x0 in [-1,1], timesteps, noise and per-sample coefficients. */
  makeBatch(step: number) {
    const { batch, seed, T, prediction, minSnrGamma } = this.config;
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x0 = new Float32Array(batch * MNIST_PIXELS);
    const t = new Float32Array(batch);
    const a = new Float32Array(batch);
    const b = new Float32Array(batch);
    const w = new Float32Array(batch);
    for (let i = 0; i < batch; i++) {
      const idx = Math.floor(rand() * this.data.count);
      const base = idx * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++)
        x0[i * MNIST_PIXELS + p] = (this.data.images[base + p]! / 255) * 2 - 1;
      const ti = Math.floor(rand() * T);
      t[i] = ti;
      a[i] = Math.sqrt(this.schedule.alphaBar[ti]!);
      b[i] = Math.sqrt(1 - this.schedule.alphaBar[ti]!);
      w[i] = lossWeight(this.schedule, ti, prediction, minSnrGamma);
    }
    const eps = fillNormal(new Float32Array(batch * MNIST_PIXELS), rand);
    return { x0, t, a, b, w, eps };
  }

  /** One optimisation step; returns loss and gradient norm as tensors (the caller reads them later). */
  trainStep(): { loss: tf.Scalar; norm: tf.Scalar } {
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
  async trainStepShared(helpers: readonly GradientHelper[]): Promise<{ loss: tf.Scalar; norm: tf.Scalar }> {
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

  /** Clip, Adam, EMA and the step count: the second half of a step (call inside tf.tidy). */
  private applyGradients(
    loss: tf.Scalar,
    grads: Record<string, tf.Tensor>,
  ): { loss: tf.Scalar; norm: tf.Scalar } {
    const { grads: clipped, norm } = clipByGlobalNorm(grads, this.config.clipNorm);
    this.adam.apply(this.net.params, clipped, this.lrAt(this.step));
    this.ema.update(this.net.params, this.step);
    this.step++;
    return { loss, norm };
  }

  /**
   * Train `steps` more steps (or until `signal` aborts), yielding progress every `readEvery` steps.
   * Throws NonFiniteLossError (after which the weights must not be saved) if the loss stops being finite.
   */
  async *run(
    steps: number,
    opts: {
      readEvery?: number;
      signal?: AbortSignal;
      between?: () => Promise<void>;
      /** Share each batch with these helpers (see trainStepShared). */
      helpers?: readonly GradientHelper[];
    } = {},
  ): AsyncGenerator<TrainProgress> {
    const readEvery = opts.readEvery ?? 10;
    const end = this.step + steps;
    let pending: { loss: tf.Scalar; norm: tf.Scalar }[] = [];
    let t0 = performance.now();
    let s0 = this.step;
    while (this.step < end && !opts.signal?.aborted) {
      pending.push(opts.helpers?.length ? await this.trainStepShared(opts.helpers) : this.trainStep());
      // In a page: give the browser a turn after every step so scrolling and input stay smooth.
      if (opts.between) await opts.between();
      if (pending.length >= readEvery || this.step >= end || opts.signal?.aborted) {
        const losses = await Promise.all(pending.map((p) => p.loss.data()));
        const norms = await Promise.all(pending.map((p) => p.norm.data()));
        tf.dispose(pending.flatMap((p) => [p.loss, p.norm]));
        pending = [];
        const vals = losses.map((l) => l[0]!);
        const bad = vals.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          const at = this.step - vals.length + bad + 1;
          throw new NonFiniteLossError(
            `loss became ${vals[bad]} at step ${at}: try a lower learning rate (now ${this.lrAt(at)}) or a smaller gradient clip`,
          );
        }
        const now = performance.now();
        const dt = (now - t0) / 1000;
        this.wallSeconds += dt;
        const loss = vals.reduce((x, y) => x + y, 0) / vals.length;
        this.history.push([this.step, loss]);
        yield {
          step: this.step,
          loss,
          gradNorm: norms.reduce((x, n) => x + n[0]!, 0) / norms.length,
          lr: this.lrAt(this.step - 1),
          wallSeconds: this.wallSeconds,
          stepsPerSecond: (this.step - s0) / dt,
        };
        t0 = performance.now();
        s0 = this.step;
        // Let the event loop breathe (UI, signals) between chunks.
        await new Promise((r) => setTimeout(r, 0));
      }
    }
  }

  // ---- state for checkpoints ----

  private async named(
    prefix: string,
    m: Map<string, tf.Variable>,
    dtype: NamedWeight['dtype'] = 'float32',
  ): Promise<NamedWeight[]> {
    const out: NamedWeight[] = [];
    for (const [k, v] of m)
      out.push({ name: `${prefix}${k}`, shape: v.shape, data: (await v.data()) as Float32Array, dtype });
    return out;
  }

  /**
   * Everything needed to resume: weights, EMA, Adam moments, step, wall time, loss history.
   * `compact` (the Node CLI's shipped checkpoint) leaves the EMA out, because the exported model
   * (exportEma) is exactly the EMA and is saved beside it, so restore() then needs it passed back; and it
   * stores Adam's moments as bfloat16, so a resumed run's updates differ from an uninterrupted one's by
   * about 2^-9 of a step. Without it (the browser's checkpoints) a resume is exact.
   */
  async checkpoint(
    extra: Record<string, unknown> = {},
    opts: { compact?: boolean } = {},
  ): Promise<{ json: ModelJson; bin: Uint8Array }> {
    const moments = opts.compact ? 'bfloat16' : 'float32';
    const weights = [
      ...(await this.named('params/', this.net.params)),
      ...(opts.compact ? [] : await this.named('ema/', this.ema.shadow)),
      ...(await this.named('adam.m/', this.adam.m, moments)),
      ...(await this.named('adam.v/', this.adam.v, moments)),
    ];
    return encodeWeights(weights, 'checkpoint', {
      kind: 'ddpm-checkpoint',
      config: this.config,
      step: this.step,
      adamT: this.adam.t,
      wallSeconds: this.wallSeconds,
      history: this.history,
      ...extra,
    });
  }

  /** The EMA weights alone, in the shipped model format. */
  async exportEma(metadata: Record<string, unknown>): Promise<{ json: ModelJson; bin: Uint8Array }> {
    const weights = await this.named('', this.ema.shadow);
    return encodeWeights(weights, 'weights.bin', {
      kind: 'ddpm-unet',
      unet: this.net.config,
      preset: this.config.preset,
      schedule: { kind: this.config.schedule, T: this.config.T },
      prediction: this.config.prediction,
      step: this.step,
      ...metadata,
    });
  }

  /** Replace weights and EMA with imported ones (Adam starts afresh); the step continues from `step`. */
  importWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>, step: number): void {
    this.net.setWeights(weights);
    tf.tidy(() => {
      for (const [k, v] of this.ema.shadow) v.assign(this.net.params.get(k)!);
      for (const m of [this.adam.m, this.adam.v]) for (const v of m.values()) v.assign(tf.zerosLike(v));
    });
    this.adam.t = 0;
    this.step = step;
  }

  /**
   * The tensors of a checkpoint of a net with `specs`, checked: params/, ema/ (from the checkpoint, or
   * from `ema` for a compact one), adam.m/, adam.v/.
   */
  private checkpointState(
    json: ModelJson,
    bin: Uint8Array,
    specs: readonly { name: string; shape: readonly number[] }[],
    ema?: Map<string, { shape: readonly number[]; data: Float32Array }>,
  ): (p: 'params/' | 'ema/' | 'adam.m/' | 'adam.v/', k: string) => Float32Array | undefined {
    const inline = json.weightsManifest?.some((g) => g.weights.some((w) => w.name.startsWith('ema/')));
    if (!inline && !ema)
      throw new Error(
        'this checkpoint keeps its EMA weights in the exported model beside it (weights.bin): pass them to restore',
      );
    const prefixes = inline ? ['params/', 'ema/', 'adam.m/', 'adam.v/'] : ['params/', 'adam.m/', 'adam.v/'];
    const { weights } = decodeWeights(
      json,
      bin,
      prefixes.flatMap((p) => specs.map((s) => ({ name: p + s.name, shape: s.shape }))),
    );
    if (!inline) {
      for (const s of specs) {
        const e = ema!.get(s.name);
        if (!e || e.shape.join() !== s.shape.join())
          throw new Error(
            `the EMA weights do not fit this checkpoint: ${s.name} is missing or has another shape`,
          );
        weights.set(`ema/${s.name}`, { name: `ema/${s.name}`, shape: [...e.shape], data: e.data });
      }
    }
    return (p, k) => weights.get(p + k)?.data;
  }

  /**
   * Restore from checkpoint(); the config must match the one this trainer was made with. A compact
   * checkpoint needs its EMA weights (the model exported with it) as `ema`.
   */
  restore(
    json: ModelJson,
    bin: Uint8Array,
    ema?: Map<string, { shape: readonly number[]; data: Float32Array }>,
  ): void {
    const meta = json.userDefinedMetadata as CheckpointMeta;
    if (meta.kind !== 'ddpm-checkpoint') throw new Error('not a DDPM training checkpoint');
    if (JSON.stringify(meta.config) !== JSON.stringify(this.config)) {
      throw new Error(`checkpoint was made with another configuration: ${JSON.stringify(meta.config)}`);
    }
    const get = this.checkpointState(json, bin, this.net.paramSpecs, ema);
    this.net.setWeights(
      new Map(this.net.paramSpecs.map((s) => [s.name, { shape: s.shape, data: get('params/', s.name)! }])),
    );
    for (const [target, p] of [
      [this.ema.shadow, 'ema/'],
      [this.adam.m, 'adam.m/'],
      [this.adam.v, 'adam.v/'],
    ] as const) {
      tf.tidy(() => {
        for (const [k, v] of target) v.assign(tf.tensor(get(p, k)!, v.shape));
      });
    }
    this.restoreCounters(meta);
  }

  /**
   * Restore a checkpoint of a shallower U-Net (the same run before `grown`'s last entry: same settings,
   * fewer residual blocks) into this deeper one. Every old weight, its EMA and Adam moments carry over;
   * each new block starts as the identity (its last convolution zero, as DDPM initialises every block's),
   * so the network computes exactly what it did before and the new blocks learn from there.
   */
  restoreGrown(
    json: ModelJson,
    bin: Uint8Array,
    ema?: Map<string, { shape: readonly number[]; data: Float32Array }>,
  ): void {
    const meta = json.userDefinedMetadata as CheckpointMeta;
    const last = this.config.grown?.at(-1);
    if (meta.kind !== 'ddpm-checkpoint' || !meta.config) throw new Error('not a DDPM training checkpoint');
    if (!last || last.step !== meta.step)
      throw new Error('growing needs config.grown to end at the checkpoint step');
    const settings = (c: TrainConfig) => JSON.stringify({ ...c, unet: undefined, grown: undefined });
    if (settings(meta.config) !== settings(this.config))
      throw new Error(`checkpoint was made with other settings: ${JSON.stringify(meta.config)}`);
    const oldSpecs = unetSpecs(last.from);
    const mine = new Map(this.net.paramSpecs.map((s) => [s.name, s.shape.join()]));
    for (const s of oldSpecs)
      if (mine.get(s.name) !== s.shape.join())
        throw new Error(`cannot grow: ${s.name} [${s.shape}] is not in the deeper U-Net with that shape`);
    const get = this.checkpointState(json, bin, oldSpecs, ema);
    const old = new Set(oldSpecs.map((s) => s.name));
    tf.tidy(() => {
      for (const [k, v] of this.net.params) {
        if (old.has(k)) v.assign(tf.tensor(get('params/', k)!, v.shape));
        else if (/\.c2\.[wb]$/.test(k)) v.assign(tf.zerosLike(v)); // new block: identity at first
      }
      for (const [k, v] of this.ema.shadow)
        v.assign(old.has(k) ? tf.tensor(get('ema/', k)!, v.shape) : this.net.params.get(k)!);
      for (const [m, p] of [
        [this.adam.m, 'adam.m/'],
        [this.adam.v, 'adam.v/'],
      ] as const)
        for (const [k, v] of m) v.assign(old.has(k) ? tf.tensor(get(p, k)!, v.shape) : tf.zerosLike(v));
    });
    this.restoreCounters(meta);
  }

  private restoreCounters(meta: CheckpointMeta): void {
    this.step = meta.step ?? 0;
    this.adam.t = meta.adamT ?? this.step;
    this.wallSeconds = meta.wallSeconds ?? 0;
    this.history = meta.history ?? [];
  }

  dispose(): void {
    this.net.dispose();
    this.ema.dispose();
    this.adam.dispose();
  }
}
