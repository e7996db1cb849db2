/**
 * Zero-shot classification with the CLIP-style encoders (Radford et al. 2021, section 3.1.2): embed one
 * prompt per class ("a photo of the digit three"), or several and average them (prompt ensembling,
 * section 3.1.4), then give each image the class whose prompt embedding is most similar to its own.
 * Nothing is trained for the task: the prompts alone define the classifier.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ClipModel } from '../nets/clip';
import { unit } from '../nets/clip';
import type { BpeTokenizer } from '../text/bpe';

/** Unit caption embeddings [n, embed] of texts, as a tensor the caller disposes. */
export function embedTexts(clip: ClipModel, tok: BpeTokenizer, texts: readonly string[]): tf.Tensor2D {
  const L = tok.contextLength;
  const { ids, ends } = tok.encodeBatch(texts);
  return tf.tidy(() =>
    clip.textEmbedding(tf.tensor2d(ids, [texts.length, L], 'int32'), tf.tensor1d(ends, 'int32')),
  );
}

/** Unit image embeddings [n, embed] of n digits in [-1, 1] (n·784 values), in batches. */
export function embedImages(clip: ClipModel, images: Float32Array, batch = 500): tf.Tensor2D {
  const n = images.length / 784;
  const parts: tf.Tensor2D[] = [];
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    parts.push(
      tf.tidy(() =>
        clip.imageEmbedding(tf.tensor4d(images.subarray(s * 784, (s + m) * 784), [m, 28, 28, 1])),
      ),
    );
  }
  const out = tf.concat(parts) as tf.Tensor2D;
  tf.dispose(parts);
  return out;
}

/**
 * Class embeddings [classes, embed]: per class, the normalised mean of its prompts' unit embeddings.
 * `prompts[c]` lists class c's prompts.
 */
export function classEmbeddings(
  clip: ClipModel,
  tok: BpeTokenizer,
  prompts: readonly string[][],
): tf.Tensor2D {
  return tf.tidy(() =>
    unit(tf.stack(prompts.map((p) => tf.mean(embedTexts(clip, tok, p), 0))) as tf.Tensor2D),
  );
}

/** The predicted class of every image: argmax over classes of the cosine similarity. */
export async function zeroShotPredict(images: tf.Tensor2D, classes: tf.Tensor2D): Promise<Int32Array> {
  const pred = tf.tidy(() => tf.argMax(tf.matMul(images, classes, false, true), 1));
  const out = (await pred.data()) as Int32Array;
  pred.dispose();
  return out;
}
