/**
 * The lessons, in reading order. A lesson with `load` is ready; one without is announced as coming,
 * so students see where the course goes.
 */
import type { ClassRoute, LessonEntry } from '../src/notebook/course';

export type { LessonEntry, LessonModule } from '../src/notebook/course';

export const LESSONS: readonly LessonEntry[] = [
  {
    id: '2d',
    title: 'Diffusion in two dimensions',
    summary:
      'The whole recipe on clouds of points you can see: noise destroys a spiral, a tiny network trained in seconds learns the way back, and particles flow from a Gaussian blob onto the shape.',
    minutes: 15,
    prerequisites: [],
    load: () => import('./2d/index').then((m) => m.default),
  },
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
    summary:
      "A GAN and a VAE trained on the same digits as the diffusion models and judged by the same evaluation: the textbook's table of quality, diversity, speed and stability, filled with measurements. Train both live and make the GAN collapse.",
    minutes: 25,
    prerequisites: ['latent'],
    load: () => import('./gan-vae/index').then((m) => m.default),
  },
  {
    id: 'at-work',
    title: 'Diffusion at work',
    summary:
      'The same trained model cleans a noisy digit, fills a hole and turns a rough sketch into a digit, and its generated digits help a classifier that has seen only ten real examples of one class. Each measured, with its catch.',
    minutes: 25,
    prerequisites: ['predicting-noise'],
    load: () => import('./at-work/index').then((m) => m.default),
  },
  {
    id: 'limits',
    title: 'What diffusion still gets wrong',
    summary:
      'Counting and placing, text in pictures, bias copied from the training data, and the price of many steps, each an experiment you run, beside what large models get wrong.',
    minutes: 30,
    prerequisites: ['text-to-image'],
    load: () => import('./limits/index').then((m) => m.default),
  },
];

/**
 * Timed routes through the course for one class, each step a live cell (opened in presenter mode);
 * tests/node/routes.test.ts checks every step names a ready lesson and one of its cells, and that the
 * minutes add up.
 */
export const ROUTES: readonly ClassRoute[] = [
  {
    id: '45',
    title: 'A 45-minute class: from noise to samples',
    steps: [
      {
        lesson: 'forward',
        cell: 'dl-forward-explorer',
        minutes: 8,
        what: 'Destroy digits with the slider; when do they become unreadable?',
      },
      {
        lesson: 'forward',
        cell: 'dl-schedule-charts',
        minutes: 5,
        what: 'Two schedules, two speeds of forgetting.',
      },
      {
        lesson: 'predicting-noise',
        cell: 'dl-noise-predictor',
        minutes: 10,
        what: 'The network guesses the noise; where is that easy, where hard?',
      },
      {
        lesson: 'train-live',
        cell: 'dl-train-panel',
        minutes: 10,
        what: 'Start training now; look back at it at the end of the class.',
      },
      {
        lesson: 'faster-sampling',
        cell: 'dl-sampler-race',
        minutes: 10,
        what: 'DDPM, DDIM and DPM-Solver++ race from the same noise.',
      },
      {
        lesson: 'train-live',
        cell: 'dl-train-panel',
        minutes: 2,
        what: 'What did the class model learn in half an hour?',
      },
    ],
  },
  {
    id: '60',
    title: 'A 60-minute class: what diffusion is for, and where it fails',
    steps: [
      {
        lesson: 'at-work',
        cell: 'dl-denoise-level',
        minutes: 10,
        what: 'Clean a noisy digit: the best guess is a blur, the sharp guess can be wrong.',
      },
      { lesson: 'at-work', cell: 'dl-inpaint', minutes: 8, what: 'Paint a hole; fill it two ways.' },
      {
        lesson: 'at-work',
        cell: 'dl-sdedit',
        minutes: 8,
        what: 'From a sketch to a digit: where does your drawing stop being yours?',
      },
      {
        lesson: 'limits',
        cell: 'dl-limits-text',
        minutes: 6,
        what: 'Ask for "42": what does a model draw for something it never saw?',
      },
      {
        lesson: 'limits',
        cell: 'dl-limits-canvas',
        minutes: 8,
        what: 'Ask for "a three left of a seven": predict what fails first, the digits or where they are.',
      },
      {
        lesson: 'limits',
        cell: 'dl-limits-bias-2d',
        minutes: 10,
        what: 'Train on lopsided data, then reweight it: predict the share first.',
      },
      {
        lesson: 'limits',
        cell: 'dl-limits-bias',
        minutes: 10,
        what: 'A model trained on mostly ones: does it copy the skew, and does asking undo it?',
      },
    ],
  },
  {
    id: '90',
    title: 'A 90-minute class: from noise to words',
    steps: [
      {
        lesson: 'forward',
        cell: 'dl-forward-explorer',
        minutes: 8,
        what: 'Destroy digits with the slider; when do they become unreadable?',
      },
      {
        lesson: 'forward',
        cell: 'dl-chain-vs-jump',
        minutes: 5,
        what: 'A thousand small steps are one jump: check it.',
      },
      {
        lesson: 'forward',
        cell: 'dl-schedule-charts',
        minutes: 5,
        what: 'Two schedules, two speeds of forgetting.',
      },
      {
        lesson: 'predicting-noise',
        cell: 'dl-noise-predictor',
        minutes: 10,
        what: 'The network guesses the noise; where is that easy, where hard?',
      },
      {
        lesson: 'train-live',
        cell: 'dl-train-panel',
        minutes: 7,
        what: 'Start training now; look back at it later.',
      },
      {
        lesson: 'predicting-noise',
        cell: 'dl-reverse-process',
        minutes: 5,
        what: 'Run the process backwards.',
      },
      {
        lesson: 'faster-sampling',
        cell: 'dl-sampler-race',
        minutes: 12,
        what: 'DDPM, DDIM and DPM-Solver++ race from the same noise.',
      },
      {
        lesson: 'faster-sampling',
        cell: 'dl-steps-quality',
        minutes: 5,
        what: 'What fewer steps cost, measured.',
      },
      {
        lesson: 'latent',
        cell: 'dl-latent-encode',
        minutes: 8,
        what: 'Squeeze a digit into 196 numbers and back.',
      },
      { lesson: 'latent', cell: 'dl-latent-sample', minutes: 5, what: 'Diffusion in the small space.' },
      { lesson: 'text-to-image', cell: 'dl-t2i-tokens', minutes: 5, what: 'Words become tokens.' },
      {
        lesson: 'text-to-image',
        cell: 'dl-t2i-generate',
        minutes: 12,
        what: 'Words steer the denoiser; turn the guidance up and down.',
      },
      { lesson: 'train-live', cell: 'dl-train-panel', minutes: 3, what: 'What did the class model learn?' },
    ],
  },
];
