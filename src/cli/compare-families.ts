/**
 * `npm run eval -- compare-families [--samples N]`: the textbook's table of generative-model families
 * (diffusion, GAN, VAE) filled in with measurements. Every row is a set of N samples (1,000 by default)
 * kept batch by batch under runs/ in the DDPM evaluation's format, scored by the same classifier:
 *
 *   quality    FID (with the real-digit floor), share confident, sharpness (mean gradient energy / real's)
 *   diversity  recall, classes drawn (≥ 1% of samples), entropy of the class histogram, classes holding 80%,
 *              within-class spread of the classifier's features among the confident samples / real digits'
 *   speed      network evaluations per image and milliseconds per image: the network's time at batch
 *              100 (Node WASM, 1 thread, the median of 5 after a warm-up) times its evaluations per image,
 *              plus the decoder's for the latent model (the samplers' own arithmetic is negligible beside it)
 *   size       parameters used to draw an image, and in training (a GAN's discriminator, a VAE's encoder)
 *   cost       training steps, images seen, training hours, hours to reach the FID target on the
 *              quick 500-sample reading kept during training (GAN, VAE)
 *
 * Samples missing from runs/ are drawn first (DDIM 20 and DPM-Solver++ 10 of the pixel DDPM take minutes);
 * the 1,000-step DDPM set comes from `npm run eval -- ddpm --cache runs/eval-ddpm` (hours). Writes
 * runs/compare-families/table.json and table.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler, type SamplerSpec } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import {
  classify,
  evaluate,
  isConfident,
  makeReference,
  realImages,
  type EvalResult,
} from '../metrics/evaluate';
import {
  classCoverage,
  classEntropyBits,
  classesHolding,
  predictedClasses,
  withinClassSpread,
} from '../metrics/families';
import { gradientEnergy } from '../metrics/reconstruction';
import { FEATURE_DIM } from '../nets/classifier';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { loadGan, loadVae } from '../nets/load-family';
import { pairedLatentScale, sha256Hex } from '../nets/latent-pair';
import { loadDdpm, modelSampling } from '../nets/load';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { sampleImages } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { drawOnePass, GAN_BEST_OF, onePassLabel, type OnePassDraw } from '../pipelines/one-pass';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { cacheDirName, sampleCached, weightsHash } from './sample-cache';
import { familySampleDir } from './eval-families';
import { FAMILY_FILES, type QualityPoint } from './train-families';

export type Family = 'real' | 'diffusion' | 'gan' | 'vae';

export interface FamilyRow {
  /** A short key lessons find the row by: real, ddpm-1000, ddim-20, dpm-10, latent-ddim-20, gan, gan-best-of, vae-mean, vae-sample. */
  id: string;
  family: Family;
  /** What draws the images, in words. */
  generator: string;
  /** Where the samples are (runs/…), or the real split. */
  samples: string;
  result: EvalResult;
  /** Mean gradient energy of the samples / that of real training digits. */
  sharpness: number;
  entropyBits: number;
  coverage: number;
  classesFor80: number;
  /** Within-class spread of the classifier's features of the confident samples / real digits' (variety among recognisable digits). */
  spread: number;
  nfe: number;
  msPerImage: number;
  /** Parameters used to draw an image, and in training. */
  params: { sampling: number; training: number };
}

export interface TrainingCost {
  family: Family;
  model: string;
  steps: number;
  batch: number;
  imagesSeen: number;
  hours: number;
  /** The machine and threads of the run's latest training, as its log says. */
  machine: string;
  /** Training hours at which the quick reading first reached FID_TARGET (null: not reached / not read). */
  hoursToTarget: number | null;
  stepsToTarget: number | null;
}

/** The FID (500-sample quick reading, during training) that "time to reach a given FID" uses. */
export const FID_TARGET = 40;

export interface FamiliesTable {
  samples: number;
  machine: string;
  command: string;
  date: string;
  fidTarget: number;
  rows: FamilyRow[];
  training: TrainingCost[];
}

function readModel(dir: string): { json: string; bin: Uint8Array; hash: string } {
  const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  return { json: readFileSync(join(dir, 'model.json'), 'utf8'), bin, hash: weightsHash(bin) };
}

/** Median milliseconds of `fn` over 5 runs after one warm-up. */
async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[2]!;
}

