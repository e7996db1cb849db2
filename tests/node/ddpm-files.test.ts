import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { drain, TINY_DDPM, testDigits } from './helpers';
import { ckptPath, loadDdpmCheckpoint, saveDdpmRun } from '../../src/cli/ddpm-files';
import { writeFileAtomic } from '../../src/cli/files';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { DdpmTrainer } from '../../src/train/ddpm-trainer';
import {
  decodeWeights,
  encodeWeights,
  fromBfloat16,
  packCheckpoint,
  toBfloat16,
  unpackCheckpoint,
} from '../../src/nets/weights-format';
import { exportEma, restoreCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';

const data = testDigits();
const TINY = TINY_DDPM;

async function values(m: Map<string, tf.Variable>) {
  return Promise.all([...m.values()].map(async (v) => Float32Array.from(await v.data())));
}

const maxGap = (a: Float32Array[], b: Float32Array[]) =>
  a.reduce((w, x, i) => x.reduce((w2, v, j) => Math.max(w2, Math.abs(v - b[i]![j]!)), w), 0);

describe('bfloat16', () => {
  it('keeps values with 8 significant bits exactly and rounds the rest to nearest, ties to even', () => {
    const exact = new Float32Array([0, -0, 1, 1.5, -0.375, 2 ** -100, 3 * 2 ** 50, -255 * 2 ** -20]);
    expect(Array.from(fromBfloat16(toBfloat16(exact)))).toEqual(Array.from(exact));
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the even neighbour is 1. 1 + 3·2^-8 lies halfway
    // between 1 + 2^-7 (odd last bit) and 1 + 2^-6 (even): it goes up.
    const ties = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -8)]);
    expect(Array.from(fromBfloat16(toBfloat16(ties)))).toEqual([1, 1 + 2 ** -6, -1]);
    // Anything else: within half a unit in the last place, 2^-8 of the value at most (7 stored bits).
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const xs = Float32Array.from({ length: 5000 }, () => (rand() - 0.5) * 10 ** (rand() * 60 - 30));
    const back = fromBfloat16(toBfloat16(xs));
    xs.forEach((x, i) => expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
  });

  it('weights stored as bfloat16 take 2 bytes each and decode beside float32 ones', () => {
    const a = new Float32Array([0.1, -2, 3e-20]);
    const b = new Float32Array([1.25, 7]);
    const { json, bin } = encodeWeights(
      [
        { name: 'a', shape: [3], data: a, dtype: 'bfloat16' },
        { name: 'b', shape: [2], data: b },
      ],
      'x.bin',
      {},
    );
    expect(bin.byteLength).toBe(3 * 2 + 2 * 4);
    const { weights } = decodeWeights(json, bin);
    expect(Array.from(weights.get('b')!.data)).toEqual([1.25, 7]);
    expect(Array.from(weights.get('a')!.data)).toEqual(Array.from(fromBfloat16(toBfloat16(a))));
    expect(() => decodeWeights(json, bin.subarray(0, 12))).toThrow(/needs 14 \(truncated\?\)/);
  });
});

