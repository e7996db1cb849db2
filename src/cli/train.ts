/**
 * `npm run train -- ddpm [--hours H] [--steps N] [--every N] [--fresh] [--preset shipped|classroom] [--batch B] [--lr X] [--dir DIR] [--workers W] [--grow a,b,c]`
 * `npm run train -- compare [--steps N]`: short runs measuring the training choices (compare.ts).
 * (`--lr` on a resumed run switches to a new learning rate from the current step on; `--grow a,b,c` makes a
 * resumed run's U-Net deeper, with a, b, c residual blocks per side at 28x28, 14x14 and 7x7, each new one
 * starting as the identity (DdpmTrainer.restoreGrown); `--workers W` adds W
 * worker threads that share every batch, for a machine with W + 1 free cores: same steps, W + 1 times the speed at best.)
 *
 * Trains the shipped DDPM on MNIST in Node on the WASM backend, resuming from
 * models/ddpm-mnist/checkpoint/ddpm.ckpt when it exists. Every `--every` steps (and on Ctrl-C or SIGTERM)
 * it atomically writes the EMA weights (models/ddpm-mnist/model.json + weights.bin), the checkpoint and
 * the training log (ddpm-files.ts), so a killed process loses at most one interval.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadMnistNode } from '../data/mnist-node';
import { initNodeBackend, tf } from '../runtime/tf-node';
import {
  DdpmTrainer,
  DEFAULT_TRAIN_CONFIG,
  NonFiniteLossError,
  type TrainConfig,
} from '../train/ddpm-trainer';
import { arg } from './args';
import { ckptPath, loadDdpmCheckpoint, saveDdpmRun, type SavedDdpmRun } from './ddpm-files';
import { startGradientWorkers } from './gradient-workers';
import { writeDdpmCard } from './model-card';
import { mnistTrainData } from '../data/train-data';
import { grownConfig, restoreCheckpoint, restoreGrown } from '../train/checkpoint';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import type { TrainData } from '../data/train-data';
import { latentTrainConfig, latentTrainData, writeLatentCard } from './latent-files';
import {
  CANVAS_DIRS,
  canvasLatentData,
  canvasTrainConfig,
  canvasTrainer,
  writeCanvasCard,
} from './canvas-files';
import { BIAS, BIAS_DIR, biasTrainData, CONTROL, CONTROL_DIR, writeBiasCard } from './bias-files';
import {
  LABEL_DIR,
  labelTrainConfig,
  T2I_DIR,
  t2iTrainConfig,
  t2iTrainer,
  writeLabelCard,
  writeT2iCard,
} from './t2i-files';

/** A diffusion run this command trains: where it lives, how it starts, its data and its card. */
interface DiffusionRun {
  dir: string;
  /** The configuration of a fresh run (before the command-line options). */
  fresh: () => TrainConfig | Promise<TrainConfig>;
  data: (config: TrainConfig) => Promise<TrainData>;
  card: (dir: string) => void;
  /** The trainer, when the run needs more than the plain DDPM trainer (text-to-image). */
  trainer?: (config: TrainConfig, data: TrainData) => DdpmTrainer;
}

type RunName = 'ddpm' | 'latent' | 't2i' | 'label' | 'canvas' | 'bias';
const RUNS: Record<RunName, () => DiffusionRun> = {
  ddpm: () => ({
    // --dir DIR: train a copy elsewhere (e.g. a fork of the shipped run with another learning rate).
    dir: arg('dir') ?? modelDir(SHIPPED_MODELS.ddpmMnist),
    fresh: () => ({ ...DEFAULT_TRAIN_CONFIG }),
    data: async () => mnistTrainData(loadMnistNode('train')),
    card: writeDdpmCard,
  }),
  latent: () => ({
    dir: arg('dir') ?? modelDir(SHIPPED_MODELS.ldmMnist),
    fresh: latentTrainConfig,
    data: latentTrainData,
    card: writeLatentCard,
  }),
  t2i: () => ({
    dir: arg('dir') ?? T2I_DIR,
    fresh: t2iTrainConfig,
    data: latentTrainData,
    card: writeT2iCard,
    trainer: t2iTrainer,
  }),
  label: () => ({
    dir: arg('dir') ?? LABEL_DIR,
    fresh: labelTrainConfig,
    data: latentTrainData,
    card: writeLabelCard,
  }),
  // --control: the balanced control of the same size (models/bias-control-ldm-mnist)
  bias: () => {
    const control = process.argv.includes('--control');
    return {
      dir: arg('dir') ?? (control ? CONTROL_DIR : BIAS_DIR),
      fresh: labelTrainConfig,
      data: (c: TrainConfig) => biasTrainData(c, control ? CONTROL : BIAS),
      card: (dir: string) => writeBiasCard(dir, control),
    };
  },
  canvas: () => ({
    dir: arg('dir') ?? CANVAS_DIRS.model,
    fresh: canvasTrainConfig,
    data: canvasLatentData,
    card: writeCanvasCard,
    trainer: canvasTrainer,
  }),
};

