import { beforeAll, describe, expect, it } from 'vitest';
import { ClipModel, DEFAULT_CLIP, INITIAL_LOGIT_SCALE, unit } from '../../src/nets/clip';
import { multiHeadAttention } from '../../src/nets/layers';
import { UNet, type UNetConfig } from '../../src/nets/unet';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

const CFG = { ...DEFAULT_CLIP, vocab: 40, context: 8, width: 16, heads: 2, embed: 8, imageCh: 4, layers: 2 };

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const ids = (rows: number[][]) => tf.tensor2d(rows, [rows.length, CFG.context], 'int32');

describe('the CLIP-style encoders', () => {
  it('multi-head attention equals the attention of each head written out in plain arrays', async () => {
    const [b, nq, nk, d, heads] = [2, 3, 4, 6, 2];
    const q = tf.randomNormal([b, nq, d], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([b, nk, d], 0, 1, 'float32', 2) as tf.Tensor3D;
    const v = tf.randomNormal([b, nk, d], 0, 1, 'float32', 3) as tf.Tensor3D;
    const { out, weights } = multiHeadAttention(q, k, v, heads);
    const [Q, K, V, O] = await Promise.all([q.array(), k.array(), v.array(), out.array()]);
    const dh = d / heads;
    for (let i = 0; i < b; i++)
      for (let h = 0; h < heads; h++)
        for (let r = 0; r < nq; r++) {
          const s = K[i]!.map(
            (kr) =>
              kr.slice(h * dh, (h + 1) * dh).reduce((a, x, j) => a + x * Q[i]![r]![h * dh + j]!, 0) /
              Math.sqrt(dh),
          );
          const m = Math.max(...s);
          const e = s.map((x) => Math.exp(x - m));
          const z = e.reduce((a, x) => a + x, 0);
          for (let j = 0; j < dh; j++) {
            const want = e.reduce((a, w, c) => a + (w / z) * V[i]![c]![h * dh + j]!, 0);
            expect(O[i]![r]![h * dh + j]!).toBeCloseTo(want, 4);
          }
        }
    expect(weights.shape).toEqual([b, heads, nq, nk]);
    tf.dispose([q, k, v, out, weights]);
  });

  it('is causal: a token state never depends on the tokens after it', async () => {
    const m = new ClipModel(CFG, 1);
    const a = m.tokenStates(ids([[1, 5, 9, 2, 0, 0, 0, 0]]));
    const b = m.tokenStates(ids([[1, 5, 9, 7, 3, 0, 0, 0]]));
    const [A, B] = [(await a.array())[0]!, (await b.array())[0]!];
    for (let p = 0; p < 3; p++)
      for (let j = 0; j < CFG.width; j++) expect(B[p]![j]!).toBeCloseTo(A[p]![j]!, 5);
    expect(Math.abs(B[3]![0]! - A[3]![0]!)).toBeGreaterThan(1e-4); // the changed token itself does change
    tf.dispose([a, b]);
    m.dispose();
  });

  it('the contrastive loss is the mean of both cross-entropies over the scaled cosine similarities', async () => {
    const m = new ClipModel(CFG, 2);
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const t = ids([
      [1, 4, 2, 0, 0, 0, 0, 0],
      [1, 6, 7, 2, 0, 0, 0, 0],
      [1, 9, 2, 0, 0, 0, 0, 0],
    ]);
    const ends = tf.tensor1d([2, 3, 2], 'int32');
    const loss = (await m.contrastiveLoss(x, t, ends).data())[0]!;
    const I = await m.imageEmbedding(x).array();
    const T = await m.textEmbedding(t, ends).array();
    const s = Math.exp(INITIAL_LOGIT_SCALE);
    const logits = I.map((a) => T.map((b) => s * a.reduce((acc, v, j) => acc + v * b[j]!, 0)));
    const ce = (rows: number[][]) =>
      rows.reduce((acc, r, i) => acc + Math.log(r.reduce((a, v) => a + Math.exp(v), 0)) - r[i]!, 0) /
      rows.length;
    const cols = logits[0]!.map((_, j) => logits.map((r) => r[j]!));
    expect(loss).toBeCloseTo((ce(logits) + ce(cols)) / 2, 4);
    for (const e of [...I, ...T]) expect(Math.hypot(...e)).toBeCloseTo(1, 5);
    tf.dispose([x, t, ends]);
    m.dispose();
  });

  it('every weight gets a gradient, and the tensor count is stable over steps', () => {
    const m = new ClipModel(CFG, 3);
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    const t = ids([
      [1, 4, 2, 0, 0, 0, 0, 0],
      [1, 6, 2, 0, 0, 0, 0, 0],
    ]);
    const ends = tf.tensor1d([2, 2], 'int32');
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++)
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => m.contrastiveLoss(x, t, ends), [...m.params.values()]);
        for (const [name, v] of m.params) {
          const g = grads[v.name];
          expect(g, name).toBeDefined();
          if (name !== 'tok' && name !== 'pos')
            expect(tf.sum(tf.abs(g!)).dataSync()[0], name).toBeGreaterThan(0);
        }
      });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t, ends, unit(tf.ones([1, 2]))]);
    m.dispose();
  });
});

