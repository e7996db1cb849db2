/**
 * `npm run eval -- ddpm [--samples N] [--steps S] [--batch B] [--part k/n] [--weights DIR] [--cache DIR]`: judges the shipped DDPM (EMA weights) with the
 * project's classifier and writes models/ddpm-mnist/eval.json and eval.md (one row per generator
 * setting, replaced when measured again). Real training digits are scored the same way as a reference.
 * Samples are cached per batch, so a stopped run resumes and `--part k/n` spreads it over n processes.
 * `npm run eval -- table [--samples N] [--out DIR]`: the steps-vs-quality table of every sampler (sampling-table.ts).
 * `npm run eval -- heldout [--weights DIR,DIR…] [--digits N]`: the held-out noise-prediction error
 * (held-out.ts) of one or more weight sets on the same N test digits, per timestep: e.g. a run against a fork.
 */
import { MNIST_PIXELS } from '../data/mnist-asset';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { makeReference, realImages, type DigitGenerator } from '../metrics/evaluate';
import { QUALITY_TARGET } from '../metrics/quality';
import { loadDdpm, modelSampling } from '../nets/load';
import { sampleImages } from '../pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { writeDdpmCard } from './model-card';
import { loadClassifier } from './classifier-files';
import { HELD_OUT_TIMESTEPS, heldOut } from './held-out';
import {
  FID_NOTE,
  mergeResults,
  readEvalJson,
  realReference,
  scoreAll,
  writeEvalFiles,
  writeSampleGrid,
} from './eval-files';
import { cacheDirName, sampleCached, weightsHash } from './sample-cache';
import { runSamplingTable } from './sampling-table';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';

async function main() {
  const which = process.argv[2] ?? 'ddpm';
  if (which === 'latent') {
    const { evalLatentCli } = await import('./eval-latent');
    return evalLatentCli();
  }
  if (which === 't2i') {
    const { evalT2iCli } = await import('./eval-t2i');
    return evalT2iCli();
  }
  if (which === 'limits') {
    const { limitsCli } = await import('./limits');
    return limitsCli();
  }
  if (which === 'at-work') {
    const { atWorkCli } = await import('./at-work');
    return atWorkCli();
  }
  if (which === 'stability') {
    const { stabilityCli } = await import('./stability');
    return stabilityCli();
  }
  if (which === 'compare-families') {
    const { compareFamiliesCli } = await import('./compare-families');
    return compareFamiliesCli();
  }
  if (which === 'gan' || which === 'vae') {
    const { evalFamilyCli } = await import('./eval-families');
    return evalFamilyCli(which);
  }
  if (which === 'half') {
    const { evalHalfCli } = await import('./eval-half');
    return evalHalfCli();
  }
  if (which === 'clip') {
    const { evalClipCli } = await import('./eval-clip');
    return evalClipCli();
  }
  if (which === 'autoencoder') {
    const { evalAutoencoderCli } = await import('./eval-autoencoder');
    return evalAutoencoderCli();
  }
  if (which !== 'ddpm' && which !== 'table' && which !== 'heldout')
    throw new Error(
      'usage: npm run eval -- autoencoder\n       npm run eval -- limits [--part text|canvas|bias|bias2d|cost] [--per N] [--seed S] [--out DIR]\n       npm run eval -- at-work [--part denoise|inpaint|sdedit|rare] [--digits N] [--seed S] [--seeds a,b,c]\n       npm run eval -- gan|vae [--dir DIR] [--samples N] [--batch B]\n       npm run eval -- compare-families [--samples N]\n       npm run eval -- stability --family gan|vae|ddpm [--steps N] [--lrs a,b] [--seeds 0,1,2]\n       npm run eval -- half [--samples N] [--steps S] [--models id,id]\n       npm run eval -- clip\n       npm run eval -- t2i [--choose] [--per N] [--steps S] [--guidance w,w,…] [--weights DIR]\n       npm run eval -- latent [--samples N] [--sampler S] [--steps S] [--batch B]\n       npm run eval -- ddpm [--samples N] [--steps S] [--batch B] [--part k/n] [--weights DIR] [--cache DIR]\n       npm run eval -- table [--samples N] [--batch B] [--fresh] [--part k/n] [--weights DIR] [--out DIR] [--cache DIR]\n       npm run eval -- heldout [--weights DIR,DIR…] [--digits N]',
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
  const hash = weightsHash(bin);
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
  const results = await scoreAll([realReference(train), ddpm], classifier, ref, n, sampled.seconds / n);
  const prev = readEvalJson(dir);
  // A target run (the full sample count of the 1,000-step sampler) also leaves a picture of its first
  // 100 samples.
  const grid =
    n >= QUALITY_TARGET.samples && steps === QUALITY_TARGET.steps
      ? await writeSampleGrid(dir, images, classifier, ddpm.name)
      : prev.grid;
  writeEvalFiles(
    dir,
    'DDPM evaluation',
    `Measured with the project's MNIST classifier (models/mnist-classifier); the latest row was sampled on ${machine}.\n` +
      `${FID_NOTE}\n` +
      `Command: \`npm run eval -- ddpm\` for the target rows (1,000 samples, 1,000 steps); \`--samples 200 --steps 100\` or \`--samples 200\` for the interim checks.`,
    {
      machine,
      command: `npm run eval -- ddpm --samples ${n} --steps ${steps}`,
      results: mergeResults(prev.results, results),
      grid,
    },
  );
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
