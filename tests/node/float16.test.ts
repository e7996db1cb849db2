// IEEE float16 storage of weights (src/nets/weights-format.ts), against values worked out by hand from the
// format (1 sign bit, 5 exponent bits with bias 15, 10 fraction bits) and, for every one of the 65,536 bit
// patterns, against a decoder written from the definition in plain arithmetic.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHIPPED_MODELS } from '../../src/nets/registry';
import { servedWeights } from '../../scripts/vite-plugin-models';
import {
  decodeWeights,
  encodeWeights,
  fromFloat16,
  toFloat16,
  WeightsError,
} from '../../src/nets/weights-format';

const bits = (xs: number[]) => Array.from(toFloat16(Float32Array.from(xs)));

/** value(h) = (-1)^s · 2^(e-15) · (1 + f/1024), or 2^-14 · f/1024 when e = 0. */
function definition(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0x1f) return f ? NaN : s * Infinity;
  return e === 0 ? s * 2 ** -14 * (f / 1024) : s * 2 ** (e - 15) * (1 + f / 1024);
}

describe('float16 weights', () => {
  it('encodes known values exactly', () => {
    expect(bits([1, -2, 0.5, 65504, 0, -0, 2 ** -14, 2 ** -24])).toEqual([
      0x3c00, 0xc000, 0x3800, 0x7bff, 0x0000, 0x8000, 0x0400, 0x0001,
    ]);
    // 0.1 = 1.6 · 2^-4: fraction 0.6 · 1024 = 614.4, rounded to 614 = 0x266
    expect(bits([0.1])).toEqual([0x2e66]);
    // ties go to the even neighbour: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
    expect(bits([1 + 2 ** -11, 1 + 3 * 2 ** -11])).toEqual([0x3c00, 0x3c02]);
    // below half of the smallest subnormal: zero; the halfway point rounds to even (zero)
    expect(bits([2 ** -26, 2 ** -25, 1.5 * 2 ** -25])).toEqual([0, 0, 1]);
    expect(() => toFloat16(Float32Array.from([70000]))).toThrow(WeightsError);
  });

  it('decodes every bit pattern as the definition says', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const got = fromFloat16(all);
    for (let h = 0; h < 65536; h++) {
      const want = definition(h);
      if (Number.isNaN(want)) expect(Number.isNaN(got[h]!)).toBe(true);
      else expect(Object.is(got[h], Math.fround(want))).toBe(true); // -0 and +0 told apart
    }
  });

  it('rounds any float32 in range to the nearest float16 (relative error at most 2^-11)', () => {
    fc.assert(
      fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (x) => {
        const back = fromFloat16(toFloat16(Float32Array.from([x])))[0]!;
        if (Math.abs(x) >= 2 ** -14) expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
        else expect(Math.abs(back - x)).toBeLessThanOrEqual(2 ** -25);
        // round trip of the result is exact (it is a float16 value)
        expect(fromFloat16(toFloat16(Float32Array.from([back])))[0]).toBe(back);
      }),
      { numRuns: 5000 },
    );
  });

  it('a weights file stored as float16 is half the size and decodes to the rounded values', () => {
    const data = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) / 3);
    const w = { name: 'a.w', shape: [8, 8] };
    const f32 = encodeWeights([{ ...w, data }], 'weights.bin', {});
    const f16 = encodeWeights([{ ...w, data, dtype: 'float16' }], 'weights.bin', {});
    expect(f16.bin.byteLength).toBe(f32.bin.byteLength / 2);
    expect(f16.json.weightsManifest[0]!.weights[0]!.dtype).toBe('float16');
    const back = decodeWeights(f16.json, f16.bin, [w]).weights.get('a.w')!.data;
    expect(Array.from(back)).toEqual(Array.from(fromFloat16(toFloat16(data))));
  });

  it('the build serves the U-Nets marked float16 at half the bytes, each weight the rounding of the committed one', () => {
    const marked = Object.values(SHIPPED_MODELS).filter((m) => 'servedAs' in m && m.servedAs === 'float16');
    expect(marked.map((m) => m.id).sort()).toEqual(['ddpm-mnist', 'ldm-mnist', 't2i-mnist']);
    const id = 'ldm-mnist';
    const json = readFileSync(`models/${id}/model.json`, 'utf8');
    const bin = new Uint8Array(readFileSync(`models/${id}/weights.bin`));
    const served = servedWeights(id);
    expect(served.bin.byteLength).toBe(bin.byteLength / 2);
    const full = decodeWeights(json, bin);
    const half = decodeWeights(served.json, served.bin);
    expect(half.metadata.storedAs).toMatch(/float16/);
    for (const [name, w] of full.weights)
      expect(Array.from(half.weights.get(name)!.data)).toEqual(Array.from(fromFloat16(toFloat16(w.data))));
    // a network other models pair with by its weights' hash is served as committed
    const ae = servedWeights('autoencoder-mnist');
    expect(ae.bin).toEqual(new Uint8Array(readFileSync('models/autoencoder-mnist/weights.bin')));
  });
});
