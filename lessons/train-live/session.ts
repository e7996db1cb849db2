/**
 * The live training session behind the "Train it live" panel: owns the trainer, runs it in small
 * steps that leave the page responsive, keeps loss history and throughput, makes preview samples with
 * the EMA weights from fixed seeds, and saves/loads/exports/imports weights. A Lit reactive controller:
 * every change re-renders the host.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as tf from '@tensorflow/tfjs-core';
import { DdpmSampler } from '../../src/diffusion/ddpm';
import type { BetaScheduleKind } from '../../src/diffusion/schedule';
import type { MnistSplit } from '../../src/data/mnist-asset';
import { UNet, type UNetPreset } from '../../src/nets/unet';
import { sampleDdpm } from '../../src/pipelines/ddpm-sample';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/ddpm-trainer';
import {
  deleteBrowserCheckpoint,
  loadBrowserCheckpoint,
  saveBrowserCheckpoint,
} from '../../src/train/idb-checkpoints';
import {
  decodeWeights,
  packCheckpoint,
  unpackCheckpoint,
  type ModelJson,
} from '../../src/train/weights-format';

export interface LiveSettings {
  preset: UNetPreset;
  lr: number;
  batch: number;
  schedule: BetaScheduleKind;
  T: number;
  /** Refresh the preview samples every this many steps. */
  previewEvery: number;
}

export const DEFAULT_LIVE: LiveSettings = {
  preset: 'classroom',
  lr: 1e-3,
  batch: 32,
  schedule: 'linear',
  T: 1000,
  previewEvery: 100,
};
export const PREVIEW_COUNT = 16;
export const PREVIEW_STEPS = 25;
const IDB_KEY = 'train-live';

export function trainConfigFor(s: LiveSettings): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    preset: s.preset,
    lr: s.lr,
    batch: s.batch,
    schedule: s.schedule,
    T: s.T,
    warmup: 100,
    emaDecay: 0.995,
  };
}

