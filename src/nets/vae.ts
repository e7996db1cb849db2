/**
 * A variational autoencoder for 28x28 digits (Kingma & Welling 2014), the pixel-space generative model a
 * textbook means (not the latent-diffusion autoencoder of ./autoencoder.ts, which keeps a whole 7x7 grid
 * and needs a diffusion model to sample from): an encoder q(z|x) = N(μ(x), σ²(x)) over a small code z,
 * a prior p(z) = N(0, I) and a Gaussian decoder p(x|z) = N(μ_θ(z), s² I) whose noise level s is one
 * learned number (the "σ-VAE" of Rybkin, Daniilidis & Levine 2021, which calibrates the decoder instead of fixing s by
 * hand). Sampling is z ~ N(0, I) then the decoder's mean μ_θ(z), or that mean plus its noise s·ε.
 *
 *   encoder: conv3x3/2 1->c (14) -> SiLU -> conv3x3/2 c->2c (7) -> SiLU -> dense to 2Z (μ, log σ²)
 *   decoder: dense Z -> 7x7x2c -> SiLU -> [2x up -> conv3x3 -> SiLU] 7->14 (c), 14->28 (c/2) -> conv3x3 to 1
 */
import * as tf from '@tensorflow/tfjs-core';
import { NamedWeights, type ParamSpec } from './named-weights';
import { dense, silu, upsample2x, PAD1, PAD_DOWN } from './layers';

export interface VaeConfig {
  /** Width of the code z. */
  latent: number;
  /** Channels at 14x14 (7x7 has 2c, the decoder's 28x28 c/2). */
  ch: number;
}

export function vaeSpecs(c: VaeConfig): ParamSpec[] {
  if (c.ch % 2) throw new Error(`VAE channels must be even, got ${c.ch}`);
  const specs: ParamSpec[] = [];
  const conv = (name: string, ci: number, co: number) =>
    specs.push(
      { name: `${name}.w`, shape: [3, 3, ci, co], fanIn: 9 * ci },
      { name: `${name}.b`, shape: [co], fanIn: 9 * ci },
    );
  const flat = 7 * 7 * 2 * c.ch;
  conv('e.c1', 1, c.ch);
  conv('e.c2', c.ch, 2 * c.ch);
  specs.push(
    { name: 'e.out.w', shape: [flat, 2 * c.latent], fanIn: flat },
    { name: 'e.out.b', shape: [2 * c.latent], fanIn: flat },
    { name: 'd.in.w', shape: [c.latent, flat], fanIn: c.latent },
    { name: 'd.in.b', shape: [flat], fanIn: c.latent },
  );
  conv('d.up1', 2 * c.ch, c.ch);
  conv('d.up2', c.ch, c.ch / 2);
  conv('d.out', c.ch / 2, 1);
  // log s of the decoder's Gaussian, starting at s = 1 (a zero init)
  specs.push({ name: 'd.logScale', shape: [1], fanIn: -1 });
  return specs;
}

export class Vae extends NamedWeights {
  readonly imageShape = [28, 28, 1] as const;

  constructor(
    readonly config: VaeConfig,
    seed = 0,
  ) {
    super(vaeSpecs(config), seed, 'the VAE');
  }

  private conv(name: string, x: tf.Tensor4D, stride: 1 | 2 = 1): tf.Tensor4D {
    const w = this.p(`${name}.w`) as unknown as tf.Tensor4D;
    return tf.add(
      tf.conv2d(x, w, stride, stride === 1 ? PAD1 : PAD_DOWN),
      this.p(`${name}.b`),
    ) as tf.Tensor4D;
  }

  /** q(z|x) for images [B, 28, 28, 1] in [-1, 1]: mean and log-variance [B, Z] (clamped to [-30, 20]). */
  encode(x: tf.Tensor): { mean: tf.Tensor2D; logvar: tf.Tensor2D } {
    return tf.tidy(() => {
      const b = x.shape[0]!;
      let h = silu(this.conv('e.c1', x as tf.Tensor4D, 2));
      h = silu(this.conv('e.c2', h, 2));
      const out = tf.add(dense(tf.reshape(h, [b, -1]) as tf.Tensor2D, this.p('e.out.w')), this.p('e.out.b'));
      const z = this.config.latent;
      return {
        mean: tf.slice(out, [0, 0], [b, z]) as tf.Tensor2D,
        logvar: tf.clipByValue(tf.slice(out, [0, z], [b, z]), -30, 20) as tf.Tensor2D,
      };
    });
  }

  /** The decoder's mean μ_θ(z) [B, 28, 28, 1] for codes z [B, Z] (not clipped). */
  decode(z: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const b = z.shape[0]!;
      const h0 = tf.add(dense(z as tf.Tensor2D, this.p('d.in.w')), this.p('d.in.b'));
      let h = silu(tf.reshape(h0, [b, 7, 7, 2 * this.config.ch])) as tf.Tensor4D;
      h = silu(this.conv('d.up1', upsample2x(h)));
      h = silu(this.conv('d.up2', upsample2x(h)));
      return this.conv('d.out', h);
    });
  }

  /** log s, the decoder's learned noise level (a scalar tensor). */
  logScale(): tf.Scalar {
    return tf.reshape(this.p('d.logScale'), []) as tf.Scalar;
  }
}
