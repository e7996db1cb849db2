/**
 * The whole text-to-image pipeline, every stage visible (Rombach et al. 2022, Stable Diffusion's):
 *
 *   prompt -> tokens (BPE) -> token states (the CLIP-style text encoder, frozen)
 *          -> latent denoising: at each step the U-Net predicts twice in one batched call, with the
 *             prompt's states and with the empty (or negative) prompt's, and classifier-free guidance
 *             mixes them, ε̂ = ε̂(∅) + w·(ε̂(c) − ε̂(∅)) (Ho & Salimans 2022), here on v̂ the same way
 *          -> decoder: latents to pixels.
 *
 * Each frame carries what a lesson shows: the latents, the decoded x̂₀ of the guided, conditional and
 * unconditional predictions, and the cross-attention of the grid to every token, averaged over heads and
 * over the five cross-attention layers (each upsampled to the latent grid first), as DAAM (Tang et al.
 * 2023) and prompt-to-prompt (Hertz et al. 2022) do.
 * Deterministic for a seed: x_T and the noise of step i depend only on (seed, i).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fetchBytes } from '../data/fetch-bytes';
import type { Sampler } from '../diffusion/sampler';
import { makeSchedule, type NoiseSchedule } from '../diffusion/schedule';
import type { ClipModel } from '../nets/clip';
import { pairedLatentScale, sha256Hex } from '../nets/latent-pair';
import { fetchDdpm } from '../nets/load';
import { fetchAutoencoder } from '../nets/load-autoencoder';
import { fetchClip } from '../nets/load-clip';
import { modelDir, modelFile, SHIPPED_MODELS, type ShippedModel } from '../nets/registry';
import type { UNet } from '../nets/unet';
import { yieldToEventLoop } from '../runtime/yield';
import { BpeTokenizer, type Encoding } from '../text/bpe';
import { LatentCodec } from './latent';
import { stepNoise } from './ddpm-sample';

export interface TextToImageModels {
  tokenizer: BpeTokenizer;
  clip: ClipModel;
  unet: UNet;
  codec: LatentCodec;
  schedule: NoiseSchedule;
  prediction: 'epsilon' | 'v';
}

/** Where the four shipped models of the pipeline are: their folders' URLs, and the tokenizer.json's. */
export interface TextToImageSource {
  t2i: string;
  clip: string;
  autoencoder: string;
  tokenizer: string;
}

/** The shipped text-to-image pipelines: single digits, or multi-digit canvases. */
export type TextToImagePipeline = 'mnist' | 'canvas';

/** The shipped models' URLs under a page's base URI. */
export function shippedTextToImageSource(
  baseUri: string,
  pipeline: TextToImagePipeline = 'mnist',
): TextToImageSource {
  const folder = (m: ShippedModel) => new URL(`${modelDir(m)}/`, baseUri).href;
  const m =
    pipeline === 'canvas'
      ? {
          t2i: SHIPPED_MODELS.t2iCanvas,
          clip: SHIPPED_MODELS.clipCanvas,
          autoencoder: SHIPPED_MODELS.autoencoderCanvas,
          tokenizer: SHIPPED_MODELS.tokenizerCanvas,
        }
      : {
          t2i: SHIPPED_MODELS.t2iMnist,
          clip: SHIPPED_MODELS.clipMnist,
          autoencoder: SHIPPED_MODELS.autoencoderMnist,
          tokenizer: SHIPPED_MODELS.tokenizerMnist,
        };
  return {
    t2i: folder(m.t2i),
    clip: folder(m.clip),
    autoencoder: folder(m.autoencoder),
    tokenizer: new URL(modelFile(m.tokenizer, 'tokenizer'), baseUri).href,
  };
}

/**
 * Fetch the four models and check that they belong together: the U-Net names its text encoder's and
 * tokenizer's SHA-256, the text encoder its tokenizer's, and the autoencoder pairs with the latents.
 */
