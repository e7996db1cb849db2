/**
 * A multi-digit canvas: 1 to 4 MNIST digits at random positions and sizes on a 56×56 canvas, each scene
 * with what is in it, for the experiments of "What diffusion still gets wrong" (counting and spatial
 * relations). Two kinds of scene, half each:
 *   count     n copies (1–4) of one digit, different handwriting each ("three sevens");
 *   relation  two different digits, one clearly left of, right of, above or below the other ("a three
 *             left of a seven"), judged by their centres.
 * Positions are free (no fixed slots, which would make "left of" a matter of which slot), boxes never
 * overlap, sizes vary from 18 to 28 pixels. Everything comes from (seed, scene index) through the seeded
 * generator the caller passes (src/diffusion/random.ts's mulberry32: this layer imports nothing of the
 * project's), so a scene is the same on every machine; pixels are drawn on demand.
 */
import { MNIST_SIDE, type MnistSplit } from './mnist-asset';
import type { TrainData } from './train-data';

export const CANVAS_SIDE = 56;
export const CANVAS_PIXELS = CANVAS_SIDE * CANVAS_SIDE;
export const MIN_DIGIT = 18;
export const MAX_DIGIT = 28;
export const MAX_COUNT = 4;
export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type Relation = (typeof RELATIONS)[number];

/** One digit on the canvas: which MNIST image, its class, and its square box (top-left corner, side). */
export interface PlacedDigit {
  index: number;
  digit: number;
  x: number;
  y: number;
  size: number;
}

/** A seeded uniform generator: the same seed, the same numbers in [0, 1). */
export type SeededRandom = (seed: number) => () => number;

export type CanvasScene =
  | { kind: 'count'; digit: number; digits: PlacedDigit[] }
  | { kind: 'relation'; relation: Relation; digits: [PlacedDigit, PlacedDigit] };

/** Centre of a box. */
export const centre = (d: { x: number; y: number; size: number }): [number, number] => [
  d.x + d.size / 2,
  d.y + d.size / 2,
];

/**
 * The relation of a to b by their centres, when one axis clearly dominates (by at least `margin`
 * pixels): "left of" when a is further left than it is above or below, and so on; null when neither
 * axis dominates.
 */
export function relationOf(
  a: { x: number; y: number; size: number },
  b: { x: number; y: number; size: number },
  margin = 4,
): Relation | null {
  const [ax, ay] = centre(a);
  const [bx, by] = centre(b);
  const dx = bx - ax;
  const dy = by - ay;
  if (Math.abs(dx) >= Math.abs(dy) + margin) return dx > 0 ? 'left of' : 'right of';
  if (Math.abs(dy) >= Math.abs(dx) + margin) return dy > 0 ? 'above' : 'below';
  return null;
}

/** Indices of each class in a split (for picking a digit of a given class). */
export function indicesByClass(labels: ArrayLike<number>): number[][] {
  const by: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) by[labels[i]!]!.push(i);
  return by;
}

const overlaps = (a: PlacedDigit, b: PlacedDigit, gap = 1) =>
  a.x < b.x + b.size + gap &&
  b.x < a.x + a.size + gap &&
  a.y < b.y + b.size + gap &&
  b.y < a.y + a.size + gap;

/** Scene k of a canvas set from `seed`: its kind, digits, classes and boxes. */
export function makeScene(byClass: number[][], k: number, seed: number, random: SeededRandom): CanvasScene {
  const rand = random(((k + 1) * 2654435761 + seed * 97 + 12345) >>> 0);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = (digit: number) => byClass[digit]![int(byClass[digit]!.length)]!;
  const relation = rand() < 0.5;
  for (;;) {
    const classes = relation
      ? (() => {
          const a = int(10);
          return [a, (a + 1 + int(9)) % 10];
        })()
      : (() => {
          const c = int(10);
          return new Array<number>(1 + int(MAX_COUNT)).fill(c);
        })();
    const placed: PlacedDigit[] = [];
    let ok = true;
    for (const digit of classes) {
      let found: PlacedDigit | null = null;
      for (let tries = 0; tries < 60 && !found; tries++) {
        const size = MIN_DIGIT + int(MAX_DIGIT - MIN_DIGIT + 1);
        const d = { index: -1, digit, x: int(CANVAS_SIDE - size + 1), y: int(CANVAS_SIDE - size + 1), size };
        if (placed.every((p) => !overlaps(p, d))) found = d;
      }
      if (!found) {
        ok = false;
        break;
      }
      placed.push({ ...found, index: pick(digit) });
    }
    if (!ok) continue;
    if (!relation) return { kind: 'count', digit: classes[0]!, digits: placed };
    const r = relationOf(placed[0]!, placed[1]!);
    if (r) return { kind: 'relation', relation: r, digits: [placed[0]!, placed[1]!] };
  }
}

/** Resample a w×h image to W×H by area averaging (each target pixel the mean of the source under it). */
export function resizeArea(src: ArrayLike<number>, w: number, h: number, W: number, H: number): Float32Array {
  const out = new Float32Array(W * H);
  const sx = w / W;
  const sy = h / H;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let sum = 0;
      let wt = 0;
      const ya = y * sy;
      const yb = (y + 1) * sy;
      const xa = x * sx;
      const xb = (x + 1) * sx;
      for (let j = Math.floor(ya); j < Math.ceil(yb); j++)
        for (let i = Math.floor(xa); i < Math.ceil(xb); i++) {
          const a = (Math.min(yb, j + 1) - Math.max(ya, j)) * (Math.min(xb, i + 1) - Math.max(xa, i));
          sum += a * src[j * w + i]!;
          wt += a;
        }
      out[y * W + x] = sum / wt;
    }
  return out;
}

/**
 * Draw a scene's digits (each MNIST image scaled to its box by area averaging) onto a canvas of -1s,
 * the brighter pixel winning where two meet; values in [-1, 1].
 */
export function renderScene(scene: CanvasScene, split: MnistSplit, out: Float32Array, offset = 0): void {
  out.fill(-1, offset, offset + CANVAS_PIXELS);
  const per = MNIST_SIDE * MNIST_SIDE;
  for (const d of scene.digits) {
    const digit = split.images.subarray(d.index * per, (d.index + 1) * per);
    const small = resizeArea(digit, MNIST_SIDE, MNIST_SIDE, d.size, d.size);
    for (let y = 0; y < d.size; y++)
      for (let x = 0; x < d.size; x++) {
        const v = (small[y * d.size + x]! / 255) * 2 - 1;
        const o = offset + (d.y + y) * CANVAS_SIDE + d.x + x;
        if (v > out[o]!) out[o] = v;
      }
  }
}

/** `count` canvases from a split's digits as training data (56×56×1 in [-1, 1]), with their scenes. */
export function canvasTrainData(
  split: MnistSplit,
  count: number,
  seed: number,
  random: SeededRandom,
): TrainData & { scenes: CanvasScene[] } {
  const byClass = indicesByClass(split.labels);
  const scenes = Array.from({ length: count }, (_, k) => makeScene(byClass, k, seed, random));
  return {
    count,
    sampleShape: [CANVAS_SIDE, CANVAS_SIDE, 1],
    scenes,
    copySample: (i, out, offset) => renderScene(scenes[i]!, split, out, offset),
  };
}
