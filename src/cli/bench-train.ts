/**
 * Training and sampling speed of the DDPM U-Net: TF.js WASM in Node (same code as the browser) and the
 * PyTorch peer (scripts/peer/unet_torch.py, the same network layer for layer) when python3-torch exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadMnistNode } from '../data/mnist-node';
import { DdpmSampler } from '../diffusion/ddpm';
import { makeSchedule } from '../diffusion/schedule';
import { UNet, UNET_PRESETS, type UNetConfig, type UNetPreset } from '../nets/unet';
import { sampleDdpm } from '../pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG } from '../train/ddpm-trainer';
import { startGradientWorkers } from './gradient-workers';
import { arrayTrainData, mnistTrainData } from '../data/train-data';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampler } from '../diffusion/samplers';
import type { Sampler } from '../diffusion/sampler';
import { Autoencoder } from '../nets/autoencoder';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { DEFAULT_AUTOENCODER_TRAIN_CONFIG } from '../train/autoencoder-trainer';

export interface TrainBench {
  preset: UNetPreset;
  batch: number;
  msPerStep: number;
  imagesPerSecond: number;
  /** Bytes held by TF.js after the steps (weights, EMA, Adam moments). */
  tfMB: number;
}

/** Training speed on the WASM backend; `workers` extra threads share each batch (train --workers). */
export async function benchNodeTraining(
  preset: UNetPreset,
  batch: number,
  steps: number,
  workers = 0,
  unet?: UNetConfig,
): Promise<TrainBench> {
  await initNodeBackend('wasm');
  const tr = new DdpmTrainer(
    { ...DEFAULT_TRAIN_CONFIG, preset, batch, unet },
    mnistTrainData(loadMnistNode('test')),
  );
  const pool = workers ? await startGradientWorkers(workers, tr.config) : null;
  const helpers = pool?.helpers;
  for await (const _ of tr.run(1, { readEvery: 1, helpers })) void _; // warm-up (kernel set-up)
  const t0 = performance.now();
  for await (const _ of tr.run(steps, { readEvery: steps, helpers })) void _;
  const ms = (performance.now() - t0) / steps;
  const tfMB = tf.memory().numBytes / 1e6;
  await pool?.close();
  tr.dispose();
  return { preset, batch, msPerStep: ms, imagesPerSecond: (1000 * batch) / ms, tfMB };
}

/** ms per denoising step (one network call + sampler step) for a batch. */
export async function benchNodeDenoise(preset: UNetPreset, batch: number, steps: number): Promise<number> {
  await initNodeBackend('wasm');
  const net = new UNet(UNET_PRESETS[preset]);
  const sampler = new DdpmSampler(makeSchedule({ kind: 'linear' }));
  sampler.setTimesteps(steps + 1);
  let t0 = 0;
  for await (const f of sampleDdpm(net, sampler, { n: batch, seed: 0, every: 1 })) {
    if (f.index === 0) {
      t0 = performance.now(); // time from the end of the first (warm-up) step
    }
  }
  const ms = (performance.now() - t0) / steps;
  net.dispose();
  return ms;
}

export interface PeerBench {
  threads: number;
  msPerStep: number;
  fwdMsPerBatch: number;
  params: number;
}

/** The PyTorch peer, or the reason it did not run (Debian's python3-torch missing); `depth` as UNetConfig.depth. */
export function benchPeer(
  batch: number,
  steps: number,
  ch: number,
  threads: number,
  depth?: readonly number[],
): PeerBench | string {
  const py = ['/usr/bin/python3', 'python3'].find((p) => p === 'python3' || existsSync(p))!;
  const args = [String(batch), String(steps), String(ch), ...(depth ? [depth.join(',')] : [])];
  try {
    const out = execFileSync(py, ['scripts/peer/unet_torch.py', ...args], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!.replace(/'/g, '"')) as {
      threads: number;
      msPerStep: number;
      fwdMsPerBatch: number;
      params: number;
    };
    return { threads: r.threads, msPerStep: r.msPerStep, fwdMsPerBatch: r.fwdMsPerBatch, params: r.params };
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? (e as Error).message);
    return /No module named 'torch'/.test(msg)
      ? 'python3-torch is not installed (apt-get install python3-torch)'
      : `peer failed: ${msg.slice(0, 200)}`;
  }
}

export interface LatentBench {
  /** ms per training step of the latent U-Net (8x8x4, the given width) at the batch. */
  trainMs: number;
  /** ms per denoising step (network call + sampler step) of 16 latents. */
  denoiseMs16: number;
  /** ms to decode 16 latents to digits with the autoencoder (the shipped one when present). */
  decodeMs16: number;
  /** ms for 20-step DDIM sampling of 16 latents, decoding included. */
  sample20Ms16: number;
}

/** The latent DDPM's costs, on the WASM backend, for comparing with the pixel ones of the same run. */
export async function benchNodeLatent(unet: UNetConfig, batch: number, steps: number): Promise<LatentBench> {
  await initNodeBackend('wasm');
  const shape = [unet.size, unet.size, unet.channels];
  const per = shape.reduce((a, b) => a * b, 1);
  const data = arrayTrainData(
    Float32Array.from({ length: 256 * per }, (_, i) => Math.sin(i)),
    shape,
  );
  const tr = new DdpmTrainer({ ...DEFAULT_TRAIN_CONFIG, unet, batch, clipSample: false }, data);
  for await (const _ of tr.run(1, { readEvery: 1 })) void _;
  let t0 = performance.now();
  for await (const _ of tr.run(steps, { readEvery: steps })) void _;
  const trainMs = (performance.now() - t0) / steps;
  const dir = modelDir(SHIPPED_MODELS.autoencoderMnist);
  const ae = existsSync(join(dir, 'model.json'))
    ? loadAutoencoder(
        readFileSync(join(dir, 'model.json'), 'utf8'),
        new Uint8Array(readFileSync(join(dir, 'weights.bin'))),
      ).net
    : new Autoencoder(DEFAULT_AUTOENCODER_TRAIN_CONFIG.autoencoder);
  const codec = new LatentCodec(ae, 1);
  const z = Float32Array.from({ length: 16 * per }, (_, i) => Math.cos(i));
  await decodeLatents(codec, z, 16); // warm-up
  t0 = performance.now();
  for (let i = 0; i < steps; i++) await decodeLatents(codec, z, 16);
  const decodeMs16 = (performance.now() - t0) / steps;
  const timeSampling = async (sampler: Sampler) => {
    const t = performance.now();
    let last: Float32Array = new Float32Array(0);
    for await (const f of sampleDdpm(tr.net, sampler, { n: 16, seed: 0, every: sampler.timesteps.length }))
      last = f.x;
    await decodeLatents(codec, last, 16);
    return performance.now() - t;
  };
  const ddim = () =>
    makeSampler({ sampler: 'ddim', steps: 20 }, tr.schedule, { prediction: 'epsilon', clipSample: false });
  await timeSampling(ddim()); // warm-up
  const sample20Ms16 = await timeSampling(ddim());
  const one = makeSampler({ sampler: 'ddim', steps: steps + 1 }, tr.schedule, {
    prediction: 'epsilon',
    clipSample: false,
  });
  t0 = 0;
  for await (const f of sampleDdpm(tr.net, one, { n: 16, seed: 0, every: 1 }))
    if (f.index === 0) t0 = performance.now();
  const denoiseMs16 = (performance.now() - t0) / steps;
  tr.dispose();
  ae.dispose();
  return { trainMs, denoiseMs16, decodeMs16, sample20Ms16 };
}
