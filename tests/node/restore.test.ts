// Restoration walks (src/pipelines/restore.ts): the schedules, checked against counts worked out by hand,
// and the walk itself with denoisers whose answer is known in closed form: the exact noise predictor of a
// one-image dataset (which must return that image from any start) and a network that predicts no noise
// (which turns the walk's moves up into a Gaussian with a mean and variance derived here).
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule, type NoiseSchedule } from '../../src/diffusion/schedule';
import { UNCONDITIONAL, type Denoiser } from '../../src/nets/denoiser';
import {
  CLEAN,
  downPath,
  networkCalls,
  noiseTo,
  psnrEach,
  repaintPath,
  sigmaOf,
  timestepForSigma,
  restoreSetup,
  holeMask,
  roughSketch,
  walkPath,
  walkToEnd,
} from '../../src/pipelines/restore';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const schedule = makeSchedule({ T: 1000, kind: 'linear', betaStart: 1e-4, betaEnd: 0.02 });
const SIDE = 6;
const PER = SIDE * SIDE;

/** A network given by a function of (x_t, alphaBar_t): no weights. */
function fakeNet(f: (x: tf.Tensor, a: tf.Tensor) => tf.Tensor, s: NoiseSchedule): Denoiser {
  const abar = tf.tensor1d(Float32Array.from(s.alphaBar));
  return {
    sampleShape: [SIDE, SIDE, 1],
    conditioning: UNCONDITIONAL,
    params: new Map(),
    paramSpecs: [],
    paramCount: 0,
    apply: (x, t) => tf.tidy(() => f(x, tf.reshape(tf.gather(abar, tf.cast(t, 'int32')), [-1, 1, 1, 1]))),
    copyFrom: () => undefined,
    weights: async () => new Map(),
    setWeights: () => undefined,
    dispose: () => abar.dispose(),
  };
}

/** The exact noise predictor when the data is one image x*: eps = (x_t - sqrt(a) x*) / sqrt(1 - a). */
function oracle(xStar: Float32Array): Denoiser {
  const target = tf.tensor(xStar, [1, SIDE, SIDE, 1]);
  return fakeNet((x, a) => tf.div(tf.sub(x, tf.mul(tf.sqrt(a), target)), tf.sqrt(tf.sub(1, a))), schedule);
}

const star = Float32Array.from({ length: PER }, (_, i) => Math.sin(i) * 0.9);

describe('restoration schedules', () => {
  it('walks straight down with the asked number of calls, ending clean', () => {
    expect(downPath(500, 1)).toEqual([500, CLEAN]);
    expect(downPath(999, 5)).toEqual([999, 749, 500, 250, 0, CLEAN]); // 999·3/4 = 749.25, 999/2 = 499.5
    expect(downPath(3, 10)).toEqual([3, 2, 1, 0, CLEAN]); // never more calls than timesteps
    expect(networkCalls(downPath(999, 50))).toBe(50);
    expect(() => downPath(10, 0)).toThrow(/at least one/);
  });

  it("goes back up and down again as RePaint's resampling does, its jumps counted from the bottom", () => {
    // 10 calls: timesteps at grid states 0..9, clean at 10; jumps of 3 after states 9, 6 and 3
    expect(networkCalls(repaintPath(999, 10, 3, 1))).toBe(10);
    expect(networkCalls(repaintPath(999, 10, 3, 2))).toBe(10 + 3 * 3);
    expect(networkCalls(repaintPath(999, 10, 3, 4))).toBe(10 + 3 * 3 * 3);
    // 9 calls, jumps of 3: after states 8 and 5 (state 2 has no room to go up 3)
    expect(networkCalls(repaintPath(999, 9, 3, 2))).toBe(9 + 2 * 3);
    // grid 999, 666, 333, 0, clean: the last stretch (333 → 0) is redone, the noisiest is not
    expect(repaintPath(999, 4, 2, 2)).toEqual([999, 666, 333, 0, 333, 666, 333, 0, CLEAN]);
  });

  it('finds the timestep of a noise level', () => {
    for (const t of [0, 10, 200, 650, 999]) expect(timestepForSigma(schedule, sigmaOf(schedule, t))).toBe(t);
    expect(sigmaOf(schedule, 0)).toBeCloseTo(Math.sqrt(1e-4 / (1 - 1e-4)), 8);
  });

  it('measures PSNR on the [0, 1] scale, optionally inside a mask', () => {
    const a = new Float32Array(2 * PER).fill(0.5);
    const b = a.map((v, i) => (i < PER ? v + 0.2 : v)); // 0.1 off on the [0, 1] scale: MSE 0.01
    const p = psnrEach(a, b, PER);
    expect(p[0]).toBeCloseTo(20, 4); // float32 inputs
    expect(p[1]).toBeCloseTo(120, 6);
    const mask = new Float32Array(PER).fill(0);
    mask[0] = 1;
    const c = a.map((v, i) => (i === 1 ? v + 1 : v)); // the error lies outside the mask
    expect(psnrEach(a, c, PER, mask)[0]).toBeCloseTo(120, 6);
  });
});

