// The shape-generic core: a latent-shaped U-Net and a class-conditional 2-D toy model train and sample
// through the same trainer, pipeline, samplers and model-sampling settings as the shipped DDPM.
import { beforeAll, describe, expect, it } from 'vitest';
import { arrayTrainData, mnistTrainData } from '../../src/data/train-data';
import { loadMnistNode } from '../../src/data/mnist-node';
import { mulberry32, fillNormal } from '../../src/diffusion/random';
import { makeSampler } from '../../src/diffusion/samplers';
import { classCondition, classConditionValues, nullCondition } from '../../src/nets/denoiser';
import { loadDdpm, modelSampling } from '../../src/nets/load';
import { MlpDenoiser } from '../../src/nets/mlp-denoiser';
import { guidedOutput, sampleDdpm } from '../../src/pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { exportEma } from '../../src/train/checkpoint';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/ddpm-trainer';

async function train(tr: DdpmTrainer, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for await (const p of tr.run(steps, { readEvery: 25 })) losses.push(p.loss);
  return losses;
}

async function finalSamples(gen: AsyncGenerator<{ x: Float32Array }>): Promise<Float32Array> {
  let x: Float32Array = new Float32Array(0);
  for await (const f of gen) x = f.x;
  return x;
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('training data of any shape', () => {
  it('MNIST digits become 28x28x1 samples in [-1, 1] with their labels', () => {
    const split = loadMnistNode('test');
    const d = mnistTrainData(split);
    expect(d.sampleShape).toEqual([28, 28, 1]);
    const out = new Float32Array(2 * 784);
    d.copySample(3, out, 784);
    for (const p of [0, 200, 400, 783])
      expect(out[784 + p]).toBeCloseTo((split.images[3 * 784 + p]! / 255) * 2 - 1, 6);
    expect(d.label!(3)).toBe(split.labels[3]);
  });

  it('arrays split into samples of the given shape, and say why when they do not', () => {
    const d = arrayTrainData(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [2],
      [0, 1, 0, 1, 0, 1],
    );
    expect(d.count).toBe(6);
    const out = new Float32Array(2);
    d.copySample(4, out, 0);
    expect(Array.from(out)).toEqual([8, 9]);
    expect(() => arrayTrainData(new Float32Array(5), [2])).toThrow(
      /do not split into samples of shape \[2\]/,
    );
    expect(() => arrayTrainData(new Float32Array(4), [2], [0])).toThrow(/1 labels for 2 samples/);
  });

  it('a trainer refuses data of another shape, and unlabelled data for a conditional net', () => {
    const points = arrayTrainData(new Float32Array(8), [2]);
    const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, unet: { ch: 8, groups: 4, size: 8, channels: 4 } };
    const before = tf.memory().numTensors;
    expect(() => new DdpmTrainer(cfg, points)).toThrow(/samples are \[2\] but the network takes \[8,8,4\]/);
    const mlp = {
      dim: 2,
      hidden: 8,
      layers: 2,
      timeDim: 8,
      conditioning: { kind: 'class', classes: 2 },
    } as const;
    expect(() => new DdpmTrainer({ ...cfg, mlp }, points)).toThrow(/needs labelled data/);
    expect(tf.memory().numTensors).toBe(before); // the refused nets were freed
  });
});

describe('class conditions', () => {
  it('one-hot rows with the last entry as "no class"; bad labels are refused', () => {
    expect(Array.from(classConditionValues([1, -1, 0], 2))).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(() => classConditionValues([2.5], 3)).toThrow(/not a whole number from 0 to 2/);
    expect(() => classConditionValues([4], 3)).toThrow(RangeError);
  });

  it('guidance batches [uncond; cond] in one call and mixes them as uncond + w (cond - uncond)', () => {
    const net = new MlpDenoiser(
      { dim: 2, hidden: 16, layers: 2, timeDim: 8, conditioning: { kind: 'class', classes: 3 } },
      5,
    );
    const x = tf.tensor2d([0.3, -1.2, 2, 0.5], [2, 2]);
    const cond = classCondition([0, 2], 3);
    const calls: number[] = [];
    const apply = net.apply.bind(net);
    net.apply = (xx, t, c) => (calls.push(xx.shape[0]!), apply(xx, t, c));
    const w = 4;
    const guided = tf.tidy(() => guidedOutput(net, x, 500, { cond, guidanceScale: w }));
    expect(calls).toEqual([4]); // one batched call of 2n rows
    // independently: two separate calls, mixed by hand on the CPU
    const t = tf.fill([2], 500) as tf.Tensor1D;
    const nul = nullCondition(2, 3);
    const [u, c, g] = [apply(x, t, nul).dataSync(), apply(x, t, cond).dataSync(), guided.dataSync()];
    for (let i = 0; i < 4; i++) expect(g[i]).toBeCloseTo(u[i]! + w * (c[i]! - u[i]!), 5);
    // w = 1 is the conditional prediction alone, in one unbatched call
    calls.length = 0;
    const one = tf.tidy(() => guidedOutput(net, x, 500, { cond, guidanceScale: 1 }));
    expect(calls).toEqual([2]);
    for (let i = 0; i < 4; i++) expect(one.dataSync()[i]).toBeCloseTo(c[i]!, 6);
    tf.dispose([x, cond, guided, t, nul, one]);
    net.dispose();
  });
});

