/**
 * The lessons, in reading order. A lesson with `load` is ready; one without is announced as coming,
 * so students see where the course goes.
 */
import type { LessonEntry } from '../src/notebook/course';

export type { LessonEntry, LessonModule } from '../src/notebook/course';

export const LESSONS: readonly LessonEntry[] = [
  {
    id: 'forward',
    title: 'The forward process: controlled destruction',
    summary:
      'How a diffusion model turns real digits into pure noise one small Gaussian step at a time, why you can jump to any step in one go, and how the noise schedule shapes the signal-to-noise ratio.',
    minutes: 15,
    prerequisites: [],
    load: () => import('./forward/index').then((m) => m.default),
  },
  {
    id: 'predicting-noise',
    title: 'Predicting the noise',
    summary:
      'What the network sees (x_t and t), what it predicts (the noise ε̂), what that says about the clean digit (x̂₀), and which timesteps are hard, measured with the shipped model.',
    minutes: 15,
    prerequisites: ['forward'],
    load: () => import('./predicting-noise/index').then((m) => m.default),
  },
  {
    id: 'train-live',
    title: 'Train it live',
    summary:
      'Train a small DDPM on real MNIST on your own computer and watch the same noise turn into digits.',
    minutes: 20,
    prerequisites: ['predicting-noise'],
    load: () => import('./train-live/index').then((m) => m.default),
  },
  {
    id: 'faster-sampling',
    title: 'From 1,000 steps to 20',
    summary:
      'Why DDPM needs 1,000 network calls, how DDIM (and DPM-Solver++ after it) gets away with 20, and what that costs in quality, measured on our own model.',
    minutes: 20,
    prerequisites: ['predicting-noise'],
    load: () => import('./faster-sampling/index').then((m) => m.default),
  },
  {
    id: 'latent',
    title: 'Latent diffusion',
    summary:
      'An autoencoder squeezes each digit into a 7×7×4 latent; a DDPM learns in that small space, and the decoder turns its samples back into digits.',
    minutes: 20,
    prerequisites: ['faster-sampling'],
    load: () => import('./latent/index').then((m) => m.default),
  },
  {
    id: 'text-to-image',
    title: 'From words to pictures',
    summary:
      'Tokenizer, text encoder, cross-attention U-Net, classifier-free guidance and decoder, every stage visible.',
    minutes: 25,
    prerequisites: ['latent'],
    load: () => import('./text-to-image/index').then((m) => m.default),
  },
  {
    id: 'gan-vae',
    title: 'Diffusion vs GAN vs VAE',
    summary: 'Three generative models measured on the same data.',
    minutes: 15,
    prerequisites: ['faster-sampling'],
  },
  {
    id: 'limits',
    title: 'What diffusion still gets wrong',
    summary: 'Counting, spatial relations, text in images, speed, cost and bias.',
    minutes: 10,
    prerequisites: ['text-to-image'],
  },
];
