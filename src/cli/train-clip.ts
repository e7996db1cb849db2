/**
 * `npm run train -- clip [--hours H] [--steps N] [--every N] [--fresh] [--lr X]`
 *
 * Trains the CLIP-style text and image encoders (src/nets/clip.ts) contrastively on MNIST digits and
 * captions of what they show, in Node on the WASM backend, resuming from models/clip-mnist/checkpoint/
 * clip.ckpt when it exists. Every `--every` steps and on Ctrl-C or SIGTERM it atomically writes the EMA
 * weights (model.json + weights.bin), the checkpoint and the loss log. `npm run eval -- clip` measures
 * zero-shot digit and attribute accuracy and writes the card.
 */
import { digitCaptioner, type Captioner } from '../text/captions';
import type { TrainData } from '../data/train-data';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { mnistTrainData } from '../data/train-data';
import { DEFAULT_CLIP } from '../nets/clip';
import { packCheckpoint, unpackCheckpoint } from '../nets/weights-format';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { exportEmaWeights, restoreCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { ClipTrainer, DEFAULT_CLIP_TRAIN, type ClipTrainConfig } from '../train/clip-trainer';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { CLIP_DIR, describedSplit, loadTokenizer, TOKENIZER_DIR } from './text-files';
import { trainLoop } from './train-loop';
import { createHash } from 'node:crypto';

export const CLIP_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  checkpoint: 'checkpoint/clip.ckpt',
  training: 'training.json',
} as const;

/** The tokenizer's hash, so a text encoder is never paired with another tokenizer's ids. */
export function tokenizerSha256(dir = TOKENIZER_DIR): string {
  return createHash('sha256')
    .update(readFileSync(join(dir, 'tokenizer.json')))
    .digest('hex');
}

/** What a CLIP run trains on: its folder, its tokenizer's, its images and their captions. */
export interface ClipRunSource {
  dir: string;
  tokenizerDir: string;
  /** Side of the square images (default 28). */
  imageSize?: number;
  trainSet(): { data: TrainData; captioner: Captioner };
  /** Writes the run's card at every save (the single-digit card comes from its evaluation instead). */
  card?(dir: string): void;
}

/** The single-digit text encoder of "From words to pictures". */
export const MNIST_CLIP_SOURCE: ClipRunSource = {
  dir: CLIP_DIR,
  tokenizerDir: TOKENIZER_DIR,
  trainSet: () => {
    const { split, descriptions } = describedSplit('train');
    return { data: mnistTrainData(split), captioner: digitCaptioner(descriptions) };
  },
};

export async function trainClipCli(source: ClipRunSource = MNIST_CLIP_SOURCE): Promise<void> {
  const dir = arg('dir') ?? source.dir;
  const ckpt = join(dir, CLIP_FILES.checkpoint);
  const backend = await initNodeBackend('wasm');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const tokenizer = loadTokenizer(source.tokenizerDir);
  const resume = existsSync(ckpt) && !process.argv.includes('--fresh');
  let config: ClipTrainConfig;
  let saved: ReturnType<typeof unpackCheckpoint> | null = null;
  if (resume) {
    saved = unpackCheckpoint(new Uint8Array(readFileSync(ckpt)));
    config = (saved.json.userDefinedMetadata as { config: ClipTrainConfig }).config;
  } else {
    config = {
      ...DEFAULT_CLIP_TRAIN,
      batch: Number(arg('batch') ?? DEFAULT_CLIP_TRAIN.batch),
      lr: Number(arg('lr') ?? DEFAULT_CLIP_TRAIN.lr),
      clip: {
        ...DEFAULT_CLIP,
        vocab: tokenizer.vocab.length,
        context: tokenizer.contextLength,
        ...(source.imageSize ? { imageSize: source.imageSize } : {}),
      },
    };
  }
  const sha = tokenizerSha256(source.tokenizerDir);
  const { data, captioner } = source.trainSet();
  const tr = new ClipTrainer(config, data, captioner, tokenizer);
  if (saved) {
    const meta = saved.json.userDefinedMetadata as { tokenizerSha256?: string };
    if (meta.tokenizerSha256 !== sha)
      throw new Error(`${ckpt} was trained with another tokenizer: start afresh with --fresh`);
    restoreCheckpoint(tr, saved.json, saved.bin);
  }
  if (resume && arg('lr') && Number(arg('lr')) !== tr.lrAt(tr.step))
    config.lrSteps = [...(config.lrSteps ?? []), [tr.step, Number(arg('lr'))]];
  console.log(
    `${resume ? `resuming at step ${tr.step}` : 'starting fresh'}: CLIP ${JSON.stringify(config.clip)} ` +
      `(${tr.net.paramCount.toLocaleString('en')} params), batch ${config.batch}, lr ${config.lr}, on ${machine}`,
  );
  const save = async () => {
    const model = await exportEmaWeights(tr, {
      kind: 'clip',
      clip: config.clip,
      tokenizerSha256: sha,
      step: tr.step,
      wallSeconds: tr.wallSeconds,
      machine,
    });
    const ck = await saveCheckpoint(tr, { machine, tokenizerSha256: sha });
    writeFileAtomic(join(dir, CLIP_FILES.weights), model.bin);
    writeFileAtomic(join(dir, CLIP_FILES.model), JSON.stringify(model.json, null, 1));
    writeFileAtomic(ckpt, packCheckpoint(ck.json, ck.bin));
    writeFileAtomic(
      join(dir, CLIP_FILES.training),
      JSON.stringify({ config, step: tr.step, wallSeconds: tr.wallSeconds, machine, history: tr.history }),
    );
    source.card?.(dir);
  };
  await trainLoop(tr, save, {
    every: 500,
    describe: () => `logit scale ${tr.net.params.get('scale')!.dataSync()[0]!.toFixed(2)}`,
  });
}
