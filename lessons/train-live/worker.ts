/**
 * The training loop of "Train it live", in a Web Worker so that the page never waits for a training
 * step (on WASM a step takes most of a second). The same trainer code as everywhere; the page calls
 * these methods through Comlink (src/runtime/worker-rpc.ts), typed from `TrainWorkerApi`, and hears
 * progress and previews through the callback it hands to `init`.
 */
import * as tf from '@tensorflow/tfjs';
import { DdpmSampler } from '../../src/diffusion/ddpm';
import type { MnistSplit } from '../../src/data/mnist-asset';
import type { Denoiser } from '../../src/nets/denoiser';
import { sampleDdpm } from '../../src/pipelines/ddpm-sample';
import { initBackend, type BackendName } from '../../src/runtime/backend';
import { DdpmTrainer, makeDenoiser, type TrainConfig } from '../../src/train/ddpm-trainer';
import { exportEma, importWeights, restoreCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';
import { mnistTrainData } from '../../src/data/train-data';
import { decodeWeights, packCheckpoint, unpackCheckpoint } from '../../src/nets/weights-format';
import { exposeWorker, transfer } from '../../src/runtime/worker-rpc';
import type { TrainEvent, WorkerState } from './worker-rpc';

let data: MnistSplit | null = null;
let trainer: DdpmTrainer | null = null;
let previewNet: Denoiser | null = null;
let ctl: AbortController | null = null;
let running = false;

let onEvent: ((e: TrainEvent) => void) | null = null;
const post = (e: TrainEvent, buffers: Transferable[] = []) => void onEvent?.(transfer(e, buffers));

function state(): WorkerState {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return {
    hasModel: !!trainer,
    step: trainer?.step ?? 0,
    wallSeconds: trainer?.wallSeconds ?? 0,
    running,
    config: trainer?.config ?? null,
    history: trainer?.history ?? [],
    tensors: m.numTensors,
    mb: (m.numBytesInGPU ?? m.numBytes) / 1e6,
  };
}

function need(): DdpmTrainer {
  if (!trainer) throw new Error('no model yet: start training first');
  return trainer;
}

async function preview(n: number, steps: number, seed: number): Promise<Float32Array> {
  const tr = need();
  const shapes = (net: Denoiser) => net.paramSpecs.map((s) => s.shape).join(';');
  if (previewNet && shapes(previewNet) !== shapes(tr.net)) {
    previewNet.dispose();
    previewNet = null;
  }
  previewNet ??= makeDenoiser(tr.config);
  previewNet.copyFrom(tr.ema.shadow);
  const sampler = new DdpmSampler(tr.schedule, { prediction: tr.config.prediction });
  sampler.setTimesteps(steps);
  let last: Float32Array = new Float32Array(0);
  for await (const f of sampleDdpm(previewNet, sampler, { n, seed, every: steps })) last = f.x;
  return last;
}

const methods = {
  async init(
    a: { backend: BackendName; images: Uint8Array; labels: Uint8Array; count: number },
    events: (e: TrainEvent) => void,
  ) {
    onEvent = events;
    const info = await initBackend(a.backend);
    data = { split: 'train', count: a.count, images: a.images, labels: a.labels };
    return info;
  },
  configure(a: { config: TrainConfig }) {
    ctl?.abort();
    trainer?.dispose();
    trainer = new DdpmTrainer(a.config, mnistTrainData(data!));
    return state();
  },
  reset() {
    ctl?.abort();
    trainer?.dispose();
    trainer = null;
    return state();
  },
  async run(a: { steps: number; previewEvery: number; previewCount: number; previewSteps: number }) {
    const tr = need();
    if (running) return state();
    running = true;
    ctl = new AbortController();
    let lastPreview = tr.step;
    try {
      // a turn for the message queue after every step, so Pause is heard at once
      const between = () => new Promise<void>((r) => setTimeout(r, 0));
      for await (const p of tr.run(a.steps, { readEvery: 2, signal: ctl.signal, between })) {
        post({ type: 'progress', progress: p, state: state() });
        if (p.step - lastPreview >= a.previewEvery) {
          lastPreview = p.step;
          const x = await preview(a.previewCount, a.previewSteps, 42);
          post({ type: 'preview', x, step: tr.step }, [x.buffer]);
        }
      }
    } finally {
      running = false;
    }
    return state();
  },
  pause() {
    ctl?.abort();
    return state();
  },
  async preview(a: { n: number; steps: number; seed: number }) {
    const x = await preview(a.n, a.steps, a.seed);
    return transfer({ x, step: need().step }, [x.buffer]);
  },
  async checkpoint() {
    const ck = await saveCheckpoint(need());
    return packCheckpoint(ck.json, ck.bin);
  },
  restore(a: { bytes: Uint8Array }) {
    const { json, bin } = unpackCheckpoint(a.bytes);
    const config = (json.userDefinedMetadata as { config: TrainConfig }).config;
    const fresh = new DdpmTrainer(config, mnistTrainData(data!));
    try {
      restoreCheckpoint(fresh, json, bin);
    } catch (e) {
      fresh.dispose();
      throw e;
    }
    ctl?.abort();
    trainer?.dispose();
    trainer = fresh;
    return state();
  },
  async exportEma(a: { metadata: Record<string, unknown> }) {
    return exportEma(need(), a.metadata);
  },
  importWeights(a: { json: string; bin: Uint8Array; config: TrainConfig }) {
    const tr = trainer ?? (trainer = new DdpmTrainer(a.config, mnistTrainData(data!)));
    const { weights, metadata } = decodeWeights(a.json, a.bin, tr.net.paramSpecs); // throws before anything changes
    importWeights(tr, weights, Number(metadata.step ?? metadata.trainedSteps ?? tr.step) || 0);
    return state();
  },
  state,
};

export type TrainWorkerApi = typeof methods;

exposeWorker(methods);
