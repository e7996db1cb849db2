// The latent-diffusion autoencoder (src/nets/autoencoder.ts), its training, loading and the latent
// pipeline (src/pipelines/latent.ts), checked against values derived by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnistNode } from '../../src/data/mnist-node';
import { mnistTrainData } from '../../src/data/train-data';
import { gradientEnergy } from '../../src/metrics/reconstruction';
import { Autoencoder, type AutoencoderConfig } from '../../src/nets/autoencoder';
import { loadAutoencoder } from '../../src/nets/load-autoencoder';
import { WeightsError } from '../../src/nets/weights-format';
import {
  decodeLatents,
  interpolateLatent,
  interpolatePixels,
  LatentCodec,
  noiseBothSpaces,
  encodeTrainData,
} from '../../src/pipelines/latent';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import {
  AutoencoderTrainer,
  autoencoderLoss,
  DEFAULT_AUTOENCODER_TRAIN_CONFIG,
  type AutoencoderTrainConfig,
} from '../../src/train/autoencoder-trainer';
import { exportEmaWeights, restoreCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';

const TINY_AE: AutoencoderConfig = { ch: 4, latent: 2, down: 2, groups: 2, size: 28, channels: 1 };
const TINY: AutoencoderTrainConfig = {
  ...DEFAULT_AUTOENCODER_TRAIN_CONFIG,
  autoencoder: TINY_AE,
  batch: 8,
  lr: 3e-3,
  warmup: 5,
};
const digits = mnistTrainData({ ...loadMnistNode('test'), count: 512 });

async function drain(g: AsyncGenerator<{ loss: number }>): Promise<number[]> {
  const out: number[] = [];
  for await (const p of g) out.push(p.loss);
  return out;
}

function digitsTensor(n: number, from = 0): tf.Tensor4D {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) digits.copySample(from + i, x, i * 784);
  return tf.tensor4d(x, [n, 28, 28, 1]);
}

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('the autoencoder', () => {
  it('maps 28x28x1 to a 7x7xC posterior and back, and counts its FLOPs layer by layer', () => {
    const ae = new Autoencoder(TINY_AE, 1);
    const x = digitsTensor(2);
    const { mean, logvar } = ae.encode(x);
    expect(mean.shape).toEqual([2, 7, 7, 2]);
    expect(logvar.shape).toEqual([2, 7, 7, 2]);
    const y = ae.decode(mean);
    expect(y.shape).toEqual([2, 28, 28, 1]);
    // 2 x multiply-adds of every 3x3 conv: out positions x 9 x in channels x out channels
    const conv = (side: number, ci: number, co: number) => 2 * side * side * 9 * ci * co;
    const encode =
      conv(28, 1, 4) +
      2 * conv(28, 4, 4) +
      conv(14, 4, 8) +
      2 * conv(14, 8, 8) +
      conv(7, 8, 8) +
      2 * conv(7, 8, 8) +
      conv(7, 8, 4);
    const decode =
      conv(7, 2, 8) +
      2 * conv(7, 8, 8) +
      conv(14, 8, 8) +
      2 * conv(14, 8, 8) +
      conv(28, 8, 4) +
      2 * conv(28, 4, 4) +
      conv(28, 4, 1);
    expect(ae.flopsPerImage()).toEqual({ encode, decode });
    tf.dispose([x, mean, logvar, y]);
    ae.dispose();
  });

  it('its KL term is ½(μ² + σ² − 1 − log σ²) per latent entry, divided by the pixel count', async () => {
    const ae = new Autoencoder(TINY_AE, 2);
    // the encoder's last conv outputs constants: mean 0.5 on channels 0-1, log-variance -1 on 2-3
    ae.params.get('e.out.w')!.assign(tf.zeros([3, 3, 8, 4]));
    ae.params.get('e.out.b')!.assign(tf.tensor1d([0.5, 0.5, -1, -1]));
    const x = digitsTensor(3);
    const noise = tf.randomNormal([3, 7, 7, 2]) as tf.Tensor4D;
    const loss = autoencoderLoss(ae, x, noise, { klWeight: 1 });
    const perEntry = 0.5 * (0.25 + Math.exp(-1) - 1 - -1);
    expect((await loss.kl.data())[0]).toBeCloseTo((perEntry * 7 * 7 * 2) / 784, 6);
    const total = (await loss.total.data())[0]!;
    const rec = (await loss.reconstruction.data())[0]!;
    expect(total).toBeCloseTo(rec + (perEntry * 98) / 784, 5);
    tf.dispose([x, noise, loss.total, loss.kl, loss.reconstruction, loss.edges]);
    ae.dispose();
  });

  it('the edge term is the mean absolute difference of forward differences, both axes', async () => {
    const ae = new Autoencoder(TINY_AE, 3);
    const x = digitsTensor(2);
    const noise = tf.zeros([2, 7, 7, 2]) as tf.Tensor4D;
    const { edges } = autoencoderLoss(ae, x, noise, { klWeight: 0, edgeWeight: 1 });
    // by hand, on the arrays
    const xs = (await x.data()) as Float32Array;
    const { mean, logvar } = ae.encode(x);
    const rs = (await ae
      .decode(tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise)))
      .data()) as Float32Array;
    let dy = 0;
    let dx = 0;
    for (let k = 0; k < 2; k++)
      for (let r = 0; r < 28; r++)
        for (let c = 0; c < 28; c++) {
          const i = k * 784 + r * 28 + c;
          if (r < 27) dy += Math.abs(xs[i + 28]! - xs[i]! - (rs[i + 28]! - rs[i]!));
          if (c < 27) dx += Math.abs(xs[i + 1]! - xs[i]! - (rs[i + 1]! - rs[i]!));
        }
    const expected = (dy / (2 * 27 * 28) + dx / (2 * 28 * 27)) / 2;
    expect((await edges.data())[0]).toBeCloseTo(expected, 4);
    tf.dispose([x, noise, edges, mean, logvar]);
    ae.dispose();
  });
});

