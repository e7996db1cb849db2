/**
 * A latent diffusion model belongs to one autoencoder: the one whose scaled latents it was trained on.
 * Its metadata records that autoencoder's id, latent scale and the SHA-256 of its weights; these are the
 * checks every place that pairs the two runs (training, evaluation, the lessons, the live panel).
 */
import { WeightsError } from './weights-format';

/** What a latent DDPM records of its autoencoder (TrainConfig.latent and DdpmMetadata.latent). */
export interface LatentSource {
  autoencoder: string;
  scale: number;
  weightsSha256: string;
}

/** Hex SHA-256 of some bytes (Web Crypto: the page, workers and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The latent scale to decode with, once the autoencoder at hand is the one the model was trained on:
 * same weights (when their hash is known here) and same latent scale. Throws a WeightsError in plain
 * words otherwise.
 */
export function pairedLatentScale(
  autoencoder: { latentScale?: number; sha256?: string },
  trainedOn: LatentSource | undefined,
): number {
  if (!trainedOn) throw new WeightsError('this is not a latent diffusion model (it names no autoencoder)');
  const scale = autoencoder.latentScale;
  if (!scale) throw new WeightsError('the autoencoder has no latent scale yet (its evaluation computes it)');
  if (autoencoder.sha256 !== undefined && autoencoder.sha256 !== trainedOn.weightsSha256)
    throw new WeightsError(
      `the latent model was trained on the latents of another autoencoder (SHA-256 ` +
        `${trainedOn.weightsSha256.slice(0, 12)}…, this one ${autoencoder.sha256.slice(0, 12)}…)`,
    );
  if (Math.abs(trainedOn.scale - scale) > 1e-9 * scale)
    throw new WeightsError(
      `the latent model and this autoencoder do not belong together (latent scale ${trainedOn.scale} against ${scale})`,
    );
  return scale;
}
