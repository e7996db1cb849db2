import { beforeAll, describe, expect, it } from 'vitest';
import {
  DdpmSampler,
  ddpmPosteriorCoefficients,
  ddpmVariance,
  predictX0AndEps,
} from '../../src/diffusion/ddpm';
import { makeSchedule } from '../../src/diffusion/schedule';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

const s = makeSchedule({ kind: 'linear' });

describe('DDPM step math', () => {
  it('fixed-small is the posterior variance beta-tilde, fixed-large is beta; 0 at the last step', () => {
    for (const t of [1, 10, 500, 999]) {
      const tilde = ((1 - s.alphaBar[t - 1]!) / (1 - s.alphaBar[t]!)) * s.betas[t]!;
      expect(ddpmVariance(s, t)).toBeCloseTo(tilde, 14);
      expect(ddpmVariance(s, t, t - 1, 'fixed-large')).toBeCloseTo(s.betas[t]!, 14);
    }
    expect(ddpmVariance(s, 0, -1)).toBe(0);
    // respaced: the step from t to t-k acts like one step with beta' = 1 - abar_t / abar_{t-k}
    const bp = 1 - s.alphaBar[700]! / s.alphaBar[600]!;
    expect(ddpmVariance(s, 700, 600, 'fixed-large')).toBeCloseTo(bp, 14);
  });

  it('posterior mean coefficients equal Bayes’ rule for two Gaussians, derived independently', () => {
    for (const [t, prev] of [
      [500, 499],
      [999, 998],
      [700, 600],
      [20, -1],
      [1, 0],
    ] as const) {
      const a = s.alphaBar[t]!;
      const p = prev < 0 ? 1 : s.alphaBar[prev]!;
      const alpha = a / p;
      const beta = 1 - alpha;
      // prior q(x_prev | x0) = N(sqrt(p) x0, 1 - p); likelihood q(x_t | x_prev) = N(sqrt(alpha) x_prev, beta)
      const precision = (prev < 0 ? Infinity : 1 / (1 - p)) + alpha / beta;
      const x0c = prev < 0 ? 1 : Math.sqrt(p) / (1 - p) / precision;
      const xtc = prev < 0 ? 0 : Math.sqrt(alpha) / beta / precision;
      const c = ddpmPosteriorCoefficients(s, t, prev);
      expect(c.x0Coef).toBeCloseTo(x0c, 10);
      expect(c.xtCoef).toBeCloseTo(xtc, 10);
      if (prev >= 0) expect(ddpmVariance(s, t, prev)).toBeCloseTo(1 / precision, 12);
    }
  });
});

describe('DDPM sampling with an exact denoiser', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  // For data x0 ~ N(0, s0^2) the best epsilon prediction is known in closed form:
  // E[eps | x_t] = sqrt(1-a) x_t / (a s0^2 + 1 - a). Sampling with it must give back N(0, s0^2).
  const s0 = 0.5;
  const oracle = (xt: tf.Tensor, t: number) => {
    const a = s.alphaBar[t]!;
    return tf.mul(xt, Math.sqrt(1 - a) / (a * s0 * s0 + 1 - a));
  };

  async function sampleStd(
    steps: number,
    variance: 'fixed-small' | 'fixed-large',
  ): Promise<{ mean: number; std: number }> {
    const sampler = new DdpmSampler(s, { clipSample: false, variance });
    sampler.setTimesteps(steps);
    const n = 20000;
    let x = tf.randomNormal([n], 0, 1, 'float32', 1);
    sampler.timesteps.forEach((t, i) => {
      const next = tf.tidy(() => {
        const z = tf.randomNormal([n], 0, 1, 'float32', 100 + i);
        return sampler.step(oracle(x, t), t, x, z).prevSample;
      });
      x.dispose();
      x = next;
    });
    const v = await x.data();
    x.dispose();
    let m = 0;
    for (const e of v) m += e;
    m /= n;
    let q = 0;
    for (const e of v) q += (e - m) ** 2;
    return { mean: m, std: Math.sqrt(q / n) };
  }

  it('1,000 steps recover the data distribution N(0, 0.5²)', async () => {
    const r = await sampleStd(1000, 'fixed-small');
    expect(Math.abs(r.mean)).toBeLessThan(0.02);
    expect(r.std).toBeCloseTo(s0, 1);
    expect(Math.abs(r.std - s0)).toBeLessThan(0.02);
  });

  it('a respaced 100-step sampler also lands close', async () => {
    const r = await sampleStd(100, 'fixed-small');
    expect(Math.abs(r.std - s0)).toBeLessThan(0.03);
  });

  it('v and sample predictions give the same x̂0 and eps as epsilon prediction', async () => {
    const x0 = tf.tensor1d([0.3, -0.7, 0.9]);
    const eps = tf.tensor1d([1.2, -0.4, 0.1]);
    const a = s.alphaBar[400]!;
    const xt = tf.add(tf.mul(x0, Math.sqrt(a)), tf.mul(eps, Math.sqrt(1 - a)));
    const v = tf.sub(tf.mul(eps, Math.sqrt(a)), tf.mul(x0, Math.sqrt(1 - a)));
    for (const [out, kind] of [
      [eps, 'epsilon'],
      [v, 'v'],
      [x0, 'sample'],
    ] as const) {
      const r = predictX0AndEps(out, xt, a, kind);
      const [rx, re] = [await r.x0.data(), await r.eps.data()];
      expect(Array.from(rx).map((e) => +e.toFixed(4))).toEqual([0.3, -0.7, 0.9]);
      expect(Array.from(re).map((e) => +e.toFixed(4))).toEqual([1.2, -0.4, 0.1]);
      tf.dispose([r.x0, r.eps]);
    }
    tf.dispose([x0, eps, xt, v]);
  });
});
