/**
 * What every diffusion network offers the trainer, the sampling pipeline and the evaluation, whatever
 * it denoises: 28x28x1 pixels, an 8x8x4 latent or a 2-D point. The shape of one sample comes from the
 * network, never from a constant, and one call signature carries an optional condition:
 *
 *   apply(x_t, t, cond?) -> the network output (ε̂, or v̂ for a v-prediction model)
 *
 * A condition is a tensor with one row per sample. For class conditioning it is a one-hot row over
 * `classes + 1` entries whose last entry is "no class" (the null condition classifier-free guidance
 * trains with and samples against; Ho & Salimans 2022). For text conditioning it is the text encoder's
 * token states [B, length, width]; its null condition is the states of the empty prompt, as in Stable
 * Diffusion, so the caller passes it (there is no fixed "no text" row).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * What a network is conditioned on: nothing, a class (one-hot rows), or text: the token states of a
 * text encoder, [B, length, width] per batch, which cross-attention layers read (Rombach et al. 2022).
 */
export type Conditioning =
  { kind: 'none' } | { kind: 'class'; classes: number } | { kind: 'text'; width: number; length: number };

export const UNCONDITIONAL: Conditioning = { kind: 'none' };

export interface Denoiser {
  /** Shape of one sample: [H, W, C] for images and latents, [D] for points. */
  readonly sampleShape: readonly number[];
  readonly conditioning: Conditioning;
  /** Every trainable weight, by name, in a fixed order. */
  readonly params: Map<string, tf.Variable>;
  /** Names and shapes of every weight, in order (for checking a weights file). */
  readonly paramSpecs: readonly { name: string; shape: readonly number[] }[];
  /** Number of weights. */
  readonly paramCount: number;
  /**
   * The network output for x_t [B, ...sampleShape] at timesteps t [B]. `cond` has one row per sample
   * (see classCondition); without it a conditional network sees the null condition.
   */
  apply(x: tf.Tensor, t: tf.Tensor1D, cond?: tf.Tensor): tf.Tensor;
  /** Copy the values of other variables with the same names (e.g. EMA weights into a preview net). */
  copyFrom(vars: Map<string, tf.Variable>): void;
  /** Copy of all weights as {name: Float32Array}. */
  weights(): Promise<Map<string, Float32Array>>;
  /** Replace every weight; names and shapes must match. */
  setWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>): void;
  dispose(): void;
}

/** Values in one sample of this shape. */
export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Width of a class condition row: one entry per class plus the null ("no class") entry. */
export function conditionWidth(c: Conditioning): number {
  return c.kind === 'class' ? c.classes + 1 : 0;
}

/**
 * One-hot class condition rows [n, classes + 1] for labels in 0..classes-1; a label of -1 (or `classes`)
 * is the null condition. Plain floats, so the network embeds it with a 2-D matMul (a gradient on every
 * backend, unlike gather).
 */
export function classConditionValues(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * (classes + 1));
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(Number.isInteger(l) && l >= -1 && l <= classes))
      throw new RangeError(
        `class label ${l} is not a whole number from 0 to ${classes - 1} (or -1 for none)`,
      );
    out[i * (classes + 1) + (l < 0 ? classes : l)] = 1;
  }
  return out;
}

/** classConditionValues as a tensor [n, classes + 1]; the caller disposes it. */
export function classCondition(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  return tf.tensor2d(classConditionValues(labels, classes), [labels.length, classes + 1]);
}

/** Null-condition rows [b, classes + 1]: every row "no class". */
export function nullCondition(b: number, classes: number): tf.Tensor2D {
  return classCondition(new Array<number>(b).fill(-1), classes);
}
