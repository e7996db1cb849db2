/**
 * Sampling for the lessons, in a Web Worker, so the page never waits for a network call (a denoising step
 * of the shipped pixel net takes a fifth of a second on WASM; one such call on the page's thread is a
 * frozen frame). The worker loads its own copy of a shipped model (the browser's cache serves the bytes
 * again), runs the same sampling loop as everywhere (src/pipelines/ddpm-sample.ts) and streams every
 * frame to the page through a Comlink callback; a latent model's frames come decoded to pixels. The page
 * side is client.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { makeSampler, type SamplerSpec } from '../../diffusion/samplers';
import { makeSchedule } from '../../diffusion/schedule';
import { pairedLatentScale } from '../../nets/latent-pair';
import { fetchDdpm, modelSampling, type LoadedDdpm } from '../../nets/load';
import { classCondition } from '../../nets/denoiser';
import { fetchAutoencoder } from '../../nets/load-autoencoder';
import { sampleDdpm } from '../../pipelines/ddpm-sample';
import { lossByTimestep } from '../../pipelines/denoise';
import { normals } from '../../diffusion/random';
import { decodeLatents, LatentCodec } from '../../pipelines/latent';
import { initBackend, type BackendInfo, type BackendName } from '../../runtime/backend';
import { exposeWorker, transfer } from '../../runtime/worker-rpc';
import { embedImages, embedTexts } from '../../metrics/zero-shot';
import { loadGan, loadVae } from '../../nets/load-family';
import type { Gan } from '../../nets/gan';
import type { Vae } from '../../nets/vae';
import { Autoencoder } from '../../nets/autoencoder';
import { reconstructAutoencoder } from '../../pipelines/latent';
import { drawOnePass, interpolateOnePass, reconstructVae, slerpCodes } from '../../pipelines/one-pass';
import { invertDdim } from '../../pipelines/ddim-invert';
import { restoreSetup, walkPath, type RestoreTask, type WalkFrame } from '../../pipelines/restore';
import { MnistClassifier } from '../../nets/classifier';
import { decodeWeights } from '../../nets/weights-format';
import { classify } from '../../metrics/evaluate';
import {
  fetchTextToImage,
  textToImage,
  type TextToImageFrame,
  type TextToImageModels,
  type TextToImageSource,
} from '../../pipelines/text-to-image';

/** One frame of a run, as the page receives it. */
export interface WorkerFrame {
  index: number;
  total: number;
  t: number;
  /** The samples after this step (decoded to pixels for a latent model, on the last frame only). */
  x: Float32Array;
  /** The model's estimate of the clean samples (decoded to pixels for a latent model). */
  predX0: Float32Array;
}

/** One point of the loss-by-timestep curve. */
export interface LossPoint {
  t: number;
  epsMse: number;
  x0Mse: number;
}

export type { TextToImageFrame, TextToImageSource };

export interface SampleRequest {
  /** Folder URL of a diffusion model (model.json + weights.bin). */
  model: string;
  /** Folder URL of its autoencoder, for a latent model: frames are then decoded. */
  autoencoder?: string;
  spec: SamplerSpec;
  n: number;
  seed: number;
  every: number;
  /**
   * For a label-conditioned model: one label per sample (-1: no label), and the classifier-free guidance
   * scale towards them (default 1: the conditional prediction alone).
   */
  labels?: number[];
  guidance?: number;
  /** The page's id for this run, for cancel(). */
  run: number;
}

interface Loaded {
  ddpm: LoadedDdpm;
  codec?: LatentCodec;
}

export interface TextToImageRequest {
  source: TextToImageSource;
  prompt: string;
  negative: string;
  guidance: number;
  n: number;
  seed: number;
  steps: number;
  /** Also the conditional and unconditional x̂₀ and the attention maps at every frame. */
  inspect: boolean;
  /** Decode every step's guided x̂₀ (else only the final sample). */
  previews: boolean;
  run: number;
}

let backend: Promise<BackendInfo> | null = null;
const models = new Map<string, Promise<Loaded>>();
const running = new Map<number, AbortController>();

function load(model: string, autoencoder?: string): Promise<Loaded> {
  const key = `${model}|${autoencoder ?? ''}`;
  let p = models.get(key);
  if (!p) {
    p = (async () => {
      const ddpm = await fetchDdpm(model);
      if (!autoencoder) return { ddpm };
      const ae = await fetchAutoencoder(autoencoder);
      const scale = pairedLatentScale(
        { latentScale: ae.meta.latentScale, sha256: ae.sha256 },
        ddpm.meta.latent,
      );
      return { ddpm, codec: new LatentCodec(ae.net, scale) };
    })();
    p.catch(() => models.delete(key)); // a failed load is tried again next time
    models.set(key, p);
  }
  return p;
}

