/**
 * The latent DDPM run (`npm run train -- latent`, models/ldm-mnist/): its fresh configuration (a U-Net
 * sized for the 8x8x4 diffusion latents, x̂0 clipping off), its data (the MNIST training set encoded
 * by the shipped autoencoder, cached under .cache/ by the autoencoder's hash) and its model card.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { arrayTrainData, mnistTrainData, type TrainData } from '../data/train-data';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { pairedLatentScale } from '../nets/latent-pair';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { UNet } from '../nets/unet';
import { encodeTrainData, LatentCodec } from '../pipelines/latent';
import { DEFAULT_TRAIN_CONFIG, unetConfigOf, type TrainConfig } from '../train/ddpm-trainer';
import { latentUNet } from '../train/live-settings';
import { writeFileAtomic } from './files';
import type { EvalResult } from '../metrics/eval-result';
import { checkLatentTarget, CONFIDENT_ABOVE, LATENT_QUALITY_TARGET } from '../metrics/quality';
import { cardTemplate, optimiserText, recentLossText, renderTemplate } from './template';

const AE = SHIPPED_MODELS.autoencoderMnist;

/** The shipped autoencoder's files, its weights' hash and its latent scale (which eval must have written). */
function shippedAutoencoder() {
  const dir = modelDir(AE);
  const json = readFileSync(join(dir, AE.files.model), 'utf8');
  const bin = new Uint8Array(readFileSync(join(dir, AE.files.weights)));
  const sha = createHash('sha256').update(bin).digest('hex');
  const scale = (JSON.parse(json).userDefinedMetadata as { latentScale?: number }).latentScale;
  if (!scale) throw new Error(`${dir} has no latent scale yet: run \`npm run eval -- autoencoder\` first`);
  return { json, bin, sha, scale };
}

/** The shipped autoencoder's network (kept for the life of the process). */
export function shippedAutoencoderNet() {
  const ae = shippedAutoencoder();
  return loadAutoencoder(ae.json, ae.bin).net;
}

export function latentTrainConfig(): TrainConfig {
  const { sha, scale } = shippedAutoencoder();
  return {
    ...DEFAULT_TRAIN_CONFIG,
    unet: latentUNet('shipped'),
    batch: 64, // an 8x8 step is cheap: a bigger batch costs little more time per step
    clipSample: false,
    latent: { autoencoder: AE.id, scale, weightsSha256: sha },
  };
}

export async function latentTrainData(config: TrainConfig): Promise<TrainData> {
  if (!config.latent) throw new Error('not a latent diffusion configuration');
  const ae = shippedAutoencoder();
  try {
    pairedLatentScale({ latentScale: ae.scale, sha256: ae.sha }, config.latent);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}: restore the autoencoder this run was trained on, or start afresh with --fresh`,
    );
  }
  const cache = join('.cache', `latents-${ae.sha.slice(0, 16)}-${config.latent.scale}.bin`);
  const digits = loadMnistNode('train');
  const { net } = loadAutoencoder(ae.json, ae.bin);
  const codec = new LatentCodec(net, config.latent.scale);
  const shape = codec.sampleShape;
  const per = shape[0] * shape[1] * shape[2];
  if (existsSync(cache)) {
    net.dispose();
    const bytes = readFileSync(cache);
    return arrayTrainData(
      new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
      shape,
      digits.labels,
    );
  }
  try {
    const t0 = performance.now();
    const data = await encodeTrainData(codec, mnistTrainData(digits), {
      onProgress: (done, total) => {
        if (done % 10000 === 0 || done === total)
          console.log(`  encoded ${done.toLocaleString('en')} / ${total.toLocaleString('en')} digits`);
      },
    });
    const values = new Float32Array(data.count * per);
    for (let i = 0; i < data.count; i++) data.copySample(i, values, i * per);
    writeFileAtomic(cache, new Uint8Array(values.buffer));
    console.log(
      `  latents of the training set cached in ${cache} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return data;
  } finally {
    net.dispose();
  }
}

