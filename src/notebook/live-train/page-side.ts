/** Page-side helpers of the live training session: the shipped autoencoder for latent runs, and long-task counting. */
import { modelDir, SHIPPED_MODELS } from '../../nets/registry';
import type { TrainConfig } from '../../train/ddpm-trainer';

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
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bin));
  const weightsSha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
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
