// The GAN and the VAE the course compares with diffusion (src/nets/gan.ts, src/nets/vae.ts), their
// losses against values computed by hand from the networks' own outputs, their training (both players
// updated, an exact resume, no leaked tensors), drawing from them and loading them.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnistNode } from '../../src/data/mnist-node';
import { mnistTrainData } from '../../src/data/train-data';
import { Gan, ganSpecs, pixelNorm, type GanConfig } from '../../src/nets/gan';
import { loadGan, loadVae } from '../../src/nets/load-family';
import { Vae, type VaeConfig } from '../../src/nets/vae';
import { WeightsError } from '../../src/nets/weights-format';
import { familyCommand } from '../../src/cli/train-families';
import { LIVE_EMA, liveConfig } from '../../lessons/gan-vae/live-presets';
import {
  codes,
  drawOnePass,
  GAN_BEST_OF,
  interpolateOnePass,
  reconstructVae,
  sampleGan,
  sampleGanBestOf,
  sampleVae,
  slerpCodes,
} from '../../src/pipelines/one-pass';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { exportEmaWeights, restoreCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';
import {
  DEFAULT_GAN_TRAIN_CONFIG,
  discriminatorLoss,
  GanTrainer,
  generatorLoss,
  type GanTrainConfig,
} from '../../src/train/gan-trainer';
import {
  DEFAULT_VAE_TRAIN_CONFIG,
  vaeLoss,
  VaeTrainer,
  type VaeTrainConfig,
} from '../../src/train/vae-trainer';

const TINY_GAN: GanConfig = { latent: 8, gch: 4, dch: 4, gNorm: 'pixel' };
const GAN_RUN: GanTrainConfig = { ...DEFAULT_GAN_TRAIN_CONFIG, gan: TINY_GAN, batch: 4 };
const TINY_VAE: VaeConfig = { latent: 3, ch: 4 };
const VAE_RUN: VaeTrainConfig = { ...DEFAULT_VAE_TRAIN_CONFIG, vae: TINY_VAE, batch: 4, warmup: 2, lr: 3e-3 };
const digits = mnistTrainData({ ...loadMnistNode('test'), count: 256 });

function digitsArray(n: number, from = 0): Float32Array {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) digits.copySample(from + i, x, i * 784);
  return x;
}