describe('cross-attention in the U-Net', () => {
  const base: UNetConfig = { ch: 8, groups: 4, size: 8, channels: 4 };
  const text = { width: 16, length: 8, heads: 2 };

  it('starts as the identity: a fresh text U-Net computes what the same U-Net without text does', async () => {
    const plain = new UNet(base, 4);
    const withText = new UNet({ ...base, text }, 4);
    withText.setWeights(
      new Map(
        withText.paramSpecs.map((s) => [
          s.name,
          {
            shape: s.shape,
            data: plain.params.has(s.name)
              ? (plain.params.get(s.name)!.dataSync() as Float32Array)
              : (withText.params.get(s.name)!.dataSync() as Float32Array),
          },
        ]),
      ),
    );
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 7);
    const t = tf.tensor1d([10, 500]);
    const states = tf.randomNormal([2, 8, 16], 0, 1, 'float32', 8) as tf.Tensor3D;
    const a = await plain.apply(x, t).data();
    const b = await withText.apply(x, t, states).data();
    for (let i = 0; i < a.length; i += 17) expect(b[i]!).toBeCloseTo(a[i]!, 5);
    tf.dispose([x, t, states]);
    plain.dispose();
    withText.dispose();
  });

  it('once trained away from zero, the output depends on the text, and the maps are softmax rows over tokens', async () => {
    const net = new UNet({ ...base, text }, 5);
    tf.tidy(() => {
      for (const [k, v] of net.params)
        if (/\.o\.w$/.test(k)) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 9));
    });
    const x = tf.randomNormal([1, 8, 8, 4], 0, 1, 'float32', 10);
    const t = tf.tensor1d([300]);
    const s1 = tf.randomNormal([1, 8, 16], 0, 1, 'float32', 11) as tf.Tensor3D;
    const s2 = tf.randomNormal([1, 8, 16], 0, 1, 'float32', 12) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { out, maps } = net.crossAttentionMaps(x, t, s1);
    const o2 = net.apply(x, t, s2);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out, o2))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-3);
    expect([...maps.keys()]).toEqual(['x1', 'x2', 'xm', 'x3', 'x4']);
    expect(maps.get('x1')!.shape).toEqual([1, 64, 8]); // 8x8 grid, 8 tokens
    expect(maps.get('xm')!.shape).toEqual([1, 4, 8]); // 2x2 grid
    const sumT = tf.sum(maps.get('x4')!, 2);
    const sums = await sumT.data();
    sumT.dispose();
    for (const v of sums) expect(v).toBeCloseTo(1, 5);
    tf.dispose([out, o2, ...maps.values()]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => net.apply(x, t)).toThrow(/token states \[B, 8, 16\]/);
    tf.dispose([x, t, s1, s2]);
    net.dispose();
  });
});
