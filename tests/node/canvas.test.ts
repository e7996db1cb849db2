// The multi-digit canvas (src/data/canvas.ts), its captions (src/text/canvas-captions.ts) and the judge
// that reads a canvas back (src/metrics/canvas-judge.ts): scenes obey their own rules, a digit drawn at
// its own size is the MNIST image itself, and on real canvases the judge finds and names the digits
// (its ceiling, which a generator is measured against).
import { mulberry32 } from '../../src/diffusion/random';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CANVAS_PIXELS,
  CANVAS_SIDE,
  canvasTrainData,
  indicesByClass,
  makeScene,
  relationOf,
  renderScene,
  resizeArea,
  type CanvasScene,
} from '../../src/data/canvas';
import { loadMnistNode } from '../../src/data/mnist-node';
import { classify } from '../../src/metrics/evaluate';
import { findDigits, judge } from '../../src/metrics/canvas-judge';
import {
  canvasTrainingCaption,
  countCaption,
  relationCaption,
  sceneCaption,
} from '../../src/text/canvas-captions';
import { loadClassifier } from '../../src/cli/classifier-files';
import { initNodeBackend } from '../../src/runtime/tf-node';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const split = loadMnistNode('test');
const byClass = indicesByClass(split.labels);

describe('multi-digit canvases', () => {
  it('makes scenes that keep their own rules, the same for the same seed', () => {
    let counts = 0;
    for (let k = 0; k < 300; k++) {
      const s = makeScene(byClass, k, 1, mulberry32);
      expect(makeScene(byClass, k, 1, mulberry32)).toEqual(s);
      for (const d of s.digits) {
        expect(d.x).toBeGreaterThanOrEqual(0);
        expect(d.x + d.size).toBeLessThanOrEqual(CANVAS_SIDE);
        expect(d.y + d.size).toBeLessThanOrEqual(CANVAS_SIDE);
        expect(split.labels[d.index]).toBe(d.digit);
      }
      for (let i = 0; i < s.digits.length; i++)
        for (let j = i + 1; j < s.digits.length; j++) {
          const a = s.digits[i]!;
          const b = s.digits[j]!;
          const apart = a.x + a.size < b.x || b.x + b.size < a.x || a.y + a.size < b.y || b.y + b.size < a.y;
          expect(apart).toBe(true);
        }
      if (s.kind === 'count') {
        counts++;
        expect(s.digits.length).toBeGreaterThanOrEqual(1);
        expect(s.digits.length).toBeLessThanOrEqual(4);
        expect(s.digits.every((d) => d.digit === s.digit)).toBe(true);
      } else {
        expect(s.digits[0].digit).not.toBe(s.digits[1].digit);
        expect(relationOf(s.digits[0], s.digits[1])).toBe(s.relation);
      }
    }
    expect(counts).toBeGreaterThan(110); // about half of each kind
    expect(counts).toBeLessThan(190);
  });

  it('draws a digit at its own size as the MNIST image itself', () => {
    const i = byClass[3]![0]!;
    const scene: CanvasScene = {
      kind: 'count',
      digit: 3,
      digits: [{ index: i, digit: 3, x: 5, y: 9, size: 28 }],
    };
    const out = new Float32Array(CANVAS_PIXELS);
    renderScene(scene, split, out);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        expect(out[(9 + y) * CANVAS_SIDE + 5 + x]).toBeCloseTo(
          (split.images[i * 784 + y * 28 + x]! / 255) * 2 - 1,
          5,
        );
    expect(out[0]).toBe(-1);
  });

  it('resamples by area: a constant stays constant, a 2×2 checker halves to its mean', () => {
    expect(
      [...resizeArea(new Float32Array(36).fill(0.3), 6, 6, 4, 4)].every((v) => Math.abs(v - 0.3) < 1e-6),
    ).toBe(true);
    const checker = Float32Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2);
    expect([...resizeArea(checker, 4, 4, 2, 2)]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('captions scenes in words', () => {
    expect(countCaption(7, 3)).toBe('three sevens');
    expect(countCaption(7, 1, 2)).toBe('a seven');
    expect(countCaption(6, 2, 1)).toBe('a canvas with two sixes');
    expect(relationCaption(3, 'left of', 7)).toBe('a three left of a seven');
    expect(relationCaption(9, 'above', 1, 1)).toBe('nine above one');
    const s = makeScene(byClass, 4, 0, mulberry32);
    const seen = new Set(Array.from({ length: 40 }, (_, e) => canvasTrainingCaption(s, 4, e)));
    expect(seen.size).toBeGreaterThan(1);
    for (const c of seen) expect([0, 1, 2].map((p) => sceneCaption(s, p))).toContain(c);
  });

  it('reads real canvases back: the right number of digits and, with the classifier, the right scene', async () => {
    const data = canvasTrainData(split, 200, 3, mulberry32);
    const img = new Float32Array(CANVAS_PIXELS);
    const crops: Float32Array[] = [];
    const found: ReturnType<typeof findDigits>[] = [];
    let countRight = 0;
    for (let k = 0; k < data.count; k++) {
      data.copySample(k, img, 0);
      const f = findDigits(img, CANVAS_SIDE);
      found.push(f);
      if (f.length === data.scenes[k]!.digits.length) countRight++;
      crops.push(...f.map((d) => d.crop));
    }
    expect(countRight / data.count).toBeGreaterThan(0.95);
    const all = new Float32Array(crops.length * 784);
    crops.forEach((c, i) => all.set(c, i * 784));
    const { probs } = await classify(loadClassifier(), all);
    let at = 0;
    let right = 0;
    for (let k = 0; k < data.count; k++) {
      const s = data.scenes[k]!;
      const classes = found[k]!.map(() => {
        const p = probs.subarray(at * 10, at * 10 + 10);
        at++;
        return p.indexOf(Math.max(...p));
      });
      const ask =
        s.kind === 'count'
          ? { kind: 'count' as const, digit: s.digit, n: s.digits.length }
          : { kind: 'relation' as const, a: s.digits[0].digit, relation: s.relation, b: s.digits[1].digit };
      if (judge(found[k]!, classes, ask).right) right++;
    }
    expect(right / data.count).toBeGreaterThan(0.8);
  }, 60_000);
});
