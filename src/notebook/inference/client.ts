/**
 * The page side of the inference worker (worker.ts): one worker for the whole course, started on the
 * page's backend at the first call, and `sampleInWorker`, the same stream of frames as sampleDdpm, run in
 * the worker. Stopping (the signal) cancels the run between two steps.
 */
import type { SamplerSpec } from '../../diffusion/samplers';
import { modelDir, type ShippedModel, SHIPPED_MODELS } from '../../nets/registry';
import { shippedTextToImageSource, type TextToImagePipeline } from '../../pipelines/text-to-image';
import { topClasses } from '../../metrics/quality';
import type { RestoreTask } from '../../pipelines/restore';
import { backendReady } from '../../runtime/session';
import { connectWorker, proxy, type WorkerConnection } from '../../runtime/worker-rpc';
import type {
  InferenceWorkerApi,
  OnePassRequest,
  LossPoint,
  RestoreFrame,
  TextToImageFrame,
  TextToImageRequest,
  WorkerFrame,
} from './worker';

export type { LossPoint, RestoreFrame, TextToImageFrame, WorkerFrame };

let started: Promise<WorkerConnection<InferenceWorkerApi>> | null = null;
let nextRun = 1;

/** The worker, started once on the page's backend. */
export function inferenceWorker(): Promise<WorkerConnection<InferenceWorkerApi>> {
  started ??= (async () => {
    const page = await backendReady();
    const rpc = connectWorker<InferenceWorkerApi>(
      new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
      'the sampling worker',
    );
    await rpc.call(rpc.api.init(page.name));
    return rpc;
  })();
  started.catch(() => (started = null));
  return started;
}

const folder = (m: ShippedModel) => new URL(`${modelDir(m)}/`, document.baseURI).href;

/**
 * A worker call that reports items through a callback, as an async stream: items arrive in order, the
 * stream ends when the call resolves, rethrows its failure, and cancels the call when `signal` aborts or
 * the consumer stops early.
 */
async function* stream<T>(
  rpc: WorkerConnection<InferenceWorkerApi>,
  start: (run: number, onItem: (x: T) => void) => Promise<unknown>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const run = nextRun++;
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const onAbort = () => void rpc.api.cancel(run);
  signal?.addEventListener('abort', onAbort);
  rpc
    .call(
      start(
        run,
        proxy((x: T) => {
          queue.push(x);
          wake?.();
        }),
      ),
    )
    .then(
      () => (finished = true),
      (e: unknown) => ((failure = e), (finished = true)),
    )
    .finally(() => wake?.());
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    if (failure) throw failure;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) void rpc.api.cancel(run); // the consumer stopped early
  }
}

/**
 * Sample a shipped model in the worker: frames every `every` steps and at the last (for a latent model,
 * decoded to pixels: predX0 at every frame, x at the last).
 */
export async function* sampleInWorker(o: {
  model: ShippedModel;
  spec: SamplerSpec;
  n: number;
  seed: number;
  every?: number;
  /** For a label-conditioned model: a label per sample (-1: none) and the guidance towards them. */
  labels?: number[];
  guidance?: number;
  signal?: AbortSignal;
}): AsyncGenerator<WorkerFrame> {
  const rpc = await inferenceWorker();
  const ae = o.model.autoencoder
    ? Object.values(SHIPPED_MODELS).find((m) => m.id === o.model.autoencoder)
    : undefined;
  yield* stream<WorkerFrame>(
    rpc,
    (run, onFrame) =>
      rpc.api.sample(
        {
          model: folder(o.model),
          ...(ae ? { autoencoder: folder(ae) } : {}),
          spec: o.spec,
          n: o.n,
          seed: o.seed,
          every: o.every ?? 1,
          ...(o.labels ? { labels: o.labels, guidance: o.guidance ?? 1 } : {}),
          run,
        },
        onFrame,
      ),
    o.signal,
  );
}

/** The loss-by-timestep curve of a shipped model on clean images x0, point by point, in the worker. */
export async function* lossByTInWorker(o: {
  model: ShippedModel;
  x0: Float32Array;
  timesteps: number[];
  noiseSeed: number;
  signal?: AbortSignal;
}): AsyncGenerator<LossPoint> {
  const rpc = await inferenceWorker();
  yield* stream<LossPoint>(
    rpc,
    (run, onPoint) =>
      rpc.api.lossByT(
        { model: folder(o.model), x0: o.x0, timesteps: o.timesteps, noiseSeed: o.noiseSeed, run },
        onPoint,
      ),
    o.signal,
  );
}

/** The shipped text-to-image folders, as the worker fetches them. */
const textToImageSource = (pipeline: TextToImagePipeline = 'mnist') =>
  shippedTextToImageSource(document.baseURI, pipeline);

/**
 * Text to image with the shipped models (the single-digit pipeline, or with `pipeline: 'canvas'` the
 * multi-digit one), in the worker: a frame per step.
 */
