/**
 * Browser side of `npm run bench`: imported into a Chromium page by Playwright, it times training
 * steps and denoising steps of the U-Net, and the latent lesson's sampling, on one TF.js backend with
 * the same code the lessons use.
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist';
import { DdpmSampler } from '../diffusion/ddpm';
import { makeSchedule } from '../diffusion/schedule';
import { UNet, UNET_PRESETS, type UNetPreset } from '../nets/unet';
import { sampleDdpm } from '../pipelines/ddpm-sample';
import { initBackend, type BackendName } from '../runtime/backend';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG } from '../train/ddpm-trainer';
import { mnistTrainData } from '../data/train-data';
import { makeSampler } from '../diffusion/samplers';
import { fetchAutoencoder } from '../nets/load-autoencoder';
import { fetchDdpm, modelSampling } from '../nets/load';
import { modelDir, SHIPPED_MODELS, type ShippedModel } from '../nets/registry';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { fetchTextToImage, shippedTextToImageSource, textToImage } from '../pipelines/text-to-image';

export interface PageBench {
  backend: string;
  device: string;
  preset: UNetPreset;
  batch: number;
  msPerTrainStep: number;
  imagesPerSecond: number;
  msPerDenoiseStep16: number;
  tfMB: number;
}

export async function benchBackend(
  name: BackendName,
  preset: UNetPreset,
  batch: number,
  steps: number,
): Promise<PageBench | string> {
  const info = await initBackend(name);
  if (info.name !== name) return `${name} unavailable: ${info.skipped.map((s) => s.reason).join('; ')}`;
  const data = await loadMnist('test');
  const tr = new DdpmTrainer({ ...DEFAULT_TRAIN_CONFIG, preset, batch }, mnistTrainData(data));
  for await (const _ of tr.run(1, { readEvery: 1 })) void _;
  let t0 = performance.now();
  for await (const _ of tr.run(steps, { readEvery: steps })) void _;
  const msTrain = (performance.now() - t0) / steps;
  const tfMB = (tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number }).numBytes / 1e6;
  tr.dispose();
  const net = new UNet(UNET_PRESETS[preset]);
  const sampler = new DdpmSampler(makeSchedule({ kind: 'linear' }));
  const n = 4;
  sampler.setTimesteps(n + 1);
  t0 = 0;
  for await (const f of sampleDdpm(net, sampler, { n: 16, seed: 0 }))
    if (f.index === 0) t0 = performance.now();
  const msDenoise = (performance.now() - t0) / n;
  net.dispose();
  return {
    backend: name,
    device: info.device,
    preset,
    batch,
    msPerTrainStep: msTrain,
    imagesPerSecond: (1000 * batch) / msTrain,
    msPerDenoiseStep16: msDenoise,
    tfMB,
  };
}

/** The backend asked for, started, or why it could not be (a bench row then says so). */
async function startBackendFor(name: BackendName): Promise<Awaited<ReturnType<typeof initBackend>> | string> {
  const info = await initBackend(name);
  return info.name === name ? info : `${name} unavailable: ${info.skipped.map((s) => s.reason).join('; ')}`;
}

/**
 * The latent lesson's sampling on one backend: the shipped latent DDPM and autoencoder, 16 digits in
 * `steps` DDIM steps, decoding included (median of `repeats` runs after one warm-up run).
 */
export async function benchLatentSampling(
  name: BackendName,
  steps: number,
  repeats: number,
): Promise<{ device: string; ms: number[] } | string> {
  const info = await startBackendFor(name);
  if (typeof info === 'string') return info;
  const folder = (m: ShippedModel) => new URL(`${modelDir(m)}/`, document.baseURI).href;
  const [ae, ldm] = await Promise.all([
    fetchAutoencoder(folder(SHIPPED_MODELS.autoencoderMnist)),
    fetchDdpm(folder(SHIPPED_MODELS.ldmMnist)),
  ]);
  const codec = new LatentCodec(ae.net, ae.meta.latentScale!);
  const run = async () => {
    const sampler = makeSampler(
      { sampler: 'ddim', steps },
      makeSchedule(ldm.meta.schedule),
      modelSampling(ldm.meta),
    );
    const t0 = performance.now();
    let z: Float32Array = new Float32Array(0);
    for await (const f of sampleDdpm(ldm.net, sampler, { n: 16, seed: 0, every: steps })) z = f.x;
    await decodeLatents(codec, z, 16);
    return performance.now() - t0;
  };
  await run();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) ms.push(await run());
  ae.net.dispose();
  ldm.net.dispose();
  return { device: info.device, ms };
}

/**
 * The text-to-image lesson's drawing on one backend: the shipped tokenizer, text encoder, text-to-image
 * U-Net and decoder, 4 images in `steps` DDIM steps with guidance (both predictions in one batched call
 * per step), the prompt's encoding and the final decoding included (median of `repeats` runs after one
 * warm-up run).
 */
export async function benchTextToImage(
  name: BackendName,
  steps: number,
  repeats: number,
): Promise<{ device: string; ms: number[] } | string> {
  const info = await startBackendFor(name);
  if (typeof info === 'string') return info;
  const models = await fetchTextToImage(shippedTextToImageSource(document.baseURI));
  const run = async () => {
    const sampler = makeSampler({ sampler: 'ddim', steps }, models.schedule, {
      prediction: models.prediction,
      clipSample: false,
    });
    const t0 = performance.now();
    for await (const f of textToImage(models, sampler, {
      prompt: 'a thick 7 leaning right',
      guidance: 3,
      n: 4,
      seed: 0,
      previews: false,
    }))
      void f;
    return performance.now() - t0;
  };
  await run();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) ms.push(await run());
  models.codec.autoencoder.dispose();
  models.unet.dispose();
  models.clip.dispose();
  return { device: info.device, ms };
}
