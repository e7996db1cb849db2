import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { drain, TINY_DDPM, testDigits } from './helpers';
import { writeFileAtomic } from '../../src/cli/files';
import { DdpmSampler } from '../../src/diffusion/ddpm';
import { makeSchedule } from '../../src/diffusion/schedule';
import { loadDdpm } from '../../src/nets/load';
import { sampleDdpm } from '../../src/pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { DdpmTrainer, lossWeight, NonFiniteLossError, sliceGradients } from '../../src/train/ddpm-trainer';
import { startGradientWorkers } from '../../src/cli/gradient-workers';
import { decodeWeights, packCheckpoint, unpackCheckpoint, WeightsError } from '../../src/nets/weights-format';
import {
  exportEma,
  grownConfig,
  restoreCheckpoint,
  restoreGrown,
  saveCheckpoint,
} from '../../src/train/checkpoint';

const data = testDigits();
const TINY = TINY_DDPM;

async function paramsOf(tr: DdpmTrainer) {
  return Promise.all([...tr.net.params.values()].map(async (v) => Array.from(await v.data())));
}

describe('DDPM training', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('min-SNR weights: min(SNR, γ)/SNR for epsilon, min(SNR, γ)/(SNR+1) for v, 1 without γ', () => {
    const s = makeSchedule({ kind: 'linear' });
    const snr = (t: number) => s.alphaBar[t]! / (1 - s.alphaBar[t]!);
    expect(lossWeight(s, 0, 'epsilon', 5)).toBeCloseTo(5 / snr(0), 12); // high SNR: down-weighted
    expect(lossWeight(s, 999, 'epsilon', 5)).toBe(1); // low SNR: full weight
    expect(lossWeight(s, 999, 'v', 5)).toBeCloseTo(snr(999) / (snr(999) + 1), 12);
    expect(lossWeight(s, 10, 'epsilon', null)).toBe(1);
  });

  it('learning rate: linear warm-up to lr, then each later [step, lr] from its step on', () => {
    const t = new DdpmTrainer(
      {
        ...TINY,
        lr: 1e-3,
        warmup: 10,
        lrSteps: [
          [100, 2e-4],
          [300, 5e-5],
        ],
      },
      data,
    );
    expect(t.lrAt(0)).toBeCloseTo(1e-4, 12); // (0 + 1) / 10 of the peak
    expect(t.lrAt(9)).toBe(1e-3);
    expect(t.lrAt(99)).toBe(1e-3);
    expect(t.lrAt(100)).toBe(2e-4);
    expect(t.lrAt(299)).toBe(2e-4);
    expect(t.lrAt(5000)).toBe(5e-5);
    t.dispose();
  });

  it('the loss goes down on real digits', async () => {
    const tr = new DdpmTrainer({ ...TINY, batch: 8 }, data);
    const ps = (await drain(tr.run(60, { readEvery: 10 }))) as { loss: number; step: number }[];
    expect(ps.map((p) => p.step)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(ps[5]!.loss).toBeLessThan(ps[0]!.loss * 0.7);
    tr.dispose();
  });

  it('resuming from a checkpoint continues exactly as an uninterrupted run', async () => {
    const a = new DdpmTrainer(TINY, data);
    await drain(a.run(6));
    const b = new DdpmTrainer(TINY, data);
    await drain(b.run(3));
    const ck = await saveCheckpoint(b);
    const bytes = packCheckpoint(ck.json, ck.bin);
    b.dispose();
    const c = new DdpmTrainer(TINY, data);
    const un = unpackCheckpoint(bytes);
    restoreCheckpoint(c, un.json, un.bin);
    expect(c.step).toBe(3);
    await drain(c.run(3));
    const [pa, pc] = [await paramsOf(a), await paramsOf(c)];
    pa.forEach((w, i) => w.forEach((v, j) => expect(pc[i]![j]).toBeCloseTo(v, 6)));
    a.dispose();
    c.dispose();
  });

  it('a run grown deeper computes exactly what it did, keeps its state, and trains its new blocks', async () => {
    const a = new DdpmTrainer(TINY, data);
    await drain(a.run(3));
    const ck = await saveCheckpoint(a);
    const before = tf.memory().numTensors;
    const g = new DdpmTrainer(grownConfig(TINY, 3, [1, 2, 3]), data);
    restoreGrown(g, ck.json, ck.bin);
    expect(g.step).toBe(3);
    expect(
      g.net.params.has('r2b.c1.w') && g.net.params.has('m1c.c2.w') && g.net.params.has('m2b.n1.gamma'),
    ).toBe(true);
    expect(g.net.params.has('r1b.c1.w')).toBe(false);
    // Same outputs (raw and EMA weights) on noisy digits at several timesteps: the new blocks are identities.
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const t = tf.tensor1d([10, 500, 990]);
    const gap = async () => {
      const [ya, yg] = [a.net.apply(x, t), g.net.apply(x, t)];
      const [va, vg] = [await ya.data(), await yg.data()];
      tf.dispose([ya, yg]);
      return Array.from(va).reduce((worst, v, i) => Math.max(worst, Math.abs(v - vg[i]!)), 0);
    };
    expect(await gap()).toBeLessThan(1e-5); // the raw weights
    const rawA = new Map([...a.net.params].map(([k, v]) => [k, v.clone()]));
    a.net.copyFrom(a.ema.shadow);
    g.net.copyFrom(g.ema.shadow);
    expect(await gap()).toBeLessThan(1e-5); // the EMA weights
    a.net.copyFrom(rawA as Map<string, tf.Variable>);
    tf.dispose([...rawA.values()]);
    // Adam moments of old weights carry over; new ones start at zero.
    expect(Array.from(await g.adam.m.get('r2.c1.w')!.data())).toEqual(
      Array.from(await a.adam.m.get('r2.c1.w')!.data()),
    );
    expect((await g.adam.v.get('r2b.c1.w')!.data()).every((v) => v === 0)).toBe(true);
    await drain(g.run(2));
    const c2 = await g.net.params.get('m1b.c2.w')!.data();
    expect(c2.some((v) => v !== 0)).toBe(true); // the new block's zeroed conv has started to learn
    // A later resume of the grown run is a plain restore with the grown config.
    const ck2 = await saveCheckpoint(g);
    const h = new DdpmTrainer(g.config, data);
    restoreCheckpoint(h, ck2.json, ck2.bin);
    expect(h.step).toBe(5);
    // Growing from a checkpoint of other settings, or at the wrong step, is refused.
    const other = new DdpmTrainer(grownConfig({ ...TINY, lr: 1e-4 }, 3, [1, 2, 3]), data);
    expect(() => restoreGrown(other, ck.json, ck.bin)).toThrow(/other settings/);
    const wrongStep = new DdpmTrainer(grownConfig(TINY, 4, [1, 2, 3]), data);
    expect(() => restoreGrown(wrongStep, ck.json, ck.bin)).toThrow(/checkpoint step/);
    tf.dispose([x, t]);
    for (const tr of [g, h, other, wrongStep]) tr.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });

  it('gradients of a batch cut into slices add up to the whole batch loss and gradients', async () => {
    const tr = new DdpmTrainer({ ...TINY, batch: 6 }, data);
    const bt = tr.makeBatch(0);
    const whole = sliceGradients(tr.net, 'epsilon', bt, 0, 6);
    const parts = [
      sliceGradients(tr.net, 'epsilon', bt, 0, 1),
      sliceGradients(tr.net, 'epsilon', bt, 1, 4),
      sliceGradients(tr.net, 'epsilon', bt, 4, 6),
    ];
    // The whole batch's loss computed independently: the mean of min-SNR-weighted per-image errors.
    const eps = tf.tidy(() => {
      const x0 = tf.tensor4d(bt.x0, [6, 28, 28, 1]);
      const e = tf.tensor4d(bt.eps, [6, 28, 28, 1]);
      const xt = tf.add(
        tf.mul(tf.tensor(bt.a, [6, 1, 1, 1]), x0),
        tf.mul(tf.tensor(bt.b, [6, 1, 1, 1]), e),
      ) as tf.Tensor4D;
      const err = tf.mean(tf.square(tf.sub(tr.net.apply(xt, tf.tensor1d(bt.t)), e)), [1, 2, 3]);
      return tf.mean(tf.mul(err, tf.tensor1d(bt.w))).dataSync()[0]!;
    });
    const lw = (await whole.loss.data())[0]!;
    expect(lw).toBeCloseTo(eps, 6);
    const lsum = (await Promise.all(parts.map((p) => p.loss.data()))).reduce((a, l) => a + l[0]!, 0);
    expect(lsum).toBeCloseTo(lw, 6);
    for (const k of Object.keys(whole.grads)) {
      const w = await whole.grads[k]!.data();
      const s = new Float64Array(w.length);
      for (const p of parts) (await p.grads[k]!.data()).forEach((v, i) => (s[i]! += v));
      let diff = 0;
      let norm = 0;
      w.forEach((v, i) => ((diff += (v - s[i]!) ** 2), (norm += v * v)));
      expect(Math.sqrt(diff)).toBeLessThanOrEqual(1e-5 * Math.sqrt(norm) + 1e-9);
    }
    tf.dispose([whole, ...parts].flatMap((g) => [g.loss, ...Object.values(g.grads)]));
    tr.dispose();
  });

  it('a batch shared with a worker thread trains the same steps as one thread, without leaking tensors', async () => {
    const cfg = { ...TINY, batch: 6 };
    const one = new DdpmTrainer(cfg, data);
    const shared = new DdpmTrainer(cfg, data);
    const start = await paramsOf(one);
    const pool = await startGradientWorkers(1, shared.config);
    try {
      const losses = (ps: unknown[]) => (ps as { loss: number }[]).map((p) => p.loss);
      const a = losses(await drain(one.run(4, { readEvery: 1 })));
      const b = losses(await drain(shared.run(1, { readEvery: 1, helpers: pool.helpers }))); // counts settle
      const before = tf.memory().numTensors;
      b.push(...losses(await drain(shared.run(3, { readEvery: 1, helpers: pool.helpers }))));
      expect(tf.memory().numTensors).toBe(before);
      expect(shared.step).toBe(4);
      b.forEach((l, i) => expect(Math.abs(l - a[i]!)).toBeLessThan(1e-5 * a[i]!));
      // Same weight updates, up to float rounding amplified a little by Adam.
      const [p1, p2] = [await paramsOf(one), await paramsOf(shared)];
      let diff = 0;
      let moved = 0;
      p1.forEach((w, i) =>
        w.forEach((v, j) => ((diff += (v - p2[i]![j]!) ** 2), (moved += (v - start[i]![j]!) ** 2))),
      );
      expect(moved).toBeGreaterThan(0);
      expect(Math.sqrt(diff / moved)).toBeLessThan(1e-3);
    } finally {
      await pool.close();
      one.dispose();
      shared.dispose();
    }
  });

  it('stops with an explanation when the loss becomes NaN', async () => {
    const tr = new DdpmTrainer(TINY, data);
    tr.net.params.get('oc.b')!.assign(tf.tensor1d([NaN]));
    await expect(drain(tr.run(20, { readEvery: 5 }))).rejects.toThrow(NonFiniteLossError);
    await expect(drain(tr.run(5, { readEvery: 5 }))).rejects.toThrow(
      /loss became NaN at step \d+: try a lower learning rate/,
    );
    tr.dispose();
  });

  it('keeps the tensor count stable over training steps and sampling runs', async () => {
    // a leak of even one tensor per step or per run shows as a count 30 (or 10) higher
    const tr = new DdpmTrainer({ ...TINY, batch: 2 }, data);
    await drain(tr.run(10));
    const before = tf.memory().numTensors;
    await drain(tr.run(30, { readEvery: 10 }));
    expect(tf.memory().numTensors).toBe(before);
    const sampler = new DdpmSampler(tr.schedule);
    sampler.setTimesteps(4);
    for (let i = 0; i < 10; i++) await drain(sampleDdpm(tr.net, sampler, { n: 2, seed: i, every: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    tr.dispose();
  });

  it('frees everything it made: trainers, checkpoint restores and loaded models, made and disposed again and again', async () => {
    // A page that resets "Train it live" or reloads a model does this many times: each round must
    // leave the tensor count where it started (a variable made from a temporary keeps the temporary).
    const src = new DdpmTrainer(TINY, data);
    await drain(src.run(2));
    const ck = await saveCheckpoint(src);
    const model = await exportEma(src, {});
    src.dispose();
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const tr = new DdpmTrainer(TINY, data);
      restoreCheckpoint(tr, ck.json, ck.bin);
      await drain(tr.run(2));
      tr.dispose();
      const { net } = loadDdpm(JSON.parse(JSON.stringify(model.json)), model.bin);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('exports EMA weights that load back into an identical model; samples are deterministic per seed', async () => {
    const tr = new DdpmTrainer(TINY, data);
    await drain(tr.run(5));
    const { json, bin } = await exportEma(tr, {});
    const { net, meta } = loadDdpm(JSON.parse(JSON.stringify(json)), bin);
    expect(meta.kind).toBe('ddpm-unet');
    const sampler = new DdpmSampler(tr.schedule);
    sampler.setTimesteps(5);
    const run = async (seed: number) =>
      (await drain(sampleDdpm(net, sampler, { n: 2, seed, every: 5 }))).at(-1) as {
        x: Float32Array;
        total: number;
      };
    const [r1, r2, r3] = [await run(1), await run(1), await run(2)];
    expect(r1.total).toBe(5);
    expect(Array.from(r1.x)).toEqual(Array.from(r2.x));
    expect(Array.from(r1.x)).not.toEqual(Array.from(r3.x));
    // seed 0 too (TF.js reads a seed of 0 as "none" and would draw from Math.random)
    const [z1, z2] = [await run(0), await run(0)];
    expect(Array.from(z1.x)).toEqual(Array.from(z2.x));
    expect(Array.from(z1.x)).not.toEqual(Array.from(r1.x));
    net.dispose();
    tr.dispose();
  });
});

describe('bad weights files', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('are refused with a message that says what is wrong', async () => {
    const tr = new DdpmTrainer(TINY, data);
    const { json, bin } = await exportEma(tr, {});
    const other = new DdpmTrainer({ ...TINY, unet: { ch: 16, groups: 4, size: 28, channels: 1 } }, data);
    const big = await exportEma(other, {});
    expect(() => loadDdpm(json, bin.subarray(0, bin.length - 8))).toThrow(
      /bytes but its description needs .* \(truncated\?\)/,
    );
    expect(() => decodeWeights(big.json, big.bin, tr.net.paramSpecs)).toThrow(
      /this model expects \[.*\]: is it from another size of model\?/,
    );
    expect(() => loadDdpm('{"weightsManifest":', bin)).toThrow(/not valid JSON/);
    expect(() => loadDdpm({ userDefinedMetadata: { kind: 'gan' } }, bin)).toThrow(/not a Diffusion Lab DDPM/);
    const noisy = new Uint8Array(bin);
    new DataView(noisy.buffer).setFloat32(0, NaN, true);
    expect(() => loadDdpm(json, noisy)).toThrow(/NaN or infinite/);
    expect(() => unpackCheckpoint(new Uint8Array(64).map((_, i) => (i * 37) % 251))).toThrow(WeightsError);
    tr.dispose();
    other.dispose();
  });

  it('checkpoints are written atomically, leaving no temporary files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-'));
    const path = join(dir, 'a.ckpt');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, 'second');
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['a.ckpt']);
  });
});
