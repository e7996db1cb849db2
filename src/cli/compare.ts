/**
 * `npm run train -- compare [--steps N] [--every N] [--only a,b]`: short runs that measure the shipped
 * model's training choices against the alternatives. Each variant trains the shipped U-Net from scratch
 * with the same seed (so the same digits, timesteps and noise at every step) and differs from the chosen
 * configuration in one setting. Every `--every` steps it measures, on the EMA weights:
 *  - the held-out noise-prediction error: 64 test digits at 10 timesteps spread over [0, T), fixed noise,
 *    plain (unweighted) MSE of the implied ε̂, so ε- and v-prediction and both loss weightings are scored
 *    on the same scale; and the error of the implied x̂0 (clipped to [-1, 1]);
 *  - at the last step, 100 samples (100-step respaced DDPM, seed 7) judged by the project's classifier.
 * Results go to models/ddpm-mnist/choices.json and choices.md as each variant finishes; a rerun skips the
 * variants already measured with the same step count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { realImages } from '../metrics/evaluate';
import { tf } from '../runtime/tf-node';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG, type TrainConfig, makeDenoiser } from '../train/ddpm-trainer';
import { loadClassifier } from './classifier-files';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { HELD_OUT_TIMESTEPS, heldOut } from './held-out';
import { quickCheck } from './quick-check';
import { mnistTrainData } from '../data/train-data';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';

export interface Variant {
  name: string;
  /** What differs from the chosen configuration. */
  change: string;
  config: Partial<TrainConfig>;
}

/** The chosen configuration first, then one change at a time. */
const VARIANTS: Variant[] = [
  { name: 'chosen', change: 'lr 1e-3 with 200-step warm-up, min-SNR-5, ε-prediction, batch 32', config: {} },
  { name: 'plain-loss', change: 'plain L_simple (no min-SNR weighting)', config: { minSnrGamma: null } },
  { name: 'lr-2e-4', change: 'lr 2e-4 (the calibration run’s rate)', config: { lr: 2e-4 } },
  { name: 'v-pred', change: 'v-prediction (min-SNR-5 weighting for v)', config: { prediction: 'v' } },
  { name: 'cosine', change: 'cosine schedule instead of linear', config: { schedule: 'cosine' } },
];

interface Point {
  step: number;
  trainLoss: number;
  heldOutEpsMse: number;
  heldOutX0Mse: number;
}
interface VariantResult {
  name: string;
  change: string;
  config: TrainConfig;
  steps: number;
  seconds: number;
  points: Point[];
  /** 100 samples at the last step: share classified with confidence > 0.9, and classes with >= 3. */
  confident: number;
  classes: number;
}
interface ChoicesFile {
  machine: string;
  command: string;
  variants: VariantResult[];
  /** What the figures say, written by hand after a run (kept across reruns). */
  notes?: string;
}

const HELD_OUT = 64;
function markdown(f: ChoicesFile): string {
  const rows = f.variants.map((v) => {
    const last = v.points.at(-1)!;
    const mid = v.points.length > 1 ? v.points[Math.floor((v.points.length - 1) / 2)]! : null;
    return `| ${v.name} | ${v.change} | ${mid ? `${mid.heldOutEpsMse.toFixed(4)} (step ${mid.step})` : '—'} | ${last.heldOutEpsMse.toFixed(4)} | ${last.heldOutX0Mse.toFixed(4)} | ${last.trainLoss.toFixed(4)} | ${v.confident}% | ${v.classes}/10 | ${(v.seconds / 60).toFixed(1)} min |`;
  });
  return (
    `# Training choices, measured on short runs\n\nCommand: \`${f.command}\` on ${f.machine}.\n\n` +
    `Each variant trains the shipped U-Net from scratch with the same seed (same digits, timesteps and noise at every step) ` +
    `and changes one setting of the chosen configuration. Held-out error: ${HELD_OUT} test digits at t = ${HELD_OUT_TIMESTEPS.join(', ')}, fixed noise, ` +
    `unweighted MSE of the implied ε̂ (and of the implied x̂0 clipped to [-1, 1]), EMA weights. Training loss is each run's own (weighted) objective, so it is not comparable across rows. ` +
    `Samples: 100 from the EMA weights at the last step (100-step respaced DDPM, seed 7), judged by models/mnist-classifier.\n\n` +
    `| variant | change | held-out ε-MSE, mid-run | held-out ε-MSE, end | held-out x̂0-MSE, end | training loss, end | recognized (conf. > 0.9) | classes with >= 3 of 100 | time |\n` +
    `|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n${f.notes ? `\n${f.notes}\n` : ''}`
  );
}