/** A diffusion run's training log (ddpm-files.ts writes it beside the weights). */
export interface TrainingJson {
  config: TrainConfig;
  step: number;
  wallSeconds: number;
  machine: string;
  history: [number, number][];
}

/** The training log of the run in `dir`. */
export function readTrainingLog(dir: string): TrainingJson {
  return JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingJson;
}

export function writeLatentCard(dir: string): void {
  const t = readTrainingLog(dir);
  const cfg = t.config;
  const net = new UNet(unetConfigOf(cfg));
  const u = net.config;
  const evalJson = join(dir, 'eval.json');
  const rows = existsSync(evalJson)
    ? (JSON.parse(readFileSync(evalJson, 'utf8')) as { results: EvalResult[] }).results
    : [];
  const atStep = rows.filter((r) => r.source?.kind === 'model' && r.source.modelStep === t.step);
  const T = LATENT_QUALITY_TARGET;
  // the target run (the 1,000-step sampler, as for the pixel DDPM), else the largest run at this step
  const target = atStep.find(
    (r) => r.source?.kind === 'model' && r.source.sampler === T.sampler && r.source.steps === T.steps,
  );
  const latest = target ?? [...atStep].sort((a, b) => b.samples - a.samples)[0];
  const check = latest ? checkLatentTarget(latest) : null;
  const steps = t.step.toLocaleString('en');
  const others = atStep
    .filter((r) => r !== latest)
    .map((r) => {
      const c = checkLatentTarget(r);
      return ` With ${r.generator}: ${c.met ? 'meets it too' : c.shortfalls.join('; ')}.`;
    })
    .join('');
  const status = !latest
    ? `**Status: training in progress**: ${steps} steps, not evaluated at this step yet (\`npm run eval -- latent\`).`
    : check!.met && target
      ? `**Status: meets the quality target** at ${steps} steps (${latest.generator}).${others}`
      : `**Status: training in progress**: at ${steps} steps (${latest.generator}), ${check!.met ? 'meeting the target with another sampler than the 1,000-step one it is judged on' : `short of the target: ${check!.shortfalls.join('; ')}`}.${others}`;
  const evalPath = join(dir, 'eval.md');
  const evalText = existsSync(evalPath)
    ? readFileSync(evalPath, 'utf8').replace(/^# .*\n/, '')
    : 'Not measured yet: run `npm run eval -- latent`.';
  const text = renderTemplate(cardTemplate('latent.md'), {
    autoencoder: cfg.latent?.autoencoder ?? '?',
    scale: cfg.latent?.scale.toFixed(5) ?? '?',
    autoencoderSha: cfg.latent?.weightsSha256.slice(0, 16) ?? '?',
    architecture: `U-Net, base ${u.ch} channels (8×8 → 4×4 → 2×2 with ${u.ch}/${2 * u.ch}/${4 * u.ch} channels), one residual block per level and side with GroupNorm(${u.groups}) + SiLU, sinusoidal time embedding + MLP, self-attention at 2×2; ${net.paramCount.toLocaleString('en')} parameters, ${(net.flopsPerImage() / 1e6).toFixed(1)} MFLOPs per latent per forward pass`,
    schedule: cfg.schedule,
    T: cfg.T,
    objective: `${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting` : 'plain L_simple'}`,
    optimiser: optimiserText(cfg),
    emaDecay: cfg.emaDecay,
    steps: `${t.step.toLocaleString('en')} (${(t.step * cfg.batch).toLocaleString('en')} latents seen, ${((t.step * cfg.batch) / 60000).toFixed(1)} epochs)`,
    wallHours: (t.wallSeconds / 3600).toFixed(2),
    machine: t.machine,
    recentLoss: recentLossText(t.history, 'weighted training loss'),
    evalText,
    status,
    targetConfident: 100 * LATENT_QUALITY_TARGET.confident,
    targetSamples: LATENT_QUALITY_TARGET.samples.toLocaleString('en'),
    targetFid: LATENT_QUALITY_TARGET.fidOverFloor,
    threshold: CONFIDENT_ABOVE,
  });
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}
