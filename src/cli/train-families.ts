/**
 * `npm run train -- gan [--preset best|collapse|saturating] [--hours H] [--steps N] [--every N] [--fresh] [--seed S] [--lr X] [--d-lr X] [--gch C] [--dch C] [--d-kernel K] [--d-depth 2|3] [--dir DIR]`
 * `npm run train -- vae [--hours H] [--steps N] [--every N] [--fresh] [--seed S] [--lr X] [--latent Z] [--beta β] [--dir DIR]`
 *
 * The two other families of generative model the course compares with diffusion, trained on the same
 * MNIST digits in Node on the WASM backend with the same code the browser runs: a DCGAN-style GAN
 * (src/nets/gan.ts, src/train/gan-trainer.ts) and a VAE (src/nets/vae.ts, src/train/vae-trainer.ts).
 * Each resumes from its folder's checkpoint (options that shape the run apply to a fresh one only) and,
 * every `--every` steps and on Ctrl-C or SIGTERM, atomically writes the EMA weights (model.json +
 * weights.bin), the checkpoint (float32: the nets are small) and the loss log with its named terms.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { SHIPPED_MODELS } from '../nets/registry';
import { packCheckpoint, unpackCheckpoint } from '../nets/weights-format';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { exportEmaWeights, restoreCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { DEFAULT_GAN_TRAIN_CONFIG, GAN_PRESETS, GanTrainer, type GanTrainConfig } from '../train/gan-trainer';
import type { OptimConfig, TrainableNet, Trainer } from '../train/trainer';
import { DEFAULT_VAE_TRAIN_CONFIG, VaeTrainer, type VaeTrainConfig } from '../train/vae-trainer';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { classify, makeReference, summarizeProbs, type Reference } from '../metrics/evaluate';
import { fitGaussian, frechetDistance } from '../metrics/fid';
import { FEATURE_DIM, type MnistClassifier } from '../nets/classifier';
import { discriminatorShape, Gan as GanNet } from '../nets/gan';
import { Vae as VaeNet } from '../nets/vae';
import { drawOnePass } from '../pipelines/one-pass';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFamilyCard } from './family-card';
import { writeFileAtomic } from './files';
import { trainLoop } from './train-loop';

/** The files of a GAN's or VAE's folder, as the registry names them. */
export const FAMILY_FILES = SHIPPED_MODELS.ganMnist.files;

type AnyTrainer = Trainer<OptimConfig, TrainableNet>;

/** One reading of quality during training: [step, training seconds, FID, share confident]. */
export type QualityPoint = [number, number, number, number];

/** Samples the quick reading during training uses (seeds 1…N, the EMA weights): enough to rank, not to report. */
export const QUALITY_PROBE_SAMPLES = 500;

/**
 * FID and share confident of the run's EMA weights on QUALITY_PROBE_SAMPLES samples, against the test set:
 * the curve behind "steps and wall time to reach a given FID". One-pass models draw 500 digits in a second.
 */
export class QualityProbe {
  private constructor(
    private readonly classifier: MnistClassifier,
    private readonly ref: Reference,
  ) {}

  static async create(): Promise<QualityProbe> {
    const classifier = loadClassifier();
    return new QualityProbe(
      classifier,
      await makeReference(classifier, loadMnistNode('test'), loadMnistNode('train'), QUALITY_PROBE_SAMPLES),
    );
  }

  async measure(images: Float32Array): Promise<{ fid: number; confident: number }> {
    const n = images.length / MNIST_PIXELS;
    const { features, probs } = await classify(this.classifier, images);
    return {
      fid: frechetDistance(fitGaussian(features, n, FEATURE_DIM), this.ref.test),
      confident: summarizeProbs(probs, n).confident / n,
    };
  }

  dispose(): void {
    this.classifier.dispose();
  }
}

