/**
 * What every network made of named weights shares: the weights themselves (created from their specs
 * with PyTorch's default initialisation, in a fixed order, from a seed), copying, reading and
 * replacing them, and freeing them. The U-Net and the MLP denoiser build on it; each adds its forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../diffusion/random';
import { variableFrom } from './variables';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** fan-in for PyTorch's default init U(-1/sqrt(fanIn), 1/sqrt(fanIn)); 0 = ones; -1 = zeros. */
  fanIn: number;
}

export abstract class NamedWeights {
  /** Every trainable weight, by name, in a fixed order. */
  readonly params = new Map<string, tf.Variable>();

  protected constructor(
    protected readonly specs: ParamSpec[],
    seed: number,
    /** What the network is called in error messages ("the U-Net"). */
    private readonly what: string,
  ) {
    const rand = mulberry32(seed);
    for (const s of specs) {
      const v = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
      if (s.fanIn === 0) v.fill(1);
      else if (s.fanIn > 0) {
        const bound = 1 / Math.sqrt(s.fanIn);
        for (let i = 0; i < v.length; i++) v[i] = (rand() * 2 - 1) * bound;
      }
      // names live in our map: TF.js variable names must be globally unique
      this.params.set(s.name, variableFrom(tf.tensor(v, s.shape), true));
    }
  }

  /** Names and shapes of every weight, in order (for checking a weights file). */
  get paramSpecs(): readonly { name: string; shape: readonly number[] }[] {
    return this.specs;
  }

  get paramCount(): number {
    return this.specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
  }

  protected p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`${this.what} has no weight ${name}`);
    return v;
  }

  /** Copy the values of other variables with the same names (e.g. EMA weights into a preview net). */
  copyFrom(vars: Map<string, tf.Variable>): void {
    for (const [k, v] of this.params) v.assign(vars.get(k)!);
  }

  /** Copy of all weights as {name: Float32Array}. */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of this.params) out.set(k, (await v.data()) as Float32Array);
    return out;
  }

  /** Replace every weight (e.g. from a checked weights file); names and shapes must match. */
  setWeights(weights: Map<string, { shape: readonly number[]; data: Float32Array }>): void {
    for (const s of this.specs) {
      const w = weights.get(s.name);
      if (!w || w.shape.join() !== s.shape.join())
        throw new Error(`weights do not match ${this.what} at ${s.name}`);
    }
    tf.tidy(() => {
      for (const s of this.specs)
        this.params.get(s.name)!.assign(tf.tensor(weights.get(s.name)!.data, s.shape));
    });
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
