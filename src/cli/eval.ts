/**
 * `npm run eval -- ddpm [--samples N] [--steps S] [--batch B] [--part k/n] [--weights DIR] [--cache DIR]`: judges the shipped DDPM (EMA weights) with the
 * project's classifier and writes models/ddpm-mnist/eval.json and eval.md (one row per generator
 * setting, replaced when measured again). Real training digits are scored the same way as a reference.
 * Samples are cached per batch, so a stopped run resumes and `--part k/n` spreads it over n processes.
 * `npm run eval -- table [--samples N] [--out DIR]`: the steps-vs-quality table of every sampler (sampling-table.ts).
 * `npm run eval -- heldout [--weights DIR,DIR…] [--digits N]`: the held-out noise-prediction error
 * (held-out.ts) of one or more weight sets on the same N test digits, per timestep: e.g. a run against a fork.
 */
import { createHash } from 'node:crypto';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import {
  classify,
  evaluate,
  isConfident,
  makeReference,
  realImages,
  resultsTable,
  type DigitGenerator,
  type EvalResult,
} from '../metrics/evaluate';
import { CONFIDENT_ABOVE, QUALITY_TARGET, sameMeasurement } from '../metrics/quality';
import { loadDdpm, modelSampling } from '../nets/load';
import { sampleImages } from '../pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { writeFileAtomic } from './files';
import { writeDdpmCard } from './model-card';
import { loadClassifier } from './classifier-files';
import { HELD_OUT_TIMESTEPS, heldOut } from './held-out';
import { digitGrid, encodePng } from './png';
import { cacheDirName, sampleCached } from './sample-cache';
import { runSamplingTable } from './sampling-table';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';

async function main() {
  const which = process.argv[2] ?? 'ddpm';
  if (which === 'latent') {
    const { evalLatentCli } = await import('./eval-latent');
    return evalLatentCli();
  }
  if (which === 'autoencoder') {
    const { evalAutoencoderCli } = await import('./eval-autoencoder');
    return evalAutoencoderCli();
  }
  if (which !== 'ddpm' && which !== 'table' && which !== 'heldout')
    throw new Error(
      'usage: npm run eval -- autoencoder\n       npm run eval -- latent [--samples N] [--sampler S] [--steps S] [--batch B]\n       npm run eval -- ddpm [--samples N] [--steps S] [--batch B] [--part k/n] [--weights DIR] [--cache DIR]\n       npm run eval -- table [--samples N] [--batch B] [--fresh] [--part k/n] [--weights DIR] [--out DIR] [--cache DIR]\n       npm run eval -- heldout [--weights DIR,DIR…] [--digits N]',
    );
  if (which === 'heldout') return heldOutCli();
  const n = Number(arg('samples') ?? (which === 'table' ? '200' : '1000'));
  const steps = Number(arg('steps') ?? SHIPPED_MODELS.ddpmMnist.sampling.default.steps);
  const batch = Number(arg('batch') ?? '100');
  const backend = await initNodeBackend('wasm');
  const dir = modelDir(SHIPPED_MODELS.ddpmMnist);
  // --weights DIR: a frozen copy of model.json + weights.bin (training rewrites the shipped ones).
  const weights = arg('weights') ?? dir;
  const bin = readFileSync(join(weights, 'weights.bin'));
  // Cached samples are filed under the weights' hash, so samples of other weights are never mixed in.
  const hash = createHash('sha256').update(bin).digest('hex').slice(0, 12);
  const { net, meta } = loadDdpm(readFileSync(join(weights, 'model.json'), 'utf8'), new Uint8Array(bin));
  const classifier = loadClassifier();
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  // --part k/n: this process samples batches (or table rows) k, k+n, k+2n, …
  const part = arg('part') ? (arg('part')!.split('/').map(Number) as [number, number]) : undefined;
  if (which === 'table') {
    await runSamplingTable({
      // --out DIR: build a long table in DIR (e.g. a committed runs/ folder) and copy it into the model
      // folder only when complete, so the lesson never shows a half-made table of new weights.
      dir: arg('out') ?? dir,
      net,
      meta,
      classifier,
      train,
      test,
      samples: n,
      batch,
      fresh: process.argv.includes('--fresh'),
      machine,
      part,
      cache: {
        dir: arg('cache') ?? join('.cache', 'eval-table'),
        weightsHash: hash,
      },
    });
    net.dispose();
    classifier.dispose();
    return;
  }
  const ref = await makeReference(classifier, test, train, n);
  const schedule = makeSchedule(meta.schedule);

  // Samples are kept on disk batch by batch (.cache/eval-ddpm/<weights hash>-…, or under --cache DIR), so
  // a long run resumes where it stopped, even in another checkout when DIR is committed, and `--part k/n`
  // lets n processes share it; the last part to finish scores the set.
  const sampled = await sampleCached({
    dir: join(
      arg('cache') ?? join('.cache', 'eval-ddpm'),
      cacheDirName({ weightsHash: hash, sampler: 'ddpm', steps, count: n, batch }),
    ),
    count: n,
    batch,
    per: MNIST_PIXELS,
    part,
    generate: (start, m) => {
      const sampler = makeSampler({ sampler: 'ddpm', steps }, schedule, modelSampling(meta));
      return sampleImages(net, sampler, m, 1 + start, m); // = one sampleImages(net, sampler, n, 1, batch) call
    },
    onBatch: (done, total) =>
      console.log(`  batch ${done}/${total}${part ? ` of part ${part.join('/')}` : ''}`),
  });
  if (!sampled.images) {
    console.log(
      `part ${part?.join('/')} done; batches still missing (other parts): ${sampled.missing.join(', ')}. The last part to finish writes the results.`,
    );
    net.dispose();
    classifier.dispose();
    return;
  }
  const images = sampled.images;
  const ddpm: DigitGenerator = {
    name: `DDPM ${steps} steps (step ${meta.step ?? '?'} EMA weights)`,
    source: {
      kind: 'model',
      model: SHIPPED_MODELS.ddpmMnist.id,
      modelStep: meta.step ?? 0,
      sampler: 'ddpm',
      steps,
    },
    generate: () => Promise.resolve(images),
  };
  const real: DigitGenerator = {
    name: 'real training digits (reference)',
    source: { kind: 'real', split: 'train' },
    generate: (count) =>
      realImages(
        train,
        Array.from({ length: count }, (_, i) => 30000 + i),
      ),
  };
  const results: EvalResult[] = [];
  for (const g of [real, ddpm]) {
    console.log(`evaluating ${g.name} on ${n} samples…`);
    const r = await evaluate(g, classifier, ref, n, 1);
    // Sampling time as measured batch by batch (one process, one core each).
    if (g === ddpm) r.secondsPerImage = sampled.seconds / n;
    console.log(resultsTable([r]));
    results.push(r);
  }
  const path = join(dir, 'eval.json');
  const prev = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { results: EvalResult[]; grid?: SampleGrid })
    : { results: [] };
  const merged = [...prev.results.filter((o) => !results.some((r) => sameMeasurement(r, o))), ...results];
  // A target run (the full sample count of the 1,000-step sampler) also leaves a picture of its first
  // 100 samples, framed red where the classifier is not confident: what the percentages look like.
  let grid = prev.grid;
  if (n >= QUALITY_TARGET.samples && steps === QUALITY_TARGET.steps) {
    const shown = images.subarray(0, GRID_SAMPLES * MNIST_PIXELS);
    const { probs } = await classify(classifier, shown);
    const flagged = Array.from({ length: GRID_SAMPLES }, (_, i) => !isConfident(probs, i));
    const g = digitGrid(shown, { cols: 10, scale: 2, frame: 2, flagged });
    writeFileAtomic(join(dir, GRID_FILE), encodePng(g.width, g.height, g.rgb));
    grid = {
      file: GRID_FILE,
      generator: ddpm.name,
      samples: GRID_SAMPLES,
      flagged: flagged.filter(Boolean).length,
    };
  }
  writeFileAtomic(
    path,
    JSON.stringify(
      { machine, command: `npm run eval -- ddpm --samples ${n} --steps ${steps}`, results: merged, grid },
      null,
      1,
    ) + '\n',
  );
  writeFileAtomic(join(dir, 'eval.md'), evalMarkdown(machine, merged, grid));
  writeDdpmCard(dir);
  net.dispose();
  classifier.dispose();
}