/** What a one-pass request asks of a GAN, a VAE or the latent autoencoder (each a few milliseconds). */
export type OnePassRequest =
  | {
      op: 'sample';
      kind: 'gan' | 'vae';
      folder: string;
      n: number;
      seed: number;
      /** A VAE's draw with its decoder noise (else its mean). */
      noise?: boolean;
      /** A GAN's best of GAN_BEST_OF codes per digit by its discriminator (else its generator alone). */
      bestOf?: boolean;
    }
  | { op: 'interpolate'; kind: 'gan' | 'vae'; folder: string; seeds: [number, number]; frames: number }
  | { op: 'reconstruct'; kind: 'vae' | 'autoencoder'; folder: string; images: Float32Array };

const onePassModels = new Map<string, Promise<Gan | Vae | Autoencoder>>();

async function fetchFiles(folder: string): Promise<{ json: string; bin: Uint8Array }> {
  const [j, b] = await Promise.all([
    fetch(new URL('model.json', folder)),
    fetch(new URL('weights.bin', folder)),
  ]);
  if (!j.ok || !b.ok)
    throw new Error(`the model in ${folder} could not load (HTTP ${j.ok ? b.status : j.status})`);
  return { json: await j.text(), bin: new Uint8Array(await b.arrayBuffer()) };
}

function loadOnePass(kind: OnePassRequest['kind'], folder: string): Promise<Gan | Vae | Autoencoder> {
  let p = onePassModels.get(folder);
  if (!p) {
    p = (async () => {
      if (kind === 'autoencoder') return (await fetchAutoencoder(folder)).net;
      const { json, bin } = await fetchFiles(folder);
      return kind === 'gan' ? loadGan(json, bin).net : loadVae(json, bin).net;
    })();
    p.catch(() => onePassModels.delete(folder));
    onePassModels.set(folder, p);
  }
  return p;
}

/** A restoration (src/pipelines/restore.ts) of n images by a pixel diffusion model. */
export interface RestoreRequest {
  model: string;
  task: RestoreTask;
  /** n·784 values in [-1, 1]: the clean digits (denoise, inpaint) or the drawings (sdedit). */
  images: Float32Array;
  seed: number;
  every: number;
  run: number;
}

/** A frame of a restoration; the first also carries what the walk starts from, as an image. */
export interface RestoreFrame extends WalkFrame {
  /** The timestep the walk started at. */
  start: number;
  observed?: Float32Array;
}

let judge: Promise<MnistClassifier> | null = null;

/** The evaluation's classifier, loaded once. */
function loadJudge(folder: string): Promise<MnistClassifier> {
  judge ??= (async () => {
    const { json, bin } = await fetchFiles(folder);
    const net = new MnistClassifier();
    net.setWeights(decodeWeights(json, bin, net.paramSpecs).weights);
    return net;
  })();
  judge.catch(() => (judge = null));
  return judge;
}

const t2iModels = new Map<string, Promise<TextToImageModels>>();

/** A text-to-image pipeline's models, loaded once per source (a failed load is tried again next time). */
function loadTextToImage(src: TextToImageSource): Promise<TextToImageModels> {
  const key = JSON.stringify(src);
  let p = t2iModels.get(key);
  if (!p) {
    p = fetchTextToImage(src);
    p.catch(() => t2iModels.delete(key));
    t2iModels.set(key, p);
  }
  return p;
}

