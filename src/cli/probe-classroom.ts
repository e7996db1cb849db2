/**
 * `npm run probe -- [--preset classroom] [--minutes M] [--every N]`: how many training steps until a
 * preset draws recognizable digits. Trains from scratch with the "Train it live" settings and, every N
 * steps, samples 100 digits from the EMA weights (100-step respaced DDPM) and asks the project's
 * classifier how many it recognizes with confidence > 0.9 and how many classes appear. Steps and images
 * are hardware-independent; the wall time says how long this machine took. Writes models/probe-<preset>.md.
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
  const rows: string[] = [];
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const end = performance.now() + minutes * 60e3;
  const write = () =>
    writeFileAtomic(
      `models/probe-${preset}.md`,
      `# Steps to recognizable digits: ${preset} preset\n\nCommand: \`npm run probe -- --preset ${preset} --minutes ${minutes} --every ${every}\`, ` +
        `settings of "Train it live" (batch ${config.batch}, lr ${config.lr}, warm-up ${config.warmup}, EMA ${config.emaDecay}, ${config.prediction} + min-SNR-${config.minSnrGamma}, ${config.schedule} T=${config.T}). ` +
        `At each row: 100 samples (EMA weights, 100-step respaced DDPM, seed 7) judged by models/mnist-classifier. Machine: ${machine}.\n\n` +
        `| step | images seen | training time | loss (last report) | recognized (conf. > 0.9) | mean confidence | classes with >= 3 samples |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
    );
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
    rows.push(
      `| ${tr.step} | ${(tr.step * config.batch).toLocaleString('en')} | ${(tr.wallSeconds / 60).toFixed(1)} min | ${loss.toFixed(4)} | ${confident}% | ${(meanConfidence * 100).toFixed(0)}% | ${counts.filter((c) => c >= 3).length}/10 |`,
    );
    console.log(rows.at(-1));
    write();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