export async function fetchTextToImage(src: TextToImageSource): Promise<TextToImageModels> {
  const [ddpm, ae, clip, tokBytes] = await Promise.all([
    fetchDdpm(src.t2i),
    fetchAutoencoder(src.autoencoder),
    fetchClip(src.clip),
    fetchBytes(src.tokenizer),
  ]);
  const tokSha = await sha256Hex(tokBytes);
  const text = ddpm.meta.text;
  if (
    !text ||
    text.clipSha256 !== clip.sha256 ||
    text.tokenizerSha256 !== tokSha ||
    clip.meta.tokenizerSha256 !== tokSha
  )
    throw new Error(
      'the text-to-image model, its text encoder and its tokenizer do not belong together: reload the page',
    );
  const scale = pairedLatentScale({ latentScale: ae.meta.latentScale, sha256: ae.sha256 }, ddpm.meta.latent);
  return {
    tokenizer: BpeTokenizer.fromBytes(tokBytes),
    clip: clip.net,
    unet: ddpm.net as UNet,
    codec: new LatentCodec(ae.net, scale),
    schedule: makeSchedule(ddpm.meta.schedule),
    prediction: ddpm.meta.prediction,
  };
}

/** The token states [n, L, width] of a prompt repeated n times, and its encoding. */
export function promptStates(
  m: TextToImageModels,
  prompt: string,
  n: number,
): { states: tf.Tensor3D; encoding: Encoding } {
  const encoding = m.tokenizer.encode(prompt);
  const states = tf.tidy(() => {
    const ids = tf.tensor2d(encoding.ids, [1, encoding.ids.length], 'int32');
    return tf.tile(m.clip.tokenStates(ids), [n, 1, 1]) as tf.Tensor3D;
  });
  return { states, encoding };
}

/** x̂₀ from the network output at timestep t (DDPM eq. 15 for ε; x̂₀ = √ᾱ x_t − √(1−ᾱ) v for v). */
export function predictX0(
  out: tf.Tensor,
  xt: tf.Tensor,
  t: number,
  s: NoiseSchedule,
  prediction: 'epsilon' | 'v',
): tf.Tensor {
  const a = Math.sqrt(s.alphaBar[t]!);
  const b = Math.sqrt(1 - s.alphaBar[t]!);
  return tf.tidy(() =>
    prediction === 'epsilon' ? tf.div(tf.sub(xt, tf.mul(out, b)), a) : tf.sub(tf.mul(xt, a), tf.mul(out, b)),
  );
}

export interface TextToImageOptions {
  prompt: string;
  /** Guidance pushes away from this prompt's prediction instead of the empty prompt's. */
  negative?: string;
  /** Guidance scale w; 1 is the conditional prediction alone, 0 the unconditional alone. */
  guidance: number;
  n: number;
  seed: number;
  signal?: AbortSignal;
  /** Also decode the conditional and unconditional x̂₀ and average the attention maps (the lesson's view). */
  inspect?: boolean;
  /** Decode the guided x̂₀ at every step (default); false: only the final latents are decoded. */
  previews?: boolean;
}

export interface TextToImageFrame {
  index: number;
  total: number;
  t: number;
  /** Latents after this step, n·(8·8·C). */
  latents: Float32Array;
  /**
   * Decoded x̂₀ of the guided prediction, n·784 in [-1, 1] (empty on all but the last frame when
   * `previews` is false; the last frame's is the decoded final sample).
   */
  image: Float32Array;
  /** With `inspect`: decoded x̂₀ of the conditional and of the unconditional (or negative) prediction. */
  conditional?: Float32Array;
  unconditional?: Float32Array;
  /**
   * With `inspect`: attention of every latent grid cell to every token, for the prompt's half of the
   * batch, averaged over heads and layers: n·(side·side)·L, rows summing to 1.
   */
  attention?: Float32Array;
}

