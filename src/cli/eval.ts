/**
 * `npm run eval -- ddpm [--samples N] [--steps S]`: judges the shipped DDPM (EMA weights) with the
 * project's classifier and writes models/ddpm-mnist/eval.json and eval.md (one row per generator
 * setting, replaced when measured again). Real training digits are scored the same way as a reference.
 * `npm run eval -- table [--samples N]`: the steps-vs-quality table of every sampler (sampling-table.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import {
  evaluate,
  makeReference,
  realImages,
  resultsTable,
  type DigitGenerator,
  type EvalResult,
} from '../metrics/evaluate';
import { loadDdpm } from '../nets/load';
import { sampleImages } from '../pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { writeFileAtomic } from './files';
import { writeDdpmCard } from './model-card';
import { loadClassifier } from './classifier-files';
import { runSamplingTable } from './sampling-table';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const which = process.argv[2] ?? 'ddpm';
  if (which !== 'ddpm' && which !== 'table')
    throw new Error(
      'usage: npm run eval -- ddpm [--samples N] [--steps S] [--batch B]\n       npm run eval -- table [--samples N] [--batch B] [--fresh] [--part k/n] [--weights DIR]',
    );
  const n = Number(arg('samples') ?? (which === 'table' ? '200' : '1000'));
  const steps = Number(arg('steps') ?? '1000');
  const batch = Number(arg('batch') ?? '100');
  const backend = await initNodeBackend('wasm');
  const dir = 'models/ddpm-mnist';
  // --weights DIR: a frozen copy of model.json + weights.bin (training rewrites the shipped ones).
  const weights = arg('weights') ?? dir;
  const { net, meta } = loadDdpm(
    readFileSync(join(weights, 'model.json'), 'utf8'),
    new Uint8Array(readFileSync(join(weights, 'weights.bin'))),
  );
  const classifier = loadClassifier();
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  if (which === 'table') {
    await runSamplingTable({
      dir,
      net,
      meta,
      classifier,
      train,
      test,
      samples: n,
      batch,
      fresh: process.argv.includes('--fresh'),
      machine,
      part: arg('part') ? (arg('part')!.split('/').map(Number) as [number, number]) : undefined,
    });
    net.dispose();
    classifier.dispose();
    return;
  }
  const ref = await makeReference(classifier, test, train, n);
  const schedule = makeSchedule(meta.schedule);

  const ddpm: DigitGenerator = {
    name: `DDPM ${steps} steps (step ${meta.step ?? '?'} EMA weights)`,
    generate: (count, seed) => {
      const sampler = makeSampler({ sampler: 'ddpm', steps }, schedule, meta.prediction);
      return sampleImages(net, sampler, count, seed, batch, (done) =>
        console.log(`  sampled ${done}/${count}`),
      );
    },
  };
  const real: DigitGenerator = {
    name: 'real training digits (reference)',
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
    console.log(resultsTable([r]));
    results.push(r);
  }
  const path = join(dir, 'eval.json');
  const old: EvalResult[] = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { results: EvalResult[] }).results
    : [];
  const merged = [
    ...old.filter((o) => !results.some((r) => r.generator === o.generator && r.samples === o.samples)),
    ...results,
  ];
  writeFileAtomic(
    path,
    JSON.stringify(
      { machine, command: `npm run eval -- ddpm --samples ${n} --steps ${steps}`, results: merged },
      null,
      1,
    ),
  );
  writeFileAtomic(
    join(dir, 'eval.md'),
    `# DDPM evaluation\n\nMeasured with the project's MNIST classifier (models/mnist-classifier) on ${machine}.\n` +
      `FID is on the classifier's 128-d features against the 10,000 test digits; "floor" is the same FID for as many real training digits.\n\n${resultsTable(merged)}\n`,
  );
  writeDdpmCard(dir);
  net.dispose();
  classifier.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
