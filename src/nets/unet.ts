/**
 * A small DDPM U-Net for square images or latents whose side divides by 4 (28x28x1 MNIST digits,
 * 8x8x4 autoencoder latents; NHWC), optionally class-conditional, written as plain functions over named variables so that
 * every weight has a stable name for the tfjs weights format, and every op has a gradient on every
 * backend (no broadcast matMul, no stridedSlice, no ResizeNearestNeighbor gradient).
 *
 * Ho et al. 2020 (DDPM) architecture, shrunk: sinusoidal time embedding + MLP; residual blocks with
 * GroupNorm and SiLU that add the time embedding; two stride-2 downsamplings (28 -> 14 -> 7);
 * self-attention at 7x7; nearest upsampling with skip connections. Layer for layer the same network
 * as the PyTorch peer (scripts/peer/unet_torch.py), so the two can be timed side by side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nullCondition, UNCONDITIONAL, type Conditioning, type Denoiser } from './denoiser';
import { groupNorm, multiHeadAttention, silu, sinusoidalEmbedding, upsample2x, PAD1 } from './layers';
import { NamedWeights, type ParamSpec } from './named-weights';

export interface UNetConfig {
  /** Base channel count; the levels have ch, 2ch, 4ch channels (28x28, 14x14, 7x7). */
  ch: number;
  /** GroupNorm groups (fewer when a layer has fewer channels). */
  groups: number;
  /** Image side and channels. */
  size: number;
  channels: number;
  /**
   * Residual blocks per level and side, [28x28, 14x14, 7x7] (default [1, 1, 1]). At 7x7 they sit on both
   * sides of the attention. Blocks beyond the first are named after the first plus b, c, …: "r2b", "m1b".
   */
  depth?: readonly [number, number, number];
  /**
   * Class-conditional: a one-hot class row (classes + 1 entries, the last "no class") is embedded and
   * added to the time embedding, as Ho & Salimans (2022) do for classifier-free guidance.
   */
  classes?: number;
  /**
   * Text-conditional: cross-attention to a text encoder's token states [B, length, width] after the
   * residual blocks of every level and side, and after the self-attention in the middle (queries from
   * the image or latent grid, keys and values from the tokens; Rombach et al. 2022, Stable Diffusion).
   */
  text?: { width: number; length: number; heads: number };
}

/** The cross-attention layers of a text-conditional U-Net, by the level they sit at. */
const CROSS = [
  ['x1', 1],
  ['x2', 2],
  ['xm', 4],
  ['x3', 2],
  ['x4', 1],
] as const;
export type CrossAttentionLayer = (typeof CROSS)[number][0];

/** Residual blocks per level and side, [28x28, 14x14, 7x7], with the default of one each filled in. */
export function unetDepth(config: Pick<UNetConfig, 'depth'>): readonly [number, number, number] {
  return config.depth ?? [1, 1, 1];
}

/** Whether two configurations build the same network (weights of one load into the other). */
export function sameUNet(a: UNetConfig, b: UNetConfig): boolean {
  return (
    a.ch === b.ch &&
    a.size === b.size &&
    a.channels === b.channels &&
    unetDepth(a).join() === unetDepth(b).join() &&
    (a.classes ?? 0) === (b.classes ?? 0) &&
    JSON.stringify(a.text ?? null) === JSON.stringify(b.text ?? null)
  );
}

/** Presets: "classroom" trains fast enough for a live demo; "shipped" is the model in models/. */
export const UNET_PRESETS = {
  classroom: { ch: 16, groups: 8, size: 28, channels: 1 },
  shipped: { ch: 32, groups: 8, size: 28, channels: 1 },
} as const satisfies Record<string, UNetConfig>;
export type UNetPreset = keyof typeof UNET_PRESETS;

type BlockSide = 'r1' | 'r2' | 'm1' | 'm2' | 'r3' | 'r4';

/** Names of the residual blocks of one level and side: "r2", then "r2b", "r2c", … (see UNetConfig.depth). */
function blockNames(config: UNetConfig, first: BlockSide): string[] {
  const level = { r1: 0, r4: 0, r2: 1, r3: 1, m1: 2, m2: 2 }[first];
  const n = config.depth?.[level] ?? 1;
  return Array.from({ length: n }, (_, i) => (i === 0 ? first : first + String.fromCharCode(97 + i)));
}

