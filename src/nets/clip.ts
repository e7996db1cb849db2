/**
 * A CLIP-style pair of encoders (Radford et al. 2021, "Learning transferable visual models from natural
 * language supervision"), small enough to train on MNIST captions on a laptop:
 *
 *   text:  token embedding + learned positions -> `layers` pre-norm transformer blocks (multi-head causal
 *          self-attention, then an MLP of 4x width, each a residual branch) -> final LayerNorm. The state
 *          at the <end> token, projected, is the caption's embedding; every token's state is what the
 *          text-to-image U-Net attends to (Stable Diffusion uses CLIP's text states the same way).
 *   image: conv3x3/2(ch) - conv3x3/2(2ch) - conv3x3(2ch) - dense(128) - dense(embed), SiLU between, from
 *          scratch (not the evaluation classifier, which must stay an independent judge).
 *
 * Both embeddings are L2-normalised; their cosine similarities times a learned scale exp(s) are the logits
 * of the symmetric contrastive loss (CLIP's eq. in its Figure 3), s starting at log(1/0.07) and capped at
 * log(100) as in CLIP. Every op has a gradient on every TF.js backend: the token lookup is a one-hot
 * matMul, dense layers run on 2-D inputs, the <end> state is picked by a one-hot weighted sum.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense, layerNorm, multiHeadAttention, silu } from './layers';
import { NamedWeights, type ParamSpec } from './named-weights';

export interface ClipConfig {
  /** Tokens in the vocabulary and the context length (the tokenizer's). */
  vocab: number;
  context: number;
  /** Width of the text transformer, its blocks and its heads. */
  width: number;
  layers: number;
  heads: number;
  /** Size of the shared embedding space. */
  embed: number;
  /** Channels of the image encoder's first convolution. */
  imageCh: number;
  /** Side of the square images the image encoder reads (a multiple of 4; default 28, one digit). */
  imageSize?: number;
}

export const DEFAULT_CLIP: Omit<ClipConfig, 'vocab' | 'context'> = {
  width: 64,
  layers: 2,
  heads: 4,
  embed: 64,
  imageCh: 32,
};

/** CLIP's initial temperature 0.07 and its cap of 100 on the logit scale. */
export const INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);
export const MAX_LOGIT_SCALE = Math.log(100);

export function clipSpecs(c: ClipConfig): ParamSpec[] {
  if (c.width % c.heads) throw new Error(`text width ${c.width} does not divide into ${c.heads} heads`);
  const specs: ParamSpec[] = [];
  const linear = (name: string, i: number, o: number) => {
    specs.push({ name: `${name}.w`, shape: [i, o], fanIn: i });
    specs.push({ name: `${name}.b`, shape: [o], fanIn: -1 });
  };
  const norm = (name: string, n: number) => {
    specs.push({ name: `${name}.gamma`, shape: [n], fanIn: 0 });
    specs.push({ name: `${name}.beta`, shape: [n], fanIn: -1 });
  };
  const conv = (name: string, ci: number, co: number) => {
    specs.push({ name: `${name}.w`, shape: [3, 3, ci, co], fanIn: 9 * ci });
    specs.push({ name: `${name}.b`, shape: [co], fanIn: -1 });
  };
  const d = c.width;
  specs.push({ name: 'tok', shape: [c.vocab, d], fanIn: d });
  specs.push({ name: 'pos', shape: [c.context, d], fanIn: d });
  for (let l = 0; l < c.layers; l++) {
    norm(`b${l}.n1`, d);
    for (const p of ['q', 'k', 'v', 'o']) linear(`b${l}.${p}`, d, d);
    norm(`b${l}.n2`, d);
    linear(`b${l}.f1`, d, 4 * d);
    linear(`b${l}.f2`, 4 * d, d);
  }
  norm('tn', d);
  linear('tp', d, c.embed);
  const ch = c.imageCh;
  conv('i1', 1, ch);
  conv('i2', ch, 2 * ch);
  conv('i3', 2 * ch, 2 * ch);
  const side = c.imageSize ?? 28;
  if (side % 4) throw new Error(`the image encoder halves its input twice: ${side} is not a multiple of 4`);
  linear('i4', (side / 4) * (side / 4) * 2 * ch, 128);
  linear('ip', 128, c.embed);
  specs.push({ name: 'scale', shape: [], fanIn: -1 });
  return specs;
}

/** The causal mask as an additive bias [L, L]: 0 on and below the diagonal, -1e9 above. */
export function causalBias(n: number): tf.Tensor2D {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[i * n + j] = -1e9;
  return tf.tensor2d(v, [n, n]);
}

export class ClipModel extends NamedWeights {
  readonly config: ClipConfig;
  private readonly mask: tf.Tensor2D;

