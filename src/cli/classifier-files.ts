/** Loading the shipped MNIST classifier (models/mnist-classifier) in Node. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MnistClassifier } from '../nets/classifier';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { decodeWeights } from '../nets/weights-format';

export const CLASSIFIER_DIR = modelDir(SHIPPED_MODELS.mnistClassifier);

export function loadClassifier(): MnistClassifier {
  if (!existsSync(join(CLASSIFIER_DIR, 'model.json')))
    throw new Error('no classifier yet: run `npm run train -- classifier` first');
  const json = readFileSync(join(CLASSIFIER_DIR, 'model.json'), 'utf8');
  const bin = new Uint8Array(readFileSync(join(CLASSIFIER_DIR, 'weights.bin')));
  const net = new MnistClassifier();
  net.setWeights(decodeWeights(json, bin, net.paramSpecs).weights);
  return net;
}
