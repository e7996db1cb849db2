import { beforeAll, describe, expect, it } from 'vitest';
import { DdpmSampler, ddpmVariance } from '../../src/diffusion/ddpm';
import { DdimSampler, ddimSigma } from '../../src/diffusion/ddim';
import { DpmSolverPlusPlus } from '../../src/diffusion/dpm-solver';
import type { Sampler } from '../../src/diffusion/sampler';
import { makeSchedule } from '../../src/diffusion/schedule';
import { UNet } from '../../src/nets/unet';
import { sampleDdpm, sampleImages } from '../../src/pipelines/ddpm-sample';
import { initNodeBackend, tf } from '../../src/runtime/tf-node';

const s = makeSchedule({ kind: 'linear' });

beforeAll(async () => {
  await initNodeBackend('wasm');
});

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Run a sampler from x_T with an oracle model output; noise for step i from a fixed seed. */
async function run(
  sampler: Sampler,
  xT: tf.Tensor,
  oracle: (xt: tf.Tensor, t: number) => tf.Tensor,
  noiseSeed = 100,
): Promise<number[]> {
  let x = xT.clone();
  sampler.timesteps.forEach((t, i) => {
    const next = tf.tidy(() => {
      const z = sampler.needsNoise(t) ? tf.randomNormal(x.shape, 0, 1, 'float32', noiseSeed + i) : undefined;
      return sampler.step(oracle(x, t), t, x, z).prevSample;
    });
    x.dispose();
    x = next;
  });
  sampler.reset();
  const v = await values(x);
  x.dispose();
  return v;
}