/** Milliseconds of one evaluation of a network on a batch of 100 (the output read back, so the work is done). */
function timeEval(run: () => tf.Tensor): Promise<number> {
  return medianMs(async () => {
    const y = run();
    await y.data();
    y.dispose();
  });
}

function firstAt(quality: QualityPoint[] | undefined, target: number): QualityPoint | null {
  return quality?.find((q) => q[2] <= target) ?? null;
}

export async function compareFamiliesCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const n = Number(arg('samples') ?? '1000');
  const batch = 100;
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const classifier = loadClassifier();
  const train = loadMnistNode('train');
  const ref = await makeReference(classifier, loadMnistNode('test'), train, n);
  const realIdx = Array.from({ length: n }, (_, i) => 30000 + i);
  const real = await realImages(train, realIdx);
  const realEnergy = gradientEnergy(real, 28);
  const realSpread = await spreadOf(real);
  const rows: FamilyRow[] = [];

  /** Within-class spread of the confident samples' features (variety among recognisable digits). */
  async function spreadOf(images: Float32Array): Promise<number> {
    const m = images.length / MNIST_PIXELS;
    const { features, probs } = await classify(classifier, images);
    const keep = Array.from({ length: m }, (_, i) => i).filter((i) => isConfident(probs, i));
    const f = new Float32Array(keep.length * FEATURE_DIM);
    keep.forEach((i, k) => f.set(features.subarray(i * FEATURE_DIM, (i + 1) * FEATURE_DIM), k * FEATURE_DIM));
    const labels = predictedClasses(probs, m);
    return withinClassSpread(
      f,
      keep.map((i) => labels[i]!),
      FEATURE_DIM,
    );
  }

  async function addRow(
    id: string,
    family: Family,
    generator: string,
    dir: string,
    images: Float32Array,
    msPerImage: number,
    nfe: number,
    params: FamilyRow['params'],
  ): Promise<void> {
    const result = await evaluate(
      { name: generator, generate: () => Promise.resolve(images) },
      classifier,
      ref,
      n,
    );
    result.secondsPerImage = msPerImage / 1000;
    rows.push({
      id,
      family,
      generator,
      samples: dir,
      result,
      sharpness: gradientEnergy(images, 28) / realEnergy,
      entropyBits: classEntropyBits(result.classShares),
      coverage: classCoverage(result.classShares),
      classesFor80: classesHolding(result.classShares),
      spread: (await spreadOf(images)) / realSpread,
      nfe,
      msPerImage,
      params,
    });
    const r = rows.at(-1)!;
    console.log(
      `${generator}: FID ${result.fid.toFixed(2)}, confident ${(100 * result.confidentShare).toFixed(1)}%, sharpness ${r.sharpness.toFixed(2)}, recall ${result.recall.toFixed(2)}, ${r.coverage} classes, ${r.entropyBits.toFixed(2)} bits, spread ${r.spread.toFixed(2)}, ${r.msPerImage.toFixed(1)} ms/image`,
    );
  }

  async function cached(
    dir: string,
    generate: (start: number, m: number) => Promise<Float32Array>,
    hint?: string,
  ): Promise<{ images: Float32Array; seconds: number }> {
    if (hint && !existsSync(dir)) throw new Error(`${dir} is missing: ${hint}`);
    const s = await sampleCached({
      dir,
      count: n,
      batch,
      per: MNIST_PIXELS,
      generate,
      onBatch: (d, t) => console.log(`  ${dir}: batch ${d}/${t}`),
    });
    if (!s.images) throw new Error(`${dir}: batches missing`);
    return s;
  }

  // real digits: the floor every row is read against
  await addRow('real', 'real', 'real training digits', 'MNIST train 30,000–', real, 0, 0, {
    sampling: 0,
    training: 0,
  });

  // the pixel DDPM with three samplers
  const D = SHIPPED_MODELS.ddpmMnist;
  const dm = readModel(modelDir(D));
  const ddpm = loadDdpm(dm.json, dm.bin);
  const schedule = makeSchedule(ddpm.meta.schedule);
  const unetParams = ddpm.net.paramCount;
  const B = 100;
  const px = tf.randomNormal([B, 28, 28, 1]);
  const pt = tf.fill([B], 500) as tf.Tensor1D;
  const unetMs = await timeEval(() => ddpm.net.apply(px, pt));
  tf.dispose([px, pt]);
  const pixel: [string, string, SamplerSpec, string?][] = [
    [
      'ddpm-1000',
      'DDPM, 1,000 steps',
      { sampler: 'ddpm', steps: 1000 },
      'run `npm run eval -- ddpm --cache runs/eval-ddpm` first (hours)',
    ],
    ['ddim-20', 'DDIM η=0, 20 steps', { sampler: 'ddim', eta: 0, steps: 20 }],
    ['dpm-10', 'DPM-Solver++(2M), 10 steps', { sampler: 'dpm++', steps: 10 }],
  ];
  for (const [id, label, spec, hint] of pixel) {
    const clip = spec.sampler === 'ddim' ? ('x0' as const) : undefined;
    const dir = join(
      'runs',
      'eval-ddpm',
      cacheDirName({ weightsHash: dm.hash, ...spec, clip, count: n, batch }),
    );
    const s = await cached(
      dir,
      (start, m) =>
        sampleImages(ddpm.net, makeSampler(spec, schedule, modelSampling(ddpm.meta)), m, 1 + start, m),
      hint,
    );
    await addRow(id, 'diffusion', `pixel ${label}`, dir, s.images, (spec.steps * unetMs) / B, spec.steps, {
      sampling: unetParams,
      training: unetParams,
    });
  }
  ddpm.net.dispose();

  // the latent DDPM, decoded
  const L = SHIPPED_MODELS.ldmMnist;
  const lm = readModel(modelDir(L));
  const ldm = loadDdpm(lm.json, lm.bin);
  const am = readModel(modelDir(SHIPPED_MODELS.autoencoderMnist));
  const ae = loadAutoencoder(am.json, am.bin);
  const codec = new LatentCodec(
    ae.net,
    pairedLatentScale({ latentScale: ae.meta.latentScale, sha256: await sha256Hex(am.bin) }, ldm.meta.latent),
  );
  const decoderParams = ae.net.paramSpecs
    .filter((s) => s.name.startsWith('d.'))
    .reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  {
    const spec: SamplerSpec = { sampler: 'ddim', eta: 0, steps: 20 };
    const dir = join('runs', 'eval-latent', cacheDirName({ weightsHash: lm.hash, ...spec, count: n, batch }));
    const s = await cached(dir, async (start, m) => {
      const sampler = makeSampler(spec, makeSchedule(ldm.meta.schedule), modelSampling(ldm.meta));
      return decodeLatents(codec, await sampleImages(ldm.net, sampler, m, 1 + start, m), m);
    });
    const lx = tf.randomNormal([B, ...ldm.net.sampleShape]);
    const lt = tf.fill([B], 500) as tf.Tensor1D;
    const latentMs = await timeEval(() => ldm.net.apply(lx, lt));
    const az = tf.randomNormal([B, ...ae.net.latentShape]);
    const decodeMs = await timeEval(() => ae.net.decode(az));
    tf.dispose([lx, lt, az]);
    await addRow(
      'latent-ddim-20',
      'diffusion',
      'latent DDIM η=0, 20 steps (+ decoder)',
      dir,
      s.images,
      (20 * latentMs + decodeMs) / B,
      21,
      {
        sampling: ldm.net.paramCount + decoderParams,
        training: ldm.net.paramCount + ae.net.paramCount,
      },
    );
  }
  ldm.net.dispose();
  ae.net.dispose();

  // the GAN and the VAE
  const training: TrainingCost[] = [];
  for (const kind of ['gan', 'vae'] as const) {
    const dir = `models/${kind}-mnist`;
    const m = readModel(dir);
    const loaded = kind === 'gan' ? loadGan(m.json, m.bin) : loadVae(m.json, m.bin);
    const total = loaded.net.paramCount;
    const drawing = loaded.net.paramSpecs
      .filter((s) => s.name.startsWith(kind === 'gan' ? 'g.' : 'd.'))
      .reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    const draws: OnePassDraw[] = kind === 'gan' ? ['generator', 'best-of'] : ['mean', 'sample'];
    for (const draw of draws) {
      const sdir = familySampleDir(kind, m.hash, draw, n, batch);
      const s = await cached(sdir, (start, k) => drawOnePass(loaded.net, k, 1 + start, draw));
      // the best-of draw: GAN_BEST_OF generator passes and as many discriminator passes per digit
      const bestOf = draw === 'best-of';
      const id = { generator: 'gan', 'best-of': 'gan-best-of', mean: 'vae-mean', sample: 'vae-sample' }[draw];
      const ms = await medianMs(() => drawOnePass(loaded.net, B, 1, draw));
      await addRow(id, kind, onePassLabel(kind, draw), sdir, s.images, ms / B, bestOf ? 2 * GAN_BEST_OF : 1, {
        sampling: bestOf ? total : drawing,
        training: total,
      });
    }
    loaded.net.dispose();
    const log = JSON.parse(readFileSync(join(dir, FAMILY_FILES.training), 'utf8')) as {
      config: { batch: number; dSteps?: number };
      step: number;
      wallSeconds: number;
      machine: string;
      quality?: QualityPoint[];
    };
    const hit = firstAt(log.quality, FID_TARGET);
    training.push({
      family: kind,
      model: `${kind}-mnist`,
      steps: log.step,
      batch: log.config.batch,
      imagesSeen: log.step * log.config.batch * (log.config.dSteps ?? 1),
      hours: log.wallSeconds / 3600,
      machine: log.machine,
      hoursToTarget: hit ? hit[1] / 3600 : null,
      stepsToTarget: hit ? hit[0] : null,
    });
  }
  // the diffusion models and the latent model's autoencoder (trained first, frozen after)
  for (const M of [SHIPPED_MODELS.autoencoderMnist, L, D]) {
    const log = JSON.parse(readFileSync(join(modelDir(M), 'training.json'), 'utf8')) as {
      config: { batch: number };
      step: number;
      wallSeconds: number;
      machine: string;
    };
    training.unshift({
      family: 'diffusion',
      model: M.id,
      steps: log.step,
      batch: log.config.batch,
      imagesSeen: log.step * log.config.batch,
      hours: log.wallSeconds / 3600,
      machine: log.machine,
      hoursToTarget: null,
      stepsToTarget: null,
    });
  }
  classifier.dispose();

  const table: FamiliesTable = {
    samples: n,
    machine,
    command: `npm run eval -- compare-families${n === 1000 ? '' : ` --samples ${n}`}`,
    date: new Date().toISOString().slice(0, 10),
    fidTarget: FID_TARGET,
    rows,
    training,
  };
  const out = join('runs', 'compare-families');
  writeFileAtomic(join(out, 'table.json'), JSON.stringify(table, null, 1) + '\n');
  writeFileAtomic(join(out, 'table.md'), familiesMarkdown(table));
  console.log(familiesMarkdown(table));
}

