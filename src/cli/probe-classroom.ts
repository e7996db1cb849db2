/**
 * `npm run probe -- [--preset classroom] [--minutes M] [--every N]`: how many training steps until a
 * preset draws recognizable digits. Trains from scratch with the "Train it live" settings and, every N
 * steps, samples 100 digits from the EMA weights (100-step respaced DDPM) and asks the project's
 * classifier how many it recognizes with confidence > 0.9 and how many classes appear. Steps and images
 * are hardware-independent; the wall time says how long this machine took. Writes models/probe-<preset>.md
 * and the same rows as data in models/probe-<preset>.json (which lesson prose quotes).
 */
import { cpus } from 'node:os';
import { loadMnistNode } from '../data/mnist-node';
import type { UNetPreset } from '../nets/unet';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { DdpmTrainer, makeDenoiser } from '../train/ddpm-trainer';
import { DEFAULT_LIVE, trainConfigFor } from '../train/live-settings';
import { loadClassifier } from './classifier-files';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { quickCheck } from './quick-check';
import { mnistTrainData } from '../data/train-data';

async function main() {
  if (process.argv.includes('--browser')) {
    const { probeBrowserCli } = await import('./probe-browser');
    return probeBrowserCli();
  }
  const preset = (arg('preset') ?? 'classroom') as UNetPreset;
  const minutes = Number(arg('minutes') ?? '60');
  const every = Number(arg('every') ?? '500');
  const backend = await initNodeBackend('wasm');
  const classifier = loadClassifier();
  const config = trainConfigFor({ ...DEFAULT_LIVE, preset });
  const tr = new DdpmTrainer(config, mnistTrainData(loadMnistNode('train')));
  const preview = makeDenoiser(tr.config);
  const rows: ProbeRow[] = [];
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const command = `npm run probe -- --preset ${preset} --minutes ${minutes} --every ${every}`;
  const end = performance.now() + minutes * 60e3;
  const write = () => {
    writeFileAtomic(
      `models/probe-${preset}.json`,
      JSON.stringify(
        { command, machine, config, sampler: 'ddpm', samplerSteps: 100, samples: 100, rows },
        null,
        1,
      ) + '\n',
    );
    writeFileAtomic(
      `models/probe-${preset}.md`,
      `# Steps to recognizable digits: ${preset} preset\n\nCommand: \`${command}\`, ` +
        `settings of "Train it live" (batch ${config.batch}, lr ${config.lr}, warm-up ${config.warmup}, EMA ${config.emaDecay}, ${config.prediction} + min-SNR-${config.minSnrGamma}, ${config.schedule} T=${config.T}). ` +
        `At each row: 100 samples (EMA weights, 100-step respaced DDPM, seed 7) judged by models/mnist-classifier. Machine: ${machine}. ` +
        `The same rows as data: probe-${preset}.json.\n\n` +
        `| step | images seen | training time | loss (last report) | recognized (conf. > 0.9) | mean confidence | classes with >= 3 samples |\n|---|---|---|---|---|---|---|\n` +
        rows.map(rowMarkdown).join('\n') +
        '\n',
    );
  };
  let loss = NaN;
  while (performance.now() < end) {
    for await (const p of tr.run(every, { readEvery: 50 })) loss = p.loss;
    preview.copyFrom(tr.ema.shadow);
    const { counts, confident, meanConfidence } = await quickCheck(
      preview,
      tr.schedule,
      config.prediction,
      classifier,
    );
    rows.push({
      step: tr.step,
      images: tr.step * config.batch,
      minutes: tr.wallSeconds / 60,
      loss,
      recognized: confident / 100,
      meanConfidence,
      classes: counts.filter((c) => c >= 3).length,
    });
    console.log(rowMarkdown(rows.at(-1)!));
    write();
  }
}

/** One row of the probe: after `step` training steps, how many of 100 samples the classifier recognises. */
interface ProbeRow {
  step: number;
  images: number;
  /** Training time so far. */
  minutes: number;
  /** The last reported training loss. */
  loss: number;
  /** Share of the 100 samples recognised with confidence > 0.9. */
  recognized: number;
  meanConfidence: number;
  /** Classes with at least 3 of the 100 samples. */
  classes: number;
}

function rowMarkdown(r: ProbeRow): string {
  return `| ${r.step} | ${r.images.toLocaleString('en')} | ${r.minutes.toFixed(1)} min | ${r.loss.toFixed(4)} | ${Math.round(r.recognized * 100)}% | ${(r.meanConfidence * 100).toFixed(0)}% | ${r.classes}/10 |`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
