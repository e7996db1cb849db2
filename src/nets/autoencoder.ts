/**
 * A KL-regularised convolutional autoencoder, as the first stage of latent diffusion (Rombach et al.
 * 2022, §3 and appendix G): the encoder maps a 28x28x1 digit to a Gaussian over a small latent grid (the
 * mean and log-variance of each latent entry), the decoder maps a latent back to pixels. Trained with a
 * reconstruction loss and a small KL term towards N(0, I) that keeps the latent space smooth without
 * squeezing information out of it (autoencoderLoss in src/train/autoencoder-trainer.ts). The diffusion model then works on
 * `scale * mean`, where `scale` makes those latents unit-variance on the training set (the role of
 * Stable Diffusion's 0.18215).
 *
 * Layout (NHWC), with `down` stride-2 stages (f = 2^down; 28x28 -> 14x14 -> 7x7):
 *   encoder: conv3x3 -> res -> [conv3x3/2 -> res] x down -> GroupNorm, SiLU -> conv3x3 to 2C (mean, logvar)
 *   decoder: conv3x3 from C -> res -> [2x nearest upsample -> conv3x3 -> res] x down -> GroupNorm, SiLU -> conv3x3 to 1
 * Residual blocks are GroupNorm-SiLU-conv twice plus the input, as in the latent-diffusion autoencoder;
 * no attention (at 7x7 the convolutions already see the whole digit).
 */
import * as tf from '@tensorflow/tfjs-core';
import { NamedWeights, type ParamSpec } from './named-weights';
import { groupNorm, silu, upsample2x, PAD1 } from './layers';

export interface AutoencoderConfig {
  /** Channels at full resolution; the lower levels have 2ch. */
  ch: number;
  /** Latent channels C. */
  latent: number;
  /** Stride-2 stages: 1 (14x14xC latents) or 2 (7x7xC). */
  down: 1 | 2;
  /** GroupNorm groups. */
  groups: number;
  /** Image side and channels (28, 1 for MNIST). */
  size: number;
  channels: number;
}

/** The latent grid's shape [side, side, C] for a configuration. */
export function latentShape(config: AutoencoderConfig): [number, number, number] {
  const side = config.size / 2 ** config.down;
  return [side, side, config.latent];
}

function levelChannels(config: AutoencoderConfig, level: number): number {
  return level === 0 ? config.ch : 2 * config.ch;
}

/** Every weight of an autoencoder of this configuration, in order (encoder, then decoder). */
export function autoencoderSpecs(config: AutoencoderConfig): ParamSpec[] {
  const { channels, latent, down } = config;
  if (!(config.size % 2 ** down === 0))
    throw new Error(`autoencoder side ${config.size} does not halve ${down} times`);
  if (![1, 2].includes(down)) throw new Error(`autoencoder down ${down}: 1 or 2`);
  const specs: ParamSpec[] = [];
  const conv = (name: string, ci: number, co: number) => {
    specs.push({ name: `${name}.w`, shape: [3, 3, ci, co], fanIn: 9 * ci });
    specs.push({ name: `${name}.b`, shape: [co], fanIn: 9 * ci });
  };
  const norm = (name: string, c: number) => {
    specs.push({ name: `${name}.gamma`, shape: [c], fanIn: 0 });
    specs.push({ name: `${name}.beta`, shape: [c], fanIn: -1 });
  };
  const res = (name: string, c: number) => {
    norm(`${name}.n1`, c);
    conv(`${name}.c1`, c, c);
    norm(`${name}.n2`, c);
    conv(`${name}.c2`, c, c);
  };
  const top = levelChannels(config, down);
  // encoder
  conv('e.in', channels, config.ch);
  res('e.r0', config.ch);
  for (let l = 1; l <= down; l++) {
    conv(`e.d${l}`, levelChannels(config, l - 1), levelChannels(config, l));
    res(`e.r${l}`, levelChannels(config, l));
  }
  norm('e.out.n', top);
  conv('e.out', top, 2 * latent);
  // decoder
  conv('d.in', latent, top);
  res(`d.r${down}`, top);
  for (let l = down; l >= 1; l--) {
    conv(`d.u${l}`, levelChannels(config, l), levelChannels(config, l - 1));
    res(`d.r${l - 1}`, levelChannels(config, l - 1));
  }
  norm('d.out.n', config.ch);
  conv('d.out', config.ch, channels);
  return specs;
}

