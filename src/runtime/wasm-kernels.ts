/**
 * Kernels of TF.js's WASM backend replaced for training speed (all registered by registerWasmKernels):
 * - Conv2DBackpropFilter / Conv2DBackpropInput from the forward convolution (wasm-conv-grad.ts);
 * - Sum and Mean over non-innermost axes as an average pool (below);
 * - Identity and same-dtype Cast without a copy (as the CPU and WebGL backends do): the stock ones copy
 *   the whole tensor, and gradients call them for nearly every op (tens of MB per training step).
 *
 * Sum and Mean, when the reduced axes are not the innermost ones:
 * The stock kernels first transpose the reduced axes to the end (a full copy with per-element index
 * arithmetic), then reduce. Training a conv net reduces over batch and space all the time (bias and
 * GroupNorm gradients, per-channel statistics), e.g. [64, 28, 28, 32] over axes [0, 1, 2]: ~8 ms that
 * way. A contiguous run of axes is an average pool instead: view x as [pre, red, 1, post] and pool a
 * [red, 1] window (XNNPACK, no transpose): ~0.6 ms, and times `red` for a sum. Everything else (innermost
 * axes, a non-contiguous set, integer dtypes) goes to the stock kernel. Checked against the CPU backend
 * in tests/node/wasm-kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { registerWasmConvGradients } from './wasm-conv-grad';

/** How to pool a reduction of `shape` over `axes`, or null when the stock kernel should do it. */
export function poolPlan(
  shape: readonly number[],
  axes: readonly number[],
): { pre: number; red: number; post: number } | null {
  if (axes.length === 0) return null;
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length) return null; // not one contiguous run
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const post = size(last + 1, shape.length);
  const red = size(first, last + 1);
  if (post === 1 || red <= 1) return null; // innermost axes: the stock kernel needs no transpose
  return { pre: size(0, first), red, post };
}

function pooledReduction(kind: 'sum' | 'mean', stock: KernelConfig): KernelConfig {
  return {
    ...stock, // keeps the stock setupFunc, which binds the WASM function the fallback calls
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.Tensor;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = util.parseAxisParam(axis, x.shape);
      const plan = x.dtype === 'float32' ? poolPlan(x.shape, axes) : null;
      if (!plan) return (stock.kernelFunc as KernelFunc)(args);
      const { pre, red, post } = plan;
      let outShape = backend_util.computeOutAndReduceShapes(x.shape, axes)[0];
      if (keepDims) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
      return tf.tidy(() => {
        const pooled = tf.avgPool(tf.reshape(x, [pre, red, 1, post]) as tf.Tensor4D, [red, 1], 1, 'valid');
        return tf.reshape(kind === 'sum' ? tf.mul(pooled, red) : pooled, outShape);
      }) as unknown as TensorInfo; // a kernel may return a Tensor: the engine adopts it
    },
  };
}

interface RefCounted {
  incRef(dataId: object): void;
}

/** Identity / Cast to the same dtype: share the input's data (reference-counted), as other backends do. */
function sharing(stock: KernelConfig, sameDtype: (args: Parameters<KernelFunc>[0]) => boolean): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype === 'string' || !sameDtype(args)) return (stock.kernelFunc as KernelFunc)(args);
      (args.backend as unknown as RefCounted).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

let registered = false;

function replace(name: string, make: (stock: KernelConfig) => KernelConfig): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock) return; // WASM backend not imported
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(make(stock));
}

/** Register every replacement above on the WASM backend. Idempotent; call before the backend starts. */
export function registerWasmKernels(): void {
  if (registered) return;
  registerWasmConvGradients();
  replace(tf.Sum, (stock) => pooledReduction('sum', stock));
  replace(tf.Mean, (stock) => pooledReduction('mean', stock));
  replace(tf.Identity, (stock) => sharing(stock, () => true));
  replace(tf.Cast, (stock) =>
    sharing(
      stock,
      (args) => (args.attrs as { dtype?: string }).dtype === (args.inputs.x as TensorInfo).dtype,
    ),
  );
  registered = true;
}