/** Every weight of a U-Net of this configuration, in order (mirrors the forward pass). */
export function unetSpecs(config: UNetConfig): ParamSpec[] {
  const { ch, channels, depth } = config;
  if (!(Number.isInteger(config.size) && config.size >= 4 && config.size % 4 === 0))
    throw new Error(`U-Net side ${config.size}: it must divide by 4 (two 2x downsamplings and back)`);
  if (depth && (depth.length !== 3 || depth.some((d) => !Number.isInteger(d) || d < 1)))
    throw new Error(`U-Net depth ${JSON.stringify(depth)}: need three whole numbers >= 1`);
  const specs: ParamSpec[] = [];
  const conv = (name: string, k: number, ci: number, co: number) => {
    specs.push({ name: `${name}.w`, shape: [k, k, ci, co], fanIn: k * k * ci });
    specs.push({ name: `${name}.b`, shape: [co], fanIn: k * k * ci });
  };
  const linear = (name: string, i: number, o: number) => {
    specs.push({ name: `${name}.w`, shape: [i, o], fanIn: i });
    specs.push({ name: `${name}.b`, shape: [o], fanIn: i });
  };
  const norm = (name: string, c: number) => {
    specs.push({ name: `${name}.gamma`, shape: [c], fanIn: 0 });
    specs.push({ name: `${name}.beta`, shape: [c], fanIn: -1 });
  };
  const td = ch * 4;
  const res = (first: BlockSide, c: number) => {
    for (const name of blockNames(config, first)) {
      norm(`${name}.n1`, c);
      conv(`${name}.c1`, 3, c, c);
      linear(`${name}.t`, td, c);
      norm(`${name}.n2`, c);
      conv(`${name}.c2`, 3, c, c);
    }
  };
  linear('t1', ch, td);
  linear('t2', td, td);
  conv('inc', 3, channels, ch);
  res('r1', ch);
  conv('d1', 3, ch, 2 * ch);
  res('r2', 2 * ch);
  conv('d2', 3, 2 * ch, 4 * ch);
  res('m1', 4 * ch);
  norm('an', 4 * ch);
  for (const p of ['q', 'k', 'v', 'o']) linear(p, 4 * ch, 4 * ch);
  res('m2', 4 * ch);
  conv('u2', 3, 6 * ch, 2 * ch);
  res('r3', 2 * ch);
  conv('u1', 3, 3 * ch, ch);
  res('r4', ch);
  norm('on', ch);
  conv('oc', 3, ch, channels);
  if (config.classes)
    specs.push({ name: 'cls.w', shape: [config.classes + 1, td], fanIn: config.classes + 1 });
  if (config.text) {
    if (ch % config.text.heads !== 0)
      throw new Error(`U-Net width ${ch} does not divide into ${config.text.heads} heads`);
    for (const [name, mult] of CROSS) {
      const c = mult * ch;
      norm(`${name}.n`, c);
      linear(`${name}.q`, c, c);
      linear(`${name}.k`, config.text.width, c);
      linear(`${name}.v`, config.text.width, c);
      // the output projection starts at zero, so each cross-attention starts as the identity
      specs.push({ name: `${name}.o.w`, shape: [c, c], fanIn: -1 });
      specs.push({ name: `${name}.o.b`, shape: [c], fanIn: -1 });
    }
  }
  return specs;
}

export class UNet extends NamedWeights implements Denoiser {
  readonly config: UNetConfig;
  readonly sampleShape: readonly number[];
  readonly conditioning: Conditioning;
  private flops = 0;
  private countingFlops = false;

  constructor(config: UNetConfig, seed = 0) {
    super(unetSpecs(config), seed, 'the U-Net');
    this.config = config;
    this.sampleShape = [config.size, config.size, config.channels];
    if (config.classes && config.text)
      throw new Error('a U-Net is conditioned on a class or on text, not both');
    this.conditioning = config.classes
      ? { kind: 'class', classes: config.classes }
      : config.text
        ? { kind: 'text', width: config.text.width, length: config.text.length }
        : UNCONDITIONAL;
  }

  /** Where cross-attention weights are collected (crossAttentionMaps), or null. */
  private attentionSink: Map<CrossAttentionLayer, tf.Tensor3D> | null = null;

  /**
   * Cross-attention: h + o(softmax(q kᵀ/√d) v), q from GroupNorm(h) at every grid position, k and v from
   * the token states [B, L, width]. Records the weights averaged over heads, [B, H·W, L], when asked.
   */
  private applyCrossAttention(name: CrossAttentionLayer, h: tf.Tensor4D, text: tf.Tensor3D): tf.Tensor4D {
    const [b, hh, ww, c] = h.shape;
    const [, L, d] = text.shape;
    const heads = this.config.text!.heads;
    const q = tf.reshape(this.applyPointwise(`${name}.q`, this.applyNorm(`${name}.n`, h)), [
      b,
      hh * ww,
      c,
    ]) as tf.Tensor3D;
    const t2 = tf.reshape(text, [1, b * L, 1, d]) as tf.Tensor4D; // tokens as "pixels" for the 1x1 conv
    const kv = (p: string) => tf.reshape(this.applyPointwise(`${name}.${p}`, t2), [b, L, c]) as tf.Tensor3D;
    const { out, weights } = multiHeadAttention(q, kv('k'), kv('v'), heads);
    if (this.countingFlops) this.flops += 2 * (hh * ww * c * c * 2 + L * d * c * 2 + 2 * hh * ww * L * c);
    if (this.attentionSink) this.attentionSink.set(name, tf.keep(tf.mean(weights, 1) as tf.Tensor3D));
    return tf.add(
      h,
      this.applyPointwise(`${name}.o`, tf.reshape(out, [b, hh, ww, c]) as tf.Tensor4D),
    ) as tf.Tensor4D;
  }

