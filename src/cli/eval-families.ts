/**
 * `npm run eval -- gan [--dir DIR] [--samples N] [--batch B]` and `npm run eval -- vae [the same]`: judge a
 * trained GAN or VAE with the same classifier and suite as the diffusion models (FID on the classifier's
 * features, precision and recall, class shares, confidence, time per image). The VAE is judged twice:
 * as its decoder's mean and as a draw with the decoder's noise, since its blur lives in the mean; the
 * GAN twice too: its generator alone, and the best of GAN_BEST_OF codes per digit by its discriminator.
 * Samples are kept batch by batch under runs/eval-gan/ or runs/eval-vae/ in the DDPM evaluation's format
 * (b<start>.f32 of 784 floats per digit + b<start>.json), filed under the weights' hash; results go to
 * the model folder's eval.json and eval.md, the first 100 samples to samples.png.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { loadMnistNode } from '../data/mnist-node';
import { makeReference, type DigitGenerator } from '../metrics/evaluate';
import type { EvalResult } from '../metrics/eval-result';
import type { OptimConfig } from '../train/trainer';
import { loadGan, loadVae } from '../nets/load-family';
import { drawOnePass, GAN_BEST_OF, onePassLabel, type OnePassDraw } from '../pipelines/one-pass';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import {
  FID_NOTE,
  mergeResults,
  readEvalJson,
  realReference,
  scoreAll,
  writeEvalFiles,
  writeSampleGrid,
} from './eval-files';
import { sampleCached, weightsHash } from './sample-cache';
import { writeFamilyCard } from './family-card';
import { FAMILY_FILES, familyCommand } from './train-families';

/** Where a GAN's or VAE's evaluated samples are kept: runs/eval-<kind>/<weights hash>-<draw>-n<n>-b<batch>. */
export function familySampleDir(
  kind: 'gan' | 'vae',
  hash: string,
  draw: OnePassDraw,
  n: number,
  batch: number,
): string {
  const name = draw === 'best-of' ? `best-of-${GAN_BEST_OF}` : draw;
  return join('runs', `eval-${kind}`, `${hash}-${name}-n${n}-b${batch}`);
}

export async function evalFamilyCli(kind: 'gan' | 'vae'): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const dir = arg('dir') ?? `models/${kind}-mnist`;
  const n = Number(arg('samples') ?? '1000');
  const batch = Number(arg('batch') ?? '100');
  const bin = new Uint8Array(readFileSync(join(dir, FAMILY_FILES.weights)));
  const json = readFileSync(join(dir, FAMILY_FILES.model), 'utf8');
  const hash = weightsHash(bin);
  const loaded = kind === 'gan' ? loadGan(json, bin) : loadVae(json, bin);
  const step = loaded.meta.step ?? 0;
  const id = dir.split('/').filter(Boolean).at(-1)!;
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const draws: OnePassDraw[] = kind === 'gan' ? ['generator', 'best-of'] : ['mean', 'sample'];
  const classifier = loadClassifier();
  const train = loadMnistNode('train');
  const ref = await makeReference(classifier, loadMnistNode('test'), train, n);
  const results: EvalResult[] = [];
  let first: { images: Float32Array; label: string } | null = null;
  for (const draw of draws) {
    const sampled = await sampleCached({
      dir: familySampleDir(kind, hash, draw, n, batch),
      count: n,
      batch,
      per: MNIST_PIXELS,
      // seeds as the DDPM evaluation's: batch at `start` uses seed 1 + start
      generate: (start, m) => drawOnePass(loaded.net, m, 1 + start, draw),
      onBatch: (done, total) => console.log(`  ${draw}: batch ${done}/${total}`),
    });
    if (!sampled.images) throw new Error('some batches are missing');
    const images = sampled.images;
    const label = `${onePassLabel(kind, draw)} (step ${step} EMA weights)`;
    first ??= { images, label };
    const gen: DigitGenerator = {
      name: label,
      source: {
        kind: 'one-pass',
        model: id,
        modelStep: step,
        draw,
        ...(draw === 'best-of' ? { bestOf: GAN_BEST_OF } : {}),
      },
      generate: () => Promise.resolve(images),
    };
    const rows = await scoreAll(
      results.length ? [gen] : [realReference(train), gen],
      classifier,
      ref,
      n,
      sampled.seconds / n,
    );
    results.push(...rows);
  }
  const command = `npm run eval -- ${kind}${arg('dir') ? ` --dir ${dir}` : ''} --samples ${n}`;
  writeEvalFiles(
    dir,
    `${kind.toUpperCase()} evaluation`,
    `Samples measured with the project's classifier, as the diffusion models'; sampled on ${machine}.\n` +
      `${FID_NOTE}\n` +
      `Command: \`${command}\`. Samples: \`runs/eval-${kind}/\`.`,
    {
      machine,
      command,
      results: mergeResults(readEvalJson(dir).results, results),
      grid: await writeSampleGrid(dir, first!.images, classifier, first!.label),
    },
  );
  const log = JSON.parse(readFileSync(join(dir, FAMILY_FILES.training), 'utf8')) as {
    config: OptimConfig;
    step: number;
  };
  writeFamilyCard(dir, kind, familyCommand(dir, kind, log.config, log.step));
  loaded.net.dispose();
  classifier.dispose();
}