describe('DDIM step math (Song et al. 2021)', () => {
  it('sigma is 0 for eta 0, the DDPM posterior std for eta 1, and scales linearly in eta', () => {
    for (const t of [1, 10, 500, 999]) {
      expect(ddimSigma(s, t, t - 1, 0)).toBe(0);
      expect(ddimSigma(s, t, t - 1, 1)).toBeCloseTo(Math.sqrt(ddpmVariance(s, t, t - 1)), 14);
      expect(ddimSigma(s, t, t - 1, 0.5)).toBeCloseTo(0.5 * ddimSigma(s, t, t - 1, 1), 14);
    }
    // the last step goes to alphaBar = 1: no noise left to add
    expect(ddimSigma(s, 0, -1, 1)).toBe(0);
    expect(ddimSigma(s, 40, -10, 1)).toBe(0);
    // without "set alpha to one" the last step targets alphaBar[0] and keeps a little noise
    expect(ddimSigma(s, 40, -10, 1, false)).toBeGreaterThan(0);
  });

  it('keeps timesteps by spacing and always steps back floor(T/n)', () => {
    const d = new DdimSampler(s);
    expect(d.timesteps).toHaveLength(1000);
    d.setTimesteps(10);
    expect(d.timesteps).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(d.prevTimestep(900)).toBe(800);
    const tr = new DdimSampler(s, { spacing: 'trailing' });
    tr.setTimesteps(10);
    expect(tr.timesteps).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
    expect(tr.prevTimestep(99)).toBe(-1);
    const off = new DdimSampler(s, { offset: 1 });
    off.setTimesteps(20);
    expect(off.timesteps[0]).toBe(951);
    expect(off.timesteps.at(-1)).toBe(1);
    expect(() => new DdimSampler(s, { eta: 1.5 })).toThrow(/eta must lie in \[0, 1\]/);
  });

  it('eta = 0 is deterministic: noise is neither asked for nor used', async () => {
    const d = new DdimSampler(s);
    d.setTimesteps(20);
    expect(d.timesteps.some((t) => d.needsNoise(t))).toBe(false);
    const xt = tf.randomNormal([64], 0, 1, 'float32', 3);
    const out = tf.randomNormal([64], 0, 1, 'float32', 4);
    const z1 = tf.randomNormal([64], 0, 1, 'float32', 5);
    const z2 = tf.randomNormal([64], 0, 1, 'float32', 6);
    const a = d.step(out, 500, xt, z1);
    const b = d.step(out, 500, xt, z2);
    const c = d.step(out, 500, xt);
    expect(await values(a.prevSample)).toEqual(await values(b.prevSample));
    expect(await values(a.prevSample)).toEqual(await values(c.prevSample));
    tf.dispose([xt, out, z1, z2, a.prevSample, a.predX0, b.prevSample, b.predX0, c.prevSample, c.predX0]);
  });

  it('eta = 1 on all T steps is the DDPM fixed-small step given the same noise', async () => {
    const ddim = new DdimSampler(s, { eta: 1, clipSample: false });
    const ddpm = new DdpmSampler(s, { clipSample: false });
    for (const t of [999, 700, 250, 31, 1, 0]) {
      const xt = tf.randomNormal([256], 0, 1, 'float32', t + 1);
      const out = tf.randomNormal([256], 0, 1, 'float32', t + 2);
      const z = tf.randomNormal([256], 0, 1, 'float32', t + 3);
      expect(ddim.needsNoise(t)).toBe(ddpm.needsNoise(t));
      const a = ddim.step(out, t, xt, z);
      const b = ddpm.step(out, t, xt, t > 0 ? z : undefined);
      const [va, vb] = [await values(a.prevSample), await values(b.prevSample)];
      for (let i = 0; i < va.length; i++) expect(va[i]).toBeCloseTo(vb[i]!, 4);
      tf.dispose([xt, out, z, a.prevSample, a.predX0, b.prevSample, b.predX0]);
    }
  });

  it('eta = 1 with clipping is the clipped DDPM step too: the consistent update keeps the identity', async () => {
    const ddim = new DdimSampler(s, { eta: 1 });
    const ddpm = new DdpmSampler(s);
    for (const t of [999, 700, 250, 31, 1]) {
      // x_t far from the data range, so x̂0 is clipped
      const xt = tf.mul(tf.randomNormal([256], 0, 1, 'float32', t + 1), 3);
      const out = tf.randomNormal([256], 0, 1, 'float32', t + 2);
      const z = tf.randomNormal([256], 0, 1, 'float32', t + 3);
      const a = ddim.step(out, t, xt, z);
      const b = ddpm.step(out, t, xt, z);
      const [va, vb] = [await values(a.prevSample), await values(b.prevSample)];
      for (let i = 0; i < va.length; i++) expect(va[i]).toBeCloseTo(vb[i]!, 4);
      tf.dispose([xt, out, z, a.prevSample, a.predX0, b.prevSample, b.predX0]);
    }
  });

  it('float32 is precise enough: 1,000 clipped η=0 steps in tensors match the same steps in float64', async () => {
    const err = (x: number) => 0.2 * Math.sin(3 * x); // the imperfect model of the convergence test below
    const x0s = Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const d = new DdimSampler(s);
    d.setTimesteps(1000);
    const got = await run(d, tf.tensor1d(x0s), (xt, t) =>
      tf.add(tf.mul(xt, Math.sqrt(1 - s.alphaBar[t]!)), tf.mul(tf.sin(tf.mul(xt, 3)), 0.2)),
    );
    // the same update written out in double precision
    const ref = x0s.map((x) => {
      for (const t of d.timesteps) {
        const a = s.alphaBar[t]!;
        const p = t > 0 ? s.alphaBar[t - 1]! : 1;
        const eps = Math.sqrt(1 - a) * x + err(x);
        const c = Math.min(1, Math.max(-1, (x - Math.sqrt(1 - a) * eps) / Math.sqrt(a)));
        x = Math.sqrt(p) * c + Math.sqrt(1 - p) * ((x - Math.sqrt(a) * c) / Math.sqrt(1 - a));
      }
      return x;
    });
    const worst = Math.max(...got.map((g, i) => Math.abs(g - ref[i]!)));
    expect(worst).toBeLessThan(1e-4);
  });

  it('needs noise when eta > 0 and refuses to run without it', () => {
    const d = new DdimSampler(s, { eta: 0.5 });
    d.setTimesteps(10);
    const x = tf.zeros([4]);
    expect(() => d.step(x, 500, x)).toThrow(/needs noise/);
    x.dispose();
  });

  it('clips x̂0 to [-1, 1] and steps with the noise estimate of the clipped x̂0 (or, asked to, the model’s)', async () => {
    const a = s.alphaBar[500]!;
    const p = s.alphaBar[400]!;
    const eps = tf.tensor1d([0.5]);
    const x = Math.sqrt(a) * 3 + Math.sqrt(1 - a) * 0.5; // x0 = 3, outside the data range
    const xt = tf.tensor1d([x]);
    const consistent = new DdimSampler(s);
    const mixed = new DdimSampler(s, { epsFromClippedX0: false });
    for (const d of [consistent, mixed]) d.setTimesteps(10);
    const r = consistent.step(eps, 500, xt);
    const m = mixed.step(eps, 500, xt);
    expect((await values(r.predX0))[0]).toBeCloseTo(1, 6);
    expect((await values(m.predX0))[0]).toBeCloseTo(1, 6);
    // the noise that x_t holds if x0 is 1: (x_t - sqrt(a)) / sqrt(1 - a)
    const epsOfClipped = (x - Math.sqrt(a)) / Math.sqrt(1 - a);
    expect((await values(r.prevSample))[0]).toBeCloseTo(Math.sqrt(p) + Math.sqrt(1 - p) * epsOfClipped, 5);
    expect((await values(m.prevSample))[0]).toBeCloseTo(Math.sqrt(p) + Math.sqrt(1 - p) * 0.5, 5);
    tf.dispose([eps, xt, r.prevSample, r.predX0, m.prevSample, m.predX0]);
  });

  it('with clipping, eta = 0 converges as the steps get finer; mixing the clipped x̂0 with the model’s eps does not', async () => {
    // An imperfect model of N(0, 1) data: the exact eps, sqrt(1-a) x_t, plus an error 0.2 sin(3 x_t). At high
    // noise x̂0 = (x_t - sqrt(1-a) eps) / sqrt(a) magnifies that error far outside [-1, 1], so clipping acts
    // on many steps, as it does for a trained network.
    const model = (xt: tf.Tensor, t: number) =>
      tf.add(tf.mul(xt, Math.sqrt(1 - s.alphaBar[t]!)), tf.mul(tf.sin(tf.mul(xt, 3)), 0.2));
    const xT = tf.randomNormal([512], 0, 1, 'float32', 3);
    const rms = (u: number[], v: number[]) =>
      Math.sqrt(u.reduce((acc, x, i) => acc + (x - v[i]!) ** 2, 0) / u.length);
    /** How much the end point moves from n to 2n steps, for n = 125, 250, 500. */
    const moves = async (epsFromClippedX0: boolean) => {
      const ends: number[][] = [];
      for (const n of [125, 250, 500, 1000]) {
        const d = new DdimSampler(s, { epsFromClippedX0 });
        d.setTimesteps(n);
        ends.push(await run(d, xT, model));
      }
      return [0, 1, 2].map((i) => rms(ends[i]!, ends[i + 1]!));
    };
    const [c1, c2, c3] = await moves(true);
    const [m1, m2, m3] = await moves(false);
    // a first-order solver: each halving of the step roughly halves the move
    expect(c2).toBeLessThan(0.7 * c1!);
    expect(c3).toBeLessThan(0.7 * c2!);
    expect(c3).toBeLessThan(0.002);
    // the mixed update does not settle: it moves as much from 250 to 500 steps as from 125 to 250, and
    // still ten times more than the consistent one from 500 to 1,000
    expect(m2).toBeGreaterThan(0.7 * m1!);
    expect(m3).toBeGreaterThan(10 * c3!);
    xT.dispose();
  });
});

