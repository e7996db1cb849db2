import { describe, expect, it } from 'vitest';
import { normals } from '../../src/diffusion/random';
import {
  BETA_SCHEDULE_KINDS,
  logSnr,
  makeSchedule,
  qMoments,
  qSample,
  qStep,
  roundHalfEven,
  samplingTimesteps,
  snr,
  sqrtAlphaBar,
  sqrtOneMinusAlphaBar,
} from '../../src/diffusion/schedule';

// alphaBar computed a second, independent way: exp of a running sum of log(1 - beta).
function alphaBarByLogs(betas: Float64Array): number[] {
  let acc = 0;
  return Array.from(betas, (b) => Math.exp((acc += Math.log1p(-b))));
}

describe('makeSchedule', () => {
  it('linear: evenly spaced betas from betaStart to betaEnd', () => {
    const s = makeSchedule({ kind: 'linear' });
    expect(s.T).toBe(1000);
    expect(s.betas[0]).toBeCloseTo(1e-4, 15);
    expect(s.betas[999]).toBeCloseTo(0.02, 15);
    const step = (0.02 - 1e-4) / 999;
    for (let i = 1; i < 1000; i++) expect(s.betas[i]! - s.betas[i - 1]!).toBeCloseTo(step, 12);
  });

  it('matches the terminal sqrt(alphaBar) that Lin et al. (2024, Table 1) report for DDPM and Stable Diffusion', () => {
    expect(Math.sqrt(makeSchedule({ kind: 'linear' }).alphaBar[999]!)).toBeCloseTo(0.006353, 6);
    const sd = makeSchedule({ kind: 'scaled-linear', betaStart: 0.00085, betaEnd: 0.012 });
    expect(Math.sqrt(sd.alphaBar[999]!)).toBeCloseTo(0.068265, 5);
  });

  it("scaled-linear defaults to Stable Diffusion's range: terminal sqrt(alphaBar) about 0.068", () => {
    const s = makeSchedule({ kind: 'scaled-linear' });
    expect(s.betas[0]).toBeCloseTo(0.00085, 12);
    expect(s.betas[999]).toBeCloseTo(0.012, 12);
    // Stable Diffusion v1's alphas_cumprod[-1] is about 0.0047 (sqrt 0.068), as diffusers computes it
    expect(Math.sqrt(s.alphaBar[999]!)).toBeCloseTo(0.068, 3);
  });

  it('scaled-linear: sqrt(beta) is evenly spaced', () => {
    const s = makeSchedule({ kind: 'scaled-linear', T: 50, betaStart: 0.00085, betaEnd: 0.012 });
    const r = Array.from(s.betas, Math.sqrt);
    expect(r[0]).toBeCloseTo(Math.sqrt(0.00085), 14);
    expect(r[49]).toBeCloseTo(Math.sqrt(0.012), 14);
    for (let i = 2; i < 50; i++) expect(r[i]! - 2 * r[i - 1]! + r[i - 2]!).toBeCloseTo(0, 14);
  });

  it('cosine: the product telescopes to f((t+1)/T) / f(0) wherever no beta is clipped', () => {
    const T = 1000;
    const s = makeSchedule({ kind: 'cosine', T });
    const f = (u: number) => Math.cos(((u + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 1, 10, 250, 500, 750, 900, 980])
      expect(s.alphaBar[t]).toBeCloseTo(f((t + 1) / T) / f(0), 10);
    expect(s.betas[T - 1]).toBe(0.999); // f(1) = 0 would make beta 1: clipped
    expect(Math.max(...s.betas)).toBeLessThanOrEqual(0.999);
  });

  it('sigmoid: betas are symmetric about the middle (sigmoid(x) + sigmoid(-x) = 1)', () => {
    const s = makeSchedule({ kind: 'sigmoid', T: 101 });
    for (let i = 0; i < 101; i++) expect(s.betas[i]! + s.betas[100 - i]!).toBeCloseTo(1e-4 + 0.02, 14);
    expect(s.betas[50]).toBeCloseTo((1e-4 + 0.02) / 2, 14);
    expect(s.betas[0]).toBeCloseTo(1e-4 + 0.0199 / (1 + Math.exp(6)), 14);
  });

  it.each(BETA_SCHEDULE_KINDS)(
    '%s: alphas = 1 - betas, alphaBar is their product and strictly decreasing',
    (kind) => {
      const s = makeSchedule({ kind });
      const byLogs = alphaBarByLogs(s.betas);
      for (let t = 0; t < s.T; t++) {
        expect(s.alphas[t]).toBe(1 - s.betas[t]!);
        expect(s.alphaBar[t]! / byLogs[t]!).toBeCloseTo(1, 9);
        expect(s.betas[t]!).toBeGreaterThan(0);
        if (t > 0) expect(s.alphaBar[t]!).toBeLessThan(s.alphaBar[t - 1]!);
      }
    },
  );

  it.each(BETA_SCHEDULE_KINDS)(
    '%s with zero terminal SNR: first value kept, last exactly 0, sqrt(alphaBar) an affine map of the original',
    (kind) => {
      const base = makeSchedule({ kind });
      const z = makeSchedule({ kind, zeroTerminalSnr: true });
      expect(z.alphaBar[0]).toBeCloseTo(base.alphaBar[0]!, 14);
      expect(z.alphaBar[999]).toBe(0);
      expect(z.betas[999]).toBe(1);
      expect(snr(z, 999)).toBe(0);
      expect(logSnr(z, 999)).toBe(-Infinity);
      const a = sqrtAlphaBar(base);
      const b = sqrtAlphaBar(z);
      const scale = (b[0]! - b[999]!) / (a[0]! - a[999]!);
      for (const t of [1, 100, 500, 900, 998]) expect(b[t]).toBeCloseTo(b[0]! + scale * (a[t]! - a[0]!), 12);
      for (let t = 1; t < 1000; t++) expect(z.alphaBar[t]!).toBeLessThan(z.alphaBar[t - 1]!);
    },
  );

  it('rejects nonsense with a message', () => {
    expect(() => makeSchedule({ kind: 'linear', T: 1 })).toThrow(/T must be/);
    expect(() => makeSchedule({ kind: 'linear', betaEnd: 1.5 })).toThrow(/betaStart and betaEnd/);
    expect(() => makeSchedule({ kind: 'quadratic' as 'linear' })).toThrow(/unknown beta schedule/);
  });
});

describe('samplingTimesteps', () => {
  it('leading: i * floor(T/n) + offset, descending', () => {
    expect(samplingTimesteps(1000, 10)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(samplingTimesteps(1000, 10, 'leading', 1)).toEqual([
      901, 801, 701, 601, 501, 401, 301, 201, 101, 1,
    ]);
    expect(samplingTimesteps(10, 3)).toEqual([6, 3, 0]);
  });

  it('trailing: round(T - i*T/n) - 1, starting at T-1, rounding halves to even like numpy', () => {
    expect(samplingTimesteps(1000, 10, 'trailing')).toEqual([
      999, 899, 799, 699, 599, 499, 399, 299, 199, 99,
    ]);
    expect(samplingTimesteps(10, 3, 'trailing')).toEqual([9, 6, 2]); // 10, 6.67 -> 7, 3.33 -> 3
    // T/n = 62.5: 937.5 -> 938, 812.5 -> 812, 687.5 -> 688, 562.5 -> 562 (numpy.round)
    expect(samplingTimesteps(1000, 16, 'trailing').slice(0, 5)).toEqual([999, 937, 874, 811, 749]);
  });

  it('linspace: round(i*(T-1)/(n-1)), both ends included', () => {
    expect(samplingTimesteps(1000, 4, 'linspace')).toEqual([999, 666, 333, 0]);
    expect(samplingTimesteps(1000, 1, 'linspace')).toEqual([0]);
    expect(samplingTimesteps(1000, 1000, 'linspace')).toEqual(
      Array.from({ length: 1000 }, (_, i) => 999 - i),
    );
  });

  it.each(['leading', 'trailing', 'linspace'] as const)(
    '%s: n distinct steps inside 0..T-1 for every n',
    (spacing) => {
      for (const n of [1, 2, 7, 10, 20, 50, 100, 999, 1000]) {
        const ts = samplingTimesteps(1000, n, spacing);
        expect(ts).toHaveLength(n);
        expect(new Set(ts).size).toBe(n);
        for (let i = 1; i < n; i++) expect(ts[i]!).toBeLessThan(ts[i - 1]!);
        expect(ts[0]!).toBeLessThanOrEqual(999);
        expect(ts[n - 1]!).toBeGreaterThanOrEqual(0);
      }
    },
  );

  it('rejects an impossible count or offset', () => {
    expect(() => samplingTimesteps(1000, 0)).toThrow(/1\.\.1000/);
    expect(() => samplingTimesteps(1000, 1001)).toThrow(/1\.\.1000/);
    expect(() => samplingTimesteps(1000, 10, 'leading', 100)).toThrow(/offset/);
  });

  it('roundHalfEven', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 812.5, 937.5].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, 2, 3, 812, 938,
    ]);
  });
});

