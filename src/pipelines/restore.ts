/**
 * Diffusion at work: three uses of a trained (unconditional) DDPM that start from an image instead of
 * from pure noise, as one walk over the timesteps.
 *
 * - Denoising at a known noise level (as for MRI or CT): a clean image x0 seen as y = x0 + σ n is, scaled
 *   by sqrt(ᾱ_t), a forward-process sample x_t for the t with (1 − ᾱ_t)/ᾱ_t = σ² (exactly so for the σ
 *   of a timestep; the measurement uses the nearest timestep's σ, within 0.1% of the asked one), so the reverse
 *   process can start at t. One network call gives x̂0, the posterior mean E[x0 | x_t] (Tweedie's formula;
 *   Efron 2011), which minimises the squared error; walking the rest of the way down draws a sample of the
 *   posterior instead (Kadkhodaie & Simoncelli 2021; Kawar et al. 2022), which looks like a real image but
 *   is, in expectation, twice as far from x0 in squared error as the mean is (when the model's posterior
 *   is the true one).
 * - Inpainting (RePaint, Lugmayr et al. 2022): at every step down, the known pixels are replaced by the
 *   original noised to the same timestep and only the unknown ones come from the network; and the walk goes
 *   back up (re-noising) and down again over stretches of a few steps so the two regions can agree.
 * - Editing a rough drawing (SDEdit, Meng et al. 2022): noise the drawing part-way, to t = strength × T,
 *   and walk down: low strength keeps the drawing, high strength keeps only its rough layout.
 *
 * A walk is a list of states, each a timestep index 0..T−1 or −1 for the clean image. A move down calls
 * the network and takes the DDPM posterior step (src/diffusion/ddpm.ts `ancestralStep`); a move up adds
 * noise by q(x_t | x_s) = N(sqrt(ᾱ_t/ᾱ_s) x_s, (1 − ᾱ_t/ᾱ_s) I). Everything random comes from (seed, move),
 * so a walk repeats exactly. Owns and frees every tensor it makes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ancestralStep, type Prediction } from '../diffusion/ddpm';
import type { NoiseSchedule } from '../diffusion/schedule';
import { sampleSize, type Denoiser } from '../nets/denoiser';
import { yieldToEventLoop } from '../runtime/yield';
import { stepNoise } from './ddpm-sample';

/** The clean end of a walk. */
export const CLEAN = -1;

/** Network calls of a walk down from the top (posterior sample, inpainting, editing at full strength). */
export const WALK_CALLS = 25;
/** RePaint's resampling as the course runs it: stretches of 5 steps, each but the noisiest walked 4 times. */
export const REPAINT = { passes: 4, jump: 5 } as const;

/**
 * A walk straight down from tStart to the clean image with `calls` network calls: tStart and calls − 1
 * more timesteps spread evenly down to 0, then the clean image. One call: x̂0 at tStart (Tweedie).
 */
export function downPath(tStart: number, calls: number): number[] {
  if (!Number.isInteger(tStart) || tStart < 0)
    throw new RangeError(`a walk starts at a timestep ≥ 0, got ${tStart}`);
  if (!Number.isInteger(calls) || calls < 1)
    throw new RangeError(`a walk needs at least one network call, got ${calls}`);
  const ts: number[] = [];
  const k = Math.min(calls, tStart + 1);
  for (let i = 0; i < k; i++) {
    const t = k === 1 ? tStart : Math.round((tStart * (k - 1 - i)) / (k - 1));
    if (ts.at(-1) !== t) ts.push(t);
  }
  ts.push(CLEAN);
  return ts;
}

/**
 * RePaint's schedule (Lugmayr et al. 2022, section 4.2 "resampling"): down the `calls` timesteps of
 * downPath, but at every `jump`-th timestep counted from the bottom (the last timestep before the clean
 * image, then `jump` above it, and so on, as RePaint places its jumps at t = 0, j, 2j, …), go back up
 * `jump` steps and come down again, `resample` − 1 times: every stretch of `jump` steps but the noisiest
 * is walked `resample` times, the last one (where the seams between known and filled pixels are drawn)
 * included. The moves up call no network.
 */
