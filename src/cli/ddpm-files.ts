/**
 * The shipped DDPM run on disk (models/ddpm-mnist/ or a `--dir` copy):
 *   model.json + weights.bin    the EMA weights, the model the lessons load
 *   checkpoint/ddpm.ckpt        the rest of the resumable state: raw weights (float32), Adam's moments
 *                               (bfloat16), step, wall time, loss history, and the SHA-256 of the
 *                               weights.bin it belongs with
 *   training.json, README.md    the loss log and the model card
 * Keeping the EMA once, in weights.bin, and the moments in bfloat16 makes the checkpoint half the size of a
 * self-contained float32 one (3 × 4 bytes per parameter become 4 + 2 + 2), which is what lets a 1.9M-param
 * run fit the repository's models/ budget.
 *
 * Saving never leaves a checkpoint without its EMA: every file is written to a temporary name and renamed,
 * and the weights.bin being replaced is first hard-linked to checkpoint/ema-previous.bin, removed again once
 * the new checkpoint is in place. A process killed between the renames leaves the old checkpoint beside
 * ema-previous.bin, which loadDdpmCheckpoint finds by its hash. Checkpoints from before this layout (EMA
 * inside, float32 moments) still load.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DdpmTrainer } from '../train/ddpm-trainer';
import { packCheckpoint, unpackCheckpoint, type ModelJson } from '../nets/weights-format';
import { writeFileAtomic } from './files';
import { SHIPPED_MODELS } from '../nets/registry';
import { exportEma, saveCheckpoint } from '../train/checkpoint';

export const ckptPath = (dir: string) => join(dir, SHIPPED_MODELS.ddpmMnist.files.checkpoint);
const previousEmaPath = (dir: string) => join(dir, 'checkpoint', 'ema-previous.bin');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Write the EMA model, the compact checkpoint that refers to it and the training log (no model card). */
export async function saveDdpmRun(dir: string, trainer: DdpmTrainer, machine: string): Promise<void> {
  const model = await exportEma(trainer, {
    trainedSteps: trainer.step,
    wallSeconds: trainer.wallSeconds,
    machine,
    config: trainer.config,
  });
  const ck = await saveCheckpoint(trainer, { machine, emaSha256: sha256(model.bin) }, { compact: true });
  const weightsPath = join(dir, 'weights.bin');
  const prev = previousEmaPath(dir);
  if (existsSync(weightsPath)) {
    rmSync(prev, { force: true });
    try {
      linkSync(weightsPath, prev); // the old inode lives on under this name when weights.bin is renamed over
    } catch {
      copyFileSync(weightsPath, prev); // a file system without hard links
    }
  }
  writeFileAtomic(weightsPath, model.bin);
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(model.json, null, 1));
  writeFileAtomic(ckptPath(dir), packCheckpoint(ck.json, ck.bin));
  rmSync(prev, { force: true });
  writeFileAtomic(
    join(dir, 'training.json'),
    JSON.stringify({
      config: trainer.config,
      step: trainer.step,
      wallSeconds: trainer.wallSeconds,
      machine,
      history: trainer.history,
    }),
  );
}

export interface SavedDdpmRun {
  json: ModelJson;
  bin: Uint8Array;
  /** The EMA weights of a compact checkpoint (undefined for an older self-contained one). */
  ema?: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Read a run's checkpoint and, for a compact one, the EMA weights whose hash it names. */
export function loadDdpmCheckpoint(dir: string): SavedDdpmRun {
  const path = ckptPath(dir);
  const { json, bin } = unpackCheckpoint(new Uint8Array(readFileSync(path)));
  const meta = json.userDefinedMetadata as { emaSha256?: string; step?: number };
  if (!meta.emaSha256) return { json, bin };
  for (const candidate of [join(dir, 'weights.bin'), previousEmaPath(dir)]) {
    if (!existsSync(candidate)) continue;
    const emaBin = new Uint8Array(readFileSync(candidate));
    if (sha256(emaBin) === meta.emaSha256) return { json, bin, ema: emaWeights(json, emaBin) };
  }
  throw new Error(
    `${path} (step ${meta.step}) keeps its EMA weights in ${join(dir, 'weights.bin')}, but that file is not the ` +
      'one saved with it (its SHA-256 differs). Restore the matching weights.bin (e.g. `git checkout` it), or ' +
      'start afresh with --fresh.',
  );
}

/** The EMA bin laid out like the checkpoint's params/ entries (the same tensors, float32, in order). */
function emaWeights(
  json: ModelJson,
  emaBin: Uint8Array,
): Map<string, { shape: number[]; data: Float32Array }> {
  const specs = json.weightsManifest
    .flatMap((g) => g.weights)
    .filter((w) => w.name.startsWith('params/'))
    .map((w) => ({ name: w.name.slice('params/'.length), shape: w.shape }));
  const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  if (emaBin.byteLength !== total * 4)
    throw new Error(
      `the EMA weights have ${emaBin.byteLength} bytes, the checkpoint's net needs ${total * 4}`,
    );
  const all = new Float32Array(emaBin.slice().buffer);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let o = 0;
  for (const s of specs) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    out.set(s.name, { shape: s.shape, data: all.subarray(o, o + n) });
    o += n;
  }
  return out;
}
