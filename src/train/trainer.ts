/**
 * What every training run in the project shares, whatever it trains (a DDPM's denoiser, an
 * autoencoder): Adam with linear warm-up and piecewise-constant later rates, global-norm gradient
 * clipping, an EMA of the weights, the step counter, wall time and loss history a checkpoint keeps
 * (./checkpoint.ts), and the async loop that reads losses back every few steps, never with dataSync, and
 * stops on a non-finite loss. A subclass says how one step's loss and gradients are computed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam, clipByGlobalNorm, Ema } from './adam';
import { yieldToEventLoop } from '../runtime/yield';

/** The optimisation settings every run has. */
export interface OptimConfig {
  /** Samples per step. */
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
  seed: number;
  /** Adam's β1 and β2 (0.9 and 0.999 when absent; a GAN uses β1 = 0.5, as DCGAN). */
  beta1?: number;
  beta2?: number;
}

/** A network made of named weights (src/nets/named-weights.ts). */
export interface TrainableNet {
  readonly params: Map<string, tf.Variable>;
  readonly paramSpecs: readonly { name: string; shape: readonly number[] }[];
  readonly paramCount: number;
  setWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>): void;
  weights(): Promise<Map<string, Float32Array>>;
  dispose(): void;
}

export interface TrainProgress {
  step: number;
  /** Mean loss over the steps since the last report. */
  loss: number;
  gradNorm: number;
  lr: number;
  /** Training seconds so far (all sessions). */
  wallSeconds: number;
  stepsPerSecond: number;
  /** The loss's named parts (a VAE's reconstruction and KL, a GAN's two players), means since the last report. */
  terms?: Record<string, number>;
}

// A type alias, not an interface, so that tf.tidy() accepts it as a tensor container.
export type StepResult = { loss: tf.Scalar; norm: tf.Scalar; terms?: Record<string, tf.Scalar> };

export interface RunOptions {
  readEvery?: number;
  signal?: AbortSignal;
  /** Awaited after every step (in a page: give the browser a turn so scrolling and input stay smooth). */
  between?: () => Promise<void>;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

export abstract class Trainer<C extends OptimConfig, N extends TrainableNet> {
  readonly ema: Ema;
  readonly adam: Adam;
  step = 0;
  wallSeconds = 0;
  /** [step, mean loss] every report. */
  history: [number, number][] = [];
  /** [step, the loss's named parts] every report, for runs whose steps report them. */
  termHistory: [number, Record<string, number>][] = [];
  /** What its checkpoints are called in their metadata ("ddpm-checkpoint"), so another run's is refused. */
  abstract readonly checkpointKind: string;

  protected constructor(
    readonly config: C,
    readonly net: N,
  ) {
    this.ema = new Ema(net.params, config.emaDecay);
    this.adam = new Adam(net.params, { beta1: config.beta1, beta2: config.beta2 });
  }

  lrAt(step: number): number {
    let lr = this.config.lr;
    for (const [from, value] of this.config.lrSteps ?? []) if (step >= from) lr = value;
    return lr * Math.min(1, (step + 1) / Math.max(1, this.config.warmup));
  }

  /** One optimisation step; returns loss and gradient norm as tensors (the caller reads them later). */
  abstract trainStep(): StepResult;

  /** The step run() takes (a subclass may share it with helpers). */
  protected nextStep(): StepResult | Promise<StepResult> {
    return this.trainStep();
  }

  /** Clip, Adam, EMA and the step count: the second half of a step (call inside tf.tidy). */
  protected applyGradients(loss: tf.Scalar, grads: Record<string, tf.Tensor>): StepResult {
    const { grads: clipped, norm } = clipByGlobalNorm(grads, this.config.clipNorm);
    this.adam.apply(this.net.params, clipped, this.lrAt(this.step));
    this.ema.update(this.net.params, this.step);
    this.step++;
    return { loss, norm };
  }

  /** Gradients of `loss` by weight name (inside tf.tidy). */
  protected gradients(loss: () => tf.Scalar): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
    const { value, grads } = tf.variableGrads(loss, [...this.net.params.values()]);
    const byName: Record<string, tf.Tensor> = {};
    for (const [k, v] of this.net.params) byName[k] = grads[v.name]!; // keyed by TF.js variable name
    return { value, grads: byName };
  }

  /**
   * Train `steps` more steps (or until `signal` aborts), yielding progress every `readEvery` steps.
   * Throws NonFiniteLossError (after which the weights must not be saved) if the loss stops being finite.
   */
  async *run(steps: number, opts: RunOptions = {}): AsyncGenerator<TrainProgress> {
    const readEvery = opts.readEvery ?? 10;
    const end = this.step + steps;
    let pending: StepResult[] = [];
    let t0 = performance.now();
    let s0 = this.step;
    while (this.step < end && !opts.signal?.aborted) {
      pending.push(await this.nextStep());
      if (opts.between) await opts.between();
      if (pending.length >= readEvery || this.step >= end || opts.signal?.aborted) {
        const losses = await Promise.all(pending.map((p) => p.loss.data()));
        const norms = await Promise.all(pending.map((p) => p.norm.data()));
        const termNames = Object.keys(pending[0]?.terms ?? {});
        const termValues = await Promise.all(
          termNames.map(async (k) => {
            const vs = await Promise.all(pending.map((p) => p.terms![k]!.data()));
            return vs.reduce((a, v) => a + v[0]!, 0) / vs.length;
          }),
        );
        tf.dispose(pending.flatMap((p) => [p.loss, p.norm, ...Object.values(p.terms ?? {})]));
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
        const terms = termNames.length
          ? Object.fromEntries(termNames.map((k, i) => [k, termValues[i]!]))
          : undefined;
        if (terms) this.termHistory.push([this.step, terms]);
        yield {
          step: this.step,
          loss,
          gradNorm: norms.reduce((x, n) => x + n[0]!, 0) / norms.length,
          lr: this.lrAt(this.step - 1),
          wallSeconds: this.wallSeconds,
          stepsPerSecond: (this.step - s0) / dt,
          ...(terms ? { terms } : {}),
        };
        t0 = performance.now();
        s0 = this.step;
        // Let the event loop breathe (UI, signals) between chunks.
        await yieldToEventLoop();
      }
    }
  }

  dispose(): void {
    this.net.dispose();
    this.ema.dispose();
    this.adam.dispose();
  }
}