export function repaintPath(tStart: number, calls: number, jump: number, resample: number): number[] {
  if (!Number.isInteger(jump) || jump < 1) throw new RangeError(`the jump length must be ≥ 1, got ${jump}`);
  if (!Number.isInteger(resample) || resample < 1)
    throw new RangeError(`the number of passes must be ≥ 1, got ${resample}`);
  const grid = downPath(tStart, calls); // grid[k]: state k, the last one clean
  const bottom = grid.length - 2; // the last timestep before the clean image
  const passes = new Map<number, number>();
  const path = [grid[0]!];
  let k = 0;
  while (k < grid.length - 1) {
    k++;
    path.push(grid[k]!);
    if (k <= bottom && (bottom - k) % jump === 0 && k >= jump) {
      const done = passes.get(k) ?? 1;
      if (done < resample) {
        passes.set(k, done + 1);
        for (let u = 0; u < jump; u++) path.push(grid[--k]!);
      }
    }
  }
  return path;
}

/** The network calls a walk makes (its moves down). */
export function networkCalls(path: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < path.length; i++) if (path[i]! < path[i - 1]!) n++;
  return n;
}

/** The timestep index whose forward process has noise level σ in pixel units: (1 − ᾱ_t)/ᾱ_t closest to σ². */
export function timestepForSigma(s: NoiseSchedule, sigma: number): number {
  let best = 0;
  for (let t = 0; t < s.T; t++) {
    const a = s.alphaBar[t]!;
    const b = s.alphaBar[best]!;
    if (Math.abs(Math.sqrt((1 - a) / a) - sigma) < Math.abs(Math.sqrt((1 - b) / b) - sigma)) best = t;
  }
  return best;
}

/** σ of timestep t: the noise, in pixel units, of y = x_t / sqrt(ᾱ_t) = x0 + σ n. */
export const sigmaOf = (s: NoiseSchedule, t: number): number =>
  Math.sqrt((1 - s.alphaBar[t]!) / s.alphaBar[t]!);

export interface WalkOptions {
  net: Denoiser;
  schedule: NoiseSchedule;
  /** How the network's output is read (the model's ModelSampling). */
  prediction: Prediction;
  clipSample: boolean;
  /** The states to visit, first the start (from downPath or repaintPath). */
  path: readonly number[];
  /** The images at path[0] (n × values per sample): already noised to that timestep. */
  start: Float32Array;
  seed: number;
  /**
   * Inpainting: the known image and a mask (1 = known), either one mask for every image or one per image.
   * At every move down the known pixels are the known image noised to the new state.
   */
  known?: { x0: Float32Array; mask: Float32Array };
  /** Yield a frame after every this many network calls (the end always yields). Default: the end only. */
  every?: number;
  signal?: AbortSignal;
}

export interface WalkFrame {
  /** Network calls made, of `calls`. */
  done: number;
  calls: number;
  /** The state reached. */
  t: number;
  x: Float32Array;
  /** The latest x̂0. */
  predX0: Float32Array;
}

/** Noise clean images to timestep t: sqrt(ᾱ_t) x0 + sqrt(1 − ᾱ_t) z with z from (seed, `stream`). */
export function noiseTo(
  s: NoiseSchedule,
  x0: Float32Array,
  shape: number[],
  t: number,
  seed: number,
  stream: number,
): Float32Array {
  return tf.tidy(() => {
    const a = s.alphaBar[t]!;
    const z = stepNoise(shape, seed, stream);
    return tf
      .add(tf.mul(tf.tensor(x0, shape), Math.sqrt(a)), tf.mul(z, Math.sqrt(1 - a)))
      .dataSync() as Float32Array;
  });
}

/** The noise stream of move i's own noise, and of the known image's noise at move i (never −1: x_T's). */
const moveStream = (i: number) => 2 * i + 1;
const knownStream = (i: number) => 2 * i + 2;

