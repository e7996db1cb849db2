/**
 * The training loop of "Train it live", in a Web Worker so that the page never waits for a training
 * step (on WASM a step takes most of a second). The same trainer code as everywhere; the page calls
 * these methods through Comlink (src/runtime/worker-rpc.ts), typed from `TrainWorkerApi`, and hears
 * progress and previews through the callback it hands to `init`.
 */
import * as tf from '@tensorflow/tfjs';
import { makeSampler } from '../../diffusion/samplers';
import type { MnistSplit } from '../../data/mnist-asset';
import type { Denoiser } from '../../nets/denoiser';
import { sampleDdpm } from '../../pipelines/ddpm-sample';
import { initBackend, type BackendName } from '../../runtime/backend';
import {
  DdpmTrainer,
  makeDenoiser,
  NonFiniteLossError,
  unetConfigOf,
  type TrainConfig,
} from '../../train/ddpm-trainer';
import { exportEma, importWeights, restoreCheckpoint, saveCheckpoint } from '../../train/checkpoint';
import { mnistTrainData, type TrainData } from '../../data/train-data';
import { loadAutoencoder, type LoadedAutoencoder } from '../../nets/load-autoencoder';
import { pairedLatentScale, sha256Hex } from '../../nets/latent-pair';
import { decodeLatents, encodeTrainData, LatentCodec } from '../../pipelines/latent';
import { decodeWeights, packCheckpoint, unpackCheckpoint } from '../../nets/weights-format';
import { exposeWorker, transfer } from '../../runtime/worker-rpc';
import { yieldToEventLoop } from '../../runtime/yield';
import type { TrainEvent, WorkerState } from './events';
import { LIVE_LATENT_DIGITS, latentUNet, previewSampler } from '../../train/live-settings';
import { sameUNet, UNET_PRESETS, unetDepth, type UNetConfig, type UNetPreset } from '../../nets/unet';

let data: MnistSplit | null = null;
/** A latent run's autoencoder (frozen) and the training digits encoded by it, made on first use. */
let autoencoder: LoadedAutoencoder | null = null;
let latents: { scale: number; data: TrainData } | null = null;
let trainer: DdpmTrainer | null = null;
let previewNet: Denoiser | null = null;
let ctl: AbortController | null = null;
let running = false;
/** Bumped by reset and by every configure: a configure that finds it changed when its data is ready gives up. */
let generation = 0;
/** A pause asked for while a configure was still encoding: the run that follows does not start. */
let pauseRequested = false;
let configuring = false;
/** The loss became NaN: the weights are broken and must not be saved, exported or trained on until Reset. */
let diverged = false;
/** SHA-256 of the loaded autoencoder's weights, checked against a latent run's configuration. */
let autoencoderSha = '';

/** A run shows its first preview after this long, even before previewEvery steps. */
const FIRST_PREVIEW_MS = 8000;
/** A run checkpoints itself after its first step and then this often (the page keeps the latest). */
const AUTO_CHECKPOINT_MS = 30_000;
/** The GPU went away (device or context lost): every later step would fail. */
let lost = '';
/** When the current model last checkpointed itself (-Infinity: not yet, so its first step does). */
let lastCheckpoint = -Infinity;

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

/**
 * The training data a configuration trains on: the MNIST digits, or (a latent run) the first
 * LIVE_LATENT_DIGITS of them encoded by the autoencoder, once, with progress for the page.
 */
async function trainData(config: TrainConfig): Promise<TrainData> {
  if (!config.latent) return mnistTrainData(data!);
  if (!autoencoder) throw new Error('a latent run needs the autoencoder: it was not loaded');
  pairedLatentScale({ latentScale: autoencoder.meta.latentScale, sha256: autoencoderSha }, config.latent);
  if (latents?.scale !== config.latent.scale) {
    const codec = new LatentCodec(autoencoder.net, config.latent.scale);
    const digits = mnistTrainData({ ...data!, count: Math.min(LIVE_LATENT_DIGITS, data!.count) });
    latents = {
      scale: config.latent.scale,
      data: await encodeTrainData(codec, digits, {
        onProgress: (done, total) => post({ type: 'encoding', done, total }),
      }),
    };
  }
  return latents.data;
}

/** A sample as the page shows it: pixels, so a latent run's samples are decoded. */
async function toPixels(config: TrainConfig, x: Float32Array, n: number): Promise<Float32Array> {
  if (!config.latent || !autoencoder) return x;
  return decodeLatents(new LatentCodec(autoencoder.net, config.latent.scale), x, n);
}

