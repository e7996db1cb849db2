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
import { mnistTrainData } from '../data/train-data';

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
