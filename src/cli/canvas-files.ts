/**
 * The multi-digit canvas model of "What diffusion still gets wrong", in three runs that mirror the
 * single-digit text-to-image pipeline and reuse its code:
 *   `npm run train -- canvas-tokenizer`   BPE merges learned from the canvas captions (models/tokenizer-canvas)
 *   `npm run train -- canvas-clip`        the CLIP-style text and image encoders on canvases (models/clip-canvas)
 *   `npm run train -- canvas`             the latent U-Net with cross-attention (models/t2i-canvas)
 * The scenes come from the MNIST training digits (src/data/canvas.ts), 30,000 of them from seed 0; their
 * captions from src/text/canvas-captions.ts.
 */
import { mulberry32 } from '../diffusion/random';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANVAS_PIXELS, CANVAS_SIDE, canvasTrainData, type CanvasScene } from '../data/canvas';
import type { MnistSplit } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { arrayTrainData, type TrainData } from '../data/train-data';
import { findDigits } from '../metrics/canvas-judge';
import { Autoencoder, type AutoencoderConfig } from '../nets/autoencoder';
import { pairedLatentScale } from '../nets/latent-pair';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { loadClip } from '../nets/load-clip';
import type { ClipConfig } from '../nets/clip';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { UNet } from '../nets/unet';
import { decodeWeights } from '../nets/weights-format';
import { encodeTrainData, LatentCodec } from '../pipelines/latent';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { unetConfigOf, type TrainConfig } from '../train/ddpm-trainer';
import { TextToImageTrainer } from '../train/t2i-trainer';
import { latentTrainConfig, readTrainingLog } from './latent-files';
import { digitGrid, encodePng } from './png';
import { clipFiles, COND_DROP } from './t2i-files';
import { optimiserText, recentLossText } from './template';
import { loadTokenizer } from './text-files';
import { tokenizerSha256 } from './train-clip';
import { BpeTokenizer } from '../text/bpe';
import { canvasTrainingCaption, sceneCaption } from '../text/canvas-captions';
import type { Captioner } from '../text/captions';
import { writeFileAtomic } from './files';
import type { ClipRunSource } from './train-clip';

export const CANVAS_DIRS = {
  tokenizer: 'models/tokenizer-canvas',
  clip: 'models/clip-canvas',
  model: 'models/t2i-canvas',
} as const;
/** Training scenes, and the seed they come from. */
export const CANVAS_SCENES = 30_000;
export const CANVAS_SEED = 0;
/** Longest caption in tokens, <start> and <end> included ("a canvas with four sevens" is 7 words). */
export const CANVAS_CONTEXT = 12;

/** Captions of canvas scenes (a phrasing that changes with the epoch). */
export function canvasCaptioner(scenes: readonly CanvasScene[]): Captioner {
  return {
    count: scenes.length,
    caption: (k, epoch, seed) => canvasTrainingCaption(scenes[k]!, k, epoch, seed),
  };
}

/** The training canvases from the MNIST training digits, with their captions. */
export function canvasTrainSet() {
  const data = canvasTrainData(loadMnistNode('train'), CANVAS_SCENES, CANVAS_SEED, mulberry32);
  return { data, captioner: canvasCaptioner(data.scenes) };
}

