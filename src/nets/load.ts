/**
 * Loading a shipped or uploaded diffusion model: model.json (tfjs weights format + metadata) and
 * weights.bin, checked against the architecture its metadata names (a U-Net, or an MLP for flat
 * samples). Errors say what is wrong; nothing is changed until everything checks out.
 */
import type { LatentSource } from './latent-pair';
import type { ModelSampling } from '../diffusion/samplers';
import type { BetaScheduleKind } from '../diffusion/schedule';
import { fetchBytes } from '../data/fetch-bytes';
import { decodeWeights, WeightsError } from './weights-format';
import type { Denoiser } from './denoiser';
import { MlpDenoiser, type MlpDenoiserConfig } from './mlp-denoiser';
import { UNet, type UNetConfig } from './unet';

export type DdpmMetadata = (
  | { kind: 'ddpm-unet'; unet: UNetConfig; mlp?: undefined }
  | { kind: 'ddpm-mlp'; mlp: MlpDenoiserConfig; unet?: undefined }
) & {
  schedule: { kind: BetaScheduleKind; T: number };
  prediction: 'epsilon' | 'v';
  /** Clip x̂0 to [-1, 1] when sampling (absent: true, as for pixels; false for unit-variance latents). */
  clipSample?: boolean;
  /** A latent diffusion model: the autoencoder whose scaled latents it was trained on (TrainConfig.latent). */
  latent?: LatentSource;
  /** A text-to-image model: the hashes of the text encoder and tokenizer it attends to (TrainConfig.text). */
  text?: { clipSha256: string; tokenizerSha256: string };
  step?: number;
  wallSeconds?: number;
};

export interface LoadedDdpm {
  net: Denoiser;
  meta: DdpmMetadata;
}

/** How a loaded model's outputs are read by a sampler (src/diffusion/samplers.ts). */
export function modelSampling(meta: DdpmMetadata): ModelSampling {
  return { prediction: meta.prediction, clipSample: meta.clipSample ?? true };
}

function checkMeta(meta: Record<string, unknown>): DdpmMetadata {
  const m = meta as Partial<DdpmMetadata>;
  const netOk = (m.kind === 'ddpm-unet' && m.unet) || (m.kind === 'ddpm-mlp' && m.mlp);
  if (!netOk || !m.schedule) {
    throw new WeightsError(`this is not a Diffusion Lab DDPM (its metadata says kind "${String(m.kind)}")`);
  }
  return m as DdpmMetadata;
}

/** Build a U-Net from model.json + weights.bin bytes. */
export function loadDdpm(json: unknown, bin: Uint8Array): LoadedDdpm {
  const parsed =
    typeof json === 'string'
      ? (() => {
          try {
            return JSON.parse(json);
          } catch {
            throw new WeightsError(
              'the model description is not valid JSON: is this a model.json from Diffusion Lab?',
            );
          }
        })()
      : json;
  const meta = checkMeta(
    (parsed as { userDefinedMetadata?: Record<string, unknown> })?.userDefinedMetadata ?? {},
  );
  const net: Denoiser = meta.kind === 'ddpm-mlp' ? new MlpDenoiser(meta.mlp) : new UNet(meta.unet);
  try {
    const { weights } = decodeWeights(parsed, bin, net.paramSpecs);
    net.setWeights(weights);
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, meta };
}

/** Fetch a model folder (model.json + weights.bin) from the page's own origin, with byte progress. */
export async function fetchDdpm(
  baseUrl: string,
  onProgress?: (loaded: number, total?: number) => void,
): Promise<LoadedDdpm> {
  const jsonRes = await fetch(new URL('model.json', baseUrl));
  if (!jsonRes.ok) throw new Error(`could not load the model description (HTTP ${jsonRes.status})`);
  const json = await jsonRes.json();
  const bin = await fetchBytes(new URL('weights.bin', baseUrl).href, (p) => onProgress?.(p.loaded, p.total));
  return loadDdpm(json, bin);
}