/** n digits (seeds 1…n) of a GAN or VAE run's EMA weights (the VAE's decoder mean). */
export async function drawEma(tr: GanTrainer | VaeTrainer, n: number): Promise<Float32Array> {
  const ema = tr instanceof GanTrainer ? new GanNet(tr.config.gan) : new VaeNet(tr.config.vae);
  try {
    ema.copyFrom(tr.ema.shadow);
    return await drawOnePass(ema, n, 1);
  } finally {
    ema.dispose();
  }
}

/** Write the EMA model, the checkpoint and the loss log of a GAN or VAE run. */
export async function saveFamilyRun(
  dir: string,
  tr: AnyTrainer,
  kind: 'gan' | 'vae',
  machine: string,
  quality: QualityPoint[] = [],
): Promise<void> {
  const model = await exportEmaWeights(tr, {
    kind,
    [kind]: (tr.config as unknown as Record<string, unknown>)[kind],
    config: tr.config,
    step: tr.step,
    wallSeconds: tr.wallSeconds,
    machine,
  });
  const ck = await saveCheckpoint(tr, { machine, quality });
  writeFileAtomic(join(dir, FAMILY_FILES.weights), model.bin);
  writeFileAtomic(join(dir, FAMILY_FILES.model), JSON.stringify(model.json, null, 1));
  writeFileAtomic(join(dir, FAMILY_FILES.checkpoint), packCheckpoint(ck.json, ck.bin));
  writeFileAtomic(
    join(dir, FAMILY_FILES.training),
    JSON.stringify({
      config: tr.config,
      step: tr.step,
      wallSeconds: tr.wallSeconds,
      machine,
      history: tr.history,
      terms: tr.termHistory,
      quality,
    }),
  );
  writeFamilyCard(dir, kind, familyCommand(dir, kind, tr.config, tr.step));
}

/**
 * The one command that reproduces a run in `dir` up to `step` from scratch (`--fresh` overwrites the
 * folder's run; `--steps` counts the steps this command trains).
 */
export function familyCommand(dir: string, kind: 'gan' | 'vae', config: OptimConfig, step: number): string {
  const flags: string[] = ['--fresh'];
  if (dir !== `models/${kind}-mnist`) flags.push(`--dir ${dir}`);
  if (kind === 'gan') {
    const c = config as GanTrainConfig;
    const loose = (a: GanTrainConfig) => ({
      ...a,
      seed: 0,
      lr: 0,
      dLr: 0,
      gan: { ...a.gan, gch: 0, dch: 0, dKernel: 0, dDepth: 0 },
    });
    const same = (a: GanTrainConfig) => JSON.stringify(loose(a)) === JSON.stringify(loose(c));
    const preset = Object.keys(GAN_PRESETS).find((p) =>
      same(GAN_PRESETS[p]!(structuredClone(DEFAULT_GAN_TRAIN_CONFIG))),
    );
    if (!preset) throw new Error('this GAN run matches no preset: its command cannot be written');
    const base = GAN_PRESETS[preset]!(structuredClone(DEFAULT_GAN_TRAIN_CONFIG));
    if (preset !== 'best') flags.push(`--preset ${preset}`);
    if (c.lr !== base.lr) flags.push(`--lr ${c.lr}`);
    if (c.dLr !== base.dLr) flags.push(`--d-lr ${c.dLr}`);
    if (c.gan.gch !== base.gan.gch) flags.push(`--gch ${c.gan.gch}`);
    if (c.gan.dch !== base.gan.dch) flags.push(`--dch ${c.gan.dch}`);
    const [shape, baseShape] = [discriminatorShape(c.gan), discriminatorShape(base.gan)];
    if (shape.kernel !== baseShape.kernel) flags.push(`--d-kernel ${shape.kernel}`);
    if (shape.depth !== baseShape.depth) flags.push(`--d-depth ${shape.depth}`);
  } else {
    const c = config as VaeTrainConfig;
    const d = DEFAULT_VAE_TRAIN_CONFIG;
    if (c.vae.latent !== d.vae.latent) flags.push(`--latent ${c.vae.latent}`);
    if (c.klWeight !== d.klWeight) flags.push(`--beta ${c.klWeight}`);
    if (c.lr !== d.lr) flags.push(`--lr ${c.lr}`);
  }
  if (config.seed) flags.push(`--seed ${config.seed}`);
  flags.push(`--steps ${step}`);
  return `npm run train -- ${kind} ${flags.join(' ')}`;
}

