/**
 * The text-to-image run (`npm run train -- t2i`, models/t2i-mnist/) and its label-conditioned twin
 * (`npm run train -- label`, models/label-ldm-mnist/): both a latent DDPM on the shipped autoencoder's
 * latents with the latent run's settings, predicting v, with 10% of conditions dropped for
 * classifier-free guidance; one attends to the frozen text encoder's token states, the other adds a
 * class embedding. Same data, same budget: what the text path buys and costs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadClip } from '../nets/load-clip';
import { TextToImageTrainer } from '../train/t2i-trainer';
import type { TrainData } from '../data/train-data';
import type { TrainConfig } from '../train/ddpm-trainer';
import { latentTrainConfig } from './latent-files';
import { CLIP_FILES, tokenizerSha256 } from './train-clip';
import { CLIP_DIR, describedSplit, loadTokenizer } from './text-files';

export const T2I_DIR = 'models/t2i-mnist';
export const LABEL_DIR = 'models/label-ldm-mnist';
/** Share of training rows whose caption (or label) is dropped, as Stable Diffusion does. */
export const COND_DROP = 0.1;

function shippedClip() {
  const json = readFileSync(join(CLIP_DIR, CLIP_FILES.model), 'utf8');
  const bin = new Uint8Array(readFileSync(join(CLIP_DIR, CLIP_FILES.weights)));
  return { json, bin, sha: createHash('sha256').update(bin).digest('hex') };
}

export function t2iTrainConfig(): TrainConfig {
  const base = latentTrainConfig();
  const clip = shippedClip();
  const { meta } = loadClip(clip.json, clip.bin);
  return {
    ...base,
    unet: { ...base.unet!, text: { width: meta.clip.width, length: meta.clip.context, heads: 4 } },
    prediction: 'v',
    condDrop: COND_DROP,
    text: { clipSha256: clip.sha, tokenizerSha256: meta.tokenizerSha256 },
  };
}

export function labelTrainConfig(): TrainConfig {
  const base = latentTrainConfig();
  return { ...base, unet: { ...base.unet!, classes: 10 }, prediction: 'v', condDrop: COND_DROP };
}

/** The trainer of a text-to-image configuration: the frozen text encoder it names, its tokenizer, captions. */
export function t2iTrainer(config: TrainConfig, data: TrainData): TextToImageTrainer {
  if (!config.text) throw new Error('not a text-to-image configuration');
  const clip = shippedClip();
  if (clip.sha !== config.text.clipSha256)
    throw new Error(
      `${CLIP_DIR} holds another text encoder than this run was trained with: restore it, or start afresh with --fresh`,
    );
  if (tokenizerSha256() !== config.text.tokenizerSha256)
    throw new Error('models/tokenizer-mnist holds another tokenizer than this run was trained with');
  const { net } = loadClip(clip.json, clip.bin);
  return new TextToImageTrainer(config, data, describedSplit('train').descriptions, loadTokenizer(), net);
}