const api = {
  /** Start TF.js on the page's backend (the first call decides; later calls get the same answer). */
  init(name: BackendName): Promise<BackendInfo> {
    backend ??= initBackend(name);
    return backend;
  },
  /** Sample, calling `onFrame` every `every` steps and at the last; resolves when done or cancelled. */
  async sample(r: SampleRequest, onFrame: (f: WorkerFrame) => void): Promise<'done' | 'cancelled'> {
    const ctl = new AbortController();
    running.set(r.run, ctl);
    try {
      const { ddpm, codec } = await load(r.model, r.autoencoder);
      const sampler = makeSampler(r.spec, makeSchedule(ddpm.meta.schedule), modelSampling(ddpm.meta));
      const c = ddpm.net.conditioning;
      if (r.labels && c.kind !== 'class') throw new Error('labels given to a model that takes none');
      if (r.labels && r.labels.length !== r.n)
        throw new Error(`${r.labels.length} labels for ${r.n} samples`);
      const w = r.guidance ?? 1;
      if (!(Number.isFinite(w) && w >= 0)) throw new Error(`guidance ${w}: a number from 0 up`);
      const cond = r.labels && c.kind === 'class' ? classCondition(r.labels, c.classes) : undefined;
      try {
        for await (const f of sampleDdpm(ddpm.net, sampler, {
          n: r.n,
          seed: r.seed,
          every: r.every,
          signal: ctl.signal,
          // guidance towards no label would only double the work: the null condition alone
          ...(cond ? { cond, guidanceScale: r.labels!.every((l) => l < 0) ? 1 : w } : {}),
        })) {
          const last = f.index === f.total - 1;
          const frame: WorkerFrame = codec
            ? {
                ...f,
                predX0: await decodeLatents(codec, f.predX0, r.n),
                x: last ? await decodeLatents(codec, f.x, r.n) : new Float32Array(0),
              }
            : // copies: on the CPU and WebGL backends data() can hand back a tensor's own storage, which
              // the next step still reads, and a transfer would detach it
              { ...f, x: f.x.slice(), predX0: f.predX0.slice() };
          onFrame(transfer(frame, [frame.x.buffer, frame.predX0.buffer]));
        }
      } finally {
        cond?.dispose();
      }
      return ctl.signal.aborted ? 'cancelled' : 'done';
    } finally {
      running.delete(r.run);
    }
  },
  /**
   * The noise-prediction and clean-image errors of the model on clean images x0 at each timestep (noise
   * seeded by noiseSeed + t), one point at a time.
   */
  async lossByT(
    r: { model: string; x0: Float32Array; timesteps: number[]; noiseSeed: number; run: number },
    onPoint: (p: LossPoint) => void,
  ): Promise<'done' | 'cancelled'> {
    const ctl = new AbortController();
    running.set(r.run, ctl);
    try {
      const { ddpm } = await load(r.model);
      const schedule = makeSchedule(ddpm.meta.schedule);
      const noise = (t: number) => normals(r.x0.length, r.noiseSeed + t);
      for await (const p of lossByTimestep(
        ddpm.net,
        schedule,
        ddpm.meta.prediction,
        r.x0,
        noise,
        r.timesteps,
        ctl.signal,
      ))
        onPoint({ t: p.t, epsMse: p.epsMse, x0Mse: p.x0Mse });
      return ctl.signal.aborted ? 'cancelled' : 'done';
    } finally {
      running.delete(r.run);
    }
  },
  /** Text to image, a frame (decoded x̂₀, with `inspect` the three predictions and the attention) per step. */
  async textToImage(
    r: TextToImageRequest,
    onFrame: (f: TextToImageFrame) => void,
  ): Promise<'done' | 'cancelled'> {
    const ctl = new AbortController();
    running.set(r.run, ctl);
    try {
      const m = await loadTextToImage(r.source);
      const sampler = makeSampler({ sampler: 'ddim', eta: 0, steps: r.steps }, m.schedule, {
        prediction: m.prediction,
        clipSample: false,
      });
      for await (const f of textToImage(m, sampler, { ...r, signal: ctl.signal })) {
        const buffers = [f.latents, f.image, f.conditional, f.unconditional, f.attention]
          .filter((a): a is Float32Array => !!a)
          .map((a) => a.buffer);
        onFrame(transfer(f, buffers));
      }
      return ctl.signal.aborted ? 'cancelled' : 'done';
    } finally {
      running.delete(r.run);
    }
  },
  /**
   * The text encoder's view of a prompt: cosine similarity of its caption embedding to other prompts'
   * and to digits' image embeddings (the CLIP score), digits given as n·784 values in [-1, 1].
   */
  async similarity(r: {
    source: TextToImageSource;
    prompt: string;
    others: string[];
    digits: Float32Array;
  }): Promise<{ prompts: number[]; digits: number[] }> {
    const m = await loadTextToImage(r.source);
    const n = r.digits.length / 784;
    const [p, d] = tf.tidy(() => {
      const texts = embedTexts(m.clip, m.tokenizer, [r.prompt, ...r.others]);
      const q = tf.slice(texts, [0, 0], [1, -1]);
      const others = tf.slice(texts, [1, 0], [r.others.length, -1]);
      const imgs = n ? embedImages(m.clip, r.digits) : tf.zeros([0, texts.shape[1]]);
      return [tf.matMul(others, q, false, true), tf.matMul(imgs as tf.Tensor2D, q, false, true)];
    });
    const out = {
      prompts: Array.from((await p.data()) as Float32Array),
      digits: Array.from((await d.data()) as Float32Array),
    };
    tf.dispose([p, d]);
    return out;
  },
  /** A GAN's or VAE's digits, an interpolation between two codes, or reconstructions (n·784 in [-1, 1]). */
  async onePass(r: OnePassRequest): Promise<Float32Array> {
    const m = await loadOnePass(r.kind, r.folder);
    let out: Float32Array;
    if (r.op === 'reconstruct')
      out =
        m instanceof Autoencoder
          ? await reconstructAutoencoder(m, r.images)
          : await reconstructVae(m as Vae, r.images);
    else if (r.op === 'interpolate')
      out = await interpolateOnePass(m as Gan | Vae, r.seeds[0], r.seeds[1], r.frames);
    else
      out = await drawOnePass(
        m as Gan | Vae,
        r.n,
        r.seed,
        r.bestOf ? 'best-of' : r.noise ? 'sample' : 'mean',
      );
    return transfer(out, [out.buffer]);
  },
  /**
   * The walk between two images through a diffusion model's noise: each is DDIM-inverted (`steps`
   * steps), the two noises are joined along the arc between them, and every point is sampled back with
   * DDIM (η = 0, no clipping, the same steps). Returns `frames` images (frames·784).
   */
  async inversionWalk(r: {
    model: string;
    images: Float32Array;
    steps: number;
    frames: number;
    run: number;
  }): Promise<Float32Array> {
    const ctl = new AbortController();
    running.set(r.run, ctl);
    try {
      const { ddpm } = await load(r.model);
      const schedule = makeSchedule(ddpm.meta.schedule);
      const noise = await invertDdim(ddpm.net, schedule, ddpm.meta.prediction, r.images, r.steps, ctl.signal);
      const per = noise.length / 2;
      const xT = slerpCodes(noise.subarray(0, per), noise.subarray(per), r.frames);
      const sampler = makeSampler(
        { sampler: 'ddim', eta: 0, steps: r.steps, clip: 'off' },
        schedule,
        modelSampling(ddpm.meta),
      );
      let out: Float32Array = new Float32Array(0);
      for await (const f of sampleDdpm(ddpm.net, sampler, {
        n: r.frames,
        seed: 0,
        xT,
        every: r.steps,
        signal: ctl.signal,
      }))
        out = f.x;
      if (ctl.signal.aborted) throw new DOMException('the walk was stopped', 'AbortError');
      for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i]!));
      return transfer(out, [out.buffer]);
    } finally {
      running.delete(r.run);
    }
  },
  /** Denoise, inpaint or edit images with a pixel model, a frame every `every` network calls and at the end. */
  async restore(r: RestoreRequest, onFrame: (f: RestoreFrame) => void): Promise<'done' | 'cancelled'> {
    const ctl = new AbortController();
    running.set(r.run, ctl);
    try {
      const { ddpm } = await load(r.model);
      const setup = restoreSetup(
        ddpm.net,
        makeSchedule(ddpm.meta.schedule),
        modelSampling(ddpm.meta),
        r.task,
        r.images,
        r.seed,
      );
      let observed: Float32Array | undefined = setup.observed;
      for await (const f of walkPath({ ...setup.walk, every: r.every, signal: ctl.signal })) {
        // copies, as in sample(): the walk's tensors may share storage with what data() returned
        const frame: RestoreFrame = {
          ...f,
          x: f.x.slice(),
          predX0: f.predX0.slice(),
          start: setup.t,
          ...(observed ? { observed } : {}),
        };
        onFrame(
          transfer(frame, [frame.x.buffer, frame.predX0.buffer, ...(observed ? [observed.buffer] : [])]),
        );
        observed = undefined;
      }
      return ctl.signal.aborted ? 'cancelled' : 'done';
    } finally {
      running.delete(r.run);
    }
  },
  /** The classifier's probabilities (n·10) for n digits (n·784 in [-1, 1]). */
  async classify(r: { classifier: string; images: Float32Array }): Promise<Float32Array> {
    const net = await loadJudge(r.classifier);
    const { probs } = await classify(net, r.images);
    return transfer(probs, [probs.buffer]);
  },
  /** Stop a run between two steps. */
  cancel(run: number): void {
    running.get(run)?.abort();
  },
  /** Tensors held in the worker (for tests: stable across runs). */
  numTensors(): number {
    return tf.memory().numTensors;
  },
};

export type InferenceWorkerApi = typeof api;
exposeWorker(api);
