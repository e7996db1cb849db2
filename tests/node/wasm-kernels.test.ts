import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';
import { poolPlan } from '../../src/runtime/wasm-kernels';
import { mulberry32 } from '../../src/diffusion/random';

/** Run f on a backend and read its result back as plain numbers. */
async function on(
  backend: 'cpu' | 'wasm',
  f: () => tf.Tensor,
): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend);
  const t = f();
  const out = { shape: t.shape, values: Array.from(await t.data()) };
  t.dispose();
  return out;
}

describe('poolPlan (which reductions become an average pool)', () => {
  it('pools a contiguous run of axes that is not innermost, and only that', () => {
    expect(poolPlan([64, 28, 28, 32], [0, 1, 2])).toEqual({ pre: 1, red: 64 * 28 * 28, post: 32 });
    expect(poolPlan([64, 28, 28, 32], [1, 2])).toEqual({ pre: 64, red: 784, post: 32 });
    expect(poolPlan([64, 28, 28, 32], [2, 1])).toEqual({ pre: 64, red: 784, post: 32 });
    expect(poolPlan([4, 5, 6], [1])).toEqual({ pre: 4, red: 5, post: 6 });
    expect(poolPlan([64, 28, 28, 32], [3])).toBeNull(); // innermost: the stock kernel needs no transpose
    expect(poolPlan([64, 28, 28, 32], [1, 2, 3])).toBeNull();
    expect(poolPlan([64, 28, 28, 32], [0, 2])).toBeNull(); // not contiguous
    expect(poolPlan([64, 1, 1, 32], [1, 2])).toBeNull(); // nothing to reduce
    expect(poolPlan([5, 6], [])).toBeNull();
  });
});

describe('replaced WASM kernels match the CPU backend', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm'); // registers the replacements
  });

  const rand = mulberry32(77);
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [6, 7, 8, 5], axis: [0, 1, 2], keepDims: false },
    { shape: [6, 7, 8, 5], axis: [1, 2], keepDims: true },
    { shape: [6, 7, 8, 5], axis: [-3, -2], keepDims: false },
    { shape: [3, 4, 5], axis: 1, keepDims: false },
    { shape: [3, 4, 5], axis: 0, keepDims: true },
    { shape: [6, 7, 8, 5], axis: [0, 2], keepDims: false }, // falls back to the stock kernel
    { shape: [6, 7, 8, 5], axis: 3, keepDims: true }, // innermost: stock kernel
    { shape: [2, 3, 2, 3, 2, 4], axis: [1, 2, 3, 4], keepDims: false }, // 6-D, as upsampling gradients
    { shape: [64, 28, 28, 4], axis: [0, 1, 2], keepDims: false }, // a big window (50,176 rows)
  ];
  for (const op of ['sum', 'mean'] as const) {
    for (const c of cases) {
      it(`${op} over ${JSON.stringify(c.axis)} of ${JSON.stringify(c.shape)} (keepDims ${c.keepDims})`, async () => {
        const n = c.shape.reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, () => rand() * 4 - 1); // mean ~1: sums grow with n
        const f = () => tf.tidy(() => tf[op](tf.tensor(data, c.shape), c.axis, c.keepDims));
        const ref = await on('cpu', f);
        const got = await on('wasm', f);
        expect(got.shape).toEqual(ref.shape);
        const scale = Math.max(...ref.values.map(Math.abs));
        for (let i = 0; i < ref.values.length; i++)
          expect(Math.abs(got.values[i]! - ref.values[i]!)).toBeLessThan(1e-5 * scale + 1e-6);
      });
    }
  }

  it('integer sums still use the exact stock kernel', async () => {
    const f = () =>
      tf.tidy(() =>
        tf.sum(
          tf.tensor(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
            'int32',
          ),
          0,
        ),
      );
    const got = await on('wasm', f);
    expect(got.values).toEqual([5, 7, 9]);
  });

  it('Identity and same-dtype Cast share data safely; other casts convert', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const y = tf.clone(x); // Identity
    const z = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId); // one buffer for all three, not three copies
    expect(z.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1.5, -2.25, 3]); // still alive after the source is gone
    y.dispose();
    expect(Array.from(await z.data())).toEqual([1.5, -2.25, 3]);
    const i = tf.cast(z, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(await i.data())).toEqual([1, -2, 3]);
    tf.dispose([z, i]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a variable assigned from a clone keeps its own value when the clone source changes', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snap = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(await snap.data())).toEqual([1, 2]);
    expect(Array.from(await v.data())).toEqual([5, 6]);
    tf.dispose([v, snap]);
  });
});
