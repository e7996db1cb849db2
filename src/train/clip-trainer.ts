/**
 * Training the CLIP-style encoders (src/nets/clip.ts) on (digit, caption) pairs through the shared loop of
 * ./trainer.ts. Each step draws `batch` training digits and, for each, a fresh caption of what it shows
 * (src/text/captions.ts: its label and a random subset of its measured attributes, in a random phrasing
 * of the training family), so the encoders see every digit described many ways. Everything random comes
 * from (seed, step), so a resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import type { Captioner } from '../text/captions';
import type { TrainData } from '../data/train-data';
import { ClipModel, type ClipConfig } from '../nets/clip';
import type { BpeTokenizer } from '../text/bpe';
import { Trainer, type OptimConfig, type StepResult } from './trainer';

export interface ClipTrainConfig extends OptimConfig {
  clip: ClipConfig;
}

export const DEFAULT_CLIP_TRAIN = {
  batch: 128,
  lr: 1e-3,
  warmup: 200,
  emaDecay: 0.999,
  clipNorm: 1,
  seed: 0,
} satisfies OptimConfig;

export class ClipTrainer extends Trainer<ClipTrainConfig, ClipModel> {
  readonly checkpointKind = 'clip-checkpoint';

  constructor(
    config: ClipTrainConfig,
    readonly data: TrainData,
    /** Every training image's captions, in the data's order. */
    readonly captioner: Captioner,
    readonly tokenizer: BpeTokenizer,
  ) {
    if (captioner.count !== data.count)
      throw new Error(`${captioner.count} captioned images for ${data.count}`);
    const side = config.clip.imageSize ?? 28;
    if (data.sampleShape[0] !== side || data.sampleShape[1] !== side || data.sampleShape[2] !== 1)
      throw new Error(`the image encoder reads ${side}×${side}×1 images, the data has [${data.sampleShape}]`);
    if (tokenizer.vocab.length !== config.clip.vocab || tokenizer.contextLength !== config.clip.context)
      throw new Error(
        'the tokenizer is not the one this text encoder was built for (vocabulary or context length)',
      );
    super(config, new ClipModel(config.clip, config.seed));
  }

  /** The digits, their captions and the caption tokens of step `step` (depends only on (seed, step)). */
  makeBatch(step: number): { x: Float32Array; captions: string[]; ids: Int32Array; ends: Int32Array } {
    const { batch, seed } = this.config;
    const side = this.config.clip.imageSize ?? 28;
    const per = side * side;
    const rand = mulberry32((seed * 1_000_003 + step) >>> 0);
    const x = new Float32Array(batch * per);
    const captions: string[] = [];
    for (let i = 0; i < batch; i++) {
      const k = Math.floor(rand() * this.data.count);
      this.data.copySample(k, x, i * per);
      captions.push(this.captioner.caption(k, step, seed));
    }
    return { x, captions, ...this.tokenizer.encodeBatch(captions) };
  }

  trainStep(): StepResult {
    const { batch, clip } = this.config;
    const bt = this.makeBatch(this.step);
    return tf.tidy(() => {
      const side = clip.imageSize ?? 28;
      const x = tf.tensor4d(bt.x, [batch, side, side, 1]);
      const ids = tf.tensor2d(bt.ids, [batch, clip.context], 'int32');
      const ends = tf.tensor1d(bt.ends, 'int32');
      const { value, grads } = this.gradients(() => this.net.contrastiveLoss(x, ids, ends));
      return this.applyGradients(value, grads);
    });
  }
}
