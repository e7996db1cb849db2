/**
 * A DCGAN-style generative adversarial network for 28x28 digits (Goodfellow et al. 2014; Radford et al.
 * 2016): a generator G that maps a Gaussian code z to an image in one pass, and a discriminator D that
 * scores an image as real or made. Both live in one set of named weights ("g.*" and "d.*") so that one
 * checkpoint holds the whole game; the trainer (src/train/gan-trainer.ts) updates each player with the
 * gradients of its own loss only.
 *
 * Layout (NHWC). Upsampling is nearest-neighbour then a 3x3 convolution rather than a transposed
 * convolution (no checkerboard artefacts, Odena et al. 2016, and a gradient that exists on every backend):
 *   G: z [B, Z] -> dense to 7x7x2c -> ReLU -> [2x up -> conv3x3 -> ReLU] 7->14 (c), 14->28 (c/2)
 *      -> conv3x3 to 1 -> tanh                                                 (pixels in [-1, 1])
 *   D: convKxK/2 1->d (14) -> LReLU -> convKxK/2 d->2d (7) -> LReLU [-> conv3x3 2d->2d (7) -> LReLU]
 *      -> dense to 1 (a logit: D(x) = sigmoid(logit) is the probability that x is real)
 * K = 3 with two convolutions gives each 7x7 feature a 7-pixel window, a stroke's worth; K = 5 and the
 * third convolution widen it to 21 pixels, most of a digit, so D can judge shapes and not only strokes
 * (the trainer's default: the same steps reach a far lower FID, models/gan-mnist/README.md).
 * No batch normalisation: its statistics would mix real and made images in one batch, and the
 * generator's EMA (the trainer's) stabilises samples without it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NamedWeights, type ParamSpec } from './named-weights';
import { dense, upsample2x, PAD1, PAD_DOWN } from './layers';

export interface GanConfig {
  /** Width of the code z. */
  latent: number;
  /** Generator channels at 14x14 (7x7 has 2c, 28x28 c/2). */
  gch: number;
  /** Discriminator channels at 14x14 (7x7 has 2d). */
  dch: number;
  /**
   * Normalisation in the generator: "pixel" divides each position's feature vector by its root mean
   * square (Karras et al. 2018), which keeps the generator's activations from drifting without batch
   * statistics; absent: none.
   */
  gNorm?: 'pixel';
  /** The discriminator's kernel size (odd; default 3). A wider kernel sees more of a digit per feature. */
  dKernel?: number;
  /**
   * The discriminator's convolutions (default 2): 3 adds a stride-1 convolution at 7x7 (2d to 2d
   * channels) before the logit, so each feature sees the digit's strokes together, not one stroke.
   */
  dDepth?: number;
}

export const GAN_SIDE = 28;

/** The discriminator's kernel size and number of convolutions, with their defaults (3 and 2) filled in. */
export function discriminatorShape(c: GanConfig): { kernel: number; depth: number } {
  return { kernel: c.dKernel ?? 3, depth: c.dDepth ?? 2 };
}

export function ganSpecs(c: GanConfig): ParamSpec[] {
  if (c.gch % 2) throw new Error(`GAN generator channels must be even, got ${c.gch}`);
  const specs: ParamSpec[] = [];
  const { kernel: dk, depth } = discriminatorShape(c);
  if (dk % 2 === 0 || dk < 3)
    throw new Error(`GAN discriminator kernel must be odd and at least 3, got ${dk}`);
  if (depth !== 2 && depth !== 3) throw new Error(`GAN discriminator depth must be 2 or 3, got ${depth}`);
  const conv = (name: string, ci: number, co: number, k = 3) =>
    specs.push(
      { name: `${name}.w`, shape: [k, k, ci, co], fanIn: k * k * ci },
      { name: `${name}.b`, shape: [co], fanIn: k * k * ci },
    );
  const top = 2 * c.gch;
  specs.push(
    { name: 'g.in.w', shape: [c.latent, 7 * 7 * top], fanIn: c.latent },
    { name: 'g.in.b', shape: [7 * 7 * top], fanIn: c.latent },
  );
  conv('g.up1', top, c.gch);
  conv('g.up2', c.gch, c.gch / 2);
  conv('g.out', c.gch / 2, 1);
  conv('d.c0', 1, c.dch, dk);
  conv('d.c1', c.dch, 2 * c.dch, dk);
  if (depth === 3) conv('d.c2', 2 * c.dch, 2 * c.dch, 3);
  specs.push(
    { name: 'd.out.w', shape: [7 * 7 * 2 * c.dch, 1], fanIn: 7 * 7 * 2 * c.dch },
    { name: 'd.out.b', shape: [1], fanIn: -1 },
  );
  return specs;
}

/** x / sqrt(mean over channels of x² + 1e-8), at every position of every image. */
export function pixelNorm(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), 3, true), 1e-8)));
}

export class Gan extends NamedWeights {
  readonly imageShape = [GAN_SIDE, GAN_SIDE, 1] as const;

  constructor(
    readonly config: GanConfig,
    seed = 0,
  ) {
    super(ganSpecs(config), seed, 'the GAN');
  }

  /** The generator's weights alone (for its optimiser step). */
  get generatorNames(): string[] {
    return [...this.params.keys()].filter((k) => k.startsWith('g.'));
  }

  get discriminatorNames(): string[] {
    return [...this.params.keys()].filter((k) => k.startsWith('d.'));
  }

  private conv(name: string, x: tf.Tensor4D, stride: 1 | 2 = 1): tf.Tensor4D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor4D;
    const k = w.shape[0];
    // 3x3: PAD1 keeps the size, PAD_DOWN halves it exactly; a k x k kernel pads (k - 1) / 2 more a side
    const e = (k - 3) / 2;
    const grow = (p: typeof PAD1): typeof PAD1 => [
      p[0],
      [p[1][0] + e, p[1][1] + e],
      [p[2][0] + e, p[2][1] + e],
      p[3],
    ];
    return tf.add(
      tf.conv2d(x, w, stride, grow(stride === 1 ? PAD1 : PAD_DOWN)),
      this.p(`${name}.b`),
    ) as tf.Tensor4D;
  }

  /** Images [B, 28, 28, 1] in [-1, 1] for codes z [B, Z]. */
  generate(z: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const b = z.shape[0]!;
      const top = 2 * this.config.gch;
      const h0 = tf.add(dense(z as tf.Tensor2D, this.p('g.in.w')), this.p('g.in.b'));
      const act = (x: tf.Tensor4D) => tf.relu(this.config.gNorm === 'pixel' ? pixelNorm(x) : x);
      let h = act(tf.reshape(h0, [b, 7, 7, top]));
      h = act(this.conv('g.up1', upsample2x(h)));
      h = act(this.conv('g.up2', upsample2x(h)));
      return tf.tanh(this.conv('g.out', h));
    });
  }

  /** The discriminator's logit [B] for images [B, 28, 28, 1]: positive means "real". */
  discriminate(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const b = x.shape[0]!;
      let h = tf.leakyRelu(this.conv('d.c0', x as tf.Tensor4D, 2), 0.2);
      h = tf.leakyRelu(this.conv('d.c1', h, 2), 0.2);
      if (discriminatorShape(this.config).depth === 3) h = tf.leakyRelu(this.conv('d.c2', h), 0.2);
      const flat = tf.reshape(h, [b, -1]) as tf.Tensor2D;
      return tf.reshape(tf.add(dense(flat, this.p('d.out.w')), this.p('d.out.b')), [b]);
    });
  }
}