describe('samplers against closed forms', () => {
  // Point-mass data x0 = c: the exact eps is (x_t - sqrt(a) c)/sqrt(1 - a), so x̂0 = c at every step and
  // every deterministic sampler must land exactly on c, whatever the number of steps.
  const c = 0.37;
  const pointOracle = (xt: tf.Tensor, t: number) => {
    const a = s.alphaBar[t]!;
    return tf.div(tf.sub(xt, Math.sqrt(a) * c), Math.sqrt(1 - a));
  };

  it('DDIM (any eta) and DPM-Solver++ land exactly on point-mass data in 1, 3 and 10 steps', async () => {
    const xT = tf.randomNormal([32], 0, 1, 'float32', 9);
    for (const n of [1, 3, 10]) {
      for (const sampler of [
        new DdimSampler(s, { eta: 0 }),
        new DdimSampler(s, { eta: 1, spacing: 'trailing' }),
        new DpmSolverPlusPlus(s),
      ]) {
        sampler.setTimesteps(n);
        for (const v of await run(sampler, xT, pointOracle)) expect(v).toBeCloseTo(c, 4);
      }
    }
    xT.dispose();
  });

  it('with point-mass data the deterministic samplers keep the noise direction of x_T at every step', async () => {
    // x_t = sqrt(a) c + sqrt(1 - a) eps: the exact ODE keeps eps fixed, so (x - sqrt(p) c) / sqrt(1 - p)
    // after each step must equal the eps of x_T. (The last step lands on c itself, checked above.)
    for (const sampler of [new DdimSampler(s), new DpmSolverPlusPlus(s)]) {
      sampler.setTimesteps(8);
      const ts = sampler.timesteps;
      const xT = tf.tensor1d([1.3, -0.4, 0.05]);
      const aT = s.alphaBar[ts[0]!]!;
      const eps0 = Array.from(await xT.data()).map((x) => (x - Math.sqrt(aT) * c) / Math.sqrt(1 - aT));
      let x: tf.Tensor = xT.clone();
      for (let i = 0; i < ts.length - 1; i++) {
        const next = tf.tidy(() => sampler.step(pointOracle(x, ts[i]!), ts[i]!, x).prevSample);
        x.dispose();
        x = next;
        const prevT = sampler instanceof DdimSampler ? sampler.prevTimestep(ts[i]!) : ts[i + 1]!;
        const p = s.alphaBar[prevT]!;
        const eps = Array.from(await x.data()).map((v) => (v - Math.sqrt(p) * c) / Math.sqrt(1 - p));
        eps.forEach((e, j) => expect(e, `step ${i}`).toBeCloseTo(eps0[j]!, 3));
      }
      sampler.reset();
      tf.dispose([x, xT]);
    }
  });

  // Gaussian data x0 ~ N(0, s0^2): the exact eps is sqrt(1-a) x_t / v(a) with v(a) = a s0^2 + 1 - a, and
  // the probability-flow ODE that DDIM (eta 0) and DPM-Solver++ solve keeps x_t / sqrt(v) constant, so
  // its exact solution maps x_T to x_0 = x_T * s0 / sqrt(v(alphaBar[T-1])).
  const s0 = 0.5;
  const gaussOracle = (xt: tf.Tensor, t: number) => {
    const a = s.alphaBar[t]!;
    return tf.mul(xt, Math.sqrt(1 - a) / (a * s0 * s0 + 1 - a));
  };
  const aT = s.alphaBar[s.T - 1]!;
  const exactGain = s0 / Math.sqrt(aT * s0 * s0 + 1 - aT);

  async function gainError(sampler: Sampler, n: number): Promise<number> {
    sampler.setTimesteps(n);
    const xT = tf.tensor1d([1]);
    const [v] = await run(sampler, xT, gaussOracle);
    xT.dispose();
    return Math.abs(v! - exactGain) / exactGain;
  }

  it('DDIM (eta 0) converges to the exact ODE solution as steps grow (first order)', async () => {
    const mk = () => new DdimSampler(s, { spacing: 'trailing', clipSample: false });
    const e10 = await gainError(mk(), 10);
    const e100 = await gainError(mk(), 100);
    const e1000 = await gainError(mk(), 1000);
    // first order: 10x the steps, ~10x less error (0.26, 0.029, 0.0030 by a float64 reference loop)
    expect(e10 / e100).toBeGreaterThan(7);
    expect(e10 / e100).toBeLessThan(13);
    expect(e100 / e1000).toBeGreaterThan(7);
    expect(e1000).toBeLessThan(4e-3);
  });

  /** Relative error of x at t = 499 (reached by every trailing grid of 10, 20, 40 steps) from x_T = 1. */
  async function errorAt499(sampler: Sampler, n: number): Promise<number> {
    sampler.setTimesteps(n);
    const ts = sampler.timesteps;
    let x: tf.Tensor = tf.tensor1d([1]);
    for (let i = 0; ts[i] !== 499; i++) {
      const next = tf.tidy(() => sampler.step(gaussOracle(x, ts[i]!), ts[i]!, x).prevSample);
      x.dispose();
      x = next;
    }
    const v = (await x.data())[0]!;
    x.dispose();
    sampler.reset();
    const v499 = s.alphaBar[499]! * s0 * s0 + 1 - s.alphaBar[499]!;
    const exact = Math.sqrt(v499 / (aT * s0 * s0 + 1 - aT));
    return Math.abs(v - exact) / exact;
  }

  it('DPM-Solver++(2M) converges at second order, DDIM (eta 0) at first order', async () => {
    // float64 reference loop: DDIM 3.1e-3, 1.6e-3, 8.0e-4; DPM-Solver++ 1.5e-3, 4.3e-4, 1.1e-4 (n = 10, 20, 40)
    const ddim = () => new DdimSampler(s, { spacing: 'trailing', clipSample: false });
    const dpm = () => new DpmSolverPlusPlus(s, { clipSample: false });
    const [i10, i20, i40] = [
      await errorAt499(ddim(), 10),
      await errorAt499(ddim(), 20),
      await errorAt499(ddim(), 40),
    ];
    const [d10, d20, d40] = [
      await errorAt499(dpm(), 10),
      await errorAt499(dpm(), 20),
      await errorAt499(dpm(), 40),
    ];
    for (const r of [i10 / i20, i20 / i40]) {
      expect(r).toBeGreaterThan(1.7);
      expect(r).toBeLessThan(2.4);
    }
    for (const r of [d10 / d20, d20 / d40]) expect(r).toBeGreaterThan(3);
    expect(d10).toBeLessThan(i10);
    expect(d40).toBeLessThan(2e-4);
  });

  it('the DPM-Solver++ first-order step equals DDIM eta 0 (Lu et al., eq. 5 with a constant x̂0)', async () => {
    const dpm = new DpmSolverPlusPlus(s, { clipSample: false });
    const ddim = new DdimSampler(s, { spacing: 'trailing', clipSample: false });
    dpm.setTimesteps(10);
    ddim.setTimesteps(10);
    const xt = tf.randomNormal([64], 0, 1, 'float32', 11);
    const out = tf.randomNormal([64], 0, 1, 'float32', 12);
    const a = dpm.step(out, 999, xt); // first step: first order
    const b = ddim.step(out, 999, xt);
    const [va, vb] = [await values(a.prevSample), await values(b.prevSample)];
    for (let i = 0; i < va.length; i++) expect(va[i]).toBeCloseTo(vb[i]!, 4);
    dpm.reset();
    tf.dispose([xt, out, a.prevSample, a.predX0, b.prevSample, b.predX0]);
  });

  it('DDIM with eta 0, 0.5 and 1 (200 steps) all recover the data distribution N(0, 0.5²)', async () => {
    const n = 8000;
    const xT = tf.randomNormal([n], 0, 1, 'float32', 21);
    for (const eta of [0, 0.5, 1]) {
      const d = new DdimSampler(s, { eta, clipSample: false });
      d.setTimesteps(200);
      const v = await run(d, xT, gaussOracle);
      const m = v.reduce((p, q) => p + q, 0) / n;
      const sd = Math.sqrt(v.reduce((p, q) => p + (q - m) ** 2, 0) / n);
      expect(Math.abs(m)).toBeLessThan(0.03);
      expect(Math.abs(sd - s0)).toBeLessThan(0.03);
    }
    xT.dispose();
  });
});

