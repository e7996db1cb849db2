/**
 * A small denoiser for flat samples (2-D points, or any short vector): a multilayer perceptron on the
 * sample, a sinusoidal time embedding and an optional class condition. The 2-D warm-up and the tests of
 * the shape-generic core use it; it runs through the same trainer, pipeline and samplers as the U-Net.
 *
 *   h1 = SiLU(x W_x + emb(t) W_t + c W_c + b_1)         (the first layer as a sum: no concat)
 *   h_{k+1} = SiLU(h_k W_k + b_k),   out = h_L W_o + b_o
 */
import * as tf from '@tensorflow/tfjs-core';
import { conditionWidth, nullCondition, UNCONDITIONAL, type Conditioning, type Denoiser } from './denoiser';
import { NamedWeights, type ParamSpec } from './named-weights';
import { dense, sinusoidalEmbedding } from './layers';

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

export function mlpSpecs(c: MlpDenoiserConfig): ParamSpec[] {
  if (c.timeDim % 2) throw new Error(`timeDim must be even, got ${c.timeDim}`);
  const k = conditionWidth(c.conditioning ?? UNCONDITIONAL);
  const fan = c.dim + c.timeDim + k;
  const specs: ParamSpec[] = [
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

export class MlpDenoiser extends NamedWeights implements Denoiser {
  readonly sampleShape: readonly number[];
  readonly conditioning: Conditioning;

  constructor(
    readonly config: MlpDenoiserConfig,
    seed = 0,
  ) {
    super(mlpSpecs(config), seed, 'the MLP denoiser');
    this.sampleShape = [config.dim];
    this.conditioning = config.conditioning ?? UNCONDITIONAL;
  }

  apply(x: tf.Tensor, t: tf.Tensor1D, cond?: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const b = x.shape[0]!;
      const x2 = tf.reshape(x, [b, this.config.dim]) as tf.Tensor2D; // [B, D]
      // dense(): the products as 1x1 convolutions, several times faster than MatMul on WASM (layers.ts)
      let h = tf.add(
        dense(x2, this.p('in.x')),
        dense(sinusoidalEmbedding(t, this.config.timeDim), this.p('in.t')),
      ) as tf.Tensor2D; // [B, H]
      if (this.conditioning.kind === 'class') {
        const k = this.conditioning.classes + 1;
        const c = cond ?? nullCondition(b, this.conditioning.classes); // [B, K+1]
        h = tf.add(h, dense(tf.reshape(c, [b, k]) as tf.Tensor2D, this.p('in.c')));
      }
      h = silu(tf.add(h, this.p('in.b')));
      for (let i = 1; i < this.config.layers; i++)
        h = silu(tf.add(dense(h, this.p(`h${i}.w`)), this.p(`h${i}.b`)));
      return tf.add(dense(h, this.p('out.w')), this.p('out.b')) as tf.Tensor2D; // [B, D]
    });
  }
}

function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}
