/**
 * The shipped models, in one typed table: what each is, the shape of its samples, its conditioning, its
 * files (under models/<id>/ in the repository and beside the page) and how to sample it by default. The
 * CLI, the lessons, the build's model plugin and the tests read paths and shapes from here.
 */
import type { ModelSampling, SamplerSpec } from '../diffusion/samplers';
import { UNCONDITIONAL, type Conditioning } from './denoiser';

/** Every file a shipped model folder may hold (those served beside the page are marked in SERVED_FILES). */
export interface ModelFiles {
  /** Weights manifest + metadata (tfjs weights format); every model but the tokenizer has them. */
  model?: 'model.json';
  weights?: 'weights.bin';
  /** A tokenizer in the Hugging Face layout, and the attribute boundaries its captions were made with. */
  tokenizer?: 'tokenizer.json';
  attributes?: 'attributes.json';
  /** The model card. */
  card: 'README.md';
  /** Resumable training state (never served). */
  checkpoint?: string;
  /** Training history the card is written from (never served). */
  training?: string;
  /** Measured quality: results of the evaluation suite, and the same as a table. */
  eval?: 'eval.json';
  evalTable?: 'eval.md';
  /** The measured steps-vs-quality table. */
  sampling?: 'sampling.json';
  /** A grid of evaluated samples. */
  samples?: 'samples.png';
}

export interface ShippedModel {
  /** Folder name: models/<id>/. */
  id: string;
  /** What it is, in a few words. */
  title: string;
  kind: 'ddpm-unet' | 'mnist-classifier' | 'autoencoder' | 'tokenizer' | 'clip' | 'gan' | 'vae';
  /** Shape of one sample (a diffusion model's) or one input (a classifier's). */
  sampleShape: readonly number[];
  conditioning: Conditioning;
  files: ModelFiles;
  /** A latent diffusion model's autoencoder (its samples are decoded by it). */
  autoencoder?: string;
  /** A diffusion model's sampler settings: how its outputs are read, and the lessons' default sampler. */
  sampling?: ModelSampling & { default: SamplerSpec };
  /**
   * The build serves the weights as IEEE float16 (half the download; the repository keeps float32, which
   * the command lines use). Only for networks no other model pairs with by the hash of its weights file;
   * the quality change is measured by `npm run eval -- half`.
   */
  servedAs?: 'float16';
}

/** What a trained, evaluated diffusion model's folder holds (`npm run train` and `npm run eval` write it). */
const DDPM_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  card: 'README.md',
  checkpoint: 'checkpoint/ddpm.ckpt',
  training: 'training.json',
  eval: 'eval.json',
  evalTable: 'eval.md',
  samples: 'samples.png',
} as const satisfies ModelFiles;

/** What a trained, evaluated GAN's or VAE's folder holds (`npm run train -- gan|vae` and `npm run eval -- gan|vae`). */
const FAMILY_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  card: 'README.md',
  checkpoint: 'checkpoint/run.ckpt',
  training: 'training.json',
  eval: 'eval.json',
  evalTable: 'eval.md',
  samples: 'samples.png',
} as const satisfies ModelFiles;

