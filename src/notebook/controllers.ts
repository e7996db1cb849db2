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
import { modelDir, modelFile, SHIPPED_MODELS } from '../nets/registry';

const DDPM = SHIPPED_MODELS.ddpmMnist;

const mb = (n: number) => (n / 1e6).toFixed(1);

/** Loads one MNIST split (shared by every cell), tracking progress for the UI. */
export class MnistController implements ReactiveController {
  data: MnistSplit | null = null;
  progress: LoadProgress | null = null;
  error = '';
  constructor(
    private readonly host: ReactiveControllerHost,
    readonly split: MnistSplitName = 'test',
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    if (this.data) return;
    this.error = '';
    loadMnist(this.split, (p) => {
      this.progress = p;
      this.host.requestUpdate();
    }).then(
      (d) => {
        this.data = d;
        this.host.requestUpdate();
      },
      (e: Error) => {
        this.error = `MNIST could not load: ${e.message}`;
        this.host.requestUpdate();
      },
    );
  }
  /** Short status text, or '' once loaded. */
  status(): string {
    if (this.error) return this.error;
    if (this.data) return '';
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
