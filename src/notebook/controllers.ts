/**
 * Reactive controllers that lessons share: loading MNIST and the shipped DDPM once, with progress and
 * plain-words errors, re-rendering their host as things arrive.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadMnist, type LoadProgress } from '../data/mnist';
import type { MnistSplit, MnistSplitName } from '../data/mnist-asset';
import type { EvalResult } from '../metrics/evaluate';
import { targetRow } from '../metrics/quality';
import type { LoadedDdpm } from '../nets/load';
import type { BackendInfo } from '../runtime/backend';
import { backendReady } from '../runtime/session';
import { pairedLatentScale } from '../nets/latent-pair';
import { modelDir, modelFile, SHIPPED_MODELS, type ShippedModel } from '../nets/registry';

const DDPM = SHIPPED_MODELS.ddpmMnist;

const mb = (n: number) => (n / 1e6).toFixed(1);

/** Loads one MNIST split (shared by every cell), tracking progress for the UI. */
export class MnistController implements ReactiveController {
  data: MnistSplit | null = null;
  progress: LoadProgress | null = null;
  error = '';
  private loading: Promise<MnistSplit> | null = null;
  /**
   * `lazy`: fetch only when `load()` is first called (the training digits, 9.6 MB, wait until a run
   * needs them); otherwise as soon as the host is on the page.
   */
  constructor(
    private readonly host: ReactiveControllerHost,
    readonly split: MnistSplitName = 'test',
    readonly lazy = false,
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    if (!this.lazy) this.load().catch(() => undefined); // the error is in `error` and the status
  }
  /** The digits, fetched once (with progress for the status line); a failed fetch can be tried again. */
  load(): Promise<MnistSplit> {
    if (this.data) return Promise.resolve(this.data);
    this.error = '';
    this.loading ??= loadMnist(this.split, (p) => {
      this.progress = p;
      this.host.requestUpdate();
    }).then(
      (d) => {
        this.data = d;
        this.host.requestUpdate();
        return d;
      },
      (e: Error) => {
        this.loading = null;
        this.error = `MNIST could not load: ${e.message}`;
        this.host.requestUpdate();
        throw e;
      },
    );
    this.host.requestUpdate();
    return this.loading;
  }
  /** Whether the digits are on their way. */
  get fetching(): boolean {
    return !!this.loading && !this.data;
  }
  /** Short status text, or '' once loaded (or, lazy, before anything asked for them). */
  status(): string {
    if (this.error) return this.error;
    if (this.data || (this.lazy && !this.loading)) return '';
    const p = this.progress;
    const what = this.split === 'test' ? 'MNIST test digits' : 'MNIST training digits';
    if (!p) return `Loading ${what}…`;
    return `Loading ${what}… ${mb(p.loaded)}${p.total ? ` / ${mb(p.total)}` : ''} MB`;
  }
}

let shipped: Promise<{ model: LoadedDdpm; backend: BackendInfo }> | null = null;
const modelListeners = new Set<(loaded: number, total?: number) => void>();

/** The shipped DDPM (models/ddpm-mnist), loaded once on the running backend. */
export function shippedDdpm(
  onProgress?: (loaded: number, total?: number) => void,
): Promise<{ model: LoadedDdpm; backend: BackendInfo }> {
  if (onProgress) modelListeners.add(onProgress);
  shipped ??= (async () => {
    const backend = await backendReady();
    const { fetchDdpm } = await import('../nets/load');
    const model = await fetchDdpm(new URL(`${modelDir(DDPM)}/`, document.baseURI).href, (l, t) =>
      modelListeners.forEach((f) => f(l, t)),
    );
    return { model, backend };
  })();
  shipped.catch(() => (shipped = null));
  return shipped;
}

let shippedEval: Promise<EvalResult[]> | null = null;

/**
 * The shipped model's measured quality (models/ddpm-mnist/eval.json), once per page. An optional figure:
 * a missing or unreadable file gives no rows, never an error in the lesson.
 */
function shippedEvalRows(): Promise<EvalResult[]> {
  shippedEval ??= fetch(new URL(modelFile(DDPM, 'eval'), document.baseURI).href)
    .then((r) => (r.ok ? (r.json() as Promise<{ results?: EvalResult[] }>) : { results: [] }))
    .then((j) => (Array.isArray(j.results) ? j.results : []))
    .catch(() => []);
  return shippedEval;
}

