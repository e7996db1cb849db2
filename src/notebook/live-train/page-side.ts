/**
 * Page-side helpers of the live training session: starting its worker (with the shipped autoencoder for a
 * latent run), and counting the page's long tasks.
 */
import { sha256Hex } from '../../nets/latent-pair';
import { modelDir, SHIPPED_MODELS } from '../../nets/registry';
import type { TrainConfig } from '../../train/ddpm-trainer';
import type { MnistSplit } from '../../data/mnist-asset';
import type { BackendInfo } from '../../runtime/backend';
import { backendReady } from '../../runtime/session';
import { connectWorker, type WorkerConnection } from '../../runtime/worker-rpc';
import type { TrainEvent } from './events';
import type { TrainWorkerApi } from './worker';

/**
 * The shipped autoencoder's files for the worker, and what a latent run's configuration records of it:
 * its id, latent scale and the SHA-256 of its weights.
 */
export async function fetchShippedAutoencoder(): Promise<{
  files: { json: string; bin: Uint8Array };
  latent: NonNullable<TrainConfig['latent']>;
}> {
  const base = new URL(`${modelDir(SHIPPED_MODELS.autoencoderMnist)}/`, document.baseURI);
  const [jsonRes, binRes] = await Promise.all([
    fetch(new URL('model.json', base)),
    fetch(new URL('weights.bin', base)),
  ]);
  if (!jsonRes.ok || !binRes.ok)
    throw new Error(`the autoencoder could not load (HTTP ${jsonRes.ok ? binRes.status : jsonRes.status})`);
  const json = await jsonRes.text();
  const bin = new Uint8Array(await binRes.arrayBuffer());
  const scale = (JSON.parse(json) as { userDefinedMetadata?: { latentScale?: number } }).userDefinedMetadata
    ?.latentScale;
  if (!scale) throw new Error('the shipped autoencoder has no latent scale');
  const weightsSha256 = await sha256Hex(bin);
  return {
    files: { json, bin },
    latent: { autoencoder: SHIPPED_MODELS.autoencoderMnist.id, scale, weightsSha256 },
  };
}

/**
 * Count long tasks (> 50 ms) on the page's thread: moments the page could not respond within a frame.
 * Returns the observer (disconnect it when done), or null where the browser cannot observe them.
 */
export function watchLongTasks(onLongTask: () => void): PerformanceObserver | null {
  try {
    const observer = new PerformanceObserver((list) => list.getEntries().forEach(() => onLongTask()));
    observer.observe({ type: 'longtask', buffered: false });
    return observer;
  } catch {
    return null; // not supported: the count stays 0
  }
}

/**
 * Start the training worker on the page's backend (or WASM) with a copy of the digits (and, for a latent run, the
 * shipped autoencoder); `onEvent` (a Comlink proxy) hears its progress and previews.
 */
export async function startTrainWorker(
  data: MnistSplit,
  space: 'pixel' | 'latent',
  onEvent: (e: TrainEvent) => void,
  /** Another backend than the page's (WASM after a lost GPU). */
  only?: 'wasm',
): Promise<{ rpc: WorkerConnection<TrainWorkerApi>; backend: BackendInfo; latent?: TrainConfig['latent'] }> {
  const page = await backendReady();
  const shipped = space === 'latent' ? await fetchShippedAutoencoder() : undefined;
  const rpc = connectWorker<TrainWorkerApi>(
    new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
    'the training worker',
  );
  try {
    const { images, labels, count } = data;
    const backend = await rpc.call(
      rpc.api.init(
        { backend: only ?? page.name, images, labels, count, autoencoder: shipped?.files },
        onEvent,
      ),
    );
    return { rpc, backend, latent: shipped?.latent };
  } catch (e) {
    rpc.terminate();
    throw e;
  }
}