/** Attention maps of every layer, each upsampled to the side×side grid, averaged: [n, side², L]. */
function averageMaps(maps: Map<string, tf.Tensor3D>, side: number): tf.Tensor3D {
  return tf.tidy(() => {
    const all = [...maps.values()].map((m) => {
      const [b, hw, L] = m.shape;
      const s = Math.round(Math.sqrt(hw));
      const f = side / s; // 1, 2 or 4
      const grid = tf.reshape(m, [b, s, 1, s, 1, L]);
      const up = tf.mul(grid, tf.ones([1, 1, f, 1, f, 1])); // nearest upsampling
      return tf.reshape(up, [b, side * side, L]);
    });
    return tf.div(tf.addN(all), all.length) as tf.Tensor3D;
  });
}

/**
 * Sample n images for a prompt with a sampler (any of the project's, made for this model's schedule),
 * yielding a frame after every step. Owns and frees every tensor it makes.
 */
export async function* textToImage(
  m: TextToImageModels,
  sampler: Sampler,
  opts: TextToImageOptions,
): AsyncGenerator<TextToImageFrame> {
  const { n, seed, guidance } = opts;
  const shape = [n, ...m.unet.sampleShape];
  const cond = promptStates(m, opts.prompt, n).states;
  const uncond = promptStates(m, opts.negative ?? '', n).states;
  const both = tf.concat([uncond, cond]);
  tf.dispose([cond, uncond]);
  const side = m.unet.sampleShape[0]!;
  let x = stepNoise(shape, seed, -1);
  try {
    const ts = sampler.timesteps;
    for (let i = 0; i < ts.length; i++) {
      if (opts.signal?.aborted) return;
      const t = ts[i]!;
      const r = tf.tidy(() => {
        const x2 = tf.concat([x, x]);
        const tt = tf.fill([2 * n], t) as tf.Tensor1D;
        let out: tf.Tensor;
        let attention: tf.Tensor | undefined;
        if (opts.inspect) {
          const res = m.unet.crossAttentionMaps(x2, tt, both);
          out = res.out;
          const avg = averageMaps(res.maps, side);
          tf.dispose([...res.maps.values()]);
          attention = tf.slice(avg, [n, 0, 0], [n, side * side, avg.shape[2]]); // the prompt's half
        } else out = m.unet.apply(x2, tt, both);
        const [u, c] = tf.split(out, 2);
        const guided = tf.add(u!, tf.mul(tf.sub(c!, u!), guidance));
        const z = sampler.needsNoise(t) ? stepNoise(shape, seed, i) : undefined;
        const { prevSample, predX0 } = sampler.step(guided, t, x, z);
        const decode = (z0: tf.Tensor) => m.codec.decode(z0 as tf.Tensor4D);
        const last = i === ts.length - 1;
        return {
          prevSample,
          image: last ? decode(prevSample) : opts.previews === false ? tf.zeros([0]) : decode(predX0),
          ...(opts.inspect
            ? {
                conditional: decode(predictX0(c!, x, t, m.schedule, m.prediction)),
                unconditional: decode(predictX0(u!, x, t, m.schedule, m.prediction)),
                attention: attention!,
              }
            : {}),
        };
      });
      x.dispose();
      x = r.prevSample;
      const read = (a?: tf.Tensor) => (a ? (a.data() as Promise<Float32Array>) : Promise.resolve(undefined));
      const [latents, image, conditional, unconditional, attention] = await Promise.all([
        read(x),
        read(r.image),
        read(r.conditional),
        read(r.unconditional),
        read(r.attention),
      ]);
      tf.dispose([r.image, r.conditional, r.unconditional, r.attention].filter((a): a is tf.Tensor => !!a));
      yield {
        index: i,
        total: ts.length,
        t,
        latents: latents!,
        image: image!,
        ...(opts.inspect ? { conditional, unconditional, attention } : {}),
      };
      await yieldToEventLoop();
    }
  } finally {
    x.dispose();
    both.dispose();
    sampler.reset();
  }
}
