import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/diffusion/random';

type Case = {
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  pad: 'same' | 'valid' | number;
};

const rand = mulberry32(2024);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const CASES: Case[] = [
  { b: 2, h: 28, w: 28, ci: 3, co: 5, k: [3, 3], s: [1, 1], pad: 'same' },
  { b: 2, h: 28, w: 28, ci: 4, co: 6, k: [3, 3], s: [2, 2], pad: 'same' },
  { b: 3, h: 7, w: 7, ci: 8, co: 8, k: [1, 1], s: [1, 1], pad: 'valid' },
  { b: 1, h: 9, w: 11, ci: 2, co: 3, k: [3, 5], s: [2, 3], pad: 'valid' },
  { b: 2, h: 10, w: 10, ci: 3, co: 2, k: [4, 4], s: [2, 2], pad: 'same' },
  { b: 2, h: 8, w: 9, ci: 3, co: 4, k: [3, 3], s: [1, 2], pad: 1 },
];
// and random ones
for (let i = 0; i < 6; i++) {
  const k: [number, number] = [int(1, 4), int(1, 4)];
  const s: [number, number] = [int(1, 3), int(1, 3)];
  CASES.push({
    b: int(1, 3),
    h: int(k[0] + 2, 14),
    w: int(k[1] + 2, 14),
    ci: int(1, 5),
    co: int(1, 5),
    k,
    s,
    pad: rand() < 0.5 ? 'same' : 'valid',
  });
}

async function grads(
  backend: 'cpu' | 'wasm',
  c: Case,
  xv: Float32Array,
  wv: Float32Array,
  dyv: Float32Array,
) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(xv, [c.b, c.h, c.w, c.ci]);
  const w = tf.tensor4d(wv, [...c.k, c.ci, c.co]);
  const y = tf.conv2d(x, w, c.s, c.pad);
  const dy = tf.tensor(dyv.subarray(0, y.size), y.shape) as tf.Tensor4D;
  // d/dx and d/dW of sum(y * dy) are exactly the two backprop kernels applied to dy
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), dy));
  const [dx, dw] = tf.grads(f)([x, w]);
  const out = { dx: await dx!.data(), dw: await dw!.data(), yShape: y.shape };
  tf.dispose([x, w, y, dy, dx!, dw!]);
  return out;
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

describe('WASM conv gradient kernels', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it.each(CASES.map((c) => [`${c.b}x${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.s} ${c.pad}`, c] as const))(
    '%s matches the CPU backend',
    async (_, c) => {
      const n = c.b * c.h * c.w * Math.max(c.ci, c.co) * 4;
      const r = mulberry32(c.h * 31 + c.ci);
      const rv = (m: number) => Float32Array.from({ length: m }, () => r() * 2 - 1);
      const xv = rv(c.b * c.h * c.w * c.ci);
      const wv = rv(c.k[0] * c.k[1] * c.ci * c.co);
      const dyv = rv(n);
      const cpu = await grads('cpu', c, xv, wv, dyv);
      const wasm = await grads('wasm', c, xv, wv, dyv);
      expect(wasm.yShape).toEqual(cpu.yShape);
      expect(wasm.dx.length).toBe(cpu.dx.length);
      expect(maxRelErr(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
      expect(maxRelErr(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
    },
  );

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
        )([x, w]),
      );
    tf.dispose(step());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
