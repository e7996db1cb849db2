import { beforeAll, describe, expect, it } from 'vitest';
import { groupNorm, upsample2x } from '../../src/nets/layers';
import { UNet, UNET_PRESETS, type UNetConfig } from '../../src/nets/unet';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

const TINY: UNetConfig = { ch: 8, groups: 4, size: 28, channels: 1 };

/** Parameter count written out from the architecture (same layers as the PyTorch peer). */
function expectedParams(c: number, depth: readonly [number, number, number] = [1, 1, 1]): number {
  const td = 4 * c;
  const conv = (k: number, i: number, o: number) => k * k * i * o + o;
  const lin = (i: number, o: number) => i * o + o;
  const norm = (n: number) => 2 * n;
  const res = (i: number, o: number) =>
    norm(i) + conv(3, i, o) + lin(td, o) + norm(o) + conv(3, o, o) + (i !== o ? conv(1, i, o) : 0);
  // Each block beyond the first of a level adds one res(ch, ch) on each side (at 7x7: each side of the attention).
  const extra =
    2 *
    ((depth[0] - 1) * res(c, c) + (depth[1] - 1) * res(2 * c, 2 * c) + (depth[2] - 1) * res(4 * c, 4 * c));
  return (
    extra +
    lin(c, td) +
    lin(td, td) +
    conv(3, 1, c) +
    res(c, c) +
    conv(3, c, 2 * c) +
    res(2 * c, 2 * c) +
    conv(3, 2 * c, 4 * c) +
    res(4 * c, 4 * c) +
    norm(4 * c) +
    4 * lin(4 * c, 4 * c) +
    res(4 * c, 4 * c) +
    conv(3, 6 * c, 2 * c) +
    res(2 * c, 2 * c) +
    conv(3, 3 * c, c) +
    res(c, c) +
    norm(c) +
    conv(3, c, 1)
  );
}

