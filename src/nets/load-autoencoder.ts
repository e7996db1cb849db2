/**
 * Loading the shipped or an uploaded autoencoder (model.json + weights.bin), checked against the
 * architecture its metadata names. A latent diffusion model needs the latent scale too, which the
 * evaluation computes on the training set and writes into the metadata.
 */
import { fetchBytes } from '../data/fetch-bytes';
import { Autoencoder, type AutoencoderConfig } from './autoencoder';
import { sha256Hex } from './latent-pair';
import { decodeWeights, WeightsError } from './weights-format';

export interface AutoencoderMetadata {
  kind: 'autoencoder';
  autoencoder: AutoencoderConfig;
  /** Multiplies the encoder's mean so latents have unit variance on the training set (SD's 0.18215). */
  latentScale?: number;
  step?: number;
  wallSeconds?: number;
}

export interface LoadedAutoencoder {
  net: Autoencoder;
  meta: AutoencoderMetadata;
  /** SHA-256 of weights.bin, where the loader computed it (fetchAutoencoder does). */
  sha256?: string;
}

function parse(json: unknown): { userDefinedMetadata?: Record<string, unknown> } {
  if (typeof json !== 'string') return json as { userDefinedMetadata?: Record<string, unknown> };
  try {
    return JSON.parse(json);
  } catch {
    throw new WeightsError(
      'the model description is not valid JSON: is this a model.json from Diffusion Lab?',
    );
  }
}

/** Build the autoencoder from model.json (object or text) + weights.bin bytes. */
export function loadAutoencoder(json: unknown, bin: Uint8Array): LoadedAutoencoder {
  const parsed = parse(json);
  const meta = (parsed?.userDefinedMetadata ?? {}) as Partial<AutoencoderMetadata>;
  if (meta.kind !== 'autoencoder' || !meta.autoencoder)
    throw new WeightsError(
      `this is not a Diffusion Lab autoencoder (its metadata says kind "${String(meta.kind)}")`,
    );
  if (meta.latentScale !== undefined && !(meta.latentScale > 0 && Number.isFinite(meta.latentScale)))
    throw new WeightsError(`the autoencoder's latent scale ${meta.latentScale} is not a positive number`);
  const net = new Autoencoder(meta.autoencoder);
  try {
    net.setWeights(decodeWeights(parsed, bin, net.paramSpecs).weights);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, meta: meta as AutoencoderMetadata };
}

/** Fetch an autoencoder folder from the page's own origin, with byte progress. */
export async function fetchAutoencoder(
  baseUrl: string,
  onProgress?: (loaded: number, total?: number) => void,
): Promise<LoadedAutoencoder> {
  const res = await fetch(new URL('model.json', baseUrl));
  if (!res.ok) throw new Error(`could not load the autoencoder's description (HTTP ${res.status})`);
  const json = await res.json();
  const bin = await fetchBytes(new URL('weights.bin', baseUrl).href, (p) => onProgress?.(p.loaded, p.total));
  return { ...loadAutoencoder(json, bin), sha256: await sha256Hex(bin) };
}