export const SHIPPED_MODELS = {
  ddpmMnist: {
    id: 'ddpm-mnist',
    title: 'DDPM U-Net on MNIST digits',
    kind: 'ddpm-unet',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: { ...DDPM_FILES, sampling: 'sampling.json' },
    // pixels live in [-1, 1], so clipping x̂0 there is right (it would be wrong for unit-variance latents)
    sampling: { prediction: 'epsilon', clipSample: true, default: { sampler: 'ddpm', steps: 1000 } },
    servedAs: 'float16',
  },
  ldmMnist: {
    id: 'ldm-mnist',
    title: "Latent DDPM U-Net on the autoencoder's MNIST latents",
    kind: 'ddpm-unet',
    sampleShape: [8, 8, 4],
    conditioning: UNCONDITIONAL,
    autoencoder: 'autoencoder-mnist',
    files: DDPM_FILES,
    // unit-variance latents are not bounded to [-1, 1]: clipping x̂0 there would distort them
    sampling: { prediction: 'epsilon', clipSample: false, default: { sampler: 'ddim', steps: 50 } },
    servedAs: 'float16',
  },
  autoencoderMnist: {
    id: 'autoencoder-mnist',
    title: 'Autoencoder for latent diffusion (28×28×1 digits ↔ 7×7×4 latents)',
    kind: 'autoencoder',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: {
      model: 'model.json',
      weights: 'weights.bin',
      card: 'README.md',
      checkpoint: 'checkpoint/autoencoder.ckpt',
      training: 'training.json',
      eval: 'eval.json',
      samples: 'samples.png',
    },
  },
  tokenizerMnist: {
    id: 'tokenizer-mnist',
    title: 'Captions and BPE tokenizer (MNIST digits described in words)',
    kind: 'tokenizer',
    sampleShape: [],
    conditioning: UNCONDITIONAL,
    files: { card: 'README.md', tokenizer: 'tokenizer.json', attributes: 'attributes.json' },
  },
  clipMnist: {
    id: 'clip-mnist',
    title: 'CLIP-style text and image encoders (MNIST captions)',
    kind: 'clip',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: {
      model: 'model.json',
      weights: 'weights.bin',
      card: 'README.md',
      checkpoint: 'checkpoint/clip.ckpt',
      training: 'training.json',
      eval: 'eval.json',
    },
  },
  t2iMnist: {
    id: 't2i-mnist',
    title: 'Text-to-image latent U-Net with cross-attention (MNIST captions)',
    kind: 'ddpm-unet',
    sampleShape: [8, 8, 4],
    conditioning: { kind: 'text', width: 64, length: 24 },
    autoencoder: 'autoencoder-mnist',
    files: {
      model: 'model.json',
      weights: 'weights.bin',
      card: 'README.md',
      checkpoint: 'checkpoint/ddpm.ckpt',
      training: 'training.json',
      eval: 'eval.json',
    },
    sampling: { prediction: 'v', clipSample: false, default: { sampler: 'ddim', steps: 20 } },
    servedAs: 'float16',
  },
  /**
   * The text model's label-conditioned twin: only its card and measurements are served (the lesson
   * compares them with the text model's); its weights stay in the repository for `npm run eval`.
   */
  labelLdmMnist: {
    id: 'label-ldm-mnist',
    title: "Label-conditioned latent U-Net (the text-to-image model's twin)",
    kind: 'ddpm-unet',
    sampleShape: [8, 8, 4],
    conditioning: { kind: 'class', classes: 10 },
    autoencoder: 'autoencoder-mnist',
    files: {
      card: 'README.md',
      checkpoint: 'checkpoint/ddpm.ckpt',
      training: 'training.json',
      eval: 'eval.json',
    },
    sampling: { prediction: 'v', clipSample: false, default: { sampler: 'ddim', steps: 20 } },
  },
  /**
   * The label model's settings trained on an imbalanced subset (60% ones): "What diffusion still gets
   * wrong" samples it with and without labels (`npm run train -- bias`).
   */
  biasLdmMnist: {
    id: 'bias-ldm-mnist',
    title: 'Label-conditioned latent U-Net trained on 60% ones (the bias experiment)',
    kind: 'ddpm-unet',
    sampleShape: [8, 8, 4],
    conditioning: { kind: 'class', classes: 10 },
    autoencoder: 'autoencoder-mnist',
    files: {
      model: 'model.json',
      weights: 'weights.bin',
      card: 'README.md',
      checkpoint: 'checkpoint/ddpm.ckpt',
      training: 'training.json',
    },
    sampling: { prediction: 'v', clipSample: false, default: { sampler: 'ddim', steps: 20 } },
  },
  /**
   * The multi-digit canvas pipeline of "What diffusion still gets wrong" (`npm run train -- canvas-tokenizer |
   * canvas-autoencoder | canvas-clip | canvas`): 56×56 canvases of one to four digits, captions of counts
   * and relations. The autoencoder is the digit autoencoder's weights read at canvas size.
   */
  tokenizerCanvas: {
    id: 'tokenizer-canvas',
    title: 'BPE tokenizer of the canvas captions ("three sevens", "a three left of a seven")',
    kind: 'tokenizer',
    sampleShape: [],
    conditioning: UNCONDITIONAL,
    files: { card: 'README.md', tokenizer: 'tokenizer.json' },
  },
  autoencoderCanvas: {
    id: 'autoencoder-canvas',
    title: 'The digit autoencoder read at canvas size (56×56×1 ↔ 14×14×4 latents)',
    kind: 'autoencoder',
    sampleShape: [56, 56, 1],
    conditioning: UNCONDITIONAL,
    files: { model: 'model.json', weights: 'weights.bin', card: 'README.md' },
  },
  clipCanvas: {
    id: 'clip-canvas',
    title: 'CLIP-style text and image encoders (canvas captions)',
    kind: 'clip',
    sampleShape: [56, 56, 1],
    conditioning: UNCONDITIONAL,
    files: { model: 'model.json', weights: 'weights.bin', card: 'README.md', training: 'training.json' },
  },
  t2iCanvas: {
    id: 't2i-canvas',
    title: 'Text-to-image latent U-Net with cross-attention (multi-digit canvases)',
    kind: 'ddpm-unet',
    sampleShape: [16, 16, 4],
    conditioning: { kind: 'text', width: 64, length: 12 },
    autoencoder: 'autoencoder-canvas',
    files: {
      model: 'model.json',
      weights: 'weights.bin',
      card: 'README.md',
      checkpoint: 'checkpoint/ddpm.ckpt',
      training: 'training.json',
    },
    sampling: { prediction: 'v', clipSample: false, default: { sampler: 'ddim', steps: 20 } },
  },
  /** The GAN and the VAE the course compares with diffusion (one-pass generators: no sampler). */
  ganMnist: {
    id: 'gan-mnist',
    title: 'GAN on MNIST digits (generator and discriminator)',
    kind: 'gan',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: FAMILY_FILES,
  },
  vaeMnist: {
    id: 'vae-mnist',
    title: 'VAE on MNIST digits (encoder, decoder and its learned noise)',
    kind: 'vae',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: FAMILY_FILES,
  },
  mnistClassifier: {
    id: 'mnist-classifier',
    title: 'MNIST classifier (evaluation features and confidence)',
    kind: 'mnist-classifier',
    sampleShape: [28, 28, 1],
    conditioning: UNCONDITIONAL,
    files: { model: 'model.json', weights: 'weights.bin', card: 'README.md' },
  },
} as const satisfies Record<string, ShippedModel>;

export type ShippedModelName = keyof typeof SHIPPED_MODELS;

/** Files served beside the page and copied into the build (never checkpoints or training logs). */
export const SERVED_FILES: readonly (keyof ModelFiles)[] = [
  'model',
  'weights',
  'tokenizer',
  'attributes',
  'card',
  'eval',
  'evalTable',
  'sampling',
  'samples',
];

/** The folder of a shipped model, relative to the repository root or the page: "models/ddpm-mnist". */
export function modelDir(m: ShippedModel): string {
  return `models/${m.id}`;
}

/** One file of a shipped model, relative to the repository root or the page. */
export function modelFile(m: ShippedModel, file: keyof ModelFiles): string {
  const name = m.files[file];
  if (!name) throw new Error(`the shipped model ${m.id} has no ${file} file`);
  return `${modelDir(m)}/${name}`;
}

/** The model card as a readable page beside the page (rendered from README.md by the build's model plugin). */
export function modelCardPage(m: ShippedModel): string {
  return `${modelDir(m)}/card.html`;
}