describe('U-Net', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('depth: more residual blocks per level, named after the first, counted and run', async () => {
    const deep = new UNet({ ...UNET_PRESETS.shipped, depth: [1, 2, 3] });
    expect(deep.paramCount).toBe(expectedParams(32, [1, 2, 3]));
    expect(expectedParams(32, [1, 2, 3])).toBeGreaterThan(expectedParams(32));
    const blocks = [...new Set([...deep.params.keys()].map((k) => k.split('.')[0]!))].filter((b) =>
      /^[rm]\d/.test(b),
    );
    expect(blocks).toEqual(['r1', 'r2', 'r2b', 'm1', 'm1b', 'm1c', 'm2', 'm2b', 'm2c', 'r3', 'r3b', 'r4']);
    const y = deep.apply(tf.zeros([2, 28, 28, 1]), tf.tensor1d([3, 700]));
    expect(y.shape).toEqual([2, 28, 28, 1]);
    expect((await y.data()).every(Number.isFinite)).toBe(true);
    tf.dispose(y);
    deep.dispose();
    expect(() => new UNet({ ...TINY, depth: [1, 0, 1] })).toThrow(/depth/);
    const plain = new UNet(UNET_PRESETS.shipped);
    expect(plain.paramCount).toBe(expectedParams(32)); // the default is [1, 1, 1]
    plain.dispose();
  });

  it('has the parameter count of its architecture (1,153,025 for the shipped preset, as the PyTorch peer)', () => {
    for (const cfg of [TINY, UNET_PRESETS.classroom, UNET_PRESETS.shipped]) {
      const net = new UNet(cfg);
      expect(net.paramCount).toBe(expectedParams(cfg.ch));
      net.dispose();
    }
    expect(expectedParams(32)).toBe(1_153_025);
  });

  it('maps [B, 28, 28, 1] to [B, 28, 28, 1], deterministically for a seed, and leaks nothing', async () => {
    const a = new UNet(TINY, 7);
    const b = new UNet(TINY, 7);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const t = tf.tensor1d([0, 500, 999]);
    const ya = a.apply(x, t);
    const yb = b.apply(x, t);
    expect(ya.shape).toEqual([3, 28, 28, 1]);
    const [da, db] = [await ya.data(), await yb.data()];
    expect(da.every(Number.isFinite)).toBe(true);
    expect(Array.from(da)).toEqual(Array.from(db));
    tf.dispose([x, t, ya, yb]);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });

  it('the time embedding changes the output', async () => {
    const net = new UNet(TINY, 1);
    const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    const y = await net.apply(x, tf.tensor1d([10, 900])).data();
    const first = y.slice(0, 784);
    const second = y.slice(784);
    expect(first.some((v, i) => Math.abs(v - second[i]!) > 1e-4)).toBe(true);
    x.dispose();
    net.dispose();
  });

  it('FLOPs per image grow ~4x from the classroom to the shipped preset (channels doubled)', () => {
    const small = new UNet(UNET_PRESETS.classroom);
    const big = new UNet(UNET_PRESETS.shipped);
    const r = big.flopsPerImage() / small.flopsPerImage();
    expect(r).toBeGreaterThan(3.5);
    expect(r).toBeLessThan(4.1);
    // the first conv alone: 2 * 28*28 * 9 * 1 * 32 = 451,584 FLOPs is a lower bound piece
    expect(big.flopsPerImage()).toBeGreaterThan(451_584 * 100);
    small.dispose();
    big.dispose();
  });

  it('groupNorm matches a plain-loop reference with non-trivial gamma and beta', async () => {
    const [b, h, w, c, g] = [2, 3, 4, 6, 3];
    const xs = Array.from({ length: b * h * w * c }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 5));
    const gamma = Array.from({ length: c }, (_, i) => 0.5 + i * 0.3);
    const beta = Array.from({ length: c }, (_, i) => i - 2);
    const y = groupNorm(tf.tensor4d(xs, [b, h, w, c]), tf.tensor1d(gamma), tf.tensor1d(beta), g);
    const got = await y.data();
    const per = c / g;
    for (let n = 0; n < b; n++)
      for (let gi = 0; gi < g; gi++) {
        const idx: number[] = [];
        for (let p = 0; p < h * w; p++)
          for (let k = 0; k < per; k++) idx.push((n * h * w + p) * c + gi * per + k);
        const m = idx.reduce((a, i) => a + xs[i]!, 0) / idx.length;
        const v = idx.reduce((a, i) => a + (xs[i]! - m) ** 2, 0) / idx.length;
        for (const i of idx) {
          const ch = i % c;
          expect(got[i]).toBeCloseTo(((xs[i]! - m) / Math.sqrt(v + 1e-5)) * gamma[ch]! + beta[ch]!, 4);
        }
      }
    y.dispose();
  });

  it('upsample2x repeats each pixel in a 2x2 block', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(Array.from(await upsample2x(x).data())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('gradients of the whole net on WASM (our conv kernels) match the CPU backend', async () => {
    const grads = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const net = new UNet(TINY, 5);
      const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
      const t = tf.tensor1d([100, 800]);
      const { grads: g } = tf.variableGrads(
        () => tf.mean(tf.square(net.apply(x, t))) as tf.Scalar,
        [...net.params.values()],
      );
      const out = new Map<string, Float32Array>();
      for (const [k, v] of net.params) out.set(k, (await g[v.name]!.data()) as Float32Array);
      tf.dispose([x, t, ...Object.values(g)]);
      net.dispose();
      return out;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    expect(wasm.size).toBe(cpu.size);
    for (const [k, c] of cpu) {
      const w = wasm.get(k)!;
      const scale = Math.max(1e-6, ...c.map(Math.abs));
      const err = Math.max(...c.map((v, i) => Math.abs(v - w[i]!)));
      expect(err / scale, k).toBeLessThan(2e-3);
    }
  });
});
