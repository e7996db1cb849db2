/**
 * `npm run probe -- [--preset classroom] [--minutes M | --steps S] [--every N]`: how many training steps until a
 * preset draws recognizable digits. Trains from scratch with the "Train it live" settings and, every N
 * steps, samples 100 digits from the EMA weights (100-step respaced DDPM) and asks the project's
 * classifier how many it recognizes with confidence > 0.9 and how many classes appear. Steps and images
 * are hardware-independent; the wall time says how long this machine took. Writes models/probe-<preset>.md
 * and the same rows as data in models/probe-<preset>.json (which lesson prose quotes).
 * `--space latent [--prediction v|epsilon] [--samples N]`: the same for the latent panel's settings (its
 * first 20,000 training digits encoded by the shipped autoencoder, its preview sampler, samples decoded),
 * written to models/probe-latent-<prediction>.md/.json: the measurement behind the panel's choices.
 */
import { cpus } from 'node:os';
import { loadMnistNode } from '../data/mnist-node';
import type { UNetPreset } from '../nets/unet';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { DdpmTrainer, makeDenoiser } from '../train/ddpm-trainer';
import {
  DEFAULT_LIVE,
  LIVE_LATENT_DIGITS,
  previewSampler,
  previewSamplerText,
  trainConfigFor,
} from '../train/live-settings';
import type { TrainConfig } from '../train/ddpm-trainer';
import { arrayTrainData, type TrainData } from '../data/train-data';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { latentTrainConfig, latentTrainData, shippedAutoencoderNet } from './latent-files';
import { loadClassifier } from './classifier-files';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { quickCheck, type QuickCheckOptions } from './quick-check';
import { mnistTrainData } from '../data/train-data';

async function main() {
  if (process.argv.includes('--browser-family')) {
    const { probeBrowserFamilyCli } = await import('./probe-browser-family');
    return probeBrowserFamilyCli();
  }
  if (process.argv.includes('--browser')) {
    const { probeBrowserCli } = await import('./probe-browser');
    return probeBrowserCli();
  }
  const preset = (arg('preset') ?? 'classroom') as UNetPreset;
  const minutes = Number(arg('minutes') ?? '60');
  const every = Number(arg('every') ?? '500');
  const latent = arg('space') === 'latent';
  const backend = await initNodeBackend('wasm');
  const classifier = loadClassifier();
  const setup = latent ? await latentSetup(preset) : pixelSetup(preset);
  const { config, name, check } = setup;
  const tr = new DdpmTrainer(config, setup.data);
  const preview = makeDenoiser(tr.config);
  const rows: ProbeRow[] = [];
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  // --steps N: stop after N training steps instead of after M minutes (the same rows on any machine)
  const maxSteps = arg('steps') ? Number(arg('steps')) : Infinity;
  const command = `npm run probe -- --preset ${preset} ${Number.isFinite(maxSteps) ? `--steps ${maxSteps}` : `--minutes ${minutes}`} --every ${every}${setup.args}`;
  const end = performance.now() + (Number.isFinite(maxSteps) ? Infinity : minutes * 60e3);
  const write = () => {
    writeFileAtomic(
      `models/${name}.json`,
      JSON.stringify({ command, machine, config, ...check.describe, rows }, null, 1) + '\n',
    );
    writeFileAtomic(
      `models/${name}.md`,
      `# Steps to recognizable digits: ${latent ? `latent panel, ${config.prediction} prediction` : `${preset} preset`}\n\nCommand: \`${command}\`, ` +
        `settings of "Train it live"${latent ? ' in latent space' : ''} (${preset} width, batch ${config.batch}, lr ${config.lr}, warm-up ${config.warmup}, EMA ${config.emaDecay}, ${config.prediction} + min-SNR-${config.minSnrGamma}, ${config.schedule} T=${config.T}). ` +
        `At each row: ${check.describe.samples} samples (EMA weights, ${check.describe.sampler}, seed 7${latent ? ', decoded' : ''}) judged by models/mnist-classifier. Machine: ${machine}. ` +
        `The same rows as data: ${name}.json.\n\n` +
        `| step | images seen | training time | loss (last report) | recognized (conf. > 0.9) | mean confidence | classes with >= 3 samples |\n|---|---|---|---|---|---|---|\n` +
        rows.map(rowMarkdown).join('\n') +
        '\n',
    );
  };
  let loss = NaN;
  while (performance.now() < end && tr.step < maxSteps) {
    for await (const p of tr.run(every, { readEvery: 50 })) loss = p.loss;
    preview.copyFrom(tr.ema.shadow);
    const { counts, confident, meanConfidence } = await quickCheck(
      preview,
      tr.schedule,
      config.prediction,
      classifier,
      check.options,
    );
    rows.push({
      step: tr.step,
      images: tr.step * config.batch,
      minutes: tr.wallSeconds / 60,
      loss,
      recognized: confident / check.describe.samples,
      meanConfidence,
      classes: counts.filter((c) => c >= (3 * check.describe.samples) / 100).length,
    });
    console.log(rowMarkdown(rows.at(-1)!));
    write();
  }
}

/** What a probe trains on and how it judges: the pixel panel's settings, or the latent panel's. */
interface ProbeSetup {
  config: TrainConfig;
  data: TrainData;
  /** The output files' name, under models/. */
  name: string;
  /** Options of the command beyond the common ones. */
  args: string;
  check: { options: QuickCheckOptions; describe: { sampler: string; samples: number } };
}

function pixelSetup(preset: UNetPreset): ProbeSetup {
  return {
    config: trainConfigFor({ ...DEFAULT_LIVE, preset }),
    data: mnistTrainData(loadMnistNode('train')),
    name: `probe-${preset}`,
    args: '',
    check: { options: {}, describe: { sampler: '100-step respaced DDPM', samples: 100 } },
  };
}

async function latentSetup(preset: UNetPreset): Promise<ProbeSetup> {
  const base = trainConfigFor({ ...DEFAULT_LIVE, preset }, latentTrainConfig().latent);
  const prediction = (arg('prediction') ?? base.prediction) as TrainConfig['prediction'];
  const config = { ...base, prediction };
  const all = await latentTrainData(config);
  const n = Math.min(LIVE_LATENT_DIGITS, all.count);
  const per = all.sampleShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n * per);
  for (let i = 0; i < n; i++) all.copySample(i, values, i * per);
  const data = arrayTrainData(
    values,
    all.sampleShape,
    Array.from({ length: n }, (_, i) => all.label!(i)),
  );
  const codec = new LatentCodec(shippedAutoencoderNet(), config.latent!.scale);
  const samples = Number(arg('samples') ?? '200');
  return {
    config,
    data,
    name: `probe-latent-${prediction}`,
    args: ` --space latent --prediction ${prediction} --samples ${samples}`,
    check: {
      options: {
        n: samples,
        spec: previewSampler('latent'),
        clipSample: false,
        decode: (z, m) => decodeLatents(codec, z, m),
      },
      describe: { sampler: previewSamplerText('latent'), samples },
    },
  };
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