export async function* textToImageInWorker(
  o: Omit<TextToImageRequest, 'source' | 'run'> & { signal?: AbortSignal; pipeline?: TextToImagePipeline },
): AsyncGenerator<TextToImageFrame> {
  const rpc = await inferenceWorker();
  const { signal, pipeline, ...req } = o;
  yield* stream<TextToImageFrame>(
    rpc,
    (run, onFrame) => rpc.api.textToImage({ ...req, source: textToImageSource(pipeline), run }, onFrame),
    signal,
  );
}

/**
 * Text to images in the worker when only the final images matter (no previews, no inspection): the last
 * frame's images, or null if the run was stopped. `onStep` hears each denoising step (1 … steps).
 */
export async function finalTextToImageInWorker(
  o: Omit<Parameters<typeof textToImageInWorker>[0], 'inspect' | 'previews' | 'negative'> & {
    negative?: string;
    onStep?: (step: number) => void;
  },
): Promise<Float32Array | null> {
  const { onStep, negative = '', ...rest } = o;
  let images: Float32Array | null = null;
  for await (const f of textToImageInWorker({ ...rest, negative, inspect: false, previews: false })) {
    onStep?.(f.index + 1);
    if (f.index === f.total - 1) images = f.image;
  }
  return o.signal?.aborted ? null : images;
}

/** The text encoder's similarity of a prompt to other prompts and to digits (n·784 in [-1, 1]). */
export async function similarityInWorker(o: {
  prompt: string;
  others: string[];
  digits: Float32Array;
}): Promise<{ prompts: number[]; digits: number[] }> {
  const rpc = await inferenceWorker();
  return rpc.call(rpc.api.similarity({ ...o, source: textToImageSource() }));
}

/** What a one-pass call asks, with the model named by the registry instead of its folder. */
export type OnePassCall = OnePassRequest extends infer R
  ? R extends OnePassRequest
    ? Omit<R, 'folder'>
    : never
  : never;

/** A GAN's or VAE's digits, an interpolation, or reconstructions by the VAE or the latent autoencoder, in the worker. */
export async function onePassInWorker(r: OnePassCall): Promise<Float32Array> {
  const rpc = await inferenceWorker();
  const m =
    r.kind === 'gan'
      ? SHIPPED_MODELS.ganMnist
      : r.kind === 'vae'
        ? SHIPPED_MODELS.vaeMnist
        : SHIPPED_MODELS.autoencoderMnist;
  return rpc.call(rpc.api.onePass({ ...r, folder: folder(m) } as OnePassRequest));
}

/**
 * The walk between two images (2·784 values) through a diffusion model's DDIM-inverted noises, in the
 * worker; stopping `signal` cancels it.
 */
export async function inversionWalkInWorker(o: {
  model: ShippedModel;
  images: Float32Array;
  steps: number;
  frames: number;
  signal?: AbortSignal;
}): Promise<Float32Array> {
  const rpc = await inferenceWorker();
  const run = nextRun++;
  const stop = () => void rpc.api.cancel(run);
  o.signal?.addEventListener('abort', stop);
  try {
    return await rpc.call(
      rpc.api.inversionWalk({
        model: folder(o.model),
        images: o.images,
        steps: o.steps,
        frames: o.frames,
        run,
      }),
    );
  } finally {
    o.signal?.removeEventListener('abort', stop);
  }
}

/**
 * Denoise, inpaint or edit digits (n·784 in [-1, 1]) with the shipped pixel DDPM in the worker: a frame
 * every `every` network calls and at the end; the first frame carries the task's starting image.
 */
export async function* restoreInWorker(o: {
  task: RestoreTask;
  images: Float32Array;
  seed: number;
  every?: number;
  signal?: AbortSignal;
}): AsyncGenerator<RestoreFrame> {
  const rpc = await inferenceWorker();
  yield* stream<RestoreFrame>(
    rpc,
    (run, onFrame) =>
      rpc.api.restore(
        {
          model: folder(SHIPPED_MODELS.ddpmMnist),
          task: o.task,
          images: o.images,
          seed: o.seed,
          every: o.every ?? 1,
          run,
        },
        onFrame,
      ),
    o.signal,
  );
}

/** The evaluation classifier's probabilities (n·10) for n digits, in the worker. */
export async function classifyInWorker(images: Float32Array): Promise<Float32Array> {
  const rpc = await inferenceWorker();
  return rpc.call(rpc.api.classify({ classifier: folder(SHIPPED_MODELS.mnistClassifier), images }));
}

/** The classifier's reading of an image: the digit it sees and its probability. */
export interface DigitReading {
  digit: number;
  p: number;
}

/** The evaluation classifier's reading of each of n digits (n·784 in [-1, 1]), in the worker. */
export async function readDigitsInWorker(images: Float32Array): Promise<DigitReading[]> {
  const probs = await classifyInWorker(images);
  return topClasses(probs).map((digit, i) => ({ digit, p: probs[i * 10 + digit]! }));
}
