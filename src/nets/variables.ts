import * as tf from '@tensorflow/tfjs-core';

/**
 * A variable made from `init` that owns its memory. `tf.variable(x)` shares x's buffer but leaves x itself
 * alive (and counted in tf.memory()), so a variable made from a temporary leaks that temporary's tensor
 * for good, once per weight: disposing `init` here leaves the buffer to the variable alone.
 */
export function variableFrom(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}
