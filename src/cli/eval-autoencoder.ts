/**
 * `npm run eval -- autoencoder`: measures the shipped autoencoder (models/autoencoder-mnist) and
 * finishes it for latent diffusion:
 *   - the latent scale: 1 / standard deviation of the encoder's means over the whole training set, so
 *     that scaled latents have unit variance (the role of Stable Diffusion's 0.18215), written into
 *     model.json's metadata with the step it belongs to;
 *   - reconstructions of the whole test set: MSE, PSNR, sharpness, and how often the classifier still
 *     reads the original label (eval.json), and a grid of originals over reconstructions (samples.png);
 *   - the model card (README.md).
 */
import { readFileSync } from 'node:fs';
import { MNIST_PIXELS, MNIST_SIDE } from '../data/mnist-asset';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData, type TrainData } from '../data/train-data';
import { measureReconstruction } from '../metrics/reconstruction';
import type { Autoencoder } from '../nets/autoencoder';
import { loadAutoencoder } from '../nets/load-autoencoder';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { initNodeBackend, tf } from '../runtime/tf-node';
import { writeAutoencoderCard } from './autoencoder-card';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';
import { digitGrid, encodePng } from './png';

const M = SHIPPED_MODELS.autoencoderMnist;

/** Mean and standard deviation of every entry of the encoder's means over a data set. */
export async function latentMoments(
  ae: Autoencoder,
  data: TrainData,
  batch = 500,
): Promise<{ mean: number; std: number }> {
  const per = ae.imageShape.reduce((a, b) => a * b, 1);
  let s1 = 0;
  let s2 = 0;
  let count = 0;
  for (let s = 0; s < data.count; s += batch) {
    const m = Math.min(batch, data.count - s);
    const x = new Float32Array(m * per);
    for (let i = 0; i < m; i++) data.copySample(s + i, x, i * per);
    const z = tf.tidy(
      () => ae.encode(tf.tensor4d(x, [m, ...(ae.imageShape as [number, number, number])])).mean,
    );
    const v = await z.data();
    z.dispose();
    for (const e of v) {
      s1 += e;
      s2 += e * e;
    }
    count += v.length;
  }
  const mean = s1 / count;
  return { mean, std: Math.sqrt(s2 / count - mean * mean) };
}

/** Median standard deviation of the encoder's posterior over every latent entry of the first n digits. */
async function medianPosteriorSd(ae: Autoencoder, data: TrainData, n: number): Promise<number> {
  const per = ae.imageShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * per);
  for (let i = 0; i < n; i++) data.copySample(i, x, i * per);
  const sd = tf.tidy(() =>
    tf.exp(
      tf.mul(ae.encode(tf.tensor4d(x, [n, ...(ae.imageShape as [number, number, number])])).logvar, 0.5),
    ),
  );
  const v = Array.from(await sd.data()).sort((a, b) => a - b);
  sd.dispose();
  return v[Math.floor(v.length / 2)]!;
}

export async function evalAutoencoderCli(): Promise<void> {
  await initNodeBackend('wasm');
  const dir = modelDir(M);
  const jsonText = readFileSync(join(dir, M.files.model), 'utf8');
  const { net, meta } = loadAutoencoder(jsonText, new Uint8Array(readFileSync(join(dir, M.files.weights))));
  const classifier = loadClassifier();
  try {
    const t0 = performance.now();
    const moments = await latentMoments(net, mnistTrainData(loadMnistNode('train')));
    const latentScale = 1 / moments.std;
    console.log(
      `latents over the training set: mean ${moments.mean.toFixed(4)}, std ${moments.std.toFixed(4)} -> scale ${latentScale.toFixed(5)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    const test = mnistTrainData(loadMnistNode('test'));
    const report = await measureReconstruction(net, test, classifier);
    const posteriorSd = await medianPosteriorSd(net, test, 500);
    console.log(JSON.stringify(report));
    const json = JSON.parse(jsonText);
    json.userDefinedMetadata = { ...json.userDefinedMetadata, latentScale, latentMoments: moments };
    writeFileAtomic(join(dir, M.files.model), JSON.stringify(json, null, 1));
    writeFileAtomic(
      join(dir, 'eval.json'),
      JSON.stringify(
        { step: meta.step, latentScale, latentMoments: moments, posteriorSd, reconstruction: report },
        null,
        1,
      ),
    );
    // 32 test digits over their reconstructions, 16 to a row
    const per = MNIST_PIXELS;
    const orig = new Float32Array(32 * per);
    for (let i = 0; i < 32; i++) test.copySample(i, orig, i * per);
    const rec = tf.tidy(() =>
      tf.clipByValue(net.decode(net.encode(tf.tensor4d(orig, [32, MNIST_SIDE, MNIST_SIDE, 1])).mean), -1, 1),
    );
    const r = (await rec.data()) as Float32Array;
    rec.dispose();
    const grid = new Float32Array(64 * per);
    for (let row = 0; row < 2; row++) {
      grid.set(orig.subarray(row * 16 * per, (row + 1) * 16 * per), row * 32 * per);
      grid.set(r.subarray(row * 16 * per, (row + 1) * 16 * per), (row * 32 + 16) * per);
    }
    const g = digitGrid(grid, { cols: 16 });
    writeFileAtomic(join(dir, 'samples.png'), encodePng(g.width, g.height, g.rgb));
    writeAutoencoderCard(dir);
  } finally {
    net.dispose();
    classifier.dispose();
  }
}