function need(): DdpmTrainer {
  if (!trainer) throw new Error('no model yet: start training first');
  if (diverged)
    throw new Error('the loss became NaN, so these weights are broken: press Reset to start again');
  return trainer;
}

async function preview(n: number, seed: number): Promise<Float32Array> {
  const tr = need();
  const shapes = (net: Denoiser) => net.paramSpecs.map((s) => s.shape).join(';');
  if (previewNet && shapes(previewNet) !== shapes(tr.net)) {
    previewNet.dispose();
    previewNet = null;
  }
  previewNet ??= makeDenoiser(tr.config);
  previewNet.copyFrom(tr.ema.shadow);
  const spec = previewSampler(tr.config.latent ? 'latent' : 'pixel');
  const sampler = makeSampler(spec, tr.schedule, {
    prediction: tr.config.prediction,
    clipSample: tr.config.clipSample ?? true,
  });
  let last: Float32Array = new Float32Array(0);
  for await (const f of sampleDdpm(previewNet, sampler, { n, seed, every: spec.steps })) last = f.x;
  return toPixels(tr.config, last, n);
}

const methods = {
  async init(
    a: {
      backend: BackendName;
      images: Uint8Array;
      labels: Uint8Array;
      count: number;
      /** For latent runs: the autoencoder's model.json and weights.bin. */
      autoencoder?: { json: string; bin: Uint8Array };
    },
    events: (e: TrainEvent) => void,
  ) {
    onEvent = events;
    const info = await initBackend(a.backend);
    watchDeviceLoss(info.name);
    data = { split: 'train', count: a.count, images: a.images, labels: a.labels };
    if (a.autoencoder) {
      autoencoder = loadAutoencoder(a.autoencoder.json, a.autoencoder.bin);
      autoencoderSha = await sha256Hex(a.autoencoder.bin);
    }
    return info;
  },
  async configure(a: { config: TrainConfig }) {
    ctl?.abort();
    const mine = ++generation;
    configuring = true;
    try {
      const d = await trainData(a.config); // a latent run encodes the digits first (seconds)
      if (mine !== generation) return state(); // reset or reconfigured meanwhile
      trainer?.dispose();
      trainer = new DdpmTrainer(a.config, d);
      lastCheckpoint = -Infinity;
      diverged = false;
      return state();
    } finally {
      if (mine === generation) configuring = false;
    }
  },
  reset() {
    ctl?.abort();
    generation++;
    configuring = false;
    pauseRequested = false;
    diverged = false;
    trainer?.dispose();
    trainer = null;
    lastCheckpoint = -Infinity;
    return state();
  },
  async run(a: { steps: number; previewEvery: number; previewCount: number }) {
    const tr = need();
    if (running) return state();
    if (pauseRequested) {
      pauseRequested = false; // paused while the digits were being encoded: do not start
      return state();
    }
    running = true;
    ctl = new AbortController();
    let lastPreview = tr.step;
    // a first preview after a few seconds, whatever the step count, so a slow machine shows something soon
    const firstBy = performance.now() + FIRST_PREVIEW_MS;
    let first = true;
    try {
      // a turn for the message queue after every step, so Pause is heard at once
      const between = yieldToEventLoop;
      for await (const p of tr.run(a.steps, { readEvery: 2, signal: ctl.signal, between })) {
        if (lost) throw new Error(`the GPU stopped working (${lost})`);
        post({ type: 'progress', progress: p, state: state() });
        if (performance.now() - lastCheckpoint >= AUTO_CHECKPOINT_MS) {
          // between two steps, so the weights, moments and step all belong to one moment
          lastCheckpoint = performance.now();
          const ck = await saveCheckpoint(tr);
          const bytes = packCheckpoint(ck.json, ck.bin);
          post({ type: 'checkpoint', bytes, step: tr.step }, [bytes.buffer]);
        }
        if (
          p.step - lastPreview >= a.previewEvery ||
          (first && p.step > lastPreview && performance.now() > firstBy)
        ) {
          first = false;
          lastPreview = p.step;
          const x = await preview(a.previewCount, 42);
          post({ type: 'preview', x, step: tr.step }, [x.buffer]);
        }
      }
    } catch (e) {
      if (e instanceof NonFiniteLossError) diverged = true;
      throw e;
    } finally {
      running = false;
    }
    return state();
  },
  pause() {
    ctl?.abort();
    if (configuring) pauseRequested = true;
    return state();
  },
  async preview(a: { n: number; seed: number }) {
    const x = await preview(a.n, a.seed);
    return transfer({ x, step: need().step }, [x.buffer]);
  },
  async checkpoint() {
    const ck = await saveCheckpoint(need());
    return packCheckpoint(ck.json, ck.bin);
  },
  async restore(a: { bytes: Uint8Array }) {
    const { json, bin } = unpackCheckpoint(a.bytes);
    const config = (json.userDefinedMetadata as { config: TrainConfig }).config;
    const fresh = new DdpmTrainer(config, await trainData(config));
    try {
      restoreCheckpoint(fresh, json, bin);
    } catch (e) {
      fresh.dispose();
      throw e;
    }
    ctl?.abort();
    generation++;
    trainer?.dispose();
    trainer = fresh;
    lastCheckpoint = -Infinity;
    diverged = false;
    return state();
  },
  async exportEma(a: { metadata: Record<string, unknown> }) {
    return exportEma(need(), a.metadata);
  },
  async importWeights(a: { json: string; bin: Uint8Array; config: TrainConfig }) {
    refuseOtherNetwork(a.json, a.config); // before anything changes: says which network the file holds
    const tr = trainer ?? (trainer = new DdpmTrainer(a.config, await trainData(a.config)));
    const { weights, metadata } = decodeWeights(a.json, a.bin, tr.net.paramSpecs); // throws before anything changes
    importWeights(tr, weights, Number(metadata.step ?? metadata.trainedSteps ?? tr.step) || 0);
    lastCheckpoint = -Infinity; // other weights: the next run checkpoints them at once
    diverged = false; // good weights replace the broken ones
    return state();
  },
  state,
  /**
   * Make the GPU go away as a driver reset or an unplugged display would (WebGPU `device.destroy()`,
   * WebGL `WEBGL_lose_context`), to see the page recover; false on a backend without a GPU.
   */
  loseDevice(): boolean {
    const b = tf.backend() as unknown as GpuBackend;
    if (b.device) b.device.destroy();
    else if (b.gpgpu) b.gpgpu.gl.getExtension('WEBGL_lose_context')?.loseContext();
    else return false;
    return true;
  },
};