async function heldOutCli() {
  await initNodeBackend('wasm');
  const digits = Number(arg('digits') ?? '256');
  const x0 = await realImages(
    loadMnistNode('test'),
    Array.from({ length: digits }, (_, i) => i),
  );
  console.log(`held-out error on ${digits} test digits, fixed noise per timestep (unweighted MSE)`);
  console.log(
    `| weights | step | ε-MSE | x̂0-MSE | ε-MSE at t = ${HELD_OUT_TIMESTEPS.join(' / ')} |\n|---|---|---|---|---|`,
  );
  for (const dir of (arg('weights') ?? modelDir(SHIPPED_MODELS.ddpmMnist)).split(',')) {
    const bin = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
    const { net, meta } = loadDdpm(readFileSync(join(dir, 'model.json'), 'utf8'), bin);
    const r = await heldOut(net, makeSchedule(meta.schedule), meta.prediction, x0);
    console.log(
      `| ${dir} | ${meta.step ?? '?'} | ${r.heldOutEpsMse.toFixed(5)} | ${r.heldOutX0Mse.toFixed(4)} | ${r.epsByT.map((e) => e.toFixed(4)).join(' / ')} |`,
    );
    net.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

const GRID_FILE = 'samples.png';
const GRID_SAMPLES = 100;

/** The picture a target run leaves beside eval.md. */
interface SampleGrid {
  file: string;
  generator: string;
  samples: number;
  flagged: number;
}

/** eval.md: the results table, and the latest target run's sample grid when there is one. */
function evalMarkdown(machine: string, rows: EvalResult[], grid?: SampleGrid): string {
  const figure = grid
    ? `\n![The first ${grid.samples} samples of the target run](${grid.file})\n\n` +
      `The first ${grid.samples} samples (seeds 1–${grid.samples}) of the latest target run, ${grid.generator}; ` +
      `framed red: the ${grid.flagged} the classifier does not recognise with confidence > ${CONFIDENT_ABOVE}.\n`
    : '';
  return (
    `# DDPM evaluation\n\nMeasured with the project's MNIST classifier (models/mnist-classifier); the latest row was sampled on ${machine}.\n` +
    `FID is on the classifier's 128-d features against the 10,000 test digits; "floor" is the same FID for as many real training digits.\n` +
    `Command: \`npm run eval -- ddpm\` for the target rows (1,000 samples, 1,000 steps); \`--samples 200 --steps 100\` or \`--samples 200\` for the interim checks.\n\n` +
    `${resultsTable(rows)}\n${figure}`
  );
}