export async function compareChoices(): Promise<void> {
  const steps = Number(arg('steps') ?? '400');
  const every = Number(arg('every') ?? String(steps / 2));
  const only = arg('only')?.split(',');
  const dir = modelDir(SHIPPED_MODELS.ddpmMnist);
  const path = join(dir, 'choices.json');
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${tf.getBackend()}, 1 thread`;
  const file: ChoicesFile = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as ChoicesFile)
    : { machine, command: '', variants: [] };
  file.command = `npm run train -- compare --steps ${steps} --every ${every}`;
  file.machine = machine;
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const heldX0 = await realImages(
    test,
    Array.from({ length: HELD_OUT }, (_, i) => i),
  );
  const classifier = loadClassifier();
  for (const v of VARIANTS) {
    if (only && !only.includes(v.name)) continue;
    if (file.variants.some((r) => r.name === v.name && r.steps === steps)) {
      console.log(`${v.name}: already measured at ${steps} steps`);
      continue;
    }
    const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...v.config };
    const tr = new DdpmTrainer(config, mnistTrainData(train));
    const preview = makeDenoiser(tr.config);
    console.log(`${v.name} (${v.change}): ${steps} steps…`);
    const points: Point[] = [];
    let n = 0;
    while (tr.step < steps) {
      let sum = 0;
      let count = 0;
      for await (const p of tr.run(Math.min(every, steps - tr.step), { readEvery: 50 })) {
        sum += p.loss;
        count++;
        if (++n % 2 === 0)
          console.log(`  step ${p.step} loss ${p.loss.toFixed(4)} ${p.stepsPerSecond.toFixed(2)} steps/s`);
      }
      preview.copyFrom(tr.ema.shadow);
      const { heldOutEpsMse, heldOutX0Mse } = await heldOut(preview, tr.schedule, config.prediction, heldX0);
      const point = { step: tr.step, trainLoss: sum / count, heldOutEpsMse, heldOutX0Mse };
      points.push(point);
      console.log(`  ${JSON.stringify(point)}`);
    }
    const { counts, confident } = await quickCheck(preview, tr.schedule, config.prediction, classifier);
    const result: VariantResult = {
      name: v.name,
      change: v.change,
      config,
      steps,
      seconds: tr.wallSeconds,
      points,
      confident,
      classes: counts.filter((c) => c >= 3).length,
    };
    console.log(
      `  ${v.name}: ${confident}% recognized, ${result.classes}/10 classes, tensors ${tf.memory().numTensors}`,
    );
    preview.dispose();
    tr.dispose();
    file.variants = [...file.variants.filter((r) => r.name !== v.name), result].sort(
      (a, b) => VARIANTS.findIndex((x) => x.name === a.name) - VARIANTS.findIndex((x) => x.name === b.name),
    );
    writeFileAtomic(path, JSON.stringify(file, null, 1));
    writeFileAtomic(join(dir, 'choices.md'), markdown(file));
  }
  classifier.dispose();
  // Also when every variant was measured already: notes edited in choices.json reach choices.md.
  if (file.variants.length) writeFileAtomic(join(dir, 'choices.md'), markdown(file));
}
