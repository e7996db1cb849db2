/**
 * The page side of the inference worker (worker.ts): one worker for the whole course, started on the
 * page's backend at the first call, and `sampleInWorker`, the same stream of frames as sampleDdpm, run in
 * the worker. Stopping (the signal) cancels the run between two steps.
 */
import type { SamplerSpec } from '../../diffusion/samplers';
import { modelDir, type ShippedModel, SHIPPED_MODELS } from '../../nets/registry';
import { backendReady } from '../../runtime/session';
import { connectWorker, proxy, type WorkerConnection } from '../../runtime/worker-rpc';
import type { InferenceWorkerApi, WorkerFrame } from './worker';

export type { WorkerFrame };

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
 * Sample a shipped model in the worker: frames every `every` steps and at the last (for a latent model,
 * decoded to pixels: predX0 at every frame, x at the last).
 */
export async function* sampleInWorker(o: {
  model: ShippedModel;
  spec: SamplerSpec;
  n: number;
  seed: number;
  every?: number;
  signal?: AbortSignal;
}): AsyncGenerator<WorkerFrame> {
  const rpc = await inferenceWorker();
  const run = nextRun++;
  const queue: WorkerFrame[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const ae = o.model.autoencoder
    ? Object.values(SHIPPED_MODELS).find((m) => m.id === o.model.autoencoder)
    : undefined;
  const onAbort = () => void rpc.api.cancel(run);
  o.signal?.addEventListener('abort', onAbort);
  rpc
    .call(
      rpc.api.sample(
        {
          model: folder(o.model),
          ...(ae ? { autoencoder: folder(ae) } : {}),
          spec: o.spec,
          n: o.n,
          seed: o.seed,
          every: o.every ?? 1,
          run,
        },
        proxy((f: WorkerFrame) => {
          queue.push(f);
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
    o.signal?.removeEventListener('abort', onAbort);
    if (!finished) void rpc.api.cancel(run); // the consumer stopped early
  }
}