function num(name: string): number | undefined {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} ${v}: need a number`);
  return n;
}

export async function trainFamilyCli(kind: 'gan' | 'vae'): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const preset = arg('preset') ?? 'best';
  const dir =
    arg('dir') ??
    (kind === 'gan' ? `models/gan-mnist${preset === 'best' ? '' : `-${preset}`}` : 'models/vae-mnist');
  const ckpt = join(dir, FAMILY_FILES.checkpoint);
  const resume = existsSync(ckpt) && !process.argv.includes('--fresh');
  const saved = resume ? unpackCheckpoint(new Uint8Array(readFileSync(ckpt))) : null;
  const data = mnistTrainData(loadMnistNode('train'));
  let tr: GanTrainer | VaeTrainer;
  if (kind === 'gan') {
    let config = saved
      ? (saved.json.userDefinedMetadata as { config: GanTrainConfig }).config
      : structuredClone(DEFAULT_GAN_TRAIN_CONFIG);
    if (!saved) {
      const make = GAN_PRESETS[preset];
      if (!make) throw new Error(`--preset ${preset}: one of ${Object.keys(GAN_PRESETS).join(', ')}`);
      config = make(config);
      config = {
        ...config,
        gan: {
          ...config.gan,
          gch: num('gch') ?? config.gan.gch,
          dch: num('dch') ?? config.gan.dch,
          dKernel: num('d-kernel') ?? config.gan.dKernel,
          dDepth: num('d-depth') ?? config.gan.dDepth,
        },
        seed: num('seed') ?? config.seed,
        lr: num('lr') ?? config.lr,
        dLr: num('d-lr') ?? config.dLr,
      };
    }
    tr = new GanTrainer(config, data);
  } else {
    let config = saved
      ? (saved.json.userDefinedMetadata as { config: VaeTrainConfig }).config
      : structuredClone(DEFAULT_VAE_TRAIN_CONFIG);
    if (!saved)
      config = {
        ...config,
        vae: { ...config.vae, latent: num('latent') ?? config.vae.latent },
        klWeight: num('beta') ?? config.klWeight,
        seed: num('seed') ?? config.seed,
        lr: num('lr') ?? config.lr,
      };
    tr = new VaeTrainer(config, data);
  }
  if (saved) restoreCheckpoint(tr, saved.json, saved.bin);
  console.log(
    `${resume ? `resuming at step ${tr.step}` : 'starting fresh'}: ${kind} (${tr.net.paramCount.toLocaleString('en')} params) ` +
      `${JSON.stringify(tr.config)} on ${machine}, into ${dir}`,
  );
  const describe = () => {
    const last = tr.termHistory.at(-1)?.[1];
    return last
      ? Object.entries(last)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join('  ')
      : '';
  };
  const quality: QualityPoint[] =
    (saved?.json.userDefinedMetadata as { quality?: QualityPoint[] } | undefined)?.quality ?? [];
  const probe = await QualityProbe.create();
  const save = async () => {
    if (quality.at(-1)?.[0] !== tr.step) {
      const q = await probe.measure(await drawEma(tr, QUALITY_PROBE_SAMPLES));
      quality.push([tr.step, tr.wallSeconds, q.fid, q.confident]);
      console.log(
        `  step ${tr.step}: FID ${q.fid.toFixed(1)} on ${QUALITY_PROBE_SAMPLES} samples, ${(100 * q.confident).toFixed(1)}% confident`,
      );
    }
    await saveFamilyRun(dir, tr, kind, machine, quality);
  };
  await trainLoop(tr, save, { every: 500, describe });
  probe.dispose();
}
