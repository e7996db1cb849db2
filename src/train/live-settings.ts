/** The settings of "Train it live" and the training configuration they make (also used by `npm run probe`). */
import type { BetaScheduleKind } from '../diffusion/schedule';
import { samplerLabel, type SamplerSpec } from '../diffusion/samplers';
import { UNET_PRESETS, type UNetConfig, type UNetPreset } from '../nets/unet';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './ddpm-trainer';

export interface LiveSettings {
  preset: UNetPreset;
  lr: number;
  batch: number;
  schedule: BetaScheduleKind;
  T: number;
  /** Refresh the preview samples every this many steps. */
  previewEvery: number;
}

/** Training digits a live latent run encodes when it starts (the first ones of the training set). */
export const LIVE_LATENT_DIGITS = 20000;

export const DEFAULT_LIVE: LiveSettings = {
  preset: 'classroom',
  lr: 1e-3,
  batch: 32,
  schedule: 'linear',
  T: 1000,
  previewEvery: 100,
};

/** The U-Net of a live latent run: the preset's widths on the 8x8x4 diffusion latents (same parameter count). */
export function latentUNet(preset: UNetPreset): UNetConfig {
  return { ch: UNET_PRESETS[preset].ch, groups: 8, size: 8, channels: 4 };
}

/**
 * Shorter warm-up and a faster EMA than the shipped run, so a live demo shows progress sooner. With
 * `latent` (the autoencoder the latents come from), the same settings train a latent DDPM: the
 * preset's U-Net on 8x8x4 latents, sampled without x̂0 clipping, predicting v instead of the noise.
 * v-prediction is what makes the latent panel draw digits sooner: trained from scratch with these
 * settings for 2,400 steps, 45% of 200 decoded DDIM-50 samples were recognised against 35% predicting
 * the noise (same seeds; `npm run probe -- --space latent --prediction v|epsilon --steps 2400 --every 600`,
 * models/probe-latent-*.md). The panel itself, measured in Chromium: models/probe-browser-latent.md.
 */
export function trainConfigFor(s: LiveSettings, latent?: TrainConfig['latent']): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    ...(latent ? { unet: latentUNet(s.preset), clipSample: false, latent, prediction: 'v' as const } : {}),
    preset: s.preset,
    lr: s.lr,
    batch: s.batch,
    schedule: s.schedule,
    T: s.T,
    warmup: 100,
    emaDecay: 0.995,
  };
}

/**
 * How the panel's samples are drawn. Pixels: a respaced 25-step DDPM, quick on a 28x28 net. Latents:
 * 50 DDIM steps, as cheap on an 8x8 grid and clearly better this early in training (measured on the
 * latent DDPM at step 1,500: 48% of 200 decoded samples recognised with DDIM-50 against 42% with
 * 25-step DDPM).
 */
export function previewSampler(space: 'pixel' | 'latent'): SamplerSpec {
  return space === 'latent' ? { sampler: 'ddim', steps: 50 } : { sampler: 'ddpm', steps: 25 };
}

/** The preview sampler in words: "25-step DDPM", "50-step DDIM η=0". */
export function previewSamplerText(space: 'pixel' | 'latent'): string {
  const spec = previewSampler(space);
  return `${spec.steps}-step ${samplerLabel(spec)}`;
}
