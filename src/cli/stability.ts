/**
 * `npm run eval -- stability --family gan|vae|ddpm [--steps N] [--lrs a,b] [--seeds 0,1,2]`: how much a
 * family's result depends on luck and on its learning rate. Each (learning rate, seed) pair trains a fresh
 * run of the family for the same number of steps at batch 64 (the same images seen for every family),
 * then scores its EMA weights on 500 samples with the quick FID reading of training (QualityProbe); the
 * spread of those FIDs is the family's stability. The diffusion runs use the classroom U-Net (the "Train
 * it live" network) and draw their samples with DDIM, 20 steps. A finished run is kept as
 * runs/stability/<family>/lr<lr>-seed<s>.json (skipped when run again); its checkpoint lives in
 * .cache/stability/ while it trains, so a stopped run resumes. The summary of every family's finished
 * runs goes to runs/stability/summary.json and summary.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { makeSampler } from '../diffusion/samplers';
import { packCheckpoint, unpackCheckpoint } from '../nets/weights-format';
import { sampleImages } from '../pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { restoreCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG, makeDenoiser } from '../train/ddpm-trainer';
import { DEFAULT_GAN_TRAIN_CONFIG, GanTrainer } from '../train/gan-trainer';
import type { OptimConfig, TrainableNet, Trainer } from '../train/trainer';
import { DEFAULT_VAE_TRAIN_CONFIG, VaeTrainer } from '../train/vae-trainer';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { drawEma as drawFamilyEma, QUALITY_PROBE_SAMPLES, QualityProbe } from './train-families';

export type StabilityFamily = 'gan' | 'vae' | 'ddpm';

/** The grid's defaults: each family's own learning rate and one twice as large. */
export const STABILITY_LRS: Record<StabilityFamily, number[]> = {
  gan: [2e-4, 4e-4],
  vae: [1e-3, 2e-3],
  ddpm: [1e-3, 2e-3],
};
export const STABILITY_STEPS = 1500;
export const STABILITY_BATCH = 64;

export interface StabilityRun {
  family: StabilityFamily;
  lr: number;
  seed: number;
  steps: number;
  batch: number;
  /** Quick FID (500 samples) and share confident of the EMA weights after the last step. */
  fid: number;
  confident: number;
  hours: number;
  /** Whether the loss stayed finite to the end (a run that blew up gets no FID). */
  finished: boolean;
  machine: string;
}

type AnyTrainer = Trainer<OptimConfig, TrainableNet>;

function makeTrainer(family: StabilityFamily, lr: number, seed: number): AnyTrainer {
  const data = mnistTrainData(loadMnistNode('train'));
  const batch = STABILITY_BATCH;
  if (family === 'gan')
    return new GanTrainer({ ...DEFAULT_GAN_TRAIN_CONFIG, lr, dLr: lr, seed, batch }, data);
  if (family === 'vae') return new VaeTrainer({ ...DEFAULT_VAE_TRAIN_CONFIG, lr, seed, batch }, data);
  return new DdpmTrainer({ ...DEFAULT_TRAIN_CONFIG, preset: 'classroom', lr, seed, batch }, data);
}

/** 500 digits from the run's EMA weights (seeds 1…500): the generator, the VAE's mean, or DDIM 20 steps. */
async function drawEma(tr: AnyTrainer): Promise<Float32Array> {
  const n = QUALITY_PROBE_SAMPLES;
  if (tr instanceof GanTrainer || tr instanceof VaeTrainer) return drawFamilyEma(tr, n);
  const d = tr as DdpmTrainer;
  const net = makeDenoiser(d.config);
  net.copyFrom(d.ema.shadow);
  try {
    const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: 20 }, d.schedule, {
      prediction: d.config.prediction,
      clipSample: true,
    });
    return await sampleImages(net, sampler, n, 1, 100);
  } finally {
    net.dispose();
  }
}

const runName = (lr: number, seed: number) => `lr${lr}-seed${seed}`;

