import { beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../../src/cli/classifier-files';
import { loadMnistNode } from '../../src/data/mnist-node';
import { normals } from '../../src/diffusion/random';
import {
  evaluate,
  makeReference,
  realImages,
  resultsTable,
  type Reference,
} from '../../src/metrics/evaluate';
import { MnistClassifier } from '../../src/nets/classifier';
import { initNodeBackend } from '../../src/runtime/tf-node';
import { Adam } from '../../src/train/adam';
import { accuracy, trainClassifierEpoch } from '../../src/train/classifier-trainer';

const train = loadMnistNode('train');
const test = loadMnistNode('test');

describe('the evaluation classifier', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('learns: a few dozen steps on 2,560 digits beat chance by far', async () => {
    const net = new MnistClassifier(1);
    const adam = new Adam(net.params);
    const small = { ...train, count: 2560 };
    for await (const _ of trainClassifierEpoch(net, adam, small, { batch: 64, lr: 2e-3, seed: 0 })) void _;
    const acc = await accuracy(net, { ...test, count: 1000 });
    expect(acc).toBeGreaterThan(0.7);
    net.dispose();
  });

  it('the shipped classifier reaches at least 98.5% on the test set', async () => {
    const net = loadClassifier();
    expect(await accuracy(net, test)).toBeGreaterThanOrEqual(0.985);
    net.dispose();
  });
});

describe('the evaluation suite', () => {
  let net: MnistClassifier;
  let ref: Reference;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    net = loadClassifier();
    ref = await makeReference(net, test, train, 500);
  });

  it('scores real digits as real: confident, balanced, near the FID floor, precise and covering', async () => {
    const real = {
      name: 'real',
      generate: (n: number) =>
        realImages(
          train,
          Array.from({ length: n }, (_, i) => 40000 + i),
        ),
    };
    const r = await evaluate(real, net, ref, 500);
    expect(r.confidentShare).toBeGreaterThan(0.95);
    for (const s of r.classShares) {
      expect(s).toBeGreaterThan(0.05);
      expect(s).toBeLessThan(0.15);
    }
    expect(r.fid).toBeLessThan(r.fidRealFloor * 1.5);
    expect(r.precision).toBeGreaterThan(0.8);
    expect(r.recall).toBeGreaterThan(0.8);
    expect(resultsTable([r])).toMatch(/^\| generator \|/);
  });

  it('scores noise and a one-digit generator as bad, each in the way it is bad', async () => {
    const noise = {
      name: 'noise',
      generate: async (n: number) => normals(n * 784, 5).map((v) => Math.max(-1, Math.min(1, v))),
    };
    const rn = await evaluate(noise, net, ref, 300);
    expect(rn.fid).toBeGreaterThan(10 * rn.fidRealFloor);
    // (k-NN precision does not catch noise here: a digit classifier's features for noise images land
    // among the real ones' (feature norms 21–30 vs 16–43), so only FID separates them.)
    const ones = test.labels.reduce<number[]>((a, l, i) => (l === 1 ? [...a, i] : a), []);
    const oneDigit = { name: 'only ones', generate: (n: number) => realImages(test, ones.slice(0, n)) };
    const r1 = await evaluate(oneDigit, net, ref, 300);
    expect(r1.classShares[1]).toBeGreaterThan(0.95); // mode collapse shows in the class histogram
    expect(r1.recall).toBeLessThan(0.3); // and in recall
    expect(r1.precision).toBeGreaterThan(0.8); // while each sample is a fine digit
  });
});