/** `npm run train -- canvas-tokenizer`: merges learned from every phrasing of every training scene's caption. */
export function trainCanvasTokenizerCli(): void {
  const t0 = performance.now();
  const { data } = canvasTrainSet();
  const corpus = data.scenes.flatMap((s) => [0, 1, 2].map((p) => sceneCaption(s, p)));
  const { tokenizer, steps } = BpeTokenizer.learn(corpus, { maxMerges: 400, contextLength: CANVAS_CONTEXT });
  const longest = Math.max(...corpus.map((c) => tokenizer.encode(c).length));
  if (longest > CANVAS_CONTEXT)
    throw new Error(`a caption needs ${longest} tokens, more than ${CANVAS_CONTEXT}`);
  const dir = CANVAS_DIRS.tokenizer;
  writeFileAtomic(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
  writeFileAtomic(
    join(dir, 'merges.json'),
    JSON.stringify({ corpus: corpus.length, examples: corpus.slice(0, 20), steps }),
  );
  const seconds = (performance.now() - t0) / 1000;
  writeFileAtomic(
    join(dir, 'README.md'),
    `# Tokenizer for multi-digit canvases\n\nByte-pair encoding (Sennrich et al. 2016) with byte fallback, the same code as \`models/tokenizer-mnist\`, learned from the captions of the ${CANVAS_SCENES.toLocaleString('en')} training canvases in every phrasing (${corpus.length.toLocaleString('en')} captions, e.g. "${corpus[0]}", "${corpus[1]}"). Reproduce with \`npm run train -- canvas-tokenizer\` (${seconds.toFixed(1)} s).\n\n| | |\n|---|---|\n| merges | ${steps.length} (learning stops once every caption word is one token) |\n| vocabulary | ${tokenizer.vocab.length} tokens |\n| context | ${CANVAS_CONTEXT} tokens; the longest caption takes ${longest} |\n`,
  );
  console.log(
    `${steps.length} merges, vocabulary ${tokenizer.vocab.length}, longest caption ${longest} of ${CANVAS_CONTEXT} tokens, ${seconds.toFixed(1)} s: ${dir}/`,
  );
}

/** The canvas text encoder's run for `npm run train -- canvas-clip`. */
export const CANVAS_CLIP_SOURCE: ClipRunSource = {
  dir: CANVAS_DIRS.clip,
  tokenizerDir: CANVAS_DIRS.tokenizer,
  imageSize: CANVAS_SIDE,
  trainSet: canvasTrainSet,
  card: writeCanvasClipCard,
};

/** The canvas text encoder's card, from its training log. */
export function writeCanvasClipCard(dir: string): void {
  const t = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as {
    config: { clip: ClipConfig; batch: number; lr: number; warmup: number };
    step: number;
    wallSeconds: number;
    machine: string;
    history: [number, number][];
  };
  const c = t.config.clip;
  const last = t.history.slice(-20);
  const loss = last.reduce((a, [, l]) => a + l, 0) / Math.max(1, last.length);
  writeFileAtomic(
    join(dir, 'README.md'),
    `# Text and image encoders for multi-digit canvases\n\nThe CLIP-style encoders of \`models/clip-mnist\` (the same code; Radford et al. 2021) trained contrastively on the ${CANVAS_SCENES.toLocaleString('en')} training canvases and their captions ("three sevens", "a three left of a seven"), so that the canvas model's U-Net can attend to the caption's token states. Reproduce with \`npm run train -- canvas-clip --fresh --steps ${t.step}\` (after \`npm run train -- canvas-tokenizer\`); \`npm run train -- canvas-clip --steps N\` resumes from \`checkpoint/clip.ckpt\` when it is there.\n\n| | |\n|---|---|\n| text encoder | ${c.layers} transformer blocks of width ${c.width}, ${c.heads} heads, ${c.context} tokens of a ${c.vocab}-token vocabulary (\`${CANVAS_DIRS.tokenizer}\`) |\n| image encoder | three 3×3 convolutions (two of stride 2) from ${c.imageSize}×${c.imageSize} to ${(c.imageSize ?? 28) / 4}×${(c.imageSize ?? 28) / 4}×${2 * c.imageCh}, then two dense layers; joint embedding ${c.embed} |\n| optimiser | Adam, lr ${t.config.lr} (warm-up ${t.config.warmup} steps), batch ${t.config.batch} |\n| steps | ${t.step.toLocaleString('en')} (${(t.step * t.config.batch).toLocaleString('en')} pairs seen) |\n| wall time | ${(t.wallSeconds / 3600).toFixed(2)} h (the latest on ${t.machine}) |\n| contrastive loss | ${loss.toFixed(3)} (mean of the last ${last.length} reports; ln of the batch, ${Math.log(t.config.batch).toFixed(2)}, is chance) |\n`,
  );
}

export const CANVAS_AE_DIR = 'models/autoencoder-canvas';
/** Canvases the latent scale is measured on, and test canvases the reconstruction is scored on. */
const SCALE_CANVASES = 2000;
const RECON_CANVASES = 500;

/**
 * `npm run train -- canvas-autoencoder`: no training. The shipped autoencoder is convolutional, so the same
 * weights read a 56×56 canvas into a 14×14×4 latent; this writes models/autoencoder-canvas (its weights
 * unchanged, its size 56, its latent scale 1/std of the latents of 2,000 training canvases) and a card
 * with how well it reconstructs 500 test canvases (PSNR, and the digits the judge finds on them).
 */
export async function canvasAutoencoderCli(): Promise<void> {
  await initNodeBackend('wasm');
  const dir = modelDir(SHIPPED_MODELS.autoencoderMnist);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    userDefinedMetadata: {
      autoencoder: AutoencoderConfig;
      config: { autoencoder: AutoencoderConfig };
    } & Record<string, unknown>;
  };
  const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  const meta = json.userDefinedMetadata;
  const ae = new Autoencoder({ ...meta.autoencoder, size: CANVAS_SIDE });
  ae.setWeights(decodeWeights(JSON.stringify(json), bin, ae.paramSpecs).weights);
  const encodeMeans = (split: MnistSplit, n: number, seed: number) => {
    const d = canvasTrainData(split, n, seed, mulberry32);
    const x = new Float32Array(n * CANVAS_PIXELS);
    for (let k = 0; k < n; k++) d.copySample(k, x, k * CANVAS_PIXELS);
    return { d, x };
  };
  const t0 = performance.now();
  const train = encodeMeans(loadMnistNode('train'), SCALE_CANVASES, 1);
  let s1 = 0;
  let s2 = 0;
  let count = 0;
  for (let b = 0; b < SCALE_CANVASES; b += 250) {
    const z = tf.tidy(
      () =>
        ae.encode(
          tf.tensor4d(train.x.subarray(b * CANVAS_PIXELS, (b + 250) * CANVAS_PIXELS), [
            250,
            CANVAS_SIDE,
            CANVAS_SIDE,
            1,
          ]),
        ).mean,
    );
    for (const v of (await z.data()) as Float32Array) {
      s1 += v;
      s2 += v * v;
      count++;
    }
    z.dispose();
  }
  const mean = s1 / count;
  const std = Math.sqrt(s2 / count - mean * mean);
  const test = encodeMeans(loadMnistNode('test'), RECON_CANVASES, 2);
  const rec = new Float32Array(test.x.length);
  for (let b = 0; b < RECON_CANVASES; b += 250) {
    const y = tf.tidy(() =>
      tf.clipByValue(
        ae.decode(
          ae.encode(
            tf.tensor4d(test.x.subarray(b * CANVAS_PIXELS, (b + 250) * CANVAS_PIXELS), [
              250,
              CANVAS_SIDE,
              CANVAS_SIDE,
              1,
            ]),
          ).mean,
        ),
        -1,
        1,
      ),
    );
    rec.set((await y.data()) as Float32Array, b * CANVAS_PIXELS);
    y.dispose();
  }
  let se = 0;
  for (let i = 0; i < rec.length; i++) se += ((rec[i]! - test.x[i]!) / 2) ** 2;
  const psnr = 10 * Math.log10(1 / (se / rec.length));
  let countsReal = 0;
  let countsRec = 0;
  for (let k = 0; k < RECON_CANVASES; k++) {
    const n = test.d.scenes[k]!.digits.length;
    if (findDigits(test.x.subarray(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS), CANVAS_SIDE).length === n)
      countsReal++;
    if (findDigits(rec.subarray(k * CANVAS_PIXELS, (k + 1) * CANVAS_PIXELS), CANVAS_SIDE).length === n)
      countsRec++;
  }
  const size = { ...meta.autoencoder, size: CANVAS_SIDE };
  const out = {
    ...json,
    userDefinedMetadata: {
      ...meta,
      autoencoder: size,
      config: { ...meta.config, autoencoder: size },
      latentScale: 1 / std,
      latentMoments: { mean, std, canvases: SCALE_CANVASES },
      readsAs: `${dir} at ${CANVAS_SIDE}×${CANVAS_SIDE}`,
    },
  };
  writeFileAtomic(join(CANVAS_AE_DIR, 'model.json'), JSON.stringify(out, null, 1));
  writeFileAtomic(join(CANVAS_AE_DIR, 'weights.bin'), bin);
  ae.dispose();
  const seconds = (performance.now() - t0) / 1000;
  const grid = digitGrid(rec.slice(0, 8 * CANVAS_PIXELS), { cols: 8, side: CANVAS_SIDE, scale: 2 });
  writeFileAtomic(join(CANVAS_AE_DIR, 'reconstructions.png'), encodePng(grid.width, grid.height, grid.rgb));
  writeFileAtomic(
    join(CANVAS_AE_DIR, 'README.md'),
    `# The digit autoencoder, read at canvas size\n\nThe weights of \`${dir}\` unchanged (the network is convolutional, so a ${CANVAS_SIDE}×${CANVAS_SIDE} canvas becomes a ${CANVAS_SIDE / 4}×${CANVAS_SIDE / 4}×4 latent, which the latent code pads to 16×16×4), with a latent scale measured on canvases: the latents of ${SCALE_CANVASES.toLocaleString('en')} training canvases have mean ${mean.toFixed(4)} and standard deviation ${std.toFixed(4)}, so the scale is ${(1 / std).toFixed(5)} (the digit autoencoder's own, measured on single digits, is ${(meta.latentScale as number).toFixed(5)}). Reproduce with \`npm run train -- canvas-autoencoder\` (${seconds.toFixed(0)} s; no training).\n\n| ${RECON_CANVASES} test canvases | |\n|---|---|\n| reconstruction PSNR | ${psnr.toFixed(1)} dB |\n| right number of digits found by the judge, real canvases | ${((100 * countsReal) / RECON_CANVASES).toFixed(1)}% |\n| the same on the reconstructions | ${((100 * countsRec) / RECON_CANVASES).toFixed(1)}% |\n\n\`reconstructions.png\`: the first eight test canvases, reconstructed.\n`,
  );
  console.log(
    `latent scale ${(1 / std).toFixed(5)}, PSNR ${psnr.toFixed(1)} dB, counts ${countsReal}/${countsRec} of ${RECON_CANVASES}, ${seconds.toFixed(0)} s`,
  );
}

