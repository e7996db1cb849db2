/** One row of the evaluation suite's results (src/metrics/evaluate.ts), as stored in eval.json. TF.js-free. */
import type { SamplerSpec } from '../diffusion/samplers';

/**
 * What made a row's images, as data (rows are found by these fields, never by their display label):
 * real digits of a split, or a shipped model's weights at a training step, sampled with a sampler.
 */
export type EvalSource =
  | { kind: 'real'; split: 'train' | 'test' }
  | ({ kind: 'model'; model: string; modelStep: number } & SamplerSpec)
  /**
   * A one-pass generator: a GAN's generator (alone, or the best of `bestOf` codes per digit by its
   * discriminator), or a VAE's decoder as its mean or as a draw with its noise.
   */
  | {
      kind: 'one-pass';
      model: string;
      modelStep: number;
      draw: 'generator' | 'best-of' | 'mean' | 'sample';
      bestOf?: number;
    };

export interface EvalResult {
  /** Display label, e.g. "DDPM 1000 steps (step 43569 EMA weights)". */
  generator: string;
  /** What made the images (absent in the steps-vs-quality table, whose rows carry their sampler). */
  source?: EvalSource;
  samples: number;
  fid: number;
  /** FID of real training digits against the test set, same sample count: the best a generator can hope for. */
  fidRealFloor: number;
  precision: number;
  recall: number;
  /** Share of samples per predicted class. */
  classShares: number[];
  /** Share of samples the classifier labels with probability > 0.9. */
  confidentShare: number;
  meanConfidence: number;
  secondsPerImage: number;
}
