/**
 * `npm run eval -- table [--samples N] [--batch B] [--fresh]`: the steps-vs-quality table of the shipped
 * DDPM (DDIM paper, Table 1, on our own model): DDIM with eta 0 / 0.5 / 1 and DDPM respaced at
 * S = 10, 20, 50, 100, 1000 steps, plus DPM-Solver++(2M) at 10 and 20. Every row uses the same seeds, so
 * the same starting noise x_T. Rows are written to models/ddpm-mnist/sampling.json (+ sampling.md) as soon
 * as each finishes, and a rerun on the same weights resumes where it stopped (cheap rows first).
 * `--part k/n` runs a share of the rows (one process per core; they merge into the same file) and
 * `--weights DIR` judges a frozen copy of the weights while training goes on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { MNIST_PIXELS } from '../data/mnist-asset';
import { join } from 'node:path';
import type { MnistSplit } from '../data/mnist-asset';
import { makeSchedule } from '../diffusion/schedule';
import { evaluate, makeReference } from '../metrics/evaluate';
import { clipModeOf, makeSampler, samplerLabel } from '../diffusion/samplers';
import {
  mergeRows,
  same,
  tableGrid,
  tableMarkdown,
  tablePart,
  type SamplingTable,
} from '../metrics/sampling-table';
import type { MnistClassifier } from '../nets/classifier';
import { modelSampling, type DdpmMetadata as ModelMeta } from '../nets/load';
import type { Denoiser } from '../nets/denoiser';
import { sampleImages } from '../pipelines/ddpm-sample';
import { tf } from '../runtime/tf-node';
import { writeFileAtomic } from './files';
import { cacheDirName, sampleCached } from './sample-cache';

/** Rows of at least this many steps are sampled batch by batch into the cache (see `cache`). */
const LONG_ROW_STEPS = 1000;

/** The table stored in `path` if it was made on these weights with this sample count, else null. */
function tableFor(path: string, modelStep: number, samples: number): SamplingTable | null {
  if (!existsSync(path)) return null;
  const t = JSON.parse(readFileSync(path, 'utf8')) as SamplingTable;
  return t.modelStep === modelStep && t.samples === samples ? t : null;
}

export async function runSamplingTable(opts: {
  dir: string;
  net: Denoiser;
  meta: ModelMeta;
  classifier: MnistClassifier;
  train: MnistSplit;
  test: MnistSplit;
  samples: number;
  batch: number;
  fresh: boolean;
  machine: string;
  /** Run only part k of n of the grid (`--part k/n`), to use n cores; parts merge into one file. */
  part?: [number, number];
  /**
   * Rows of 1,000 steps (about 1.8 hours of one core each for the grown net) keep their samples batch by
   * batch under `cache.dir/<weights hash>-<sampler><steps>-n<samples>-b<batch>/`, so a stopped row resumes.
   */
  cache?: { dir: string; weightsHash: string };
}): Promise<void> {
  const { dir, net, meta, samples, batch } = opts;
  const modelStep = meta.step ?? 0;
  const path = join(dir, 'sampling.json');
  const command = `npm run eval -- table --samples ${samples}`;
  let table: SamplingTable = { modelStep, samples, batch, machine: opts.machine, command, rows: [] };
  if (!opts.fresh && existsSync(path)) {
    const old = tableFor(path, modelStep, samples);
    if (old) table = { ...old, machine: opts.machine };
    else console.log(`sampling.json is for other weights or another sample count: starting over`);
  }
  const schedule = makeSchedule(meta.schedule);
  const ref = await makeReference(opts.classifier, opts.test, opts.train, samples);
  const grid = opts.part ? tablePart(tableGrid(), ...opts.part) : tableGrid();
  for (const spec of grid) {
    if (table.rows.some((r) => same(r, spec))) continue;
    const sampler = makeSampler(spec, schedule, modelSampling(meta));
    const name = `${samplerLabel(spec)}, ${spec.steps} steps`;
    console.log(`${name}: ${samples} samples…`);
    let cachedSeconds: number | null = null;
    const generate = async (count: number, seed: number): Promise<Float32Array> => {
      if (!opts.cache || spec.steps < LONG_ROW_STEPS) return sampleImages(net, sampler, count, seed, batch);
      const sampled = await sampleCached({
        dir: join(
          opts.cache.dir,
          cacheDirName({
            weightsHash: opts.cache.weightsHash,
            ...spec,
            clip: clipModeOf(spec, modelSampling(meta)),
            count,
            batch,
          }),
        ),
        count,
        batch,
        per: MNIST_PIXELS,
        // batch i from seed + i·batch: the same samples as one sampleImages(net, sampler, count, seed, batch) call
        generate: (start, m) => sampleImages(net, sampler, m, seed + start, m),
        onBatch: (done, total) => console.log(`  ${name}: batch ${done}/${total}`),
      });
      if (!sampled.images) throw new Error(`${name}: batches missing after sampling them all`);
      cachedSeconds = sampled.seconds;
      return sampled.images;
    };
    const result = await evaluate({ name, generate }, opts.classifier, ref, samples, 1);
    // A resumed row's time is that of its batches as they were sampled, not of reading them back.
    if (cachedSeconds !== null) result.secondsPerImage = cachedSeconds / samples;
    console.log(
      `  FID ${result.fid.toFixed(2)} (floor ${result.fidRealFloor.toFixed(2)}), confident ${(result.confidentShare * 100).toFixed(1)}%, ${result.secondsPerImage.toFixed(2)} s/image, tensors ${tf.memory().numTensors}`,
    );
    // the clipping is written out, so a row never depends on what a later default means
    table.rows.push({ ...spec, clip: clipModeOf(spec, modelSampling(meta)), result });
    // Another part may have written rows meanwhile (same weights and sample count): keep them too.
    const now = tableFor(path, modelStep, samples);
    if (now)
      table = { ...now, ...table, notes: now.notes ?? table.notes, rows: mergeRows(table.rows, now.rows) };
    writeFileAtomic(path, JSON.stringify(table, null, 1));
    writeFileAtomic(join(dir, 'sampling.md'), tableMarkdown(table));
  }
}
