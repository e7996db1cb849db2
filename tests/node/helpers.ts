// Set-up the Node suites share: MNIST test digits as training data, tiny models that train in
// milliseconds, and draining a training or sampling generator.
import { loadMnistNode } from '../../src/data/mnist-node';
import { mnistTrainData, type TrainData } from '../../src/data/train-data';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/train/ddpm-trainer';

let digits: TrainData | null = null;

/** The 10,000 MNIST test digits as 28x28x1 training samples (loaded once per test file). */
export function testDigits(): TrainData {
  digits ??= mnistTrainData(loadMnistNode('test'));
  return digits;
}

/** A DDPM with an 8-channel U-Net on 28x28 digits: real code paths, milliseconds per step. */
export const TINY_DDPM: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  unet: { ch: 8, groups: 4, size: 28, channels: 1 },
  batch: 4,
  warmup: 5,
  lr: 2e-3,
};

/** Everything a generator yields, in order. */
export async function drain<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of gen) out.push(p);
  return out;
}