/** Loads the shipped DDPM for a cell, with progress. */
export class ModelController implements ReactiveController {
  model: LoadedDdpm | null = null;
  backend: BackendInfo | null = null;
  /** The target run of these very weights (and the real-digit reference), when eval.json has one. */
  quality: ReturnType<typeof targetRow> = null;
  error = '';
  private loaded = 0;
  private total?: number;
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    if (this.model) return;
    shippedDdpm((l, t) => {
      this.loaded = l;
      this.total = t;
      this.host.requestUpdate();
    }).then(
      ({ model, backend }) => {
        this.model = model;
        this.backend = backend;
        this.host.requestUpdate();
        void shippedEvalRows().then((rows) => {
          this.quality = targetRow(rows, model.meta.step ?? -1);
          if (this.quality) this.host.requestUpdate();
        });
      },
      (e: Error) => {
        this.error = `The trained model could not load: ${e.message}`;
        this.host.requestUpdate();
      },
    );
  }
  status(): string {
    if (this.error) return this.error;
    if (this.model) return '';
    return this.loaded
      ? `Loading the trained model… ${mb(this.loaded)}${this.total ? ` / ${mb(this.total)}` : ''} MB`
      : 'Loading the trained model…';
  }
}

/** A model loaded once per page (the same promise for every cell), with byte progress for each caller. */
function loadOnce<T>(load: (onProgress: (loaded: number, total?: number) => void) => Promise<T>) {
  let promise: Promise<T> | null = null;
  const listeners = new Set<(loaded: number, total?: number) => void>();
  return (onProgress?: (loaded: number, total?: number) => void): Promise<T> => {
    if (onProgress) listeners.add(onProgress);
    promise ??= load((l, t) => listeners.forEach((f) => f(l, t)));
    promise.catch(() => (promise = null)); // a failed load is tried again by the next caller
    return promise;
  };
}

const folder = (m: ShippedModel) => new URL(`${modelDir(m)}/`, document.baseURI).href;

/** The shipped autoencoder and latent DDPM (models/autoencoder-mnist, models/ldm-mnist) on the running backend. */
export const shippedLatent = loadOnce(async (onProgress) => {
  const backend = await backendReady();
  const [{ fetchAutoencoder }, { fetchDdpm }, { LatentCodec }] = await Promise.all([
    import('../nets/load-autoencoder'),
    import('../nets/load'),
    import('../pipelines/latent'),
  ]);
  let aeBytes = 0;
  let ldmBytes = 0;
  const report = () => onProgress(aeBytes + ldmBytes);
  const [aeResult, ldmResult] = await Promise.allSettled([
    fetchAutoencoder(folder(SHIPPED_MODELS.autoencoderMnist), (l) => ((aeBytes = l), report())),
    fetchDdpm(folder(SHIPPED_MODELS.ldmMnist), (l) => ((ldmBytes = l), report())),
  ]);
  if (aeResult.status === 'rejected' || ldmResult.status === 'rejected') {
    // free the one that did load: a retry loads both again
    if (aeResult.status === 'fulfilled') aeResult.value.net.dispose();
    if (ldmResult.status === 'fulfilled') ldmResult.value.net.dispose();
    throw aeResult.status === 'rejected' ? aeResult.reason : (ldmResult as PromiseRejectedResult).reason;
  }
  const ae = aeResult.value;
  const ldm = ldmResult.value;
  let scale: number;
  try {
    scale = pairedLatentScale({ latentScale: ae.meta.latentScale, sha256: ae.sha256 }, ldm.meta.latent);
  } catch (e) {
    ae.net.dispose();
    ldm.net.dispose();
    throw e;
  }
  return { autoencoder: ae, ldm, codec: new LatentCodec(ae.net, scale), backend };
});

export type ShippedLatent = Awaited<ReturnType<typeof shippedLatent>>;

/** Loads the shipped autoencoder and latent DDPM for a cell, with progress. */
export class LatentModelController implements ReactiveController {
  value: ShippedLatent | null = null;
  error = '';
  private loaded = 0;
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    if (this.value) return;
    shippedLatent((l) => {
      this.loaded = l;
      this.host.requestUpdate();
    }).then(
      (v) => {
        this.value = v;
        this.host.requestUpdate();
      },
      (e: Error) => {
        this.error = `The latent models could not load: ${e.message}`;
        this.host.requestUpdate();
      },
    );
  }
  status(): string {
    if (this.error) return this.error;
    if (this.value) return '';
    return `Loading the autoencoder and the latent model… ${mb(this.loaded)} MB`;
  }
}
