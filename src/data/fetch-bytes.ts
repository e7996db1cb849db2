/** Downloading a file from the page's own origin with byte progress (MNIST assets, model weights). */

export interface LoadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Total bytes, when the server says (Content-Length). */
  total?: number;
}

/** The whole body of `url`; `hint` is appended to an HTTP error to say what to do. */
export async function fetchBytes(
  url: string,
  onProgress?: (p: LoadProgress) => void,
  hint = '',
): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${(e as Error).message}. Is the server still running?`);
  }
  if (!res.ok) throw new Error(`fetching ${url} failed: HTTP ${res.status}.${hint ? ' ' + hint : ''}`);
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
    onProgress?.({ loaded, total });
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