/** What the WebGPU and WebGL backends hold of their GPU. */
type GpuBackend = { device?: GPUDevice; gpgpu?: { gl: WebGLRenderingContext } };

/** Report a lost GPU once, whatever the backend's way of saying it. */
function watchDeviceLoss(name: BackendName): void {
  const report = (reason: string) => {
    if (lost) return;
    lost = reason;
    const wasRunning = running;
    ctl?.abort();
    post({ type: 'lost', reason, wasRunning });
  };
  const b = tf.backend() as unknown as GpuBackend;
  if (name === 'webgpu' && b.device)
    void b.device.lost.then((info) => report(`WebGPU device lost: ${info.message || info.reason}`));
  const canvas = name === 'webgl' ? b.gpgpu?.gl.canvas : undefined;
  canvas?.addEventListener('webglcontextlost', () => report('WebGL context lost'));
}

/** A U-Net in words: "width 32, blocks 1/2/2 per level, 28×28×1". */
function describeUNet(u: UNetConfig): string {
  return `U-Net of width ${u.ch}, ${unetDepth(u).join('/')} residual blocks per level, on ${u.size}×${u.size}×${u.channels}`;
}

/**
 * Refuse, in words, a weights file whose network is not the panel's: which network it holds, which one the
 * panel trains, and the panel setting that would build it, if there is one. (A file that names no network
 * goes on to the tensor-by-tensor check.)
 */
function refuseOtherNetwork(json: string, config: TrainConfig): void {
  let meta: { kind?: string; unet?: UNetConfig };
  try {
    meta = (JSON.parse(json) as { userDefinedMetadata?: typeof meta }).userDefinedMetadata ?? {};
  } catch {
    return; // not JSON: the decoder says so
  }
  if (meta.kind !== 'ddpm-unet' || !meta.unet) return;
  const theirs = meta.unet;
  const ours = unetConfigOf(config);
  if (sameUNet(theirs, ours)) return;
  const preset = (Object.keys(UNET_PRESETS) as UNetPreset[]).find((p) =>
    sameUNet(config.latent ? latentUNet(p) : UNET_PRESETS[p], theirs),
  );
  throw new Error(
    `these weights are a ${describeUNet(theirs)}; this panel trains a ${describeUNet(ours)}. ` +
      (preset
        ? `Choose the "${preset}" network in the settings and load them again.`
        : 'No setting of this panel builds that network, so it cannot train them further (the other lessons sample the shipped models).'),
  );
}

export type TrainWorkerApi = typeof methods;

exposeWorker(methods);
