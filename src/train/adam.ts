/**
 * Adam (Kingma & Ba 2015) over named variables, with its moments kept as named tensors so a checkpoint
 * can save and restore them exactly. Plus global-norm gradient clipping and an EMA of the weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { variableFrom } from '../nets/variables';

export interface AdamOptions {
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  epsilon?: number; // 1e-8
}

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far (for bias correction). */
  t = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(params: Map<string, tf.Variable>, opts: AdamOptions = {}) {
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.epsilon ?? 1e-8;
    for (const [k, p] of params) {
      this.m.set(k, variableFrom(tf.zerosLike(p), false));
      this.v.set(k, variableFrom(tf.zerosLike(p), false));
    }
  }

  /**
   * p <- p - lr * mHat / (sqrt(vHat) + eps) for every parameter with a gradient. `sameUpdate`: a further
   * call in the same training step (a GAN's generator after its discriminator), which does not advance
   * the step count: with one update of each player per step, the bias correction then counts each
   * parameter's own updates (with several discriminator updates per step they share one count).
   */
  apply(
    params: Map<string, tf.Variable>,
    grads: Record<string, tf.Tensor>,
    lr: number,
    opts: { sameUpdate?: boolean } = {},
  ): void {
    if (!opts.sameUpdate) this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    tf.tidy(() => {
      for (const [k, p] of params) {
        const g = grads[k];
        if (!g) continue;
        const m = this.m.get(k)!;
        const v = this.v.get(k)!;
        m.assign(tf.add(tf.mul(m, this.b1), tf.mul(g, 1 - this.b1)));
        v.assign(tf.add(tf.mul(v, this.b2), tf.mul(tf.square(g), 1 - this.b2)));
        const step = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.eps));
        p.assign(tf.sub(p, tf.mul(step, lr)));
      }
    });
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

/** Scale gradients so their global L2 norm is at most maxNorm; returns the norm before clipping (a scalar tensor). */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  return tf.tidy(() => {
    // Sum the squares pairwise, not with one addN: a U-Net has ~90 weight tensors, and WebGPU's AddN
    // binds every input as a storage buffer (8 per shader stage by default), so it fails silently there.
    let parts = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    while (parts.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < parts.length; i += 2)
        next.push(i + 1 < parts.length ? tf.add(parts[i]!, parts[i + 1]!) : parts[i]!);
      parts = next;
    }
    const norm = tf.sqrt(parts[0] ?? tf.scalar(0)) as tf.Scalar;
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, scale);
    return { grads: out, norm };
  });
}

/** Exponential moving average of weights, with the usual warm-up so early averages are not stuck at init. */
export class Ema {
  readonly shadow = new Map<string, tf.Variable>();
  constructor(
    params: Map<string, tf.Variable>,
    readonly decay: number,
  ) {
    for (const [k, p] of params) this.shadow.set(k, variableFrom(p.clone(), false));
  }

  /** Decay used at update number `step` (0-based): min(decay, (1 + step) / (10 + step)). */
  decayAt(step: number): number {
    return Math.min(this.decay, (1 + step) / (10 + step));
  }

  update(params: Map<string, tf.Variable>, step: number): void {
    const d = this.decayAt(step);
    tf.tidy(() => {
      for (const [k, p] of params) {
        const s = this.shadow.get(k)!;
        s.assign(tf.add(tf.mul(s, d), tf.mul(p, 1 - d)));
      }
    });
  }

  dispose(): void {
    for (const x of this.shadow.values()) x.dispose();
  }
}