/** The canvas autoencoder's files, hash and scale. */
function canvasAutoencoder() {
  if (!existsSync(join(CANVAS_AE_DIR, 'model.json')))
    throw new Error(`${CANVAS_AE_DIR} is missing: run \`npm run train -- canvas-autoencoder\` first`);
  const json = readFileSync(join(CANVAS_AE_DIR, 'model.json'), 'utf8');
  const bin = new Uint8Array(readFileSync(join(CANVAS_AE_DIR, 'weights.bin')));
  const sha = createHash('sha256').update(bin).digest('hex');
  const scale = (JSON.parse(json).userDefinedMetadata as { latentScale: number }).latentScale;
  return { json, bin, sha, scale };
}

/** The fresh configuration of the canvas model: the text-to-image settings on 16×16×4 latents. */
export function canvasTrainConfig(): TrainConfig {
  const base = latentTrainConfig();
  const ae = canvasAutoencoder();
  const clip = clipFiles(CANVAS_DIRS.clip);
  const { meta } = loadClip(clip.json, clip.bin);
  return {
    ...base,
    unet: { ...base.unet!, size: 16, text: { width: meta.clip.width, length: meta.clip.context, heads: 4 } },
    prediction: 'v',
    condDrop: COND_DROP,
    latent: { autoencoder: 'autoencoder-canvas', scale: ae.scale, weightsSha256: ae.sha },
    text: {
      clipSha256: clip.sha,
      tokenizerSha256: tokenizerSha256(CANVAS_DIRS.tokenizer),
    },
  };
}

