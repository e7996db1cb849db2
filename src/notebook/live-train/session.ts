/**
 * The page side of "Train it live": a Lit reactive controller that drives the training worker
 * (worker.ts) and mirrors its state for the panel: step, loss history, throughput, previews, memory.
 * Saving in the browser (IndexedDB) and file export/import happen here; the worker does the maths.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MnistSplit } from '../../data/mnist-asset';
import type { BackendInfo } from '../../runtime/backend';
import { DEFAULT_LIVE, trainConfigFor, type LiveSettings } from '../../train/live-settings';
import type { TrainConfig } from '../../train/ddpm-trainer';
import { startTrainWorker, watchLongTasks } from './page-side';
import {
  deleteBrowserCheckpoint,
  loadBrowserCheckpoint,
  saveBrowserCheckpoint,
} from '../../train/idb-checkpoints';
import { unpackCheckpoint, type ModelJson } from '../../nets/weights-format';
import { liveSettings, setLiveSettings } from './params';
import { proxy, type WorkerConnection } from '../../runtime/worker-rpc';
import type { TrainWorkerApi } from './worker';
import type { TrainEvent, WorkerState } from './events';

export { DEFAULT_LIVE, trainConfigFor, type LiveSettings };
export const PREVIEW_COUNT = 16;
/** The browser's saved run, one per space (a pixel run cannot resume as a latent one). */
const idbKey = (space: 'pixel' | 'latent') => (space === 'pixel' ? 'train-live' : 'train-live-latent');

type TrainWorker = WorkerConnection<TrainWorkerApi>;

/** The run a closed panel is keeping in this browser (see hostDisconnected): a new panel waits for it. */
let keeping: Promise<unknown> = Promise.resolve();

export class TrainSession implements ReactiveController {
  /** The settings the page's URL holds. */
  get settings(): LiveSettings {
    return liveSettings();
  }
  /** Latest state reported by the worker. */
  state: WorkerState | null = null;
  /** The backend the worker trains on. */
  backend: BackendInfo | null = null;
  running = false;
  /** [step, loss] for the chart. */
  losses: [number, number][] = [];
  stepsPerSecond = 0;
  preview: Float32Array | null = null;
  previewStep = -1;
  previewBusy = false;
  message = '';
  error = '';
  /** Long tasks (> 50 ms) on the page's thread while training: the page could not respond within a frame. */
  longTasks = 0;
  savedStep: number | null = null;
  /**
   * What the panel trains: a DDPM on pixels, or (latent) on the shipped autoencoder's latents of the
   * training digits. Set before the first use.
   */
  space: 'pixel' | 'latent' = 'pixel';
  /** Progress of encoding the training digits (a latent run, before its first step). */
  encoding: { done: number; total: number } | null = null;
  /** A latent run's autoencoder: which one, its latent scale and its weights' hash. */
  private latent: TrainConfig['latent'] | undefined;
  private rpc: TrainWorker | null = null;
  /** Bumped when the panel leaves the page. */
  private connection = 0;
  private starting: Promise<TrainWorker> | null = null;
  private observer: PerformanceObserver | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  get hasModel(): boolean {
    return !!this.state?.hasModel;
  }
  get step(): number {
    return this.state?.step ?? 0;
  }
  get wallSeconds(): number {
    return this.state?.wallSeconds ?? 0;
  }

  hostConnected(): void {
    // a panel that just closed may still be keeping its run: read what is saved once it has
    keeping
      .then(() => loadBrowserCheckpoint(idbKey(this.space)))
      .then(
        (b) => {
          if (b) {
            this.savedStep = (unpackCheckpoint(b).json.userDefinedMetadata as { step?: number }).step ?? null;
            if (!this.hasModel && this.savedStep !== null)
              this.message = `A run is kept in this browser (step ${this.savedStep}): "Resume saved" picks it up.`;
          }
          this.update();
        },
        () => undefined, // no IndexedDB: saving will explain when tried
      );
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    const rpc = this.rpc;
    this.rpc = null;
    this.starting = null;
    this.connection++; // a worker still starting for the old connection is stopped when it is ready
    if (!rpc) return;
    // Leaving the lesson must not lose the run: keep it in this browser first ("Resume saved" on return),
    // then stop the worker, which frees every tensor of it at once.
    const keep = this.hasModel && this.step > 0 ? this.keepInBrowser(rpc) : Promise.resolve(false);
    keeping = keep.finally(() => rpc.terminate());
  }

