/**
 * Timing the pixel and the latent DDPM side by side, off the page's thread: one training step and one
 * denoising step of each U-Net at the same batch, on the backend the page uses. Random weights and
 * data: the cost of a step does not depend on what the numbers are.
 */
import * as tf from '@tensorflow/tfjs';
import { arrayTrainData } from '../../src/data/train-data';
import { initBackend, type BackendName } from '../../src/runtime/backend';
import { exposeWorker } from '../../src/runtime/worker-rpc';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG } from '../../src/train/ddpm-trainer';
import type { UNetConfig } from '../../src/nets/unet';

export interface SpaceCost {
  /** Multiply-adds x2 of one network call on one sample. */
  flopsPerCall: number;
  params: number;
  /** Median milliseconds of one training step, and of one denoising step (a network call), at the batch. */
  trainMs: number;
  denoiseMs: number;
}

async function median(reps: number, f: () => Promise<void>): Promise<number> {
  await f(); // warm-up: kernels compile, buffers are allocated
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

async function cost(unet: UNetConfig, batch: number, reps: number): Promise<SpaceCost> {
  const shape = [unet.size, unet.size, unet.channels];
  const per = unet.size * unet.size * unet.channels;
  const data = arrayTrainData(
    Float32Array.from({ length: 64 * per }, (_, i) => Math.sin(i)),
    shape,
  );
  const tr = new DdpmTrainer({ ...DEFAULT_TRAIN_CONFIG, unet, batch }, data);
  try {
    const trainMs = await median(reps, async () => {
      const r = tr.trainStep();
      await r.loss.data();
      tf.dispose([r.loss, r.norm]);
    });
    const x = tf.randomNormal([batch, ...shape]);
    const t = tf.fill([batch], 500);
    const denoiseMs = await median(reps, async () => {
      const y = tr.net.apply(x, t as tf.Tensor1D);
      await y.data();
      y.dispose();
    });
    tf.dispose([x, t]);
    const u = tr.net as unknown as { flopsPerImage(): number };
    return { flopsPerCall: u.flopsPerImage(), params: tr.net.paramCount, trainMs, denoiseMs };
  } finally {
    tr.dispose();
  }
}

const methods = {
  async measure(a: {
    backend: BackendName;
    pixel: UNetConfig;
    latent: UNetConfig;
    batch: number;
    reps: number;
  }) {
    const info = await initBackend(a.backend);
    const latent = await cost(a.latent, a.batch, a.reps);
    const pixel = await cost(a.pixel, a.batch, a.reps);
    return { backend: info, pixel, latent };
  },
};

export type CostWorkerApi = typeof methods;

exposeWorker(methods);