async function drain<T>(g: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of g) out.push(p);
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('the GAN', () => {
  it('makes 28x28 images in [-1, 1] from codes and scores images with one logit each', () => {
    const gan = new Gan(TINY_GAN, 1);
    const x = gan.generate(tf.tensor2d(codes(3, 8, 5), [3, 8]));
    expect(x.shape).toEqual([3, 28, 28, 1]);
    const v = x.dataSync();
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    const l = gan.discriminate(x);
    expect(l.shape).toEqual([3]);
    // weights counted by hand: dense 8 -> 7*7*8, convs 8->4, 4->2, 2->1; D convs 1->4, 4->8, dense 392 -> 1
    const g = 8 * 392 + 392 + (9 * 8 * 4 + 4) + (9 * 4 * 2 + 2) + (9 * 2 * 1 + 1);
    const d = 9 * 1 * 4 + 4 + (9 * 4 * 8 + 8) + 392 + 1;
    expect(gan.paramCount).toBe(g + d);
    expect(ganSpecs(TINY_GAN).filter((s) => s.name.startsWith('g.')).length).toBe(8);
    tf.dispose([x, l]);
    gan.dispose();
  });

  it('a wider and deeper discriminator scores as the same layers written with TF.js "same" padding', () => {
    const cfg: GanConfig = { ...TINY_GAN, dKernel: 5, dDepth: 3 };
    const gan = new Gan(cfg, 3);
    // 5x5 kernels on 1->4 and 4->8 channels, a 3x3 8->8 convolution, the logit from 7*7*8 features
    const d = 25 * 1 * 4 + 4 + (25 * 4 * 8 + 8) + (9 * 8 * 8 + 8) + 392 + 1;
    expect(gan.paramCount - new Gan(TINY_GAN, 3).paramCount).toBe(d - (9 * 4 + 4 + 9 * 4 * 8 + 8 + 393));
    const x = tf.tensor4d(digitsArray(2), [2, 28, 28, 1]);
    const p = (k: string) => gan.params.get(k)!;
    const ref = tf.tidy(() => {
      const conv = (h: tf.Tensor4D, k: string, s: number) =>
        tf.leakyRelu(
          tf.add(tf.conv2d(h, p(`${k}.w`) as tf.Tensor4D, s, 'same'), p(`${k}.b`)),
          0.2,
        ) as tf.Tensor4D;
      const h = conv(conv(conv(x, 'd.c0', 2), 'd.c1', 2), 'd.c2', 1);
      return tf.add(tf.matMul(tf.reshape(h, [2, -1]), p('d.out.w')), p('d.out.b')).reshape([2]);
    });
    const got = gan.discriminate(x);
    const [a, b] = [got.arraySync() as number[], ref.arraySync() as number[]];
    for (let i = 0; i < 2; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
    expect(() => new Gan({ ...TINY_GAN, dKernel: 4 })).toThrow(/odd/);
    expect(() => new Gan({ ...TINY_GAN, dDepth: 4 })).toThrow(/depth/);
    tf.dispose([x, ref, got]);
    gan.dispose();
  });

  it("a card's command names every setting that differs from the default, the discriminator's shape included", () => {
    const d = DEFAULT_GAN_TRAIN_CONFIG;
    expect(familyCommand('models/gan-mnist', 'gan', d, 6000)).toBe(
      'npm run train -- gan --fresh --steps 6000',
    );
    const old: GanTrainConfig = { ...d, lr: 4e-4, gan: { ...d.gan, dKernel: 3, dDepth: 2 } };
    expect(familyCommand('x/y', 'gan', old, 10)).toBe(
      'npm run train -- gan --fresh --dir x/y --lr 0.0004 --d-kernel 3 --d-depth 2 --steps 10',
    );
  });

  it("the lesson's live GAN hurries only its balanced run; the collapse preset stays a change of the shipped settings", () => {
    const d = DEFAULT_GAN_TRAIN_CONFIG;
    const best = liveConfig('gan', 'best', 3) as GanTrainConfig;
    expect([best.lr, best.dLr, best.emaDecay, best.seed]).toEqual([3 * d.lr, 6 * d.dLr, 0.95, 3]);
    expect(best.gan).toEqual(d.gan);
    // the collapse run the committed probe measured: 5x the shipped rates, no EMA, the 3x3 discriminator
    const collapse = liveConfig('gan', 'collapse', 0) as GanTrainConfig;
    expect([collapse.lr, collapse.dLr, collapse.emaDecay, collapse.beta1]).toEqual([
      5 * d.lr,
      5 * d.dLr,
      0,
      0.9,
    ]);
    expect([collapse.gan.dKernel, collapse.gan.dDepth]).toEqual([3, 2]);
    expect((liveConfig('vae', 'best', 0) as VaeTrainConfig).emaDecay).toBe(LIVE_EMA);
  });

  it('pixel norm gives every position a unit root mean square over its channels', () => {
    const x = tf.tensor4d([3, 4, 0, 0, 1, 1, 1, 1], [1, 1, 2, 4]);
    const y = pixelNorm(x).arraySync()[0]![0]!;
    // (3, 4, 0, 0): rms = 2.5; (1, 1, 1, 1): rms = 1
    expect(y[0]![0]).toBeCloseTo(1.2, 5);
    expect(y[0]![1]).toBeCloseTo(1.6, 5);
    expect(y[1]![2]).toBeCloseTo(1, 5);
  });

  it("computes each player's loss as the papers write it", () => {
    const real = [2, -1, 0.5];
    const fake = [-3, 1.5, 0];
    const r = tf.tensor1d(real);
    const f = tf.tensor1d(fake);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    // −log D(x) − log(1 − D(G(z))), D = sigmoid of the logit
    const dStd =
      mean(real.map((l) => -Math.log(sigmoid(l)))) + mean(fake.map((l) => -Math.log(1 - sigmoid(l))));
    expect(discriminatorLoss('non-saturating', r, f).dataSync()[0]).toBeCloseTo(dStd, 5);
    expect(discriminatorLoss('saturating', r, f).dataSync()[0]).toBeCloseTo(dStd, 5);
    const dHinge = mean(real.map((l) => Math.max(0, 1 - l))) + mean(fake.map((l) => Math.max(0, 1 + l)));
    expect(discriminatorLoss('hinge', r, f).dataSync()[0]).toBeCloseTo(dHinge, 5);
    expect(generatorLoss('non-saturating', f).dataSync()[0]).toBeCloseTo(
      mean(fake.map((l) => -Math.log(sigmoid(l)))),
      5,
    );
    expect(generatorLoss('saturating', f).dataSync()[0]).toBeCloseTo(
      mean(fake.map((l) => Math.log(1 - sigmoid(l)))),
      5,
    );
    expect(generatorLoss('hinge', f).dataSync()[0]).toBeCloseTo(-mean(fake), 5);
    tf.dispose([r, f]);
  });

  it('a step updates both players once (one Adam count), reports both losses, and leaks no tensor', async () => {
    const tr = new GanTrainer(GAN_RUN, digits);
    const before = await tr.net.weights();
    const n0 = tf.memory().numTensors;
    const out = await drain(tr.run(3, { readEvery: 3 }));
    expect(tf.memory().numTensors).toBe(n0);
    expect(tr.adam.t).toBe(3);
    const after = await tr.net.weights();
    for (const k of ['g.up1.w', 'd.c1.w']) expect(after.get(k)).not.toEqual(before.get(k));
    const p = out[0]!;
    expect(Object.keys(p.terms!).sort()).toEqual(['discriminator', 'generator']);
    expect(p.loss).toBeCloseTo(p.terms!.discriminator! + p.terms!.generator!, 4);
    expect(tr.termHistory).toHaveLength(1);
    tr.dispose();
  });

  it('the discriminator steps move only the discriminator, the generator step only the generator', async () => {
    // With a zero learning rate for one player, only the other one's weights may change.
    const tr = new GanTrainer({ ...GAN_RUN, dLr: 0 }, digits);
    const before = await tr.net.weights();
    await drain(tr.run(2));
    const after = await tr.net.weights();
    for (const k of tr.net.discriminatorNames) expect(after.get(k)).toEqual(before.get(k));
    expect(tr.net.generatorNames.some((k) => after.get(k)!.some((v, i) => v !== before.get(k)![i]))).toBe(
      true,
    );
    tr.dispose();
  });

  it('resumes exactly from a checkpoint, the term history included', async () => {
    const a = new GanTrainer({ ...GAN_RUN, dSteps: 2 }, digits);
    await drain(a.run(2, { readEvery: 1 }));
    const ck = await saveCheckpoint(a);
    await drain(a.run(2, { readEvery: 1 }));
    const b = new GanTrainer({ ...GAN_RUN, dSteps: 2 }, digits);
    restoreCheckpoint(b, ck.json, ck.bin);
    expect(b.termHistory).toHaveLength(2);
    await drain(b.run(2, { readEvery: 1 }));
    const wa = await a.net.weights();
    const wb = await b.net.weights();
    for (const [k, v] of wa) expect(wb.get(k)).toEqual(v);
    a.dispose();
    b.dispose();
  });

  it('draws the same digits for a seed, and loads from its exported model', async () => {
    const tr = new GanTrainer(GAN_RUN, digits);
    await drain(tr.run(1));
    const model = await exportEmaWeights(tr, { kind: 'gan', gan: TINY_GAN, step: tr.step });
    const { net, meta } = loadGan(model.json, model.bin);
    expect(meta.step).toBe(1);
    const n0 = tf.memory().numTensors;
    const a = await sampleGan(net, 2, 7);
    expect(tf.memory().numTensors).toBe(n0);
    expect(await sampleGan(net, 2, 7)).toEqual(a);
    expect(await sampleGan(net, 2, 8)).not.toEqual(a);
    expect(() => loadVae(model.json, model.bin)).toThrow(WeightsError);
    net.dispose();
    tr.dispose();
  });

  it('best of k keeps, for each digit, the code its discriminator scores highest; best of 1 is the plain draw', async () => {
    const gan = new Gan(TINY_GAN, 4);
    const n0 = tf.memory().numTensors;
    expect(await sampleGanBestOf(gan, 3, 11, 1)).toEqual(await sampleGan(gan, 3, 11));
    const [n, k] = [3, 4];
    const got = await sampleGanBestOf(gan, n, 11, k);
    expect(tf.memory().numTensors).toBe(n0);
    // by hand: all n·k candidates (digit i owns codes ik…ik+k-1), their logits, the best of each digit's k
    const z = tf.tensor2d(codes(n * k, 8, 11), [n * k, 8]);
    const cand = gan.generate(z);
    const logits = gan.discriminate(cand).arraySync();
    const pixels = cand.dataSync();
    for (let i = 0; i < n; i++) {
      const mine = logits.slice(i * k, i * k + k);
      const best = i * k + mine.indexOf(Math.max(...mine));
      expect(got.subarray(i * 784, (i + 1) * 784)).toEqual(pixels.subarray(best * 784, (best + 1) * 784));
    }
    // the choice matters here: some digit's best is not its first code
    expect(
      Array.from({ length: n }, (_, i) => logits.slice(i * k, i * k + k)).some(
        (l) => l.indexOf(Math.max(...l)) > 0,
      ),
    ).toBe(true);
    expect(() => sampleGanBestOf(gan, 1, 1, 0)).toThrow(/at least 1/);
    // the evaluation's best-of draw is this, with GAN_BEST_OF codes per digit
    expect(await drawOnePass(gan, 2, 5, 'best-of')).toEqual(await sampleGanBestOf(gan, 2, 5, GAN_BEST_OF));
    expect(await drawOnePass(gan, 2, 5, 'best-of')).not.toEqual(await sampleGan(gan, 2, 5));
    tf.dispose([z, cand]);
    gan.dispose();
  });
});

describe('the VAE', () => {
  it('computes −ELBO from its own outputs as Kingma & Welling write it', async () => {
    const vae = new Vae(TINY_VAE, 3);
    const xs = digitsArray(2);
    const x = tf.tensor4d(xs, [2, 28, 28, 1]);
    const epsV = Float32Array.from([0.3, -1, 0.5, 2, 0, -0.7]);
    const eps = tf.tensor2d(epsV, [2, 3]);
    const l = vaeLoss(vae, x, eps, 0.5);
    // by hand, from the encoder's and decoder's outputs
    const { mean, logvar } = vae.encode(x);
    const m = mean.dataSync();
    const lv = logvar.dataSync();
    const z = Array.from(m, (v, i) => v + Math.exp(lv[i]! / 2) * epsV[i]!);
    const mu = vae.decode(tf.tensor2d(z, [2, 3])).dataSync();
    const s = Math.exp(vae.logScale().dataSync()[0]!);
    let nll = 0;
    for (let i = 0; i < xs.length; i++)
      nll += (xs[i]! - mu[i]!) ** 2 / (2 * s * s) + Math.log(s) + 0.5 * Math.log(2 * Math.PI);
    let kl = 0;
    for (let i = 0; i < m.length; i++) kl += 0.5 * (m[i]! ** 2 + Math.exp(lv[i]!) - 1 - lv[i]!);
    expect(l.reconstruction.dataSync()[0]).toBeCloseTo(nll / 2, 2);
    expect(l.kl.dataSync()[0]).toBeCloseTo(kl / 2, 4);
    expect(l.total.dataSync()[0]).toBeCloseTo((nll / 2 + 0.5 * (kl / 2)) / 784, 5);
    tf.dispose([x, eps, l.total, l.reconstruction, l.kl, mean, logvar]);
    vae.dispose();
  });

  it('learns: −ELBO falls over a few dozen steps, reported as its two parts, with no leaked tensor', async () => {
    const tr = new VaeTrainer(VAE_RUN, digits);
    const n0 = tf.memory().numTensors;
    const out = await drain(tr.run(60, { readEvery: 10 }));
    expect(tf.memory().numTensors).toBe(n0);
    expect(out.at(-1)!.loss).toBeLessThan(out[0]!.loss);
    expect(Object.keys(out[0]!.terms!).sort()).toEqual(['kl', 'reconstruction']);
    tr.dispose();
  });

  it('draws its mean or its mean plus the learned noise, and reconstructs', async () => {
    const vae = new Vae(TINY_VAE, 4);
    tf.tidy(() => vae.params.get('d.logScale')!.assign(tf.tensor1d([Math.log(0.05)])));
    const mean = await sampleVae(vae, 2, 9);
    const noisy = await sampleVae(vae, 2, 9, true);
    let sq = 0;
    let inside = 0;
    for (let i = 0; i < mean.length; i++)
      if (Math.abs(noisy[i]!) < 1 && Math.abs(mean[i]!) < 1) {
        sq += (noisy[i]! - mean[i]!) ** 2;
        inside++;
      }
    // the added noise has the decoder's scale s = 0.05 (away from the clipping at ±1)
    expect(Math.sqrt(sq / inside)).toBeGreaterThan(0.04);
    expect(Math.sqrt(sq / inside)).toBeLessThan(0.06);
    const rec = await reconstructVae(vae, digitsArray(2));
    expect(rec.length).toBe(2 * 784);
    const model = await exportEmaWeights(new VaeTrainer(VAE_RUN, digits), { kind: 'vae', vae: TINY_VAE });
    expect(() => loadGan(model.json, model.bin)).toThrow(/not a Diffusion Lab GAN/);
    loadVae(model.json, model.bin).net.dispose();
    vae.dispose();
  });
});

describe('walking between two codes', () => {
  it('follows the arc: ends at both codes, and halfway between orthogonal unit codes has length 1', () => {
    const a = Float32Array.from([1, 0, 0]);
    const b = Float32Array.from([0, 1, 0]);
    const w = slerpCodes(a, b, 3);
    expect([...w.subarray(0, 3)]).toEqual([1, 0, 0]);
    expect(w[6]).toBeCloseTo(0, 6);
    expect(w[7]).toBeCloseTo(1, 6);
    // the straight line's midpoint (0.5, 0.5) has length 0.707; the arc's is (0.707, 0.707)
    expect(w[3]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(w[4]).toBeCloseTo(Math.SQRT1_2, 6);
    // parallel codes: the straight line
    const p = slerpCodes(a, Float32Array.from([2, 0, 0]), 3);
    expect([...p]).toEqual([1, 0, 0, 1.5, 0, 0, 2, 0, 0]);
  });

  it("decodes the walk's ends as the two seeds' samples", async () => {
    const gan = new Gan(TINY_GAN, 2);
    const walk = await interpolateOnePass(gan, 5, 9, 4);
    const a = await sampleGan(gan, 1, 5);
    const b = await sampleGan(gan, 1, 9);
    expect(walk.length).toBe(4 * 784);
    for (const i of [0, 300, 700]) {
      expect(walk[i]).toBeCloseTo(a[i]!, 5);
      expect(walk[3 * 784 + i]).toBeCloseTo(b[i]!, 5);
    }
    gan.dispose();
  });
});
