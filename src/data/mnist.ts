/**
 * Loading the MNIST asset in the browser: fetched once per split from the page's own origin,
 * with byte progress, then cached in memory for every cell of every lesson.
 */
import { fetchBytes, type LoadProgress } from './fetch-bytes';
import { decodeMnistAsset, gunzipIfNeeded, type MnistSplit, type MnistSplitName } from './mnist-asset';

const cache = new Map<MnistSplitName, Promise<MnistSplit>>();
const listeners = new Map<MnistSplitName, Set<(p: LoadProgress) => void>>();

/** Address of a split's asset, relative to the page so the app works from any sub-path. */
function mnistUrl(split: MnistSplitName, base: string = document.baseURI): string {
  return new URL(`data/mnist-${split}.bin`, base).href;
}

/**
 * The split's labels and images; the first call downloads, later calls share the same promise.
 * A failed load is forgotten so that a retry downloads again.
 */
export function loadMnist(
  split: MnistSplitName,
  onProgress?: (p: LoadProgress) => void,
): Promise<MnistSplit> {
  let subs = listeners.get(split);
  if (!subs) listeners.set(split, (subs = new Set()));
  if (onProgress) subs.add(onProgress);
  let p = cache.get(split);
  if (!p) {
    const notify = (pr: LoadProgress) => listeners.get(split)?.forEach((f) => f(pr));
    p = fetchBytes(mnistUrl(split), notify, 'Run `npm run data` and reload.')
      .then(gunzipIfNeeded)
      .then((bytes) => decodeMnistAsset(bytes, split));
    p.catch(() => cache.delete(split));
    cache.set(split, p);
  }
  return p.finally(() => onProgress && subs.delete(onProgress));
}

export type { LoadProgress };