  /**
   * Save the worker's run in this browser without a word in the panel (leaving the lesson); false where
   * there is nothing worth keeping (a diverged run, which the worker refuses to export) or no storage.
   */
  private async keepInBrowser(rpc: TrainWorker): Promise<boolean> {
    try {
      await rpc.call(rpc.api.pause());
      const bytes = await rpc.call(rpc.api.checkpoint());
      await saveBrowserCheckpoint(idbKey(this.space), bytes);
      this.savedStep = this.step;
      this.savedIsThisRun = true;
      return true;
    } catch {
      return false;
    }
  }

  private update() {
    this.host.requestUpdate();
  }

  /**
   * Every action of the panel goes through here: its failure becomes the panel's error message (with
   * `prefix`), never an unhandled rejection, and the panel re-renders either way.
   */
  private async guard<T>(prefix: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (e) {
      this.error = `${prefix}${e instanceof Error ? e.message : String(e)}`;
      return undefined;
    } finally {
      this.update();
    }
  }

  /** What the worker reports unasked: progress, encoding progress and previews. */
  private readonly onEvent = (e: TrainEvent) => {
    if (e.type === 'progress') {
      this.state = e.state;
      this.losses = [...this.losses, [e.progress.step, e.progress.loss]];
      this.stepsPerSecond = e.progress.stepsPerSecond;
    } else if (e.type === 'encoding') {
      this.encoding = e.done < e.total ? e : null;
    } else if (e.type === 'checkpoint') {
      void this.keepCheckpoint(e.bytes, e.step);
    } else if (e.type === 'lost') {
      void this.recover(e.reason, e.wasRunning);
    } else {
      this.preview = e.x;
      this.previewStep = e.step;
    }
    this.update();
  };

  /**
   * The run's latest automatic checkpoint (the worker sends one after the first step and then every
   * half minute): kept here for a lost GPU, and in this browser for a reload ("Resume saved").
   */
  private autoCheckpoint: { bytes: Uint8Array; step: number } | null = null;
  /** The step of the latest automatic checkpoint of this run (null before its first). */
  get checkpointStep(): number | null {
    return this.autoCheckpoint?.step ?? null;
  }
  /** The GPU was lost and the run is moving to WASM. */
  private lostGpu = false;
  /** The digits the worker was started with (a restarted worker gets the same). */
  private data: MnistSplit | null = null;
  /**
   * The run kept in this browser is the one training now (saved, resumed or kept by hand or
   * automatically): automatic checkpoints may replace it. They never replace another run saved on
   * purpose, and after "Forget" they keep nothing until the next Save.
   */
  private savedIsThisRun = false;
  private forgotten = false;

  private async keepCheckpoint(bytes: Uint8Array, step: number): Promise<void> {
    this.autoCheckpoint = { bytes, step };
    if (!(this.savedIsThisRun || (this.savedStep === null && !this.forgotten))) return;
    try {
      await saveBrowserCheckpoint(idbKey(this.space), bytes);
      this.savedStep = step;
      this.savedIsThisRun = true;
    } catch (e) {
      const full = ((e as Error).cause as DOMException | undefined)?.name === 'QuotaExceededError';
      this.message = full
        ? "This browser's storage is full, so the run is not kept here automatically: use Download to keep its weights."
        : `The run could not be kept in this browser automatically (${(e as Error).message}): use Download to keep its weights.`;
      this.update();
    }
  }