/** The table as Markdown: one row per generator, then the training costs. */
export function familiesMarkdown(t: FamiliesTable): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const k = (x: number) => (x ? `${(x / 1000).toFixed(0)}k` : '—');
  const rows = t.rows.map(
    (r) =>
      `| ${r.generator} | ${r.result.fid.toFixed(2)} | ${pct(r.result.confidentShare)} | ${r.sharpness.toFixed(2)} | ${pct(r.result.recall)} | ${r.coverage} | ${r.entropyBits.toFixed(2)} | ${r.classesFor80} | ${r.spread.toFixed(2)} | ${r.nfe || '—'} | ${r.nfe ? r.msPerImage.toFixed(r.msPerImage < 10 ? 2 : 0) : '—'} | ${k(r.params.sampling)} / ${k(r.params.training)} |`,
  );
  const cost = t.training.map(
    (c) =>
      `| ${c.model} | ${c.steps.toLocaleString('en')} | ${c.batch} | ${c.imagesSeen.toLocaleString('en')} | ${c.hours.toFixed(2)} | ${c.machine} | ${c.hoursToTarget === null ? '—' : `${c.hoursToTarget.toFixed(2)} (step ${c.stepsToTarget!.toLocaleString('en')})`} |`,
  );
  return `# Diffusion, GAN and VAE on the same digits

${t.samples.toLocaleString('en')} samples per row, scored by the project's classifier against the 10,000 test digits; measured on ${t.machine}, ${t.date}.
Command: \`${t.command}\`. Samples: the \`runs/\` folder named in table.json.

| generator | FID | confident > 0.9 | sharpness vs real | recall | classes ≥ 1% | class entropy (bits, max 3.32) | classes holding 80% | within-class spread of confident digits vs real | network evaluations | ms / image | parameters: drawing / training |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Training, each run's latest machine and threads as its log says; the target is FID ≤ ${t.fidTarget} on the quick 500-sample reading kept during training.

| model | steps | batch | images seen | hours | machine | hours to the target |
|---|---|---|---|---|---|---|
${cost.join('\n')}
`;
}
