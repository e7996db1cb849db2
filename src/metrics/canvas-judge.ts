/**
 * Reading a multi-digit canvas back: find each digit as a group of connected ink pixels, cut it out and
 * centre it the way MNIST's digits were prepared (the larger side scaled to 20 pixels, the centre of mass
 * at the middle of 28×28; LeCun et al. 1998), so that the course's classifier can name it. With the
 * scene's prompt this judges counting ("three sevens": exactly three digits, all sevens) and relations
 * ("a three left of a seven": two digits, a three and a seven, the three's centre further left than it is
 * above or below). The same judge read on real canvases gives the ceiling a generator is measured against.
 */
import { relationOf, resizeArea, type Relation } from '../data/canvas';

/** A digit found on a canvas: its ink's bounding box (inclusive), ink area and the 28×28 cut-out. */
export interface FoundDigit {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
  /** 784 values in [-1, 1], MNIST-style. */
  crop: Float32Array;
}

/** Pixels brighter than this are ink (a quarter of the way from black to white: faint strokes count). */
export const INK = -0.5;
/** Groups of ink smaller than this many pixels are specks, not digits. */
export const MIN_AREA = 12;
/** Groups whose boxes come within this many pixels belong to one digit (a broken stroke). */
export const JOIN = 2;

/** The digits on a side×side canvas (values in [-1, 1]), left to right. */
export function findDigits(img: Float32Array, side: number): FoundDigit[] {
  const label = new Int32Array(side * side).fill(-1);
  const boxes: { x0: number; y0: number; x1: number; y1: number; area: number }[] = [];
  const stack: number[] = [];
  for (let p = 0; p < side * side; p++) {
    if (img[p]! <= INK || label[p] !== -1) continue;
    const id = boxes.length;
    const b = { x0: side, y0: side, x1: -1, y1: -1, area: 0 };
    label[p] = id;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      const x = q % side;
      const y = (q - x) / side;
      b.area++;
      b.x0 = Math.min(b.x0, x);
      b.x1 = Math.max(b.x1, x);
      b.y0 = Math.min(b.y0, y);
      b.y1 = Math.max(b.y1, y);
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= side || ny >= side) continue;
          const r = ny * side + nx;
          if (img[r]! > INK && label[r] === -1) {
            label[r] = id;
            stack.push(r);
          }
        }
    }
    boxes.push(b);
  }
  // join groups whose boxes nearly touch (a digit drawn with a gap), until nothing changes
  let groups = boxes.map((b) => ({ ...b }));
  for (let changed = true; changed;) {
    changed = false;
    outer: for (let i = 0; i < groups.length; i++)
      for (let j = i + 1; j < groups.length; j++) {
        const a = groups[i]!;
        const c = groups[j]!;
        if (a.x0 <= c.x1 + JOIN && c.x0 <= a.x1 + JOIN && a.y0 <= c.y1 + JOIN && c.y0 <= a.y1 + JOIN) {
          groups[i] = {
            x0: Math.min(a.x0, c.x0),
            y0: Math.min(a.y0, c.y0),
            x1: Math.max(a.x1, c.x1),
            y1: Math.max(a.y1, c.y1),
            area: a.area + c.area,
          };
          groups.splice(j, 1);
          changed = true;
          break outer;
        }
      }
  }
  groups = groups.filter((g) => g.area >= MIN_AREA).sort((a, b) => a.x0 + a.x1 - (b.x0 + b.x1));
  return groups.map((g) => ({ ...g, crop: mnistCrop(img, side, g) }));
}

/** The box's contents scaled so its larger side is 20 pixels, placed on 28×28 with its ink's centre of mass in the middle. */
function mnistCrop(
  img: Float32Array,
  side: number,
  g: { x0: number; y0: number; x1: number; y1: number },
): Float32Array {
  const w = g.x1 - g.x0 + 1;
  const h = g.y1 - g.y0 + 1;
  const box = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) box[y * w + x] = (img[(g.y0 + y) * side + g.x0 + x]! + 1) / 2; // ink 0..1
  const s = 20 / Math.max(w, h);
  const W = Math.max(1, Math.round(w * s));
  const H = Math.max(1, Math.round(h * s));
  const small = resizeArea(box, w, h, W, H);
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = small[y * W + x]!;
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  const ox = Math.round(14 - (m > 0 ? mx / m : W / 2));
  const oy = Math.round(14 - (m > 0 ? my / m : H / 2));
  const out = new Float32Array(784).fill(-1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const tx = x + ox;
      const ty = y + oy;
      if (tx >= 0 && ty >= 0 && tx < 28 && ty < 28) out[ty * 28 + tx] = small[y * W + x]! * 2 - 1;
    }
  return out;
}

/** What a prompt asks for: n copies of a digit, or digit a in a relation to digit b. */
export type CanvasAsk =
  | { kind: 'count'; digit: number; n: number }
  | { kind: 'relation'; a: number; relation: Relation; b: number };

export interface CanvasVerdict {
  /** Digits found, and the classes read. */
  found: number;
  classes: number[];
  /** count: the number of digits is right; relation: there are two. */
  countRight: boolean;
  /** count: every digit is the asked one; relation: the two asked digits are there. */
  digitsRight: boolean;
  /** Everything right (relation: also the order). */
  right: boolean;
}

/** Judge the digits found (with the classes read for each) against what was asked. */
export function judge(
  found: { x0: number; y0: number; x1: number; y1: number }[],
  classes: number[],
  ask: CanvasAsk,
): CanvasVerdict {
  const box = (f: (typeof found)[number]) => ({ x: f.x0, y: f.y0, size: 0, w: f.x1 - f.x0, h: f.y1 - f.y0 });
  if (ask.kind === 'count') {
    const countRight = found.length === ask.n;
    const digitsRight = found.length > 0 && classes.every((c) => c === ask.digit);
    return { found: found.length, classes, countRight, digitsRight, right: countRight && digitsRight };
  }
  const countRight = found.length === 2;
  const ia = classes.indexOf(ask.a);
  const ib = classes.lastIndexOf(ask.b);
  const digitsRight = countRight && ia >= 0 && ib >= 0 && ia !== ib;
  let right = false;
  if (digitsRight) {
    const a = box(found[ia]!);
    const b = box(found[ib]!);
    // centres of the ink boxes; relationOf reads boxes by (x, y, size), so pass the centre as a zero-size box
    right =
      relationOf(
        { x: a.x + a.w / 2, y: a.y + a.h / 2, size: 0 },
        { x: b.x + b.w / 2, y: b.y + b.h / 2, size: 0 },
        0,
      ) === ask.relation;
  }
  return { found: found.length, classes, countRight, digitsRight, right };
}