describe('restoration walks', () => {
  it('returns the one image of a one-image dataset from any start, one call or many', async () => {
    const net = oracle(star);
    const n0 = tf.memory().numTensors;
    const n = 3;
    const x0 = new Float32Array(n * PER).map((_, i) => Math.cos(i)); // other images, noised: the data wins
    for (const [t, calls] of [
      [999, 1],
      [400, 7],
      [50, 50],
    ] as const) {
      const start = noiseTo(schedule, x0, [n, SIDE, SIDE, 1], t, 3, -1);
      const out = await walkToEnd({
        net,
        schedule,
        prediction: 'epsilon',
        clipSample: true,
        path: downPath(t, calls),
        start,
        seed: 1,
      });
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(star[i % PER]!, 4);
    }
    expect(tf.memory().numTensors).toBe(n0);
    net.dispose();
  });

  it('keeps the known pixels exactly and fills the rest from the model when inpainting', async () => {
    const net = oracle(star);
    const known = Float32Array.from({ length: PER }, (_, i) => (i % 7) / 7 - 0.5);
    const mask = Float32Array.from({ length: PER }, (_, i) => (i < PER / 2 ? 1 : 0));
    const n0 = tf.memory().numTensors;
    const frames: number[] = [];
    let out: Float32Array = new Float32Array(0);
    for await (const f of walkPath({
      net,
      schedule,
      prediction: 'epsilon',
      clipSample: true,
      path: repaintPath(999, 8, 2, 3),
      start: noiseTo(schedule, new Float32Array(PER), [1, SIDE, SIDE, 1], 999, 0, -1),
      seed: 4,
      known: { x0: known, mask },
      every: 5,
    })) {
      frames.push(f.done);
      out = f.x;
    }
    const calls = networkCalls(repaintPath(999, 8, 2, 3));
    expect(frames.at(-1)).toBe(calls);
    expect(frames.slice(0, 2)).toEqual([5, 10]);
    for (let i = 0; i < PER; i++) expect(out[i]).toBeCloseTo(mask[i] ? known[i]! : star[i]!, 4);
    expect(tf.memory().numTensors).toBe(n0);
    net.dispose();
  });

  it('re-noises on a move up by q(x_t | x_s): the mean and variance derived by hand', async () => {
    // a network that predicts no noise reads x̂0 = x_t / sqrt(ᾱ_t); unclipped, the walk 0 → 500 → clean
    // returns (sqrt(ᾱ500/ᾱ0) c + sqrt(1 − ᾱ500/ᾱ0) z) / sqrt(ᾱ500): mean c / sqrt(ᾱ0), variance (1 − ᾱ500/ᾱ0) / ᾱ500
    const net = fakeNet((x) => tf.zerosLike(x), schedule);
    const n = 400;
    const c = 0.3;
    const out = await walkToEnd({
      net,
      schedule,
      prediction: 'epsilon',
      clipSample: false,
      path: [0, 500, CLEAN],
      start: new Float32Array(n * PER).fill(c),
      seed: 2,
    });
    const a0 = schedule.alphaBar[0]!;
    const a5 = schedule.alphaBar[500]!;
    let m = 0;
    for (const v of out) m += v;
    m /= out.length;
    let v2 = 0;
    for (const v of out) v2 += (v - m) ** 2;
    v2 /= out.length - 1;
    const wantVar = (1 - a5 / a0) / a5;
    expect(m).toBeCloseTo(c / Math.sqrt(a0), 1);
    expect(Math.abs(m - c / Math.sqrt(a0))).toBeLessThan(4 * Math.sqrt(wantVar / out.length));
    expect(v2 / wantVar).toBeGreaterThan(0.95);
    expect(v2 / wantVar).toBeLessThan(1.05);
    net.dispose();
  });

  it('sets up each task from its images: one observation for several walks, the drawing noised to its strength, the hole blank', async () => {
    const net = oracle(star);
    const sampling = { prediction: 'epsilon' as const, clipSample: true };
    const img = Float32Array.from({ length: 2 * PER }, (_, i) => Math.cos(i / 3));
    const d = restoreSetup(net, schedule, sampling, { op: 'denoise', sigma: 1, calls: 3, copies: 3 }, img, 7);
    expect(d.t).toBe(timestepForSigma(schedule, 1));
    expect(d.walk.start.length).toBe(3 * img.length);
    expect(d.walk.start.subarray(2 * PER, 4 * PER)).toEqual(d.walk.start.subarray(0, 2 * PER)); // same observation
    const sa = Math.sqrt(schedule.alphaBar[d.t]!);
    expect(d.observed[5]).toBeCloseTo(d.walk.start[5]! / sa, 5); // y = x_t / sqrt(ᾱ_t)
    const out = await walkToEnd(d.walk);
    expect(out.length).toBe(3 * img.length);
    expect(out[4 * PER + 1]).toBeCloseTo(star[1]!, 4);
    const e = restoreSetup(net, schedule, sampling, { op: 'sdedit', strength: 0.5, calls: 4 }, img, 7);
    expect(e.t).toBe(Math.round(0.5 * 999));
    expect(e.walk.path).toEqual(downPath(e.t, 4));
    const m = holeMask('right', SIDE);
    const f = restoreSetup(
      net,
      schedule,
      sampling,
      { op: 'inpaint', mask: m, calls: 4, passes: 2, jump: 2 },
      img,
      7,
    );
    expect(f.observed[SIDE - 1]).toBe(-1); // first row, last column: in the hole
    expect(f.observed[0]).toBe(img[0]);
    expect(() =>
      restoreSetup(net, schedule, sampling, { op: 'sdedit', strength: 0, calls: 4 }, img, 7),
    ).toThrow(/strength/);
    net.dispose();
  });

  it('cuts holes and makes rough sketches as documented', () => {
    const m = holeMask('centre', 8); // centre square: rows and columns 2..5
    expect([...m.subarray(0, 8)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect([...m.subarray(3 * 8, 4 * 8)]).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
    expect(holeMask('bottom', 8).reduce((a, b) => a + b, 0)).toBe(32);
    const img = new Float32Array(64).fill(-1);
    img[9] = 0.5; // (row 1, column 1): ink in the top-left 4×4 block
    const s = roughSketch(img, 8, 4);
    expect(s[0]).toBe(1);
    expect(s[3 * 8 + 3]).toBe(1);
    expect(s[4]).toBe(-1);
    expect(s.filter((v) => v === 1).length).toBe(16);
  });

  it('samples the true posterior of Gaussian data, twice as far from the truth as the one-call mean in squared error', async () => {
    // data x0 ~ N(mu, s²) per pixel: E[x0 | x_t] = mu + sqrt(a) s² / (a s² + 1 - a) (x_t - sqrt(a) mu) and
    // Var[x0 | x_t] = s² (1 - a) / (a s² + 1 - a); the exact noise predictor follows from the mean
    const mu = 0.2;
    const s2 = 0.25;
    const abar = tf.tensor1d(Float32Array.from(schedule.alphaBar));
    const net = fakeNet((x, a) => {
      const mean = tf.add(
        mu,
        tf.mul(
          tf.div(tf.mul(tf.sqrt(a), s2), tf.add(tf.mul(a, s2), tf.sub(1, a))),
          tf.sub(x, tf.mul(tf.sqrt(a), mu)),
        ),
      );
      return tf.div(tf.sub(x, tf.mul(tf.sqrt(a), mean)), tf.sqrt(tf.sub(1, a)));
    }, schedule);
    const n = 300;
    const t = 399;
    const a = schedule.alphaBar[t]!;
    const x0 = Float32Array.from(
      tf
        .tidy(() => tf.add(mu, tf.mul(tf.randomNormal([n * PER], 0, 1, 'float32', 11), Math.sqrt(s2))))
        .dataSync(),
    );
    const xt = noiseTo(schedule, x0, [n, SIDE, SIDE, 1], t, 5, -1);
    const base = { net, schedule, prediction: 'epsilon' as const, clipSample: false, start: xt, seed: 3 };
    const sample = await walkToEnd({ ...base, path: downPath(t, t + 1) });
    const oneCall = await walkToEnd({ ...base, path: downPath(t, 1) });
    const v = (s2 * (1 - a)) / (a * s2 + 1 - a);
    let zMean = 0;
    let zVar = 0;
    let seSample = 0;
    let seMean = 0;
    for (let i = 0; i < x0.length; i++) {
      const m = mu + ((Math.sqrt(a) * s2) / (a * s2 + 1 - a)) * (xt[i]! - Math.sqrt(a) * mu);
      expect(oneCall[i]).toBeCloseTo(m, 4); // one call: the posterior mean itself
      const z = (sample[i]! - m) / Math.sqrt(v);
      zMean += z / x0.length;
      zVar += (z * z) / x0.length;
      seSample += (sample[i]! - x0[i]!) ** 2;
      seMean += (oneCall[i]! - x0[i]!) ** 2;
    }
    expect(Math.abs(zMean)).toBeLessThan(0.05);
    expect(zVar).toBeGreaterThan(0.93);
    expect(zVar).toBeLessThan(1.07);
    expect(seSample / seMean).toBeGreaterThan(1.85);
    expect(seSample / seMean).toBeLessThan(2.15);
    net.dispose();
    abar.dispose();
  });

  it('noises the known pixels to the state each step reaches: mean sqrt(ᾱ) x0, variance 1 − ᾱ', async () => {
    const net = oracle(star);
    const n = 200;
    const known = new Float32Array(n * PER).fill(0.5);
    const mask = new Float32Array(PER).fill(1);
    mask[0] = 0;
    const checked: number[] = [];
    for await (const f of walkPath({
      net,
      schedule,
      prediction: 'epsilon',
      clipSample: true,
      path: downPath(999, 4), // 999, 666, 333, 0, clean
      start: noiseTo(schedule, new Float32Array(n * PER), [n, SIDE, SIDE, 1], 999, 0, -1),
      seed: 8,
      known: { x0: known, mask },
      every: 1,
    })) {
      if (f.t < 0) continue;
      const a = schedule.alphaBar[f.t]!;
      let m = 0;
      let q = 0;
      let c = 0;
      for (let i = 0; i < f.x.length; i++) {
        if (!mask[i % PER]) continue;
        const z = (f.x[i]! - Math.sqrt(a) * 0.5) / Math.sqrt(1 - a);
        m += z;
        q += z * z;
        c++;
      }
      expect(Math.abs(m / c)).toBeLessThan(0.05);
      expect(q / c).toBeGreaterThan(0.93);
      expect(q / c).toBeLessThan(1.07);
      checked.push(f.t);
    }
    expect(checked).toEqual([666, 333, 0]);
    net.dispose();
  });

  it('says plainly what is wrong with its inputs', async () => {
    const net = oracle(star);
    const base = { net, schedule, prediction: 'epsilon' as const, clipSample: true, seed: 0 };
    await expect(walkToEnd({ ...base, path: [5, CLEAN], start: new Float32Array(PER + 1) })).rejects.toThrow(
      /whole samples/,
    );
    await expect(
      walkToEnd({
        ...base,
        path: [5, CLEAN],
        start: new Float32Array(PER),
        known: { x0: new Float32Array(PER), mask: new Float32Array(3) },
      }),
    ).rejects.toThrow(/mask/);
    net.dispose();
  });
});
