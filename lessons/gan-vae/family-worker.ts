/**
 * Training a GAN or a VAE live, in a Web Worker on the page's backend: the same trainers as
 * `npm run train -- gan|vae` (smaller, so a step takes a fraction of a second on WASM). Every report
 * carries the loss's named parts; every few seconds a fixed-seed grid of samples (from the EMA weights)
 * and, read by the project's classifier on 100 more samples, the class histogram and the share of
 * confident digits: the mode-collapse monitor.
 */
import * as tf from '@tensorflow/tfjs';
import { mnistTrainData } from '../../src/data/train-data';
import { summarizeProbs, classify } from '../../src/metrics/evaluate';
import { MnistClassifier } from '../../src/nets/classifier';
import { Gan } from '../../src/nets/gan';
import { Vae } from '../../src/nets/vae';
import { decodeWeights } from '../../src/nets/weights-format';
import { drawOnePass } from '../../src/pipelines/one-pass';
import { initBackend, type BackendName } from '../../src/runtime/backend';
import { exposeWorker, transfer } from '../../src/runtime/worker-rpc';
import { yieldToEventLoop } from '../../src/runtime/yield';
import { GanTrainer } from '../../src/train/gan-trainer';
import { NonFiniteLossError, type TrainProgress } from '../../src/train/trainer';
import { VaeTrainer } from '../../src/train/vae-trainer';
import { liveConfig, type LiveFamily, type LivePreset } from './live-presets';

export interface FamilySnapshot {
  step: number;
  /** The fixed-seed grid (GRID digits, 784 values each in [-1, 1]). */
  grid: Float32Array;
  /** Class shares of MONITOR samples by the classifier, and the share it reads with confidence > 0.9. */
  classShares: number[];
  confident: number;
}

export type FamilyEvent =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'snapshot'; snapshot: FamilySnapshot }
  | { type: 'stopped'; error?: string };

/** Digits in the grid, and samples the monitor classifies. */
export const GRID = 16;
export const MONITOR = 100;
/** Seconds between two snapshots (the first comes after the first reports). */
const SNAPSHOT_MS = 3000;

let data: ReturnType<typeof mnistTrainData> | null = null;
let classifier: MnistClassifier | null = null;
let trainer: GanTrainer | VaeTrainer | null = null;
let preview: Gan | Vae | null = null;
let ctl: AbortController | null = null;
let onEvent: ((e: FamilyEvent) => void) | null = null;
const post = (e: FamilyEvent, buffers: Transferable[] = []) => void onEvent?.(transfer(e, buffers));

async function snapshot(): Promise<FamilySnapshot> {
  const tr = trainer!;
  preview ??= tr instanceof GanTrainer ? new Gan(tr.config.gan) : new Vae((tr as VaeTrainer).config.vae);
  preview.copyFrom(tr.ema.shadow);
  const grid = await drawOnePass(preview, GRID, 1);
  const { probs } = await classify(classifier!, await drawOnePass(preview, MONITOR, 1000));
  const s = summarizeProbs(probs, MONITOR);
  return {
    step: tr.step,
    grid,
    classShares: s.counts.map((c) => c / MONITOR),
    confident: s.confident / MONITOR,
  };
}

const methods = {
  async init(
    a: {
      backend: BackendName;
      images: Uint8Array;
      labels: Uint8Array;
      count: number;
      classifier: { json: string; bin: Uint8Array };
    },
    events: (e: FamilyEvent) => void,
  ) {
    onEvent = events;
    const info = await initBackend(a.backend);
    data = mnistTrainData({ split: 'train', count: a.count, images: a.images, labels: a.labels });
    classifier = new MnistClassifier();
    classifier.setWeights(decodeWeights(a.classifier.json, a.classifier.bin, classifier.paramSpecs).weights);
    return info;
  },
  /** A fresh run of `family` with `preset` (the previous run is dropped). */
  configure(a: { family: LiveFamily; preset: LivePreset; seed: number }) {
    ctl?.abort();
    trainer?.dispose();
    preview?.dispose();
    preview = null;
    const config = liveConfig(a.family, a.preset, a.seed);
    trainer =
      a.family === 'gan'
        ? new GanTrainer(config as ConstructorParameters<typeof GanTrainer>[0], data!)
        : new VaeTrainer(config as ConstructorParameters<typeof VaeTrainer>[0], data!);
    return { params: trainer.net.paramCount, tensors: tf.memory().numTensors };
  },
  /** Train until paused (or `steps` more steps), posting progress and snapshots. */
  async run(a: { steps: number }) {
    const tr = trainer;
    if (!tr) throw new Error('no run yet: configure one first');
    ctl?.abort();
    const mine = (ctl = new AbortController());
    let last = performance.now();
    let first = true;
    try {
      for await (const p of tr.run(a.steps, {
        readEvery: 5,
        signal: mine.signal,
        between: yieldToEventLoop,
      })) {
        post({ type: 'progress', progress: p });
        if (first || performance.now() - last > SNAPSHOT_MS) {
          first = false;
          const s = await snapshot();
          last = performance.now();
          post({ type: 'snapshot', snapshot: s }, [s.grid.buffer]);
        }
      }
      if (!mine.signal.aborted) {
        const s = await snapshot();
        post({ type: 'snapshot', snapshot: s }, [s.grid.buffer]);
      }
      post({ type: 'stopped' });
    } catch (e) {
      post({
        type: 'stopped',
        error:
          e instanceof NonFiniteLossError
            ? `the loss became infinite (${e.message}): press Start again for a fresh run`
            : (e as Error).message,
      });
    }
    return { step: tr.step, tensors: tf.memory().numTensors };
  },
  pause() {
    ctl?.abort();
  },
  /** Tensors held now (for the tests' leak check). */
  tensors() {
    return tf.memory().numTensors;
  },
};

export type FamilyWorkerApi = typeof methods;

exposeWorker(methods);