describe('training the autoencoder', () => {
  it('learns: the loss falls well below where it started', async () => {
    const tr = new AutoencoderTrainer(TINY, digits);
    const losses = await drain(tr.run(80, { readEvery: 10 }));
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
    tr.dispose();
  });

  it('resumes exactly from a checkpoint, and refuses one of another kind of run', async () => {
    const a = new AutoencoderTrainer(TINY, digits);
    await drain(a.run(4));
    const ck = await saveCheckpoint(a);
    await drain(a.run(3));
    const b = new AutoencoderTrainer(TINY, digits);
    restoreCheckpoint(b, ck.json, ck.bin);
    expect(b.step).toBe(4);
    await drain(b.run(3));
    const wa = await a.net.weights();
    const wb = await b.net.weights();
    for (const [k, v] of wa) expect(Array.from(wb.get(k)!)).toEqual(Array.from(v));
    const other = {
      ...ck.json,
      userDefinedMetadata: { ...ck.json.userDefinedMetadata, kind: 'ddpm-checkpoint' },
    };
    expect(() => restoreCheckpoint(b, other, ck.bin)).toThrow(
      'it is a "ddpm-checkpoint", this run needs "autoencoder-checkpoint"',
    );
    a.dispose();
    b.dispose();
  });

  it('refuses data of the wrong shape, and keeps the tensor count stable over steps, encodes and decodes', async () => {
    const points = { count: 4, sampleShape: [2], copySample: () => undefined };
    expect(() => new AutoencoderTrainer(TINY, points)).toThrow(
      /samples are \[2\] but the autoencoder takes \[28,28,1\]/,
    );
    const tr = new AutoencoderTrainer(TINY, digits);
    await drain(tr.run(2));
    const codec = new LatentCodec(tr.net, 1.5);
    const before = tf.memory().numTensors;
    await drain(tr.run(10, { readEvery: 5 }));
    for (let i = 0; i < 5; i++) {
      const x = digitsTensor(2, i);
      const z = codec.encode(x);
      await decodeLatents(codec, (await z.data()) as Float32Array, 2);
      tf.dispose([x, z]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tr.dispose();
  });
});

describe('loading an autoencoder', () => {
  it('round-trips through the shipped format, and says what is wrong with a wrong or truncated file', async () => {
    const tr = new AutoencoderTrainer(TINY, digits);
    const model = await exportEmaWeights(tr, { kind: 'autoencoder', autoencoder: TINY_AE, latentScale: 0.8 });
    const { net, meta } = loadAutoencoder(JSON.stringify(model.json), model.bin);
    expect(meta.latentScale).toBe(0.8);
    const ws = await net.weights();
    for (const [k, v] of tr.ema.shadow) expect(Array.from(ws.get(k)!)).toEqual(Array.from(await v.data()));
    net.dispose();
    const ddpm = { ...model.json, userDefinedMetadata: { kind: 'ddpm-unet' } };
    expect(() => loadAutoencoder(ddpm, model.bin)).toThrow(
      /not a Diffusion Lab autoencoder \(its metadata says kind "ddpm-unet"\)/,
    );
    expect(() => loadAutoencoder(model.json, model.bin.subarray(0, 1000))).toThrow(WeightsError);
    expect(() => loadAutoencoder('{"format": ', model.bin)).toThrow(/not valid JSON/);
    const bad = {
      ...model.json,
      userDefinedMetadata: { ...model.json.userDefinedMetadata, latentScale: -1 },
    };
    expect(() => loadAutoencoder(bad, model.bin)).toThrow(/latent scale -1 is not a positive number/);
    tr.dispose();
  });
});

describe('the latent pipeline', () => {
  it('pads the scaled 7x7 latent to 8x8 with zeros, and decoding drops the padding and the scale again', async () => {
    const ae = new Autoencoder(TINY_AE, 4);
    const codec = new LatentCodec(ae, 2);
    expect(codec.sampleShape).toEqual([8, 8, 2]);
    const x = digitsTensor(2);
    const z = (await codec.encode(x).data()) as Float32Array;
    const mean = (await ae.encode(x).mean.data()) as Float32Array;
    for (let b = 0; b < 2; b++)
      for (let r = 0; r < 8; r++)
        for (let c = 0; c < 8; c++)
          for (let k = 0; k < 2; k++) {
            const v = z[((b * 8 + r) * 8 + c) * 2 + k]!;
            if (r === 7 || c === 7) expect(v).toBe(0);
            else expect(v).toBeCloseTo(2 * mean[((b * 7 + r) * 7 + c) * 2 + k]!, 5);
          }
    const decoded = await decodeLatents(codec, z, 2);
    const direct = (await tf.clipByValue(ae.decode(ae.encode(x).mean), -1, 1).data()) as Float32Array;
    for (let i = 0; i < direct.length; i += 37) expect(decoded[i]).toBeCloseTo(direct[i]!, 4);
    expect(() => new LatentCodec(ae, 0)).toThrow(/positive number/);
    tf.dispose(x);
    ae.dispose();
  });

  it('interpolates: pixel frames are straight-line mixes, latent frames start and end at the reconstructions', async () => {
    const ae = new Autoencoder(TINY_AE, 5);
    const xa = new Float32Array(784);
    const xb = new Float32Array(784);
    digits.copySample(0, xa, 0);
    digits.copySample(1, xb, 0);
    const px = interpolatePixels(xa, xb, 5);
    for (const i of [0, 300, 783]) {
      expect(px[i]).toBeCloseTo(xa[i]!, 6);
      expect(px[2 * 784 + i]).toBeCloseTo((xa[i]! + xb[i]!) / 2, 6);
      expect(px[4 * 784 + i]).toBeCloseTo(xb[i]!, 6);
    }
    const lat = await interpolateLatent(ae, xa, xb, 5);
    const recon = (await tf
      .clipByValue(ae.decode(ae.encode(tf.tensor4d([...xa, ...xb], [2, 28, 28, 1])).mean), -1, 1)
      .data()) as Float32Array;
    for (const i of [0, 400, 783]) {
      expect(lat[i]).toBeCloseTo(recon[i]!, 4);
      expect(lat[4 * 784 + i]).toBeCloseTo(recon[784 + i]!, 4);
    }
    ae.dispose();
  });

  it('noises both spaces with the same ᾱ: at ᾱ = 1 the pixels are the digit and the decoded latent its reconstruction', async () => {
    const ae = new Autoencoder(TINY_AE, 6);
    const codec = new LatentCodec(ae, 1.3);
    const x0 = new Float32Array(784);
    digits.copySample(2, x0, 0);
    const ones = (n: number) => new Float32Array(n).fill(1);
    const clean = await noiseBothSpaces(codec, x0, 1, ones);
    expect(Array.from(clean.pixelNoised)).toEqual(Array.from(x0));
    const recon = (await tf
      .clipByValue(ae.decode(ae.encode(tf.tensor4d(x0, [1, 28, 28, 1])).mean), -1, 1)
      .data()) as Float32Array;
    for (const i of [0, 350, 783]) expect(clean.latentDecoded[i]).toBeCloseTo(recon[i]!, 4);
    // at ᾱ = 0.36: x_t = 0.6 x0 + 0.8 ε, with ε = 1 everywhere
    const noisy = await noiseBothSpaces(codec, x0, 0.36, ones);
    for (const i of [0, 350, 783]) expect(noisy.pixelNoised[i]).toBeCloseTo(0.6 * x0[i]! + 0.8, 5);
    expect(noisy.latentPlanes.length).toBe(7 * 7 * 2);
    ae.dispose();
  });

  it('encodes a data set to latents with their labels, reporting progress', async () => {
    const ae = new Autoencoder(TINY_AE, 7);
    const codec = new LatentCodec(ae, 1);
    const seen: number[] = [];
    const small = { ...digits, count: 30 };
    const latents = await encodeTrainData(codec, small, { batch: 16, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual([16, 30]);
    expect(latents.count).toBe(30);
    expect(latents.sampleShape).toEqual([8, 8, 2]);
    expect(latents.label!(5)).toBe(small.label!(5));
    ae.dispose();
  });
});

describe('sharpness', () => {
  it('mean gradient energy: by hand on a 2x2 image, and lower after a blur', () => {
    // [0, 1; 1, 1] in [-1, 1] units = [-1, 1; 1, 1]: differences on the [0, 1] scale 1 (right) and 1 (down)
    expect(gradientEnergy(new Float32Array([-1, 1, 1, 1]), 2)).toBeCloseTo((1 + 1) / 4, 9);
    const x = new Float32Array(784);
    digits.copySample(0, x, 0);
    const blurred = x.map((_, i) => {
      const r = Math.floor(i / 28);
      const c = i % 28;
      let s = 0;
      let n = 0;
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [0, -1],
        [-1, 0],
      ] as const) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || rr >= 28 || cc < 0 || cc >= 28) continue;
        s += x[rr * 28 + cc]!;
        n++;
      }
      return s / n;
    });
    expect(gradientEnergy(blurred, 28)).toBeLessThan(0.8 * gradientEnergy(x, 28));
  });
});