export class Autoencoder extends NamedWeights {
  readonly config: AutoencoderConfig;
  /** Shape of one image [28, 28, 1] and of one latent [7, 7, C]. */
  readonly imageShape: readonly number[];
  readonly latentShape: readonly number[];
  private flops = 0;
  private countingFlops = false;

  constructor(config: AutoencoderConfig, seed = 0) {
    super(autoencoderSpecs(config), seed, 'the autoencoder');
    this.config = config;
    this.imageShape = [config.size, config.size, config.channels];
    this.latentShape = latentShape(config);
  }

  private conv(name: string, x: tf.Tensor4D, stride = 1): tf.Tensor4D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor4D;
    const y = tf.add(tf.conv2d(x, w, stride, PAD1), this.p(`${name}.b`)) as tf.Tensor4D;
    if (this.countingFlops) this.flops += 2 * y.shape[1] * y.shape[2] * 9 * w.shape[2] * w.shape[3];
    return y;
  }

  private normAct(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const h = groupNorm(x, this.p(`${name}.gamma`), this.p(`${name}.beta`), this.config.groups);
    return silu(h);
  }

  private res(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const h = this.conv(`${name}.c1`, this.normAct(`${name}.n1`, x));
    return tf.add(x, this.conv(`${name}.c2`, this.normAct(`${name}.n2`, h)));
  }

  /**
   * The posterior of each image [B, 28, 28, 1] (pixels in [-1, 1]): mean and log-variance [B, h, w, C].
   * The log-variance is clamped to [-30, 20], as in the latent-diffusion code, so exp() stays finite.
   */
  encode(x: tf.Tensor): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
    return tf.tidy(() => {
      const { down, latent } = this.config;
      let h = this.res('e.r0', this.conv('e.in', x as tf.Tensor4D));
      for (let l = 1; l <= down; l++) h = this.res(`e.r${l}`, this.conv(`e.d${l}`, h, 2));
      const out = this.conv('e.out', this.normAct('e.out.n', h)); // [B, h, w, 2C]
      const [b, hh, ww] = out.shape;
      const mean = tf.slice(out, [0, 0, 0, 0], [b, hh, ww, latent]);
      const logvar = tf.clipByValue(tf.slice(out, [0, 0, 0, latent], [b, hh, ww, latent]), -30, 20);
      return { mean, logvar };
    });
  }

  /** Pixels [B, 28, 28, 1] (about [-1, 1], not clipped) for latents [B, h, w, C] (unscaled). */
  decode(z: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const { down } = this.config;
      let h = this.res(`d.r${down}`, this.conv('d.in', z as tf.Tensor4D));
      for (let l = down; l >= 1; l--) h = this.res(`d.r${l - 1}`, this.conv(`d.u${l}`, upsample2x(h)));
      return this.conv('d.out', this.normAct('d.out.n', h));
    });
  }

  /** Multiply-adds x2 of encoding and of decoding one image. */
  flopsPerImage(): { encode: number; decode: number } {
    this.countingFlops = true;
    try {
      this.flops = 0;
      const [h, w, c] = this.latentShape as [number, number, number];
      tf.tidy(() => void this.encode(tf.zeros([1, ...this.imageShape])));
      const encode = this.flops;
      this.flops = 0;
      tf.tidy(() => void this.decode(tf.zeros([1, h, w, c])));
      return { encode, decode: this.flops };
    } finally {
      this.countingFlops = false;
    }
  }
}
