/** The settings of "Train it live" and the training configuration they make (also used by `npm run probe`). */
import type { BetaScheduleKind } from '../diffusion/schedule';
import type { UNetPreset } from '../nets/unet';
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

export const DEFAULT_LIVE: LiveSettings = {
  preset: 'classroom',
  lr: 1e-3,
  batch: 32,
  schedule: 'linear',
  T: 1000,
  previewEvery: 100,
};

/** Shorter warm-up and a faster EMA than the shipped run, so a live demo shows progress sooner. */
export function trainConfigFor(s: LiveSettings): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    preset: s.preset,
    lr: s.lr,
    batch: s.batch,
    schedule: s.schedule,
    T: s.T,
    warmup: 100,
    emaDecay: 0.995,
  };
}
