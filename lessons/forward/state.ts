/** Shared state of the forward-process lesson: its URL parameters, schedules, digits and noise. */
import { normals, mulberry32 } from '../../src/diffusion/random';
import { makeSchedule, type BetaScheduleKind, type NoiseSchedule } from '../../src/diffusion/schedule';
import { imageToSigned, MNIST_PIXELS, type MnistSplit } from '../../src/data/mnist-asset';
import { ParamStore } from '../../src/notebook/store';
import { forwardParams, T } from './params';

export const forwardStore = new ParamStore(forwardParams);

const schedules = new Map<string, NoiseSchedule>();

/** The lesson's schedule (T = 1000, default betas), computed once per kind. */
export function scheduleFor(kind: BetaScheduleKind, zeroTerminalSnr: boolean): NoiseSchedule {
  const key = `${kind}:${zeroTerminalSnr}`;
  let s = schedules.get(key);
  if (!s) schedules.set(key, (s = makeSchedule({ kind, T, zeroTerminalSnr })));
  return s;
}

export interface Digits {
  /** count*784 values in [-1, 1]. */
  x0: Float32Array;
  labels: number[];
  /** Test-set indices of the digits. */
  indices: number[];
}

/** count test digits picked by seed (a partial Fisher–Yates shuffle). */
export function pickDigits(mnist: MnistSplit, seed: number, count: number): Digits {
  const rand = mulberry32(seed);
  const order = Array.from({ length: mnist.count }, (_, i) => i);
  const x0 = new Float32Array(count * MNIST_PIXELS);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (mnist.count - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
    imageToSigned(mnist.images, order[i]!, x0.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
    labels.push(mnist.labels[order[i]!]!);
  }
  return { x0, labels, indices: order.slice(0, count) };
}

/** The fixed noise eps ~ N(0, I) added to the digits, from its own stream of the seed. */
export function noiseFor(seed: number, count: number): Float32Array {
  return normals(count * MNIST_PIXELS, seed * 7919 + 1);
}

export { MnistController } from '../../src/notebook/controllers';
