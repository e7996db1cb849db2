/**
 * Long sampling runs (1,000 samples of the 1,000-step sampler take hours on one core) kept on disk one
 * batch at a time, so a run survives being stopped and n processes can share it (`--part k/n`, 0 <= k < n as for
 * the sampling table: batches k, k+n, k+2n, … go to process k). Batch i holds samples [i*batch, (i+1)*batch) with seed `seed + i*batch`,
 * exactly what one uninterrupted `sampleImages` call would produce, so the assembled set does not depend
 * on how it was split. Each batch is stored with the seconds it took to sample.
 */
import type { ClipMode } from '../diffusion/samplers';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files';

export interface CachedSampling {
  /** Folder for this set of samples; its name should identify weights, sampler and sizes. */
  dir: string;
  count: number;
  batch: number;
  /** Values per sample (784 for MNIST). */
  per: number;
  /** Only this part of the batches: [k, n] with 0 <= k < n. */
  part?: [number, number];
  /** Sample `m` images starting at sample index `start` (seed = base seed + start). */
  generate(start: number, m: number): Promise<Float32Array>;
  onBatch?(done: number, total: number): void;
}

/** The weights' short name in sample folders: the first 12 hex digits of their SHA-256. */
export function weightsHash(bin: Uint8Array): string {
  return createHash('sha256').update(bin).digest('hex').slice(0, 12);
}

/**
 * Folder name of one cached set of samples: the weights, the sampler and the sizes, e.g.
 * `57f4007e4853-ddpm1000-n1000-b100` or `57f4007e4853-ddim-eta0.5-1000-n200-b100`.
 */
export function cacheDirName(o: {
  weightsHash: string;
  sampler: string;
  eta?: number;
  /**
   * The clipping the samples were drawn with, where the caller tells it. DDIM's clipped update changed to
   * re-derive eps from the clipped x̂0: its samples get their own folders ("ceps"), "noclip" marks
   * clipping turned off, and no tag is the update that keeps the network's eps, or a caller that does not
   * say (the latent model, which never clips, and the DDPM runs, which clipping modes do not change).
   */
  clip?: ClipMode;
  steps: number;
  count: number;
  batch: number;
}): string {
  const kind =
    o.sampler === 'ddpm' ? 'ddpm' : o.sampler === 'ddim' ? `ddim-eta${o.eta ?? 0}-` : `${o.sampler}-`;
  const clip = o.clip === 'off' ? 'noclip-' : o.sampler === 'ddim' && o.clip === 'x0' ? 'ceps-' : '';
  return `${o.weightsHash}-${kind}${clip}${o.steps}-n${o.count}-b${o.batch}`;
}

function batchFiles(dir: string, start: number) {
  return { data: join(dir, `b${start}.f32`), meta: join(dir, `b${start}.json`) };
}

/** Batch starts that belong to part k of n. */
export function partStarts(count: number, batch: number, part?: [number, number]): number[] {
  const starts: number[] = [];
  for (let s = 0, i = 0; s < count; s += batch, i++) if (!part || i % part[1] === part[0]) starts.push(s);
  return starts;
}

/**
 * Samples this process's missing batches, then returns all `count` samples and the total sampling
 * seconds if every batch (from every part) is on disk, or null with the starts still missing.
 */
export async function sampleCached(
  o: CachedSampling,
): Promise<{ images: Float32Array; seconds: number } | { images: null; missing: number[] }> {
  if (o.part && !(Number.isInteger(o.part[0]) && o.part[0] >= 0 && o.part[0] < o.part[1]))
    throw new Error(`--part ${o.part.join('/')}: need 0 <= k < n`);
  const mine = partStarts(o.count, o.batch, o.part);
  let done = 0;
  for (const s of mine) {
    const f = batchFiles(o.dir, s);
    if (!existsSync(f.meta)) {
      const m = Math.min(o.batch, o.count - s);
      const t0 = performance.now();
      const x = await o.generate(s, m);
      if (x.length !== m * o.per)
        throw new Error(`batch at ${s}: expected ${m * o.per} values, got ${x.length}`);
      writeFileAtomic(f.data, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      // The metadata is written last: a batch counts as done only when both files are complete.
      writeFileAtomic(
        f.meta,
        JSON.stringify({ start: s, count: m, seconds: (performance.now() - t0) / 1000 }),
      );
    }
    o.onBatch?.(++done, mine.length);
  }
  const all = partStarts(o.count, o.batch);
  const missing = all.filter((s) => !existsSync(batchFiles(o.dir, s).meta));
  if (missing.length) return { images: null, missing };
  const images = new Float32Array(o.count * o.per);
  let seconds = 0;
  for (const s of all) {
    const f = batchFiles(o.dir, s);
    const meta = JSON.parse(readFileSync(f.meta, 'utf8')) as { count: number; seconds: number };
    const bytes = readFileSync(f.data);
    if (bytes.byteLength !== meta.count * o.per * 4)
      throw new Error(`${f.data}: ${bytes.byteLength} bytes, expected ${meta.count * o.per * 4}`);
    images.set(
      new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      s * o.per,
    );
    seconds += meta.seconds;
  }
  return { images, seconds };
}