export async function stabilityCli(): Promise<void> {
  const family = arg('family') as StabilityFamily | undefined;
  if (!family || !(family in STABILITY_LRS))
    throw new Error('--family gan|vae|ddpm: which family to train on the grid');
  const backend = await initNodeBackend('wasm');
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const steps = Number(arg('steps') ?? STABILITY_STEPS);
  const lrs = arg('lrs')?.split(',').map(Number) ?? STABILITY_LRS[family];
  const seeds = arg('seeds')?.split(',').map(Number) ?? [0, 1, 2];
  const out = join('runs', 'stability', family);
  const probe = await QualityProbe.create();
  for (const lr of lrs)
    for (const seed of seeds) {
      const file = join(out, `${runName(lr, seed)}.json`);
      if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as StabilityRun).steps === steps) {
        console.log(`${file}: done already`);
        continue;
      }
      const ckpt = join('.cache', 'stability', family, `${runName(lr, seed)}-${steps}.ckpt`);
      const tr = makeTrainer(family, lr, seed);
      if (existsSync(ckpt)) {
        const c = unpackCheckpoint(new Uint8Array(readFileSync(ckpt)));
        restoreCheckpoint(tr, c.json, c.bin);
      }
      console.log(`${family} lr ${lr} seed ${seed}: from step ${tr.step} to ${steps}`);
      let finished = true;
      let lastSave = tr.step;
      try {
        for await (const p of tr.run(steps - tr.step, { readEvery: 25 })) {
          if (p.step - lastSave >= 250) {
            const c = await saveCheckpoint(tr);
            writeFileAtomic(ckpt, packCheckpoint(c.json, c.bin));
            lastSave = p.step;
            console.log(
              `  step ${p.step}  loss ${p.loss.toFixed(4)}  ${p.stepsPerSecond.toFixed(2)} steps/s`,
            );
          }
        }
      } catch (e) {
        finished = false;
        console.log(`  stopped: ${(e as Error).message}`);
      }
      const q = finished ? await probe.measure(await drawEma(tr)) : { fid: NaN, confident: 0 };
      const run: StabilityRun = {
        family,
        lr,
        seed,
        steps,
        batch: tr.config.batch,
        fid: q.fid,
        confident: q.confident,
        hours: tr.wallSeconds / 3600,
        finished,
        machine,
      };
      writeFileAtomic(file, JSON.stringify(run, null, 1) + '\n');
      console.log(`  FID ${q.fid.toFixed(1)}, ${(100 * q.confident).toFixed(1)}% confident`);
      tr.dispose();
      writeStabilitySummary(); // after every run: a stopped grid still leaves its summary
    }
  probe.dispose();
}

export interface StabilityFamilySummary {
  family: StabilityFamily;
  runs: number;
  failed: number;
  steps: number;
  fidMean: number;
  /** Sample standard deviation over the runs (null for a single run). */
  fidSd: number | null;
  fidMin: number;
  fidMax: number;
  /** The mean FID of each learning rate. */
  byLr: { lr: number; fidMean: number; runs: number }[];
}

/** Every family's finished runs, summarised (runs/stability/summary.json and .md). */
export function writeStabilitySummary(): void {
  const root = join('runs', 'stability');
  const families: StabilityFamilySummary[] = [];
  for (const family of ['ddpm', 'gan', 'vae'] as const) {
    const dir = join(root, family);
    if (!existsSync(dir)) continue;
    const runs = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StabilityRun);
    const ok = runs.filter((r) => r.finished && Number.isFinite(r.fid));
    if (!ok.length) continue;
    const fids = ok.map((r) => r.fid);
    const mean = fids.reduce((a, b) => a + b, 0) / fids.length;
    const sd =
      fids.length > 1 ? Math.sqrt(fids.reduce((a, b) => a + (b - mean) ** 2, 0) / (fids.length - 1)) : null;
    const lrs = [...new Set(ok.map((r) => r.lr))].sort((a, b) => a - b);
    families.push({
      family,
      runs: runs.length,
      failed: runs.length - ok.length,
      steps: Math.max(...runs.map((r) => r.steps)),
      fidMean: mean,
      fidSd: sd,
      fidMin: Math.min(...fids),
      fidMax: Math.max(...fids),
      byLr: lrs.map((lr) => {
        const f = ok.filter((r) => r.lr === lr).map((r) => r.fid);
        return { lr, fidMean: f.reduce((a, b) => a + b, 0) / f.length, runs: f.length };
      }),
    });
  }
  writeFileAtomic(join(root, 'summary.json'), JSON.stringify({ families }, null, 1) + '\n');
  const rows = families.map(
    (f) =>
      `| ${f.family} | ${f.runs} (${f.failed} failed) | ${f.steps.toLocaleString('en')} | ${f.fidMean.toFixed(1)}${f.fidSd === null ? ' (one run)' : ` ± ${f.fidSd.toFixed(1)}`} | ${f.fidMin.toFixed(1)}–${f.fidMax.toFixed(1)} | ${f.byLr.map((b) => `${b.lr}: ${b.fidMean.toFixed(1)}`).join('; ')} |`,
  );
  writeFileAtomic(
    join(root, 'summary.md'),
    `# Stability: final FID over seeds and learning rates\n\nEach run trains from scratch at batch ${STABILITY_BATCH} and is scored on ${QUALITY_PROBE_SAMPLES} samples of its EMA weights (FID on the classifier's features against the test set). Command: \`npm run eval -- stability --family F\`.\n\n| family | runs | steps | FID mean ± sd | range | mean by learning rate |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}
