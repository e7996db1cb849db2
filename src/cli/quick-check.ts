/**
 * The quick look at a model in training used by `npm run probe` and `npm run train -- compare`: 100 samples
 * (100-step respaced DDPM, seed 7) judged by the project's classifier.
 */
import { DdpmSampler, type Prediction } from '../diffusion/ddpm';
import type { NoiseSchedule } from '../diffusion/schedule';
import { classify, summarizeProbs } from '../metrics/evaluate';
import type { MnistClassifier } from '../nets/classifier';
import type { Denoiser } from '../nets/denoiser';
import { sampleDdpm } from '../pipelines/ddpm-sample';

export async function quickCheck(
  net: Denoiser,
  schedule: NoiseSchedule,
  prediction: Prediction,
  classifier: MnistClassifier,
): Promise<{ counts: number[]; confident: number; meanConfidence: number }> {
  const sampler = new DdpmSampler(schedule, { prediction });
  sampler.setTimesteps(100);
  let x: Float32Array = new Float32Array(0);
  for await (const f of sampleDdpm(net, sampler, { n: 100, seed: 7, every: 100 })) x = f.x;
  const { probs } = await classify(classifier, x);
  return summarizeProbs(probs, 100);
}
