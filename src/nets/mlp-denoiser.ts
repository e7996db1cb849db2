/**
 * A small denoiser for flat samples (2-D points, or any short vector): a multilayer perceptron on the
 * sample, a sinusoidal time embedding and an optional class condition. The 2-D warm-up and the tests of
 * the shape-generic core use it; it runs through the same trainer, pipeline and samplers as the U-Net.
 *
 *   h1 = SiLU(x W_x + emb(t) W_t + c W_c + b_1)         (the first layer as a sum: no concat)
 *   h_{k+1} = SiLU(h_k W_k + b_k),   out = h_L W_o + b_o
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import { conditionWidth, nullCondition, UNCONDITIONAL, type Conditioning, type Denoiser } from './denoiser';
import { variableFrom } from './variables';

export interface MlpDenoiserConfig {
  /** Values per sample (2 for points). */
  dim: number;
  /** Hidden width. */
  hidden: number;
  /** Hidden layers (each SiLU). */
  layers: number;
  /** Sinusoidal time-embedding width (even). */
  timeDim: number;
  conditioning?: Conditioning;
}

interface Spec {
  name: string;
  shape: number[];
  /** fan-in for U(-1/sqrt(fanIn), 1/sqrt(fanIn)); -1 = zeros. */
  fanIn: number;
}

export function mlpSpecs(c: MlpDenoiserConfig): Spec[] {
  if (c.timeDim % 2) throw new Error(`timeDim must be even, got ${c.timeDim}`);
  const k = conditionWidth(c.conditioning ?? UNCONDITIONAL);
  const fan = c.dim + c.timeDim + k;
  const specs: Spec[] = [
    { name: 'in.x', shape: [c.dim, c.hidden], fanIn: fan },
    { name: 'in.t', shape: [c.timeDim, c.hidden], fanIn: fan },
  ];
  if (k) specs.push({ name: 'in.c', shape: [k, c.hidden], fanIn: fan });
  specs.push({ name: 'in.b', shape: [c.hidden], fanIn: fan });
  for (let i = 1; i < c.layers; i++)
    specs.push(
      { name: `h${i}.w`, shape: [c.hidden, c.hidden], fanIn: c.hidden },
      { name: `h${i}.b`, shape: [c.hidden], fanIn: c.hidden },
    );
  specs.push({ name: 'out.w', shape: [c.hidden, c.dim], fanIn: c.hidden });
  specs.push({ name: 'out.b', shape: [c.dim], fanIn: -1 });
  return specs;
}

export class MlpDenoiser implements Denoiser {
  readonly params = new Map<string, tf.Variable>();
  readonly sampleShape: readonly number[];
  readonly conditioning: Conditioning;
  private readonly specs: Spec[];

  constructor(
    readonly config: MlpDenoiserConfig,
    seed = 0,
  ) {
    this.sampleShape = [config.dim];
    this.conditioning = config.conditioning ?? UNCONDITIONAL;
    this.specs = mlpSpecs(config);
    const rand = mulberry32(seed);
    for (const s of this.specs) {
      const v = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
      if (s.fanIn > 0) {
        const bound = 1 / Math.sqrt(s.fanIn);
        for (let i = 0; i < v.length; i++) v[i] = (rand() * 2 - 1) * bound;
      }
      this.params.set(s.name, variableFrom(tf.tensor(v, s.shape), true));
    }
  }

  get paramSpecs(): readonly { name: string; shape: readonly number[] }[] {
    return this.specs;
  }

  get paramCount(): number {
    return this.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`MLP denoiser has no weight ${name}`);
    return v;
  }

  /** Sinusoidal embedding of timesteps [B] -> [B, timeDim] (Vaswani et al. 2017, as the U-Net's). */
  private timeEmbedding(t: tf.Tensor1D): tf.Tensor2D {
    const half = this.config.timeDim / 2;
    const freqs = tf.tensor2d(
      Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)),
      [1, half],
    );
    const a = tf.mul(tf.reshape(t, [-1, 1]), freqs) as tf.Tensor2D; // [B, half]
    return tf.concat([tf.sin(a), tf.cos(a)], 1);
  }

  apply(x: tf.Tensor, t: tf.Tensor1D, cond?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0]!;
      const x2 = tf.reshape(x, [b, this.config.dim]) as tf.Tensor2D; // [B, D]
      let h = tf.add(
        tf.matMul(x2, this.p('in.x') as tf.Tensor as tf.Tensor2D),
        tf.matMul(this.timeEmbedding(t), this.p('in.t') as tf.Tensor as tf.Tensor2D),
      ) as tf.Tensor2D; // [B, H]
      if (this.conditioning.kind === 'class') {
        const k = this.conditioning.classes + 1;
        const c = cond ?? nullCondition(b, this.conditioning.classes); // [B, K+1]
        h = tf.add(
          h,
          tf.matMul(tf.reshape(c, [b, k]) as tf.Tensor2D, this.p('in.c') as tf.Tensor as tf.Tensor2D),
        );
      }
      h = silu(tf.add(h, this.p('in.b')));
      for (let i = 1; i < this.config.layers; i++)
        h = silu(tf.add(tf.matMul(h, this.p(`h${i}.w`) as tf.Tensor as tf.Tensor2D), this.p(`h${i}.b`)));
      return tf.add(
        tf.matMul(h, this.p('out.w') as tf.Tensor as tf.Tensor2D),
        this.p('out.b'),
      ) as tf.Tensor2D; // [B, D]
    });
  }

  copyFrom(vars: Map<string, tf.Variable>): void {
    for (const [k, v] of this.params) v.assign(vars.get(k)!);
  }

  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of this.params) out.set(k, (await v.data()) as Float32Array);
    return out;
  }

  setWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>): void {
    for (const s of this.specs) {
      const w = weights.get(s.name);
      if (!w || w.shape.join() !== s.shape.join())
        throw new Error(`weights do not match the MLP denoiser at ${s.name}`);
    }
    tf.tidy(() => {
      for (const s of this.specs)
        this.params.get(s.name)!.assign(tf.tensor(weights.get(s.name)!.data, s.shape));
    });
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}
