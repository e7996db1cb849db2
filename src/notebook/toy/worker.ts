/**
 * The 2-D model of the warm-up lesson (and of the 2-D bias experiment), in a Web Worker: a small MLP denoiser (src/nets/mlp-denoiser.ts) trained
 * by the same DDPM trainer as the digit models, on points of the plane; the learned denoising direction
 * over a grid; and sampling with any sampler, every step's particles streamed to the page.
 */
import * as tf from '@tensorflow/tfjs';
import { arrayTrainData } from '../../data/train-data';
import { predictX0AndEps } from '../../diffusion/ddpm';
import { makeSampler, type SamplerSpec } from '../../diffusion/samplers';
import { sampleDdpm } from '../../pipelines/ddpm-sample';
import { initBackend, type BackendName } from '../../runtime/backend';
import { exposeWorker, transfer } from '../../runtime/worker-rpc';
import { yieldToEventLoop } from '../../runtime/yield';
import type { Denoiser } from '../../nets/denoiser';
import { DdpmTrainer, makeDenoiser } from '../../train/ddpm-trainer';
import { toyConfig } from '../../train/toy-config';

let trainer: DdpmTrainer | null = null;
let stopRun: AbortController | null = null;

function need(): DdpmTrainer {
  if (!trainer) throw new Error('no model yet: train it first');
  return trainer;
}

/** One copy of the network per use, so a field drawn during a sampling run does not change its weights. */
const previews = new Map<'field' | 'sample', Denoiser>();

/** A copy of the EMA weights as they are now (training may go on meanwhile), for `f`. */
async function withEma<T>(
  use: 'field' | 'sample',
  f: (tr: DdpmTrainer, net: Denoiser) => Promise<T>,
): Promise<T> {
  const tr = need();
  let net = previews.get(use);
  if (!net) previews.set(use, (net = makeDenoiser(tr.config)));
  net.copyFrom(tr.ema.shadow);
  return f(tr, net);
}

const api = {
  async init(backend: BackendName) {
    return initBackend(backend);
  },
  /** A fresh model for these points (x, y, x, y, …). */
  configure(a: { points: Float32Array; seed: number }) {
    stopRun?.abort();
    trainer?.dispose();
    for (const p of previews.values()) p.dispose();
    previews.clear();
    trainer = new DdpmTrainer(toyConfig(a.seed), arrayTrainData(a.points, [2]));
    return { params: trainer.net.paramCount };
  },
  /** Train for `seconds` (or until stopped), reporting the loss every few steps. */
  async train(
    a: { seconds: number },
    onProgress: (p: { step: number; loss: number; seconds: number }) => void,
  ): Promise<{ step: number; seconds: number }> {
    const tr = need();
    stopRun?.abort();
    const ctl = (stopRun = new AbortController());
    const end = performance.now() + a.seconds * 1000;
    const t0 = tr.wallSeconds;
    for await (const p of tr.run(1e9, { readEvery: 20, signal: ctl.signal })) {
      onProgress({ step: p.step, loss: p.loss, seconds: p.wallSeconds - t0 });
      if (performance.now() > end) ctl.abort();
      await yieldToEventLoop();
    }
    return { step: tr.step, seconds: tr.wallSeconds - t0 };
  },
  stop() {
    stopRun?.abort();
  },
  /**
   * The denoising direction at timestep t over a side × side grid of [-extent, extent]²: for each grid
   * point x, the arrow from x to the model's clean estimate x̂₀(x, t) (EMA weights). Returns x, y, dx, dy per point.
   */
  field(a: { t: number; side: number; extent: number }): Promise<Float32Array> {
    return withEma('field', async (tr, net) => {
      const n = a.side * a.side;
      const pts = new Float32Array(2 * n);
      for (let i = 0; i < a.side; i++)
        for (let j = 0; j < a.side; j++) {
          const k = i * a.side + j;
          pts[2 * k] = -a.extent + ((j + 0.5) * 2 * a.extent) / a.side;
          pts[2 * k + 1] = -a.extent + ((i + 0.5) * 2 * a.extent) / a.side;
        }
      const x0 = tf.tidy(() => {
        const x = tf.tensor2d(pts, [n, 2]);
        const out = net.apply(x, tf.fill([n], a.t) as tf.Tensor1D);
        return predictX0AndEps(out, x, tr.schedule.alphaBar[a.t]!, tr.config.prediction).x0;
      });
      const v = (await x0.data()) as Float32Array;
      x0.dispose();
      const out = new Float32Array(4 * n);
      for (let k = 0; k < n; k++) {
        out[4 * k] = pts[2 * k]!;
        out[4 * k + 1] = pts[2 * k + 1]!;
        out[4 * k + 2] = v[2 * k]! - pts[2 * k]!;
        out[4 * k + 3] = v[2 * k + 1]! - pts[2 * k + 1]!;
      }
      return transfer(out, [out.buffer]);
    });
  },
  /** n particles from the seed's Gaussian noise to samples, every step's positions streamed. */
  sample(
    a: { spec: SamplerSpec; n: number; seed: number },
    onFrame: (f: { index: number; total: number; x: Float32Array }) => void,
  ): Promise<void> {
    return withEma('sample', async (tr, net) => {
      const sampler = makeSampler(a.spec, tr.schedule, {
        prediction: tr.config.prediction,
        clipSample: false,
      });
      for await (const f of sampleDdpm(net, sampler, {
        n: a.n,
        seed: a.seed,
        every: Math.max(1, Math.floor(a.spec.steps / 50)),
      }))
        onFrame(transfer({ index: f.index, total: f.total, x: f.x }, [f.x.buffer]));
    });
  },
  numTensors() {
    return tf.memory().numTensors;
  },
};

export type ToyWorkerApi = typeof api;
exposeWorker(api);
