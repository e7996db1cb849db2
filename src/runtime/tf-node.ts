/**
 * TF.js for Node command-line tools and tests: tfjs-core with its gradients, the CPU backend (reference)
 * and the WASM backend (the fast one; @tensorflow/tfjs-node cannot be installed here) with our
 * conv-gradient kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
// The union package registers every gradient (and the CPU backend) in Node's CommonJS build as in the
// browser's ES build; tfjs-core's own gradient module cannot be imported by Node's ESM loader.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './wasm-kernels';

/** Start the WASM backend (or another) and make conv nets trainable on it. */
export async function initNodeBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  registerWasmKernels();
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} could not start`);
  await tf.ready();
  return tf.getBackend();
}

export { tf };
