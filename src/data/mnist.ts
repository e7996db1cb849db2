/**
 * Loading the MNIST asset in the browser: fetched once per split from the page's own origin,
 * with byte progress, then cached in memory for every cell of every lesson.
 */
import { decodeMnistAsset, gunzipIfNeeded, type MnistSplit, type MnistSplitName } from './mnist-asset';

export interface LoadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes, when the server says (Content-Length). */
  total?: number;
}

const cache = new Map<MnistSplitName, Promise<MnistSplit>>();
const listeners = new Map<MnistSplitName, Set<(p: LoadProgress) => void>>();

/** Address of a split's asset, relative to the page so the app works from any sub-path. */
export function mnistUrl(split: MnistSplitName, base: string = document.baseURI): string {
  return new URL(`data/mnist-${split}.bin`, base).href;
}

async function fetchBytes(url: string, onProgress: (p: LoadProgress) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${(e as Error).message}. Is the dev server still running?`);
  }
  if (!res.ok)
    throw new Error(`fetching ${url} failed: HTTP ${res.status}. Run \`npm run data\` and reload.`);
  const totalHeader = Number(res.headers.get('content-length'));
  const total = Number.isFinite(totalHeader) && totalHeader > 0 ? totalHeader : undefined;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress({ loaded, total });
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
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
    p = fetchBytes(mnistUrl(split), notify)
      .then(gunzipIfNeeded)
      .then((bytes) => decodeMnistAsset(bytes, split));
    p.catch(() => cache.delete(split));
    cache.set(split, p);
  }
  return p.finally(() => onProgress && subs.delete(onProgress));
}