async function main() {
  const which = process.argv[2];
  if (which === 'classifier') {
    const { trainClassifierCli } = await import('./train-classifier');
    return trainClassifierCli(Number(arg('epochs') ?? '2'));
  }
  if (which === 'autoencoder-compare') {
    const { compareAutoencoderCli } = await import('./compare-autoencoder');
    return compareAutoencoderCli();
  }
  if (which === 'autoencoder') {
    const { trainAutoencoderCli } = await import('./train-autoencoder');
    return trainAutoencoderCli();
  }
  if (which === 'gan' || which === 'vae') {
    const { trainFamilyCli } = await import('./train-families');
    return trainFamilyCli(which);
  }
  if (which === 'tokenizer') {
    const { trainTokenizerCli } = await import('./text-files');
    return trainTokenizerCli();
  }
  if (which === 'clip') {
    const { trainClipCli } = await import('./train-clip');
    return trainClipCli();
  }
  if (which === 'canvas-tokenizer') {
    const { trainCanvasTokenizerCli } = await import('./canvas-files');
    return trainCanvasTokenizerCli();
  }
  if (which === 'canvas-autoencoder') {
    const { canvasAutoencoderCli } = await import('./canvas-files');
    return canvasAutoencoderCli();
  }
  if (which === 'canvas-clip') {
    const [{ trainClipCli }, { CANVAS_CLIP_SOURCE }] = await Promise.all([
      import('./train-clip'),
      import('./canvas-files'),
    ]);
    return trainClipCli(CANVAS_CLIP_SOURCE);
  }
  if (which === 'compare') {
    await initNodeBackend('wasm');
    const { compareChoices } = await import('./compare');
    return compareChoices();
  }
  if (!(which && which in RUNS)) {
    console.error(
      'usage: npm run train -- ddpm [--hours H] [--steps N] [--every N] [--fresh] [--preset P] [--batch B] [--lr X] [--dir DIR] [--workers W] [--grow a,b,c]\n       npm run train -- latent [the same options]\n       npm run train -- t2i [the same options]   (text-to-image: after tokenizer and clip)\n       npm run train -- label [the same options] (the label-conditioned twin of t2i)\n       npm run train -- compare [--steps N]\n       npm run train -- classifier [--epochs E]\n       npm run train -- autoencoder [--hours H] [--steps N] [--every N] [--fresh] [--latent C] [--down 1|2] [--ch N] [--kl β] [--edge λ]\n       npm run train -- autoencoder-compare [--steps N]\n       npm run train -- gan [--preset best|collapse|saturating] [--hours H] [--steps N] [--every N] [--fresh] [--seed S] [--lr X] [--d-lr X] [--gch C] [--dch C] [--d-kernel K] [--d-depth 2|3] [--dir DIR]\n       npm run train -- vae [--hours H] [--steps N] [--every N] [--fresh] [--seed S] [--lr X] [--latent Z] [--beta β] [--dir DIR]\n       npm run train -- tokenizer\n       npm run train -- clip [--hours H] [--steps N] [--every N] [--fresh] [--batch B] [--lr X]\n       npm run train -- canvas-tokenizer\n       npm run train -- canvas-clip [the options of clip]\n       npm run train -- canvas-autoencoder\n       npm run train -- canvas [the options of ddpm]  (after canvas-tokenizer, canvas-clip, canvas-autoencoder)\n       npm run train -- bias [--control] [the options of ddpm]  (the label model on an imbalanced subset, or its balanced control)',
    );
    process.exit(2);
  }
  const run = RUNS[which as RunName]();
  const CKPT = ckptPath(run.dir);
  const save = async (trainer: DdpmTrainer, machine: string) => {
    const t0 = performance.now();
    await saveDdpmRun(run.dir, trainer, machine);
    run.card(run.dir);
    console.log(`  saved step ${trainer.step} (${Math.round(performance.now() - t0)} ms)`);
  };
  const backend = await initNodeBackend('wasm');
  const workers = Number(arg('workers') ?? '0');
  if (!Number.isInteger(workers) || workers < 0)
    throw new Error(`--workers ${arg('workers')}: need a whole number >= 0`);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, ${workers + 1} thread${workers ? 's' : ''}`;
  const resume = existsSync(CKPT) && !process.argv.includes('--fresh');
  let config: TrainConfig = await run.fresh();
  let saved: SavedDdpmRun | null = null;
  const grow = arg('grow');
  if (grow && !resume) throw new Error('--grow makes a resumed run deeper: there is no checkpoint to grow');
  if (resume) {
    saved = loadDdpmCheckpoint(run.dir);
    const meta = saved.json.userDefinedMetadata as { config: TrainConfig; step: number };
    config = meta.config;
    if (grow)
      config = grownConfig(config, meta.step, grow.split(',').map(Number) as [number, number, number]);
  } else {
    const preset = arg('preset');
    if (preset) config.preset = preset as TrainConfig['preset'];
    if (arg('batch')) config.batch = Number(arg('batch'));
    if (arg('lr')) config.lr = Number(arg('lr'));
  }
  const data = await run.data(config);
  const trainer = run.trainer ? run.trainer(config, data) : new DdpmTrainer(config, data);
  if (saved && grow) restoreGrown(trainer, saved.json, saved.bin, saved.ema);
  else if (saved) restoreCheckpoint(trainer, saved.json, saved.bin, saved.ema);
  if (resume && arg('lr') && Number(arg('lr')) !== trainer.lrAt(trainer.step)) {
    // A new learning rate from here on (e.g. a decay once the loss plateaus), kept in the config so the
    // model card and any later resume know the whole schedule.
    config.lrSteps = [...(config.lrSteps ?? []), [trainer.step, Number(arg('lr'))]];
  }
  console.log(
    `${resume ? `resuming at step ${trainer.step}` : 'starting fresh'}: ${config.unet ? `custom (${JSON.stringify(config.unet)})` : config.preset} U-Net (${trainer.net.paramCount.toLocaleString('en')} params), ` +
      `batch ${config.batch}, lr ${trainer.lrAt(trainer.step)}, ${config.prediction} prediction, min-SNR ${config.minSnrGamma}, ${config.schedule} schedule, on ${machine}`,
  );

  const hours = Number(arg('hours') ?? 'Infinity');
  const steps = Number(arg('steps') ?? '1e9');
  const every = Number(arg('every') ?? '100');
  const stopAt = performance.now() + hours * 3600e3;
  const ctl = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      console.log(`${sig}: finishing the current steps and saving…`);
      ctl.abort();
    });
  }
  let lastSave = trainer.step;
  // A run that trains no steps (e.g. `--steps 0` to rewrite an old checkpoint in the compact format)
  // keeps the machine the checkpoint was trained on.
  const startStep = trainer.step;
  const savedMachine = (saved?.json.userDefinedMetadata as { machine?: string } | undefined)?.machine;
  const machineNow = () => (trainer.step === startStep && savedMachine ? savedMachine : machine);
  const pool = workers ? await startGradientWorkers(workers, trainer.config) : null;
  if (pool) console.log(`  ${workers} gradient worker thread${workers > 1 ? 's' : ''} share each batch`);
  try {
    for await (const p of trainer.run(steps, { readEvery: 10, signal: ctl.signal, helpers: pool?.helpers })) {
      console.log(
        `step ${p.step}  loss ${p.loss.toFixed(4)}  |g| ${p.gradNorm.toFixed(3)}  lr ${p.lr.toExponential(1)}  ` +
          `${p.stepsPerSecond.toFixed(3)} steps/s  ${(p.wallSeconds / 3600).toFixed(2)} h total`,
      );
      if (p.step - lastSave >= every) {
        await save(trainer, machine);
        lastSave = p.step;
      }
      if (performance.now() > stopAt) ctl.abort();
    }
    await save(trainer, machineNow());
  } catch (e) {
    if (e instanceof NonFiniteLossError) {
      console.error(`stopped: ${e.message}. The last good checkpoint (step ${lastSave}) is kept.`);
      process.exit(1);
    }
    throw e;
  } finally {
    await pool?.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
