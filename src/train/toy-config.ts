/**
 * The warm-up lesson's model: a three-layer MLP of width 128 with a sinusoidal time embedding, trained as
 * a DDPM (ε-prediction, linear schedule over 1,000 steps) on 2-D points; small enough to learn a spiral
 * in seconds on any backend.
 */
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from './ddpm-trainer';

export function toyConfig(seed: number): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    mlp: { dim: 2, hidden: 128, layers: 3, timeDim: 32 },
    batch: 256,
    lr: 1e-2,
    warmup: 50,
    emaDecay: 0.95,
    minSnrGamma: null,
    clipSample: false,
    seed,
  };
}