describe('sampling loop with any sampler', () => {
  it('deterministic per seed; samplers differ from the same x_T; no tensor leaks over 50 runs, or when a run is cut short', async () => {
    const net = new UNet({ ch: 8, groups: 4, size: 28, channels: 1 });
    const drain = async (g: AsyncGenerator<{ x: Float32Array; index: number }>) => {
      const out = [];
      for await (const f of g) out.push(f);
      return out;
    };
    const samplers: Sampler[] = [
      new DdpmSampler(s),
      new DdimSampler(s, { eta: 0.5 }),
      new DpmSolverPlusPlus(s),
    ];
    for (const sm of samplers) sm.setTimesteps(3);
    // warm up, then count
    for (const sm of samplers) await drain(sampleDdpm(net, sm, { n: 2, seed: 1 }));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++)
      for (const sm of samplers) await drain(sampleDdpm(net, sm, { n: 2, seed: i, every: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    // deterministic per seed, and different samplers give different images from the same x_T
    const a = (await drain(sampleDdpm(net, samplers[2]!, { n: 2, seed: 5 }))).at(-1)!.x;
    const b = (await drain(sampleDdpm(net, samplers[2]!, { n: 2, seed: 5 }))).at(-1)!.x;
    const c = (await drain(sampleDdpm(net, samplers[1]!, { n: 2, seed: 5 }))).at(-1)!.x;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // stopping after the first frame (a reader that breaks out, or an abort) frees the solver's memory too
    for (const sm of samplers) {
      for await (const f of sampleDdpm(net, sm, { n: 2, seed: 1 })) if (f.index === 0) break;
      const ctl = new AbortController();
      for await (const f of sampleDdpm(net, sm, { n: 2, seed: 1, signal: ctl.signal }))
        if (f.index === 0) ctl.abort();
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('sampleImages draws in batches, batch k from seed + k * batch, final frames only', async () => {
    const net = new UNet({ ch: 8, groups: 4, size: 28, channels: 1 });
    const sampler = new DdimSampler(s);
    sampler.setTimesteps(3);
    const done: number[] = [];
    const all = await sampleImages(net, sampler, 3, 10, 2, (n) => done.push(n));
    expect(done).toEqual([2, 3]);
    const last = async (n: number, seed: number) => {
      let x: Float32Array = new Float32Array(0);
      for await (const f of sampleDdpm(net, sampler, { n, seed })) x = f.x;
      return x;
    };
    expect(Array.from(all)).toEqual([...(await last(2, 10)), ...(await last(1, 12))]);
    net.dispose();
  });
});
