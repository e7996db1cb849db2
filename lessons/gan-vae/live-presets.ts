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

/**
 * The live GAN's balanced settings, hurried for a five-minute lesson: three times the shipped run's
 * learning rate for the generator and six times for the discriminator (the two time-scale rule of
 * Heusel et al. 2017), and a shorter average of the generator's weights. In Node, 550 steps of this read
 * 53% confident digits against 39% for the shipped run's rates with LIVE_EMA (docs/performance.md).
 */
export const LIVE_GAN: Pick<GanTrainConfig, 'lr' | 'dLr' | 'emaDecay'> = {
  lr: 3 * DEFAULT_GAN_TRAIN_CONFIG.lr,
  dLr: 6 * DEFAULT_GAN_TRAIN_CONFIG.dLr,
  emaDecay: 0.95,
};

export function liveConfig(
  family: LiveFamily,
  preset: LivePreset,
  seed: number,
): GanTrainConfig | VaeTrainConfig {
  if (family === 'vae') return { ...DEFAULT_VAE_TRAIN_CONFIG, emaDecay: LIVE_EMA, seed };
  const base: GanTrainConfig = { ...DEFAULT_GAN_TRAIN_CONFIG, emaDecay: LIVE_EMA, seed };
  // the collapse preset is a change of the shipped settings, as the committed probe measured it
  return preset === 'best' ? { ...base, ...LIVE_GAN } : GAN_PRESETS[preset]!(base);
}