describe('q(x_t | x_0)', () => {
  const s = makeSchedule({ kind: 'linear' });

  it('helpers are sqrt(alphaBar), sqrt(1 - alphaBar) and alphaBar / (1 - alphaBar)', () => {
    const a = sqrtAlphaBar(s);
    const b = sqrtOneMinusAlphaBar(s);
    for (const t of [0, 10, 500, 999]) {
      expect(a[t]! ** 2 + b[t]! ** 2).toBeCloseTo(1, 14);
      expect(snr(s, t)).toBeCloseTo(a[t]! ** 2 / b[t]! ** 2, 8);
      expect(qMoments(s, t)).toEqual({ mean: a[t], std: b[t] });
    }
    expect(logSnr(s, 0)).toBeCloseTo(Math.log(0.9999 / 0.0001), 9);
  });

  it('the step-by-step variance recursion lands exactly on 1 - alphaBar (variance-preserving)', () => {
    // Var(x_t | x_0) with Var_{-1} = 0: Var_t = (1 - beta_t) Var_{t-1} + beta_t; mean coefficient m_t = sqrt(1-beta_t) m_{t-1}.
    let v = 0;
    let m = 1;
    for (let t = 0; t < s.T; t++) {
      v = (1 - s.betas[t]!) * v + s.betas[t]!;
      m *= Math.sqrt(1 - s.betas[t]!);
      if (t % 111 === 0 || t === 999) {
        expect(v).toBeCloseTo(1 - s.alphaBar[t]!, 12);
        expect(m).toBeCloseTo(Math.sqrt(s.alphaBar[t]!), 12);
      }
    }
  });

  it('running the chain of small steps gives the closed-form distribution (sampled, 40,000 chains)', () => {
    const n = 40_000;
    const x0 = new Float32Array(n).fill(0.8);
    for (const t of [0, 99, 399]) {
      const x = Float32Array.from(x0);
      for (let step = 0; step <= t; step++) qStep(s, step, x, normals(n, 1000 * t + step));
      const { mean, std } = qMoments(s, t);
      let m = 0;
      for (const v of x) m += v;
      m /= n;
      let v2 = 0;
      for (const v of x) v2 += (v - m) ** 2;
      const sd = Math.sqrt(v2 / n);
      // standard error of the mean is std/sqrt(n) = 0.005 std; allow 5 of them
      expect(Math.abs(m - mean * 0.8)).toBeLessThan((5 * std) / Math.sqrt(n) + 1e-6);
      expect(sd / std).toBeCloseTo(1, 1);
      // and the one-jump sample agrees the same way
      const jump = qSample(s, t, x0, normals(n, 7));
      expect(jump[0]).toBeCloseTo(mean * 0.8 + std * normals(1, 7)[0]!, 5);
    }
  });
});