export class TrainSession implements ReactiveController {
  trainer: DdpmTrainer | null = null;
  settings: LiveSettings = { ...DEFAULT_LIVE };
  running = false;
  /** [step, loss] for the chart. */
  losses: [number, number][] = [];
  stepsPerSecond = 0;
  preview: Float32Array | null = null;
  previewStep = -1;
  previewBusy = false;
  message = '';
  error = '';
  /** Long tasks (> 50 ms) seen while training: how often the page could not respond within a frame. */
  longTasks = 0;
  savedStep: number | null = null;
  private ctl: AbortController | null = null;
  private observer: PerformanceObserver | null = null;
  private previewNet: UNet | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    loadBrowserCheckpoint(IDB_KEY).then(
      (b) => {
        if (b)
          this.savedStep = (unpackCheckpoint(b).json.userDefinedMetadata as { step?: number }).step ?? null;
        this.host.requestUpdate();
      },
      () => undefined, // no IndexedDB: saving will explain when tried
    );
  }

  hostDisconnected(): void {
    this.pause();
    this.dispose();
  }

  private update() {
    this.host.requestUpdate();
  }

  /** The trainer for the current settings (made on first use). */
  ensureTrainer(data: MnistSplit): DdpmTrainer {
    this.trainer ??= new DdpmTrainer(trainConfigFor(this.settings), data);
    return this.trainer;
  }

  /** Train until paused. */
  async start(data: MnistSplit, steps = Infinity): Promise<void> {
    if (this.running) return;
    const tr = this.ensureTrainer(data);
    this.running = true;
    this.error = '';
    this.ctl = new AbortController();
    this.watchLongTasks();
    this.update();
    try {
      const gen = tr.run(Number.isFinite(steps) ? steps : 1e9, {
        readEvery: 5,
        signal: this.ctl.signal,
        between: () => new Promise((r) => setTimeout(r, 0)),
      });
      for await (const p of gen) {
        this.losses = [...this.losses, [p.step, p.loss]];
        this.stepsPerSecond = p.stepsPerSecond;
        this.update();
        if (p.step - Math.max(0, this.previewStep) >= this.settings.previewEvery) await this.makePreview();
      }
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.running = false;
      this.observer?.disconnect();
      this.update();
    }
  }

  pause(): void {
    this.ctl?.abort();
  }

  /** One training step (for stepping through by hand). */
  async step(data: MnistSplit): Promise<void> {
    await this.start(data, 1);
  }

  /** Forget the model and start again with the current settings. */
  reset(): void {
    this.pause();
    this.dispose();
    this.losses = [];
    this.preview = null;
    this.previewStep = -1;
    this.stepsPerSecond = 0;
    this.message = '';
    this.error = '';
    this.update();
  }

  /** 16 samples from fixed seeds with the EMA weights (a respaced 25-step DDPM, to keep it quick). */
  async makePreview(): Promise<void> {
    const tr = this.trainer;
    if (!tr || this.previewBusy) return;
    this.previewBusy = true;
    this.update();
    try {
      this.previewNet ??= new UNet(tr.net.config);
      this.previewNet.copyFrom(tr.ema.shadow);
      const sampler = new DdpmSampler(tr.schedule, { prediction: tr.config.prediction });
      sampler.setTimesteps(PREVIEW_STEPS);
      let last: Float32Array | null = null;
      for await (const f of sampleDdpm(this.previewNet, sampler, {
        n: PREVIEW_COUNT,
        seed: 42,
        every: PREVIEW_STEPS,
      }))
        last = f.x;
      this.preview = last;
      this.previewStep = tr.step;
    } finally {
      this.previewBusy = false;
      this.update();
    }
  }

  async saveToBrowser(): Promise<void> {
    const tr = this.trainer;
    if (!tr) return;
    const ck = await tr.checkpoint();
    try {
      await saveBrowserCheckpoint(IDB_KEY, packCheckpoint(ck.json, ck.bin));
      this.savedStep = tr.step;
      this.message = `Saved step ${tr.step} in this browser.`;
    } catch (e) {
      this.error = (e as Error).message;
    }
    this.update();
  }

  /** Resume the checkpoint saved in this browser (its settings replace the current ones). */
  async loadFromBrowser(data: MnistSplit): Promise<void> {
    try {
      const bytes = await loadBrowserCheckpoint(IDB_KEY);
      if (!bytes) throw new Error('nothing is saved in this browser yet');
      const { json, bin } = unpackCheckpoint(bytes);
      const config = (json.userDefinedMetadata as { config: TrainConfig }).config;
      const fresh = new DdpmTrainer(config, data);
      try {
        fresh.restore(json, bin);
      } catch (e) {
        fresh.dispose();
        throw e;
      }
      this.reset();
      this.trainer = fresh;
      this.settings = {
        ...this.settings,
        preset: config.preset,
        lr: config.lr,
        batch: config.batch,
        schedule: config.schedule,
        T: config.T,
      };
      this.losses = fresh.history.slice();
      this.message = `Resumed at step ${fresh.step}.`;
    } catch (e) {
      this.error = `Could not resume: ${(e as Error).message}`;
    }
    this.update();
  }

  async forgetSaved(): Promise<void> {
    await deleteBrowserCheckpoint(IDB_KEY);
    this.savedStep = null;
    this.update();
  }

  /** model.json + weights.bin of the EMA weights, the same format as models/ddpm-mnist. */
  async exportFiles(): Promise<{ json: ModelJson; bin: Uint8Array } | null> {
    const tr = this.trainer;
    return tr
      ? tr.exportEma({
          trainedSteps: tr.step,
          wallSeconds: tr.wallSeconds,
          source: 'Diffusion Lab, Train it live',
        })
      : null;
  }

  /** Load uploaded model.json + weights.bin into the current model; on any problem nothing changes. */
  async importFiles(data: MnistSplit, jsonText: string, bin: Uint8Array): Promise<void> {
    try {
      const tr = this.ensureTrainer(data);
      const { weights, metadata } = decodeWeights(jsonText, bin, tr.net.paramSpecs);
      tr.importWeights(weights, Number(metadata.step ?? metadata.trainedSteps ?? tr.step) || 0);
      this.message = `Loaded weights (step ${tr.step}).`;
      this.error = '';
      await this.makePreview();
    } catch (e) {
      this.error = `Could not load those files: ${(e as Error).message}`;
    }
    this.update();
  }

  private watchLongTasks() {
    try {
      this.observer?.disconnect();
      this.observer = new PerformanceObserver((list) => {
        this.longTasks += list.getEntries().length;
      });
      this.observer.observe({ type: 'longtask', buffered: false });
    } catch {
      this.observer = null; // not supported: the count stays 0 and the panel says so
    }
  }

  memory(): { tensors: number; mb: number } {
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    return { tensors: m.numTensors, mb: (m.numBytesInGPU ?? m.numBytes) / 1e6 };
  }

  dispose(): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.previewNet?.dispose();
    this.previewNet = null;
  }
}
