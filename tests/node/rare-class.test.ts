// The rare-class experiment's parts (src/train/rare-class.ts): the subsets it trains on, its scores worked
// out by hand, and the small classifier, which must learn real digits (far above chance on test digits it
// never saw) without leaking tensors.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnistNode } from '../../src/data/mnist-node';
import { mnistTrainData } from '../../src/data/train-data';
import {
  concatSets,
  fitSmallClassifier,
  predictClasses,
  rareSubset,
  repeatSet,
  scoreRare,
} from '../../src/train/rare-class';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('rare-class experiment', () => {
  it('keeps a few of the rare class and a fixed number of every other, differently per seed', () => {
    const labels = Array.from({ length: 2000 }, (_, i) => i % 10);
    const a = rareSubset(labels, 3, 5, 40, 0);
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    expect(count(a, 3)).toBe(5);
    for (const c of [0, 1, 2, 4, 9]) expect(count(a, c)).toBe(40);
    expect(new Set(a).size).toBe(a.length);
    expect(rareSubset(labels, 3, 5, 40, 1)).not.toEqual(a);
    expect(() => rareSubset(labels, 3, 5, 400, 0)).toThrow(/has 200 examples/);
  });

  it('scores recall, precision and accuracy as counted by hand', () => {
    // rare class 2: true 2s at 0, 1, 2, 3; predicted 2 at 0, 1 (right) and 5 (wrong)
    const labels = [2, 2, 2, 2, 1, 1, 0, 0];
    const pred = Uint8Array.from([2, 2, 0, 1, 1, 2, 0, 0]);
    const s = scoreRare(pred, labels, 2);
    expect(s.recall).toBeCloseTo(2 / 4, 12);
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.accuracy).toBeCloseTo(5 / 8, 12);
  });

  it('joins and repeats sets', () => {
    const one = { images: new Float32Array(784).fill(0.5), labels: Uint8Array.of(7) };
    const two = { images: new Float32Array(2 * 784).fill(-0.5), labels: Uint8Array.of(1, 2) };
    const j = concatSets(one, two);
    expect([...j.labels]).toEqual([7, 1, 2]);
    expect(j.images[784]).toBe(-0.5);
    expect([...repeatSet(two, 3).labels]).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('learns digits well above chance from 1,000 of them, and leaks no tensor', async () => {
    const split = loadMnistNode('test');
    const data = mnistTrainData(split);
    const images = new Float32Array(2000 * 784);
    for (let i = 0; i < 2000; i++) data.copySample(i, images, i * 784);
    const train = { images: images.slice(0, 1000 * 784), labels: split.labels.slice(0, 1000) };
    const n0 = tf.memory().numTensors;
    const net = await fitSmallClassifier(train, { steps: 300, batch: 32, lr: 1e-3, seed: 0 });
    const pred = await predictClasses(net, images.slice(1000 * 784));
    const acc = scoreRare(pred, split.labels.slice(1000, 2000), 0).accuracy;
    net.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(acc).toBeGreaterThan(0.75); // chance is 0.1
  }, 60_000);
});
