/**
 * The live runs of the lesson: the GAN and the VAE of `npm run train -- gan|vae`, at the batch and EMA
 * a classroom laptop can show moving within minutes. "collapse" is the GAN preset that fails.
 */
import { DEFAULT_GAN_TRAIN_CONFIG, GAN_PRESETS, type GanTrainConfig } from '../../src/train/gan-trainer';
import { DEFAULT_VAE_TRAIN_CONFIG, type VaeTrainConfig } from '../../src/train/vae-trainer';

export type LiveFamily = 'gan' | 'vae';
export type LivePreset = 'best' | 'collapse';

/** The EMA of a live run: short, so the grid follows the last few hundred steps. */
export const LIVE_EMA = 0.99;

export function liveConfig(
  family: LiveFamily,
  preset: LivePreset,
  seed: number,
): GanTrainConfig | VaeTrainConfig {
  if (family === 'vae') return { ...DEFAULT_VAE_TRAIN_CONFIG, emaDecay: LIVE_EMA, seed };
  const base: GanTrainConfig = { ...DEFAULT_GAN_TRAIN_CONFIG, emaDecay: LIVE_EMA, seed };
  return GAN_PRESETS[preset]!(base);
}