  /**
   * The network output and every cross-attention layer's weights, averaged over heads: [B, H·W, L] per
   * layer (H·W the grid at that layer's level). The caller disposes all of it.
   */
  crossAttentionMaps(
    x: tf.Tensor,
    t: tf.Tensor1D,
    text: tf.Tensor3D,
  ): { out: tf.Tensor4D; maps: Map<CrossAttentionLayer, tf.Tensor3D> } {
    if (this.conditioning.kind !== 'text') throw new Error('this U-Net has no cross-attention');
    this.attentionSink = new Map();
    try {
      const out = this.apply(x, t, text);
      return { out, maps: this.attentionSink };
    } finally {
      this.attentionSink = null;
    }
  }

  // ---- forward ----
  private applyConv(name: string, x: tf.Tensor4D, stride = 1): tf.Tensor4D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor4D;
    const [k, , ci, co] = w.shape;
    const pad = k === 1 ? 'valid' : PAD1;
    const y = tf.add(tf.conv2d(x, w, stride, pad), this.p(`${name}.b`)) as tf.Tensor4D; // [B, H', W', co]
    if (this.countingFlops) this.flops += 2 * y.shape[1] * y.shape[2] * k * k * ci * co;
    return y;
  }

  /**
   * conv(concat([a, b], channels)) computed as conv(a, W_a) + conv(b, W_b) with W split along its input
   * channels: the same numbers, without the concat and the SplitV of its gradient (slow on WASM).
   */
  private applyConvConcat(name: string, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor4D;
    const [k, , ci, co] = w.shape;
    const ca = a.shape[3];
    const wa = tf.slice(w, [0, 0, 0, 0], [k, k, ca, co]);
    const wb = tf.slice(w, [0, 0, ca, 0], [k, k, ci - ca, co]);
    const y = tf.add(
      tf.add(tf.conv2d(a, wa, 1, PAD1), tf.conv2d(b, wb, 1, PAD1)),
      this.p(`${name}.b`),
    ) as tf.Tensor4D;
    if (this.countingFlops) this.flops += 2 * y.shape[1] * y.shape[2] * k * k * ci * co;
    return y;
  }

  /** Dense layer on a 2-D input (a broadcast 3-D matMul has a broken gradient in TF.js). */
  private applyLinear(name: string, x: tf.Tensor2D): tf.Tensor2D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor2D;
    if (this.countingFlops) this.flops += 2 * x.shape[0] * w.shape[0] * w.shape[1]; // batch 1 while counting
    return tf.add(tf.matMul(x, w), this.p(`${name}.b`)) as tf.Tensor2D;
  }

  private applyNorm(name: string, x: tf.Tensor4D): tf.Tensor4D {
    return groupNorm(x, this.p(`${name}.gamma`), this.p(`${name}.beta`), this.config.groups);
  }

  private applyResBlocks(first: BlockSide, x: tf.Tensor4D, te: tf.Tensor2D): tf.Tensor4D {
    for (const name of blockNames(this.config, first)) x = this.applyRes(name, x, te);
    return x;
  }

  private applyRes(name: string, x: tf.Tensor4D, te: tf.Tensor2D): tf.Tensor4D {
    const [b] = x.shape;
    let h = this.applyConv(`${name}.c1`, silu(this.applyNorm(`${name}.n1`, x)));
    const tproj = this.applyLinear(`${name}.t`, te); // [B, co]
    h = tf.add(h, tf.reshape(tproj, [b, 1, 1, tproj.shape[1]])) as tf.Tensor4D;
    h = this.applyConv(`${name}.c2`, silu(this.applyNorm(`${name}.n2`, h)));
    return tf.add(h, x) as tf.Tensor4D; // every block keeps its channel count, so the skip is x itself
  }

  /**
   * A dense layer applied at every pixel, as a 1x1 convolution: the same maths as a [B*H*W, C] matMul,
   * but TF.js WASM runs convolutions in XNNPACK (and their gradients through wasm-conv-grad.ts), about
   * 20x faster than its BatchMatMul for these shapes. The weight keeps the dense layer's [Ci, Co] shape.
   */
  private applyPointwise(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const w = this.p(`${name}.w`);
    const [ci, co] = w.shape as [number, number];
    if (this.countingFlops) this.flops += 2 * x.shape[1] * x.shape[2] * ci * co;
    return tf.add(
      tf.conv2d(x, tf.reshape(w, [1, 1, ci, co]) as tf.Tensor4D, 1, 'valid'),
      this.p(`${name}.b`),
    ) as tf.Tensor4D;
  }

  private applyAttention(m: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = m.shape;
    const n = h * w;
    const normed = this.applyNorm('an', m);
    const q = tf.reshape(this.applyPointwise('q', normed), [b, n, c]) as tf.Tensor3D;
    const k = tf.reshape(this.applyPointwise('k', normed), [b, n, c]) as tf.Tensor3D;
    const v = tf.reshape(this.applyPointwise('v', normed), [b, n, c]) as tf.Tensor3D;
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(c)); // [B, N, N]
    const att = tf.matMul(tf.softmax(scores), v); // [B, N, C]
    if (this.countingFlops) this.flops += 2 * 2 * n * n * c;
    const out = this.applyPointwise('o', tf.reshape(att, [b, h, w, c]) as tf.Tensor4D); // [B, H, W, C]
    return tf.add(m, out) as tf.Tensor4D;
  }

  /** Sinusoidal embedding of (possibly fractional) timesteps: [B] -> [B, ch], as the peer computes it. */
  timeEmbedding(t: tf.Tensor1D): tf.Tensor2D {
    return sinusoidalEmbedding(t, this.config.ch);
  }

  /**
   * Predict the network output (noise, or v) for x_t [B, size, size, channels] at timesteps t [B], with
   * an optional class condition [B, classes + 1] (a conditional net without one sees "no class").
   */
  apply(x: tf.Tensor, t: tf.Tensor1D, cond?: tf.Tensor): tf.Tensor4D {
    const c = this.conditioning;
    if (
      c.kind === 'text' &&
      (!cond || cond.rank !== 3 || cond.shape[1] !== c.length || cond.shape[2] !== c.width)
    )
      throw new Error(
        `a text-conditional U-Net needs token states [B, ${c.length}, ${c.width}] (the empty prompt's for no text), got ${cond ? `[${cond.shape}]` : 'none'}`,
      );
    return tf.tidy(() => {
      let te = this.applyLinear('t2', silu(this.applyLinear('t1', this.timeEmbedding(t)))); // [B, 4ch]
      if (this.conditioning.kind === 'class') {
        const b = x.shape[0]!;
        const c = cond ?? nullCondition(b, this.conditioning.classes); // [B, classes + 1]
        te = tf.add(te, tf.matMul(c as tf.Tensor2D, this.p('cls.w') as tf.Tensor as tf.Tensor2D)); // + class embedding
      }
      // cross-attention to the text after a level's blocks (the identity for a net without text)
      const text = this.conditioning.kind === 'text' ? (cond as tf.Tensor3D) : null;
      const cross = (name: CrossAttentionLayer, h: tf.Tensor4D) =>
        text ? this.applyCrossAttention(name, h, text) : h;
      const h0 = this.applyConv('inc', x as tf.Tensor4D); // [B, 28, 28, ch]
      const h1 = cross('x1', this.applyResBlocks('r1', h0, te));
      const h2 = cross('x2', this.applyResBlocks('r2', this.applyConv('d1', h1, 2), te)); // [B, 14, 14, 2ch]
      let m = this.applyResBlocks('m1', this.applyConv('d2', h2, 2), te); // [B, 7, 7, 4ch]
      m = cross('xm', this.applyAttention(m));
      m = this.applyResBlocks('m2', m, te);
      let u = this.applyConvConcat('u2', upsample2x(m), h2); // conv of [B, 14, 14, 4ch + 2ch] -> [B, 14, 14, 2ch]
      u = cross('x3', this.applyResBlocks('r3', u, te));
      u = this.applyConvConcat('u1', upsample2x(u), h1); // conv of [B, 28, 28, 2ch + ch] -> [B, 28, 28, ch]
      u = cross('x4', this.applyResBlocks('r4', u, te));
      return this.applyConv('oc', silu(this.applyNorm('on', u))); // [B, 28, 28, 1]
    });
  }

  /** Multiply-adds x2 of one forward pass for one image (convs, dense layers, attention). */
  flopsPerImage(): number {
    this.flops = 0;
    this.countingFlops = true;
    const { size, channels, text } = this.config;
    const cond = text ? tf.zeros([1, text.length, text.width]) : undefined;
    tf.dispose(tf.tidy(() => this.apply(tf.zeros([1, size, size, channels]), tf.zeros([1]), cond)));
    cond?.dispose();
    this.countingFlops = false;
    return this.flops;
  }
}