describe('the shipped run on disk (compact checkpoint + EMA in weights.bin)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('a compact checkpoint is 8 bytes per parameter, needs its EMA, and resumes to within bfloat16 rounding', async () => {
    const a = new DdpmTrainer(TINY, data);
    await drain(a.run(6));
    const b = new DdpmTrainer(TINY, data);
    await drain(b.run(3));
    const ck = await saveCheckpoint(b, {}, { compact: true });
    const n = b.net.paramCount;
    expect(ck.bin.byteLength).toBe(n * 4 + 2 * n * 2);
    expect(ck.json.weightsManifest[0]!.weights.some((w) => w.name.startsWith('ema/'))).toBe(false);
    const ema = decodeWeights((await exportEma(b, {})).json, (await exportEma(b, {})).bin).weights;
    const [rawB, emaB] = [await values(b.net.params), await values(b.ema.shadow)];
    const un = unpackCheckpoint(packCheckpoint(ck.json, ck.bin));
    const c = new DdpmTrainer(TINY, data);
    expect(() => restoreCheckpoint(c, un.json, un.bin)).toThrow(/pass them to restore/);
    restoreCheckpoint(c, un.json, un.bin, ema);
    expect(c.step).toBe(3);
    expect(maxGap(await values(c.net.params), rawB)).toBe(0);
    expect(maxGap(await values(c.ema.shadow), emaB)).toBe(0);
    await drain(c.run(3));
    // Each Adam update moves a weight by about lr; moments off by at most 2^-8 relative change each of the
    // three updates by at most about 2^-7 of lr, so the runs differ by less than 3 · 2^-7 · lr.
    const gap = maxGap(await values(c.net.params), await values(a.net.params));
    expect(gap).toBeLessThan(3 * 2 ** -7 * TINY.lr);
    for (const t of [a, b, c]) t.dispose();
  });

  it('saves and resumes through files, and survives a save killed between its renames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-run-'));
    const tr = new DdpmTrainer(TINY, data);
    await drain(tr.run(2));
    await saveDdpmRun(dir, tr, 'test machine');
    expect(readdirSync(join(dir, 'checkpoint'))).toEqual(['ddpm.ckpt']);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint', 'model.json', 'training.json', 'weights.bin']);
    const n = tr.net.paramCount;
    expect(statSync(join(dir, 'weights.bin')).size).toBe(n * 4);
    const emaAt2 = await values(tr.ema.shadow);
    const rawAt2 = await values(tr.net.params);

    const resumed = new DdpmTrainer(TINY, data);
    const s = loadDdpmCheckpoint(dir);
    restoreCheckpoint(resumed, s.json, s.bin, s.ema);
    expect(resumed.step).toBe(2);
    expect(maxGap(await values(resumed.ema.shadow), emaAt2)).toBe(0);
    expect(maxGap(await values(resumed.net.params), rawAt2)).toBe(0);

    // A second save killed after weights.bin was replaced but before the checkpoint was: the old
    // checkpoint finds its EMA in ema-previous.bin.
    await drain(tr.run(2));
    const later = await exportEma(tr, {});
    linkSync(join(dir, 'weights.bin'), join(dir, 'checkpoint', 'ema-previous.bin'));
    writeFileAtomic(join(dir, 'weights.bin'), later.bin);
    const s2 = loadDdpmCheckpoint(dir);
    const again = new DdpmTrainer(TINY, data);
    restoreCheckpoint(again, s2.json, s2.bin, s2.ema);
    expect(again.step).toBe(2);
    expect(maxGap(await values(again.ema.shadow), emaAt2)).toBe(0);
    // Without it, the mismatch is reported, not resumed from the wrong EMA.
    rmSync(join(dir, 'checkpoint', 'ema-previous.bin'));
    expect(() => loadDdpmCheckpoint(dir)).toThrow(/SHA-256 differs/);
    // The next complete save puts everything right again and cleans up.
    await saveDdpmRun(dir, tr, 'test machine');
    expect(existsSync(join(dir, 'checkpoint', 'ema-previous.bin'))).toBe(false);
    expect(loadDdpmCheckpoint(dir).ema).toBeDefined();

    // A self-contained checkpoint from before this layout (EMA inside, float32 moments) still loads.
    const old = await saveCheckpoint(tr);
    writeFileAtomic(ckptPath(dir), packCheckpoint(old.json, old.bin));
    const s3 = loadDdpmCheckpoint(dir);
    expect(s3.ema).toBeUndefined();
    const fromOld = new DdpmTrainer(TINY, data);
    restoreCheckpoint(fromOld, s3.json, s3.bin);
    expect(fromOld.step).toBe(4);
    expect(maxGap(await values(fromOld.ema.shadow), await values(tr.ema.shadow))).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')).step).toBe(4);
    for (const t of [tr, resumed, again, fromOld]) t.dispose();
    rmSync(dir, { recursive: true });
  });
});
