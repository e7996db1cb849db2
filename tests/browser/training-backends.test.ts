import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UNet } from '../../src/nets/unet';
import { initBackend, type BackendName } from '../../src/runtime/backend';
import { loadMnist } from '../../src/data/mnist';
import { DdpmTrainer, DEFAULT_TRAIN_CONFIG } from '../../src/train/ddpm-trainer';
import { clipByGlobalNorm } from '../../src/train/adam';
import { mnistTrainData } from '../../src/data/train-data';

const TINY = { ch: 8, groups: 4, size: 28, channels: 1 };

/** Gradients of a tiny U-Net's loss for fixed inputs, by weight name. */
async function gradients(backend: BackendName): Promise<Map<string, Float32Array>> {
  const info = await initBackend(backend);
  expect(info.name).toBe(backend);
  const net = new UNet(TINY, 3);
  const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const t = tf.tensor1d([50, 700]);
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(net.apply(x, t))) as tf.Scalar,
    [...net.params.values()],
  );
  const out = new Map<string, Float32Array>();
  for (const [k, v] of net.params) out.set(k, (await grads[v.name]!.data()) as Float32Array);
  tf.dispose([x, t, value, ...Object.values(grads)]);
  net.dispose();
  return out;
}

describe('training works on every backend in Chromium', () => {
  it('U-Net gradients on WebGPU, WebGL and WASM match the CPU backend', async () => {
    const ref = await gradients('cpu');
    for (const b of ['webgpu', 'webgl', 'wasm'] as const) {
      const g = await gradients(b);
      for (const [k, r] of ref) {
        const v = g.get(k)!;
        const scale = Math.max(1e-6, ...r.map(Math.abs));
        const err = Math.max(...r.map((x, i) => Math.abs(x - v[i]!)));
        // WebGL computes in lower precision on some GPUs; a wrong gradient is off by O(1), not 1e-2
        expect(err / scale, `${b} ${k}`).toBeLessThan(b === 'webgl' ? 2e-2 : 2e-3);
      }
    }
  });

  it('DDPM training steps on WebGPU update the weights, stay finite and leak no tensors', async () => {
    await initBackend('webgpu');
    const data = await loadMnist('test');
    const tr = new DdpmTrainer(
      { ...DEFAULT_TRAIN_CONFIG, unet: TINY, batch: 2, lr: 3e-3, warmup: 1 },
      mnistTrainData(data),
    );
    for await (const _ of tr.run(1, { readEvery: 1 })) void _;
    const w0 = Array.from(await tr.net.params.get('oc.w')!.data());
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for await (const p of tr.run(4, { readEvery: 2 })) losses.push(p.loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.every(Number.isFinite)).toBe(true);
    const w1 = Array.from(await tr.net.params.get('oc.w')!.data());
    expect(w1.every(Number.isFinite)).toBe(true);
    expect(w1.some((v, i) => v !== w0[i])).toBe(true);
    tr.dispose();
  });

  it('the global gradient norm is right on every backend for as many tensors as a U-Net has', async () => {
    // 100 gradients g_k = k/100 * ones(3): |g|^2 = sum_k 3 (k/100)^2, derived by hand below
    const expected = Math.sqrt(
      Array.from({ length: 100 }, (_, k) => 3 * (k / 100) ** 2).reduce((a, b) => a + b),
    );
    for (const b of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      expect((await initBackend(b)).name).toBe(b);
      const grads: Record<string, tf.Tensor> = {};
      for (let k = 0; k < 100; k++) grads[`w${k}`] = tf.fill([3], k / 100);
      const r = clipByGlobalNorm(grads, 1);
      const norm = (await r.norm.data())[0]!;
      expect(norm, b).toBeCloseTo(expected, 3);
      // clipped to norm 1: every entry scaled by 1/expected
      expect((await r.grads.w50!.data())[0], b).toBeCloseTo(0.5 / expected, 4);
      tf.dispose([...Object.values(grads), ...Object.values(r.grads), r.norm]);
    }
  });
});
