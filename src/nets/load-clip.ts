/**
 * Loading the CLIP-style text and image encoders (model.json + weights.bin), checked against the
 * architecture their metadata names and the tokenizer they were trained with.
 */
import { fetchBytes } from '../data/fetch-bytes';
import { ClipModel, type ClipConfig } from './clip';
import { sha256Hex } from './latent-pair';
import { decodeWeights, WeightsError } from './weights-format';

export interface ClipMetadata {
  kind: 'clip';
  clip: ClipConfig;
  /** SHA-256 of the tokenizer.json whose ids the text encoder reads. */
  tokenizerSha256: string;
  step?: number;
  wallSeconds?: number;
}

/** Build the encoders from model.json (object or text) + weights.bin bytes. */
export function loadClip(json: unknown, bin: Uint8Array): { net: ClipModel; meta: ClipMetadata } {
  let parsed: { userDefinedMetadata?: Record<string, unknown> };
  try {
    parsed = typeof json === 'string' ? JSON.parse(json) : (json as typeof parsed);
  } catch {
    throw new WeightsError(
      'the model description is not valid JSON: is this a model.json from Diffusion Lab?',
    );
  }
  const meta = (parsed?.userDefinedMetadata ?? {}) as Partial<ClipMetadata>;
  if (meta.kind !== 'clip' || !meta.clip || !meta.tokenizerSha256)
    throw new WeightsError(
      `this is not a Diffusion Lab text encoder (its metadata says kind "${String(meta.kind)}")`,
    );
  const net = new ClipModel(meta.clip);
  try {
    net.setWeights(decodeWeights(parsed, bin, net.paramSpecs).weights);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, meta: meta as ClipMetadata };
}

/** Fetch the encoders' folder from the page's own origin, with the hash of their weights. */
export async function fetchClip(
  baseUrl: string,
  onProgress?: (loaded: number, total?: number) => void,
): Promise<{ net: ClipModel; meta: ClipMetadata; sha256: string }> {
  const res = await fetch(new URL('model.json', baseUrl));
  if (!res.ok) throw new Error(`could not load the text encoder's description (HTTP ${res.status})`);
  const json = await res.json();
  const bin = await fetchBytes(new URL('weights.bin', baseUrl).href, (p) => onProgress?.(p.loaded, p.total));
  return { ...loadClip(json, bin), sha256: await sha256Hex(bin) };
}