  /**
   * The GPU went away mid-run (a driver reset, a sleeping laptop, `device.destroy()`): start a new worker
   * on WASM, restore the latest automatic checkpoint and, if the run was training, train on.
   */
  private async recover(reason: string, resume: boolean): Promise<void> {
    if (this.lostGpu || !this.data) return;
    this.lostGpu = true;
    const connection = this.connection;
    const ck = this.autoCheckpoint;
    const old = this.rpc;
    this.rpc = null;
    this.starting = null;
    old?.terminate();
    try {
      const rpc = await this.worker(this.data, 'wasm');
      if (connection !== this.connection) return; // the panel left the page meanwhile: nothing to go on with
      if (ck) {
        const st = await rpc.call(rpc.api.restore({ bytes: ck.bytes }));
        this.state = st;
        this.losses = st.history.slice();
      } else {
        this.state = null;
        this.losses = [];
      }
      this.message = ck
        ? `The GPU stopped working (${reason}). Training moved to WASM and went back to step ${ck.step}, its last automatic checkpoint.`
        : `The GPU stopped working (${reason}) before the run's first checkpoint. Training moved to WASM and starts again.`;
      this.error = '';
    } catch (e) {
      if (connection !== this.connection) return;
      this.error = `The GPU stopped working (${reason}) and WASM could not take over: ${(e as Error).message}`;
      return;
    } finally {
      this.lostGpu = false;
      this.update();
    }
    if (resume && connection === this.connection) await this.start(this.data);
  }

  /** The worker, started on first use with the same backend as the page and a copy of the digits. */
  private worker(data: MnistSplit, backend?: 'wasm'): Promise<TrainWorker> {
    this.data = data;
    this.starting ??= (async () => {
      const connection = this.connection;
      const started = await startTrainWorker(data, this.space, proxy(this.onEvent), backend);
      const rpc = started.rpc;
      this.backend = started.backend;
      this.latent = started.latent;
      if (connection !== this.connection) {
        rpc.terminate(); // the panel left the page while the worker started
        throw new Error('the panel was closed');
      }
      this.rpc = rpc;
      this.update();
      return rpc;
    })();
    this.starting.catch((e: Error) => {
      this.error = e.message;
      this.starting = null;
      this.update();
    });
    return this.starting;
  }

  /** The configuration the settings describe, in this panel's space. */
  private config(): TrainConfig {
    return trainConfigFor(this.settings, this.space === 'latent' ? this.latent : undefined);
  }

  private async ensureModel(data: MnistSplit): Promise<TrainWorker> {
    const rpc = await this.worker(data);
    if (!this.state?.hasModel) this.state = await rpc.call(rpc.api.configure({ config: this.config() }));
    return rpc;
  }