/** The training canvases as latents of the canvas autoencoder (cached under .cache/ by its hash and scale). */
export async function canvasLatentData(config: TrainConfig): Promise<TrainData> {
  if (!config.latent) throw new Error('not a latent diffusion configuration');
  const ae = canvasAutoencoder();
  pairedLatentScale({ latentScale: ae.scale, sha256: ae.sha }, config.latent);
  const cache = join('.cache', `latents-canvas-${CANVAS_SCENES}-${ae.sha.slice(0, 16)}-${ae.scale}.bin`);
  const { net } = loadAutoencoder(ae.json, ae.bin);
  const codec = new LatentCodec(net, ae.scale);
  const shape = codec.sampleShape;
  try {
    if (existsSync(cache)) {
      const bytes = readFileSync(cache);
      return arrayTrainData(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), shape);
    }
    const t0 = performance.now();
    const data = await encodeTrainData(codec, canvasTrainSet().data, {
      batch: 100,
      onProgress: (done, total) => {
        if (done % 5000 === 0 || done === total)
          console.log(`  encoded ${done.toLocaleString('en')} / ${total.toLocaleString('en')} canvases`);
      },
    });
    const per = shape[0] * shape[1] * shape[2];
    const values = new Float32Array(data.count * per);
    for (let i = 0; i < data.count; i++) data.copySample(i, values, i * per);
    writeFileAtomic(cache, new Uint8Array(values.buffer));
    console.log(
      `  latents of the training canvases cached in ${cache} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return data;
  } finally {
    net.dispose();
  }
}

/** The canvas model's trainer: its frozen text encoder, tokenizer and captions, checked against the run. */
export function canvasTrainer(config: TrainConfig, data: TrainData): TextToImageTrainer {
  if (!config.text) throw new Error('not a text-to-image configuration');
  const clip = clipFiles(CANVAS_DIRS.clip);
  if (clip.sha !== config.text.clipSha256)
    throw new Error(
      `${CANVAS_DIRS.clip} holds another text encoder than this run was trained with: restore it, or start afresh with --fresh`,
    );
  if (tokenizerSha256(CANVAS_DIRS.tokenizer) !== config.text.tokenizerSha256)
    throw new Error(`${CANVAS_DIRS.tokenizer} is not the tokenizer this run was trained with`);
  const net = loadClip(clip.json, clip.bin).net;
  const { captioner } = canvasTrainSet();
  return new TextToImageTrainer(config, data, captioner, loadTokenizer(CANVAS_DIRS.tokenizer), net);
}

/** The measurement of the canvas model (`npm run eval -- limits --part canvas`), as its card tells it. */
export function canvasEvaluationText(step: number, file = 'runs/limits/canvas.json'): string {
  if (!existsSync(file)) return '**Status: training in progress**: not evaluated yet.';
  const e = JSON.parse(readFileSync(file, 'utf8')) as {
    command: string;
    date: string;
    modelStep: number;
    guidance: number[];
    samples: string[];
    rows: { id: string; right: number }[];
  };
  const right = (id: string) => {
    const r = e.rows.find((x) => x.id === id);
    return r ? `${Math.round(100 * r.right)}%` : '–';
  };
  const kinds: [string, string][] = [
    ['count1', 'one of a digit'],
    ['count2', 'two'],
    ['count3', 'three'],
    ['count4', 'four'],
    ['relation', 'a relation'],
  ];
  const table =
    `| asked for | ${e.guidance.map((w) => `guidance ${w}`).join(' | ')} | real canvases |\n|---|${e.guidance.map(() => '---|').join('')}---|\n` +
    kinds
      .map(
        ([id, what]) =>
          `| ${what} | ${e.guidance.map((w) => right(`${id}-w${w}`)).join(' | ')} | ${right(`${id}-real`)} |`,
      )
      .join('\n');
  const status =
    e.modelStep === step
      ? `**Status: evaluated** at these weights (step ${step.toLocaleString('en')})`
      : `**Status: training in progress**: ${step.toLocaleString('en')} steps; the evaluation below is of step ${e.modelStep.toLocaleString('en')}`;
  const kept = e.samples.filter((f) => f.startsWith('runs'));
  return `${status}, ${e.date}: \`${e.command}\`. Share of canvases the canvas judge finds right (every digit found, read by the classifier, the count or the order as asked), DDIM 20 steps; "real canvases" is the judge on real test canvases, its ceiling.${kept.length ? ` Canvases at guidance 3: ${kept.map((f) => `\`${f}\``).join(', ')}.` : ''}\n\n${table}\n`;
}

/** The canvas model's card, from its training log. */
export function writeCanvasCard(dir: string): void {
  const t = readTrainingLog(dir);
  const cfg = t.config;
  const net = new UNet(unetConfigOf(cfg));
  const u = net.config;
  const text = `# Text to multi-digit canvases\n\nThe experiment of "What diffusion still gets wrong": the text-to-image pipeline of \`models/t2i-mnist\` (the same code) trained on ${CANVAS_SCENES.toLocaleString('en')} canvases of 1 to 4 MNIST training digits at random positions and sizes, each with a caption of what it shows ("three sevens", "a three left of a seven"). Reproduce from scratch: \`npm run train -- canvas-tokenizer\`, \`npm run train -- canvas-clip\`, \`npm run train -- canvas-autoencoder\`, then \`npm run train -- canvas --fresh --steps ${t.step}\`; \`npm run train -- canvas\` resumes from \`checkpoint/ddpm.ckpt\`.\n\n| | |\n|---|---|\n| data | ${CANVAS_SCENES.toLocaleString('en')} canvases (56×56, seed ${CANVAS_SEED}) as latents of \`${CANVAS_AE_DIR}\` (scale ${cfg.latent?.scale.toFixed(5)}, padded to 16×16×4); ${Math.round(100 * (cfg.condDrop ?? 0))}% of captions dropped for classifier-free guidance |\n| text | \`${CANVAS_DIRS.tokenizer}\` and the frozen \`${CANVAS_DIRS.clip}\` (its ${u.text?.length} token states of width ${u.text?.width}) |\n| architecture | U-Net, base ${u.ch} channels (16×16 → 8×8 → 4×4), ${u.text?.heads}-head cross-attention to the caption's token states at every level; ${net.paramCount.toLocaleString('en')} parameters, ${(net.flopsPerImage() / 1e6).toFixed(1)} MFLOPs per latent |\n| objective | ${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting` : 'plain L_simple'}; ${cfg.schedule} schedule, T = ${cfg.T} |\n| optimiser | ${optimiserText(cfg)} |\n| steps | ${t.step.toLocaleString('en')} (${(t.step * cfg.batch).toLocaleString('en')} canvases seen) |\n| wall time | ${(t.wallSeconds / 3600).toFixed(2)} h cumulative (the latest on ${t.machine}) |\n| recent loss | ${recentLossText(t.history, 'weighted training loss')} |\n\n${canvasEvaluationText(t.step)}\n`;
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}
