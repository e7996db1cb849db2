/**
 * Text-to-image training (Rombach et al. 2022, section 3.3): the DDPM trainer of ./ddpm-trainer.ts on
 * the autoencoder's latents, with a U-Net that cross-attends to a frozen text encoder's token states.
 * Each row of a batch gets a fresh caption of the digit it came from (src/text/captions.ts: its label
 * and a random subset of its measured attributes, in a training phrasing), and with probability
 * `condDrop` the empty caption instead, so the one network also learns the unconditional prediction
 * that classifier-free guidance needs (Ho & Salimans 2022; Stable Diffusion drops 10% of captions).
 * The captions depend only on (seed, step), so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import type { TrainData } from '../data/train-data';
import type { ClipModel } from '../nets/clip';
import type { Captioner } from '../text/captions';
import type { BpeTokenizer } from '../text/bpe';
import { DdpmTrainer, type TrainBatch, type TrainConfig } from './ddpm-trainer';

/** Token states [n, L, width] of texts under a text encoder, as a plain array (row-major). */
export function textStates(clip: ClipModel, tok: BpeTokenizer, texts: readonly string[]): Float32Array {
  const { ids } = tok.encodeBatch(texts);
  return tf.tidy(() => {
    const idsT = tf.tensor2d(ids, [texts.length, tok.contextLength], 'int32');
    return clip.tokenStates(idsT).dataSync() as Float32Array;
  });
}

export class TextToImageTrainer extends DdpmTrainer {
  constructor(
    config: TrainConfig,
    data: TrainData,
    /** Every training sample's captions, in the data's order. */
    readonly captioner: Captioner,
    readonly tokenizer: BpeTokenizer,
    /** The frozen text encoder (the caller owns and disposes it). */
    readonly clip: ClipModel,
  ) {
    super(config, data);
    const c = this.net.conditioning;
    if (c.kind !== 'text')
      throw new Error('text-to-image training needs a U-Net with cross-attention (unet.text)');
    if (c.length !== tokenizer.contextLength || c.width !== clip.config.width)
      throw new Error(
        `the U-Net attends to ${c.length} tokens of width ${c.width}, the text encoder gives ${tokenizer.contextLength} of ${clip.config.width}`,
      );
    if (captioner.count !== data.count)
      throw new Error(`${captioner.count} captioned samples for ${data.count}`);
  }

  /** Each row's caption at step `step` ("" where it is dropped). */
  captions(step: number, index: Int32Array): string[] {
    const { seed } = this.config;
    const drop = this.config.condDrop ?? 0;
    const rand = mulberry32((seed * 7_919 + step * 31 + 0x7e47) >>> 0);
    return Array.from(index, (k) => (rand() < drop ? '' : this.captioner.caption(k, step, seed)));
  }

  override makeBatch(step: number): TrainBatch {
    const bt = super.makeBatch(step);
    return { ...bt, context: textStates(this.clip, this.tokenizer, this.captions(step, bt.index)) };
  }
}