  /** Train until paused (or for `steps` steps). */
  async start(data: MnistSplit, steps = 1e9): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = '';
    this.watchLongTasks();
    this.update();
    await this.guard('', async () => {
      try {
        const rpc = await this.ensureModel(data);
        this.state = await rpc.call(
          rpc.api.run({
            steps,
            previewEvery: this.settings.previewEvery,
            previewCount: PREVIEW_COUNT,
          }),
        );
      } catch (e) {
        if (!this.lostGpu) throw e; // a lost GPU's worker was stopped on purpose: recover() takes over
      } finally {
        this.running = false;
      }
    });
  }

  /** Lose the worker's GPU as a driver reset would (see the worker's loseDevice); false without a GPU. */
  async loseGpu(): Promise<boolean> {
    const rpc = this.rpc;
    return rpc ? rpc.call(rpc.api.loseDevice()) : false;
  }

  pause(): void {
    this.rpc?.call(this.rpc.api.pause()).catch(() => undefined); // a stopped worker is paused already
  }

  /** One training step (for stepping through by hand). */
  step1(data: MnistSplit): Promise<void> {
    return this.start(data, 1);
  }

  /** Forget the model and start again with the current settings. */
  async reset(): Promise<void> {
    this.losses = [];
    this.preview = null;
    this.previewStep = -1;
    this.stepsPerSecond = 0;
    this.message = '';
    this.error = '';
    this.autoCheckpoint = null;
    this.savedIsThisRun = false;
    const rpc = this.rpc;
    await this.guard('Could not reset: ', async () => {
      if (rpc) this.state = await rpc.call(rpc.api.reset());
    });
  }

  /** 16 samples from fixed seeds with the EMA weights (the space's preview sampler, live-settings.ts). */
  /**
   * `n` samples of the current EMA weights (pixels: a latent run's are decoded), for probes and tests;
   * unlike the preview it throws on failure.
   */
  async samples(n: number, seed: number): Promise<Float32Array> {
    const rpc = this.rpc;
    if (!rpc || !this.hasModel) throw new Error('no model yet');
    return (await rpc.call(rpc.api.preview({ n, seed }))).x;
  }

  async makePreview(): Promise<void> {
    if (!this.rpc || !this.hasModel || this.previewBusy) return;
    const rpc = this.rpc;
    this.previewBusy = true;
    this.update();
    await this.guard('Could not sample: ', async () => {
      try {
        const r = await rpc.call(rpc.api.preview({ n: PREVIEW_COUNT, seed: 42 }));
        this.preview = r.x;
        this.previewStep = r.step;
      } finally {
        this.previewBusy = false;
      }
    });
  }

  async saveToBrowser(): Promise<void> {
    const rpc = this.rpc;
    if (!rpc || !this.hasModel) return;
    await this.guard('Could not save: ', async () => {
      const bytes = await rpc.call(rpc.api.checkpoint());
      await saveBrowserCheckpoint(idbKey(this.space), bytes);
      this.savedStep = this.step;
      this.savedIsThisRun = true;
      this.forgotten = false;
      this.message = `Saved step ${this.step} in this browser.`;
    });
  }

  /** Resume the checkpoint saved in this browser (its settings replace the current ones). */
  async loadFromBrowser(data: MnistSplit): Promise<void> {
    await this.guard('Could not resume: ', async () => {
      const bytes = await loadBrowserCheckpoint(idbKey(this.space));
      if (!bytes) throw new Error('nothing is saved in this browser yet');
      const rpc = await this.worker(data);
      const st = await rpc.call(rpc.api.restore({ bytes }));
      const c = st.config!;
      this.state = st;
      this.autoCheckpoint = { bytes, step: st.step };
      this.savedIsThisRun = true;
      setLiveSettings({
        preset: c.preset,
        lr: c.lr,
        batch: c.batch,
        schedule: c.schedule,
        T: c.T,
      });
      this.losses = st.history.slice();
      this.preview = null;
      this.message = `Resumed at step ${st.step}.`;
      this.error = '';
    });
  }

  async forgetSaved(): Promise<void> {
    await this.guard('Could not forget the saved model: ', async () => {
      await deleteBrowserCheckpoint(idbKey(this.space));
      this.savedStep = null;
      this.savedIsThisRun = false;
      this.forgotten = true;
    });
  }

  /** model.json + weights.bin of the EMA weights, the same format as models/ddpm-mnist. */
  async exportFiles(): Promise<{ json: ModelJson; bin: Uint8Array } | null> {
    const rpc = this.rpc;
    if (!rpc || !this.hasModel) return null;
    const metadata = {
      trainedSteps: this.step,
      wallSeconds: this.wallSeconds,
      source: 'Diffusion Lab, Train it live',
    };
    return (await this.guard('Could not export: ', () => rpc.call(rpc.api.exportEma({ metadata })))) ?? null;
  }

  /** Load uploaded model.json + weights.bin into the current model; on any problem nothing changes. */
  async importFiles(data: MnistSplit, json: string | Blob, weights: Uint8Array | Blob): Promise<void> {
    await this.guard('Could not load those files: ', async () => {
      const jsonText = typeof json === 'string' ? json : await json.text();
      const bin = weights instanceof Uint8Array ? weights : new Uint8Array(await weights.arrayBuffer());
      const rpc = await this.worker(data);
      this.state = await rpc.call(
        rpc.api.importWeights({
          json: jsonText,
          bin,
          config: this.config(),
        }),
      );
      this.autoCheckpoint = null; // other weights now: the next run checkpoints them
      this.savedIsThisRun = false;
      this.message = `Loaded weights (step ${this.step}).`;
      this.error = '';
    });
    if (!this.error) await this.makePreview();
  }

  private watchLongTasks() {
    this.observer?.disconnect();
    this.observer = watchLongTasks(() => {
      this.longTasks++;
      this.update();
    });
  }

  memory(): { tensors: number; mb: number } | null {
    return this.state ? { tensors: this.state.tensors, mb: this.state.mb } : null;
  }
}