/** Walk the path; yields frames, the last one with the restored images. */
export async function* walkPath(o: WalkOptions): AsyncGenerator<WalkFrame> {
  const { net, schedule: s, path } = o;
  const per = sampleSize(net.sampleShape);
  const n = o.start.length / per;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${o.start.length} values are not whole samples of ${per}`);
  if (path.length < 2) throw new Error('a walk needs at least two states');
  const shape = [n, ...net.sampleShape];
  const calls = networkCalls(path);
  const every = o.every ?? calls;
  const stepOpts = { variance: 'fixed-small' as const, clipSample: o.clipSample, prediction: o.prediction };
  let x0Known: tf.Tensor | null = null;
  let mask: tf.Tensor | null = null;
  if (o.known) {
    if (o.known.x0.length !== o.start.length)
      throw new Error('the known image has a different size from the start');
    if (o.known.mask.length !== per && o.known.mask.length !== o.start.length)
      throw new Error(
        `the mask has ${o.known.mask.length} values: one image (${per}) or every image (${n * per})`,
      );
    x0Known = tf.tensor(o.known.x0, shape);
    mask =
      o.known.mask.length === per
        ? tf.tensor(o.known.mask, net.sampleShape as number[])
        : tf.tensor(o.known.mask, shape);
  }
  let x = tf.tensor(o.start, shape);
  let predX0: tf.Tensor = tf.zeros(shape);
  let done = 0;
  try {
    for (let i = 1; i < path.length; i++) {
      if (o.signal?.aborted) return;
      const from = path[i - 1]!;
      const to = path[i]!;
      const next = tf.tidy(() => {
        if (to > from) {
          // up: q(x_to | x_from), re-noising (RePaint's "resampling")
          const r = s.alphaBar[to]! / (from === CLEAN ? 1 : s.alphaBar[from]!);
          return {
            x: tf.add(
              tf.mul(x, Math.sqrt(r)),
              tf.mul(stepNoise(shape, o.seed, moveStream(i)), Math.sqrt(1 - r)),
            ),
          };
        }
        const out = net.apply(x, tf.fill([n], from));
        const z = to >= 0 ? stepNoise(shape, o.seed, moveStream(i)) : undefined;
        const step = ancestralStep(s, out, from, to, x, z, stepOpts);
        if (!x0Known || !mask) return { x: step.prevSample, p: step.predX0 };
        const known =
          to === CLEAN
            ? x0Known
            : tf.add(
                tf.mul(x0Known, Math.sqrt(s.alphaBar[to]!)),
                tf.mul(stepNoise(shape, o.seed, knownStream(i)), Math.sqrt(1 - s.alphaBar[to]!)),
              );
        return { x: tf.add(tf.mul(known, mask), tf.mul(step.prevSample, tf.sub(1, mask))), p: step.predX0 };
      });
      x.dispose();
      x = next.x;
      if (next.p) {
        predX0.dispose();
        predX0 = next.p;
        done++;
        if (done === calls || done % every === 0) {
          const [xs, p] = (await Promise.all([x.data(), predX0.data()])) as Float32Array[];
          yield { done, calls, t: to, x: xs!, predX0: p! };
        }
        await yieldToEventLoop();
      }
    }
  } finally {
    tf.dispose([x, predX0, ...(x0Known ? [x0Known] : []), ...(mask ? [mask] : [])]);
  }
}

/** The final images of a walk (n × values per sample). */
export async function walkToEnd(o: WalkOptions): Promise<Float32Array> {
  let last: Float32Array | null = null;
  for await (const f of walkPath({ ...o, every: undefined })) last = f.x;
  if (!last) throw new Error('the walk was cancelled');
  return last;
}

/** Peak signal-to-noise ratio of images in [-1, 1], read on the [0, 1] scale (peak 1), per image. */
export function psnrEach(a: Float32Array, b: Float32Array, per: number, mask?: Float32Array): Float64Array {
  const n = a.length / per;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let se = 0;
    let m = 0;
    for (let i = 0; i < per; i++) {
      const w = mask ? mask[i]! : 1;
      se += w * ((a[k * per + i]! - b[k * per + i]!) / 2) ** 2;
      m += w;
    }
    out[k] = 10 * Math.log10(1 / Math.max(se / m, 1e-12));
  }
  return out;
}

/** The holes the inpainting measurement cuts, on 28×28 digits: which pixels are missing. */
export const HOLES = {
  bottom: 'the bottom half',
  right: 'the right half',
  centre: 'the centre square (14×14)',
} as const;
export type HoleName = keyof typeof HOLES;

/** The mask of a hole on a side×side image: 1 where the pixel is known, 0 in the hole. */
export function holeMask(hole: HoleName, side = 28): Float32Array {
  const m = new Float32Array(side * side);
  const h = side / 2;
  const q = side / 4;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const missing =
        hole === 'bottom'
          ? y >= h
          : hole === 'right'
            ? x >= h
            : y >= q && y < side - q && x >= q && x < side - q;
      m[y * side + x] = missing ? 0 : 1;
    }
  return m;
}

/**
 * A rough drawing made from a digit, for the editing measurement: ink (pixels above mid-grey) pooled to
 * blocks of `block`×`block` pixels, a block inked where any pixel in it is, drawn at full size: the
 * layout and thickness of a quick sketch with a fat marker, none of the strokes' detail.
 */
export function roughSketch(images: Float32Array, side = 28, block = 4): Float32Array {
  if (side % block) throw new Error(`blocks of ${block} do not tile a side of ${side}`);
  const per = side * side;
  const out = new Float32Array(images.length).fill(-1);
  for (let k = 0; k < images.length / per; k++)
    for (let by = 0; by < side; by += block)
      for (let bx = 0; bx < side; bx += block) {
        let ink = false;
        for (let y = by; y < by + block && !ink; y++)
          for (let x = bx; x < bx + block; x++) if (images[k * per + y * side + x]! > 0) ink = true;
        if (!ink) continue;
        for (let y = by; y < by + block; y++)
          for (let x = bx; x < bx + block; x++) out[k * per + y * side + x] = 1;
      }
  return out;
}

/** What to do with an image: the three tasks of the lesson, each with its walk's settings. */
export type RestoreTask =
  | {
      op: 'denoise';
      sigma: number;
      calls: number;
      /**
       * Walks per image, all from the same noisy observation (default 1): the result holds every image's
       * first walk, then every image's second, and so on. Several posterior samples of one observation.
       */
      copies?: number;
    }
  | { op: 'inpaint'; mask: Float32Array; calls: number; passes: number; jump: number }
  | { op: 'sdedit'; strength: number; calls: number };

export interface RestoreSetup {
  /** The walk to run (give it `every` and `signal` as needed). */
  walk: WalkOptions;
  /** The timestep the walk starts at. */
  t: number;
  /**
   * What the task starts from, as an image: the noisy observation y = x_t / sqrt(ᾱ_t) (denoise), the
   * drawing noised to t (sdedit), the known pixels with the hole black (inpaint).
   */
  observed: Float32Array;
}

/**
 * The walk of a task on n images (n × values per sample, in [-1, 1]): clean digits to corrupt (denoise),
 * digits with a hole to fill (inpaint), or drawings to edit (sdedit). Same for the evaluation CLI and the
 * lesson's worker.
 */
export function restoreSetup(
  net: Denoiser,
  schedule: NoiseSchedule,
  sampling: { prediction: Prediction; clipSample: boolean },
  task: RestoreTask,
  images: Float32Array,
  seed: number,
): RestoreSetup {
  const per = sampleSize(net.sampleShape);
  const n = images.length / per;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${images.length} values are not whole images of ${per}`);
  const shape = [n, ...net.sampleShape];
  const base = { net, schedule, ...sampling, seed };
  const last = schedule.T - 1;
  if (task.op === 'denoise') {
    if (!(task.sigma > 0)) throw new RangeError(`the noise level must be above 0, got ${task.sigma}`);
    const copies = task.copies ?? 1;
    if (!Number.isInteger(copies) || copies < 1)
      throw new RangeError(`copies must be a whole number ≥ 1, got ${copies}`);
    const t = timestepForSigma(schedule, task.sigma);
    const xt = noiseTo(schedule, images, shape, t, seed, -1);
    const start = new Float32Array(copies * xt.length);
    for (let k = 0; k < copies; k++) start.set(xt, k * xt.length);
    const sa = Math.sqrt(schedule.alphaBar[t]!);
    return { walk: { ...base, path: downPath(t, task.calls), start }, t, observed: xt.map((v) => v / sa) };
  }
  if (task.op === 'sdedit') {
    if (!(task.strength > 0 && task.strength <= 1))
      throw new RangeError(`the strength must lie in (0, 1], got ${task.strength}`);
    const t = Math.round(task.strength * last);
    const start = noiseTo(schedule, images, shape, t, seed, -1);
    return { walk: { ...base, path: downPath(t, task.calls), start }, t, observed: start };
  }
  const mask = task.mask;
  if (mask.length !== per) throw new Error(`the mask has ${mask.length} values for images of ${per}`);
  const start = noiseTo(schedule, new Float32Array(images.length), shape, last, seed, -1);
  return {
    walk: {
      ...base,
      path: repaintPath(last, task.calls, task.jump, task.passes),
      start,
      known: { x0: images, mask },
    },
    t: last,
    observed: images.map((v, i) => (mask[i % per] ? v : -1)),
  };
}