  constructor(config: ClipConfig, seed = 0) {
    super(clipSpecs(config), seed, 'the CLIP model');
    this.config = config;
    this.params.get('scale')!.assign(tf.scalar(INITIAL_LOGIT_SCALE));
    this.mask = causalBias(config.context);
  }

  private linear(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(dense(x, this.p(`${name}.w`)), this.p(`${name}.b`)) as tf.Tensor2D;
  }

  private norm(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return layerNorm(x, this.p(`${name}.gamma`), this.p(`${name}.beta`));
  }

  /**
   * Every token's final state [B, L, width] for token ids [B, L] (int32), after the final LayerNorm.
   * With `attention`, also each block's attention weights [B, heads, L, L] (for the lesson).
   */
  tokenStates(ids: tf.Tensor2D, attention?: tf.Tensor4D[]): tf.Tensor3D {
    return tf.tidy(() => {
      const { vocab, context, width, layers, heads } = this.config;
      const [b, n] = ids.shape;
      if (n !== context) throw new Error(`token ids have length ${n}, the text encoder takes ${context}`);
      const onehot = tf.cast(
        tf.oneHot(tf.reshape(ids, [b * n]) as tf.Tensor1D, vocab),
        'float32',
      ) as tf.Tensor2D; // [B·L, V]
      let x = dense(onehot, this.p('tok')); // [B·L, D]
      x = tf.reshape(tf.add(tf.reshape(x, [b, n, width]), this.p('pos')), [b * n, width]);
      for (let l = 0; l < layers; l++) {
        const h = this.norm(`b${l}.n1`, x);
        const qkv = ['q', 'k', 'v'].map(
          (p) => tf.reshape(this.linear(`b${l}.${p}`, h), [b, n, width]) as tf.Tensor3D,
        );
        const att = multiHeadAttention(qkv[0]!, qkv[1]!, qkv[2]!, heads, this.mask);
        if (attention) attention.push(tf.keep(att.weights));
        x = tf.add(x, this.linear(`b${l}.o`, tf.reshape(att.out, [b * n, width]) as tf.Tensor2D));
        const m = this.linear(`b${l}.f2`, silu(this.linear(`b${l}.f1`, this.norm(`b${l}.n2`, x))));
        x = tf.add(x, m);
      }
      return tf.reshape(this.norm('tn', x), [b, n, width]) as tf.Tensor3D;
    });
  }

  /** Caption embeddings [B, embed], unit length: the projected state at each caption's <end> token. */
  textEmbedding(ids: tf.Tensor2D, endIndex: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const states = this.tokenStates(ids); // [B, L, D]
      const pick = tf.expandDims(tf.cast(tf.oneHot(endIndex, this.config.context), 'float32'), 2); // [B, L, 1]
      const pooled = tf.sum(tf.mul(states, pick), 1) as tf.Tensor2D; // [B, D]
      return unit(this.linear('tp', pooled));
    });
  }

  /** Image embeddings [B, embed], unit length, for images in [-1, 1], [B, side, side, 1] (side = imageSize, 28). */
  imageEmbedding(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const conv = (name: string, h: tf.Tensor4D, stride: number) =>
        silu(
          tf.add(
            tf.conv2d(h, this.p(`${name}.w`) as tf.Tensor as tf.Tensor4D, stride, 'same'),
            this.p(`${name}.b`),
          ) as tf.Tensor4D,
        );
      let h = conv('i1', x, 2); // [B, side/2, side/2, ch]
      h = conv('i2', h, 2); // [B, side/4, side/4, 2ch]
      h = conv('i3', h, 1); // [B, side/4, side/4, 2ch]
      const flat = tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
      return unit(this.linear('ip', silu(this.linear('i4', flat))));
    });
  }

  /** The logit scale exp(s), s capped at log(100). */
  logitScale(): tf.Scalar {
    return tf.tidy(() => tf.exp(tf.minimum(this.p('scale'), MAX_LOGIT_SCALE)) as tf.Scalar);
  }

  /** CLIP's symmetric cross-entropy over a batch of matching (image, caption) pairs (row i with row i). */
  contrastiveLoss(x: tf.Tensor4D, ids: tf.Tensor2D, endIndex: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const img = this.imageEmbedding(x);
      const txt = this.textEmbedding(ids, endIndex);
      const logits = tf.mul(tf.matMul(img, txt, false, true), this.logitScale()) as tf.Tensor2D; // [B, B]
      const eye = tf.eye(logits.shape[0]);
      const a = tf.losses.softmaxCrossEntropy(eye, logits);
      const b = tf.losses.softmaxCrossEntropy(eye, tf.transpose(logits));
      return tf.div(tf.add(a, b), 2) as tf.Scalar;
    });
  }

  override dispose(): void {
    super.dispose();
    this.mask.dispose();
  }
}

/** Rows scaled to unit L2 length. */
export function unit(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D);
}