describe('a latent-shaped model (8x8x4, unit-variance values) through the same trainer and pipeline', () => {
  it('trains, exports, reloads with its own sampler settings, and samples without clipping to [-1, 1]', async () => {
    // A point-mass "latent" L (one pattern with values up to ±2.4) plus a little noise: easy to learn,
    // and a sampler that clipped x̂0 to [-1, 1] could never reach it.
    const per = 8 * 8 * 4;
    const L = Float32Array.from({ length: per }, (_, i) => 2.4 * Math.sin(i * 0.7));
    const rand = mulberry32(3);
    const noise = fillNormal(new Float32Array(64 * per), rand);
    const values = Float32Array.from(noise, (z, i) => L[i % per]! + 0.05 * z);
    const cfg: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      unet: { ch: 8, groups: 4, size: 8, channels: 4 },
      batch: 16,
      lr: 3e-3,
      warmup: 10,
      minSnrGamma: null,
      clipSample: false,
    };
    const tr = new DdpmTrainer(cfg, arrayTrainData(values, [8, 8, 4]));
    const losses = await train(tr, 300);
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    const { json, bin } = await exportEma(tr, {});
    tr.dispose();
    const { net, meta } = loadDdpm(json, bin);
    expect(net.sampleShape).toEqual([8, 8, 4]);
    expect(modelSampling(meta)).toEqual({ prediction: 'epsilon', clipSample: false });
    const before = tf.memory().numTensors;
    const read = async (clipSample: boolean) => {
      const sampler = makeSampler({ sampler: 'ddim', steps: 25 }, tr.schedule, {
        ...modelSampling(meta),
        clipSample,
      });
      return finalSamples(sampleDdpm(net, sampler, { n: 4, seed: 1 }));
    };
    const free = await read(false);
    const clipped = await read(true);
    expect(free.length).toBe(4 * per);
    expect(tf.memory().numTensors).toBe(before);
    const big = [...L.keys()].filter((i) => Math.abs(L[i]!) > 2);
    const meanAbs = (x: Float32Array) => {
      let s = 0;
      for (let k = 0; k < 4; k++) for (const i of big) s += Math.abs(x[k * per + i]!);
      return s / (4 * big.length);
    };
    expect(meanAbs(free)).toBeGreaterThan(1.8); // reaches the latent's scale
    expect(meanAbs(clipped)).toBeLessThanOrEqual(1 + 1e-6); // clipping caps it: wrong for latents
    net.dispose();
  });
});

describe('a class-conditional 2-D toy model with classifier-free guidance', () => {
  it('learns four clusters; each label guides samples to its own cluster, the null condition to all', async () => {
    const centres = [
      [2, 0],
      [0, 2],
      [-2, 0],
      [0, -2],
    ];
    const n = 2048;
    const rand = mulberry32(11);
    const z = fillNormal(new Float32Array(2 * n), rand);
    const labels = Array.from({ length: n }, (_, i) => i % 4);
    const pts = Float32Array.from(
      { length: 2 * n },
      (_, j) => centres[labels[j >> 1]!]![j & 1]! + 0.15 * z[j]!,
    );
    const cfg: TrainConfig = {
      ...DEFAULT_TRAIN_CONFIG,
      mlp: { dim: 2, hidden: 64, layers: 3, timeDim: 16, conditioning: { kind: 'class', classes: 4 } },
      batch: 128,
      lr: 3e-3,
      warmup: 20,
      condDrop: 0.2,
      minSnrGamma: null,
      clipSample: false,
      T: 200,
    };
    const tr = new DdpmTrainer(cfg, arrayTrainData(pts, [2], labels));
    const batch = tr.makeBatch(0);
    const dropped = Array.from(batch.label).filter((l) => l === -1).length;
    expect(dropped).toBeGreaterThan(10); // about 0.2 of 128 trained with the null condition
    expect(dropped).toBeLessThan(45);
    await train(tr, 1500);
    const net = tr.net;
    net.copyFrom(tr.ema.shadow);
    const m = 64;
    const sampler = () =>
      makeSampler({ sampler: 'ddim', steps: 50 }, tr.schedule, { prediction: 'epsilon', clipSample: false });
    const nearest = (x: Float32Array, i: number) => {
      let best = 0;
      let dBest = Infinity;
      centres.forEach(([cx, cy], k) => {
        const d = (x[2 * i]! - cx!) ** 2 + (x[2 * i + 1]! - cy!) ** 2;
        if (d < dBest) [best, dBest] = [k, d];
      });
      return { k: best, d: Math.sqrt(dBest) };
    };
    for (const k of [0, 2]) {
      const cond = classCondition(new Array<number>(m).fill(k), 4);
      const x = await finalSamples(sampleDdpm(net, sampler(), { n: m, seed: 3, cond, guidanceScale: 3 }));
      cond.dispose();
      const hits = Array.from({ length: m }, (_, i) => nearest(x, i)).filter((h) => h.k === k && h.d < 0.6);
      expect(hits.length).toBeGreaterThan(0.9 * m);
    }
    // unconditional (the null condition): every cluster is drawn
    const x = await finalSamples(sampleDdpm(net, sampler(), { n: m, seed: 3 }));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < m; i++) counts[nearest(x, i).k]!++;
    for (const c of counts) expect(c).toBeGreaterThan(m / 10);
    tr.dispose();
  });
});
