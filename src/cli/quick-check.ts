/**
 * The quick look at a model in training used by `npm run probe` and `npm run train -- compare`: samples
 * (100 by default, seed 7; 100-step respaced DDPM unless told) judged by the project's classifier, decoded
 * first for a latent model.
 */
import type { Prediction } from '../diffusion/ddpm';
import { makeSampler, type SamplerSpec } from '../diffusion/samplers';
import type { NoiseSchedule } from '../diffusion/schedule';
import { classify, summarizeProbs } from '../metrics/evaluate';
import type { MnistClassifier } from '../nets/classifier';
import type { Denoiser } from '../nets/denoiser';
import { sampleImages } from '../pipelines/ddpm-sample';

export interface QuickCheckOptions {
  n?: number;
  spec?: SamplerSpec;
  clipSample?: boolean;
  /** Latent models: turn n sampled latents into n digits. */
  decode?: (latents: Float32Array, n: number) => Promise<Float32Array>;
}

export async function quickCheck(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: Prediction,
  classifier: MnistClassifier,
  o: QuickCheckOptions = {},
): Promise<{ counts: number[]; confident: number; meanConfidence: number }> {
  const n = o.n ?? 100;
  const sampler = makeSampler(o.spec ?? { sampler: 'ddpm', steps: 100 }, schedule, {
    prediction,
    clipSample: o.clipSample ?? true,
  });
  const x = await sampleImages(net, sampler, n, 7, 100);
  const { probs } = await classify(classifier, o.decode ? await o.decode(x, n) : x);
  return summarizeProbs(probs, n);
}
