/**
 * `npm run eval -- latent [--samples N] [--sampler ddim|ddpm|dpm++] [--steps S] [--batch B]`: judges the
 * shipped latent DDPM (models/ldm-mnist) with the same classifier and suite as the pixel DDPM, on its
 * samples decoded by the shipped autoencoder. The decoded samples are kept batch by batch under
 * runs/eval-latent/ (the pixel DDPM's format: b<start>.f32 of 784 floats per digit + b<start>.json), so
 * anyone can re-score them; results go to models/ldm-mnist/eval.json and eval.md, the first 100 samples
 * to samples.png, and the card is rewritten.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { makeSampler, samplerLabel, type SamplerKind, type SamplerSpec } from '../diffusion/samplers';
import { makeSchedule } from '../diffusion/schedule';
import { makeReference, type DigitGenerator } from '../metrics/evaluate';
import { LATENT_QUALITY_TARGET } from '../metrics/quality';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { pairedLatentScale, sha256Hex } from '../nets/latent-pair';
import { loadDdpm, modelSampling } from '../nets/load';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { sampleImages } from '../pipelines/ddpm-sample';
import { decodeLatents, LatentCodec } from '../pipelines/latent';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeLatentCard } from './latent-files';
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

const M = SHIPPED_MODELS.ldmMnist;
const AE = SHIPPED_MODELS.autoencoderMnist;

export async function evalLatentCli(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const n = Number(arg('samples') ?? String(LATENT_QUALITY_TARGET.samples));
  const def = M.sampling.default;
  const spec: SamplerSpec = {
    sampler: (arg('sampler') ?? def.sampler) as SamplerKind,
    steps: Number(arg('steps') ?? def.steps),
    ...(arg('eta') ? { eta: Number(arg('eta')) } : {}),
  };
  const batch = Number(arg('batch') ?? '100');
  const dir = modelDir(M);
  const bin = new Uint8Array(readFileSync(join(dir, M.files.weights)));
  const hash = weightsHash(bin);
  const { net, meta } = loadDdpm(readFileSync(join(dir, M.files.model), 'utf8'), bin);
  const aeDir = modelDir(AE);
  const aeBin = new Uint8Array(readFileSync(join(aeDir, AE.files.weights)));
  const ae = loadAutoencoder(readFileSync(join(aeDir, AE.files.model), 'utf8'), aeBin);
  const scale = pairedLatentScale(
    { latentScale: ae.meta.latentScale, sha256: await sha256Hex(aeBin) },
    meta.latent,
  );
  const codec = new LatentCodec(ae.net, scale);
  const classifier = loadClassifier();
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const schedule = makeSchedule(meta.schedule);
  const sampled = await sampleCached({
    dir: join('runs', 'eval-latent', cacheDirName({ weightsHash: hash, ...spec, count: n, batch })),
    count: n,
    batch,
    per: MNIST_PIXELS,
    generate: async (start, m) => {
      const sampler = makeSampler(spec, schedule, modelSampling(meta));
      const latents = await sampleImages(net, sampler, m, 1 + start, m); // seeds as the pixel DDPM's
      return decodeLatents(codec, latents, m); // decoding counts in the sampling time
    },
    onBatch: (done, total) => console.log(`  batch ${done}/${total}`),
  });
  if (!sampled.images) throw new Error('some batches are missing');
  const images = sampled.images;
  const ref = await makeReference(classifier, test, train, n);
  const label = `latent ${samplerLabel(spec)}, ${spec.steps} steps (step ${meta.step ?? '?'} EMA weights), decoded`;
  const model: DigitGenerator = {
    name: label,
    source: { kind: 'model', model: M.id, modelStep: meta.step ?? 0, ...spec },
    generate: () => Promise.resolve(images),
  };
  const results = await scoreAll([realReference(train), model], classifier, ref, n, sampled.seconds / n);
  const command = `npm run eval -- latent --samples ${n} --sampler ${spec.sampler} --steps ${spec.steps}`;
  writeEvalFiles(
    dir,
    'Latent DDPM evaluation',
    `Decoded samples measured with the project's classifier, as the pixel DDPM's; the latest row was sampled on ${machine}, decoding included in its time.\n` +
      `${FID_NOTE}\n` +
      `Command: \`${command}\`. Samples: \`runs/eval-latent/\`.`,
    {
      machine,
      command,
      results: mergeResults(readEvalJson(dir).results, results),
      grid: await writeSampleGrid(dir, images, classifier, label),
    },
  );
  writeLatentCard(dir);
  net.dispose();
  ae.net.dispose();
  classifier.dispose();
}
