/**
 * Convolution gradients for TF.js's WASM backend, built from its fast forward convolution (XNNPACK).
 *
 * TF.js 4.22's WASM backend has no Conv2DBackpropFilter (so conv nets cannot train on it) and a slow
 * Conv2DBackpropInput. Both gradients are convolutions themselves:
 *   dW[i, j, ci, co] = sum_{b,y,x} xPad[b, y*s + i, x*s + j, ci] * dy[b, y, x, co]
 *     -> a 'valid' convolution of x (batch and channels swapped) with dy as the filter, dilated by s;
 *   dx = the full correlation of dy (zeros inserted between rows/cols when s > 1) with W flipped
 *     in space and its channel axes swapped.
 * Checked against the CPU backend's kernels in tests/node/wasm-conv-grad.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  registerKernel,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function pair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Pad with possibly negative amounts (negative crops). */
function padOrCrop(x: tf.Tensor4D, h: [number, number], w: [number, number]): tf.Tensor4D {
  const [b, hh, ww, c] = x.shape;
  const crop = [Math.max(0, -h[0]), Math.max(0, -h[1]), Math.max(0, -w[0]), Math.max(0, -w[1])] as const;
  let y = x;
  if (crop.some((v) => v > 0)) {
    y = tf.slice(y, [0, crop[0], crop[2], 0], [b, hh - crop[0] - crop[1], ww - crop[2] - crop[3], c]);
  }
  const p: [number, number][] = [
    [0, 0],
    [Math.max(0, h[0]), Math.max(0, h[1])],
    [Math.max(0, w[0]), Math.max(0, w[1])],
    [0, 0],
  ];
  return p.some(([a, z]) => a > 0 || z > 0) ? tf.pad(y, p) : y;
}

/**
 * Insert s-1 zeros after every row and column: [B, H, W, C] -> [B, H*sh, W*sw, C]. The last s-1 rows and
 * columns are zeros past the true dilated size (H-1)*sh+1: callers pad less instead of slicing them off
 * (a strided Slice is slow on WASM).
 */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [b, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]); // [B, H, sh, W, sw, C]
  return tf.reshape(spread, [b, h * sh, w * sw, c]);
}

/**
 * A 'valid' convolution of x padded by h = [top, bottom] and w = [left, right] (negative: cropped): the
 * padding goes to the convolution itself when none is negative, saving a padded copy of x.
 */
function convPadded(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  h: [number, number],
  w: [number, number],
  dilations: [number, number] = [1, 1],
): tf.Tensor4D {
  if (Math.min(...h, ...w) >= 0) return tf.conv2d(x, filter, 1, [[0, 0], h, w, [0, 0]], 'NHWC', dilations);
  return tf.conv2d(padOrCrop(x, h, w), filter, 1, 'valid', 'NHWC', dilations);
}

/**
 * The filter flipped in space, [kh, kw, ...] -> [kh-1-i, kw-1-j, ...]: a permutation matrix times the
 * filter seen as [kh*kw, Ci*Co] (flattened (i, j) runs backwards). The WASM Reverse kernel took ~5 ms
 * for a 3x3x128x128 filter, this ~1 ms. (Exact: each output is one weight times 1 plus zeros.)
 */
function flipSpatial(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const n = kh * kw;
  if (n === 1) return filter;
  const perm = new Float32Array(n * n);
  for (let i = 0; i < n; i++) perm[i * n + (n - 1 - i)] = 1;
  return tf.reshape(tf.matMul(tf.tensor2d(perm, [n, n]), tf.reshape(filter, [n, ci * co])), [kh, kw, ci, co]);
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs) {
  if (attrs.dataFormat !== 'NHWC') throw new Error('WASM conv gradients support NHWC only');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    pair(attrs.strides),
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** dW for y = conv2d(x, W): [kh, kw, Ci, Co]. */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, attrs);
    const [kh, kw, ci, co] = filterShape;
    const { top, left } = info.padInfo; // the far side is implied by how much of x the windows use
    // Rows/cols past the last window never reach dy: crop them so the dilated 'valid' conv lines up.
    const usedH = (info.outHeight - 1) * info.strideHeight + kh;
    const usedW = (info.outWidth - 1) * info.strideWidth + kw;
    const xt = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, B]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Co] used as the filter
    const r = convPadded(
      xt,
      dyt,
      [top, usedH - x.shape[1] - top],
      [left, usedW - x.shape[2] - left],
      [info.strideHeight, info.strideWidth],
    ); // [Ci, kh, kw, Co]
    return tf.reshape(tf.transpose(r, [1, 2, 0, 3]), [kh, kw, ci, co]);
  });
}

/** dx for y = conv2d(x, W): [B, H, W, Ci]. */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: ConvAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, attrs);
    const [kh, kw] = filter.shape;
    const [, h, w] = inputShape;
    const { top, left } = info.padInfo;
    const d = dilate(dy, info.strideHeight, info.strideWidth); // [B, Ho*sh, Wo*sw, Co]
    // The full correlation needs [B, H + kh - 1, W + kw - 1, Co]: pad (or crop) d to that size.
    const beforeH = kh - 1 - top;
    const beforeW = kw - 1 - left;
    const wf = tf.transpose(flipSpatial(filter), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
    return convPadded(
      d,
      wf,
      [beforeH, h + kh - 1 - d.shape[1] - beforeH],
      [beforeW, w + kw - 1 - d.shape[2] - beforeW],
    );
  });
}

function attrsOf(a: NamedAttrMap | undefined): ConvAttrs {
  return a as unknown as ConvAttrs;
}

const filterKernel: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const filterShape = (attrs as { filterShape: [number, number, number, number] }).filterShape;
    // A kernel may return a Tensor: the engine adopts it as the output (see engine.runKernelFunc).
    return conv2dFilterGrad(x, dy, filterShape, attrsOf(attrs)) as unknown as TensorInfo;
  },
};

const inputKernel: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const inputShape = (attrs as { inputShape: [number, number, number, number] }).inputShape;
    return conv2dInputGrad(dy, filter, inputShape, attrsOf(attrs)) as unknown as TensorInfo;
  },
};

let registered = false;

/** Register both kernels for the WASM backend (replacing the slow stock Conv2DBackpropInput). Idempotent. */
export function registerWasmConvGradients(): void {
  if (registered) return;
  for (const k of [filterKernel, inputKernel]) {
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    registerKernel(k);
  }
  registered = true;
}
