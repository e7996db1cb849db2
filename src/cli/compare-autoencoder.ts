/**
 * `npm run train -- autoencoder-compare [--steps N]`: short runs from scratch of the autoencoder
 * choices (latent size, KL weight, the edge term), each measured on 2,000 test digits, written to
 * models/autoencoder-mnist/choices.json and choices.md (the card's "Why this latent size").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnistNode } from '../data/mnist-node';
import { mnistTrainData } from '../data/train-data';
import { measureReconstruction } from '../metrics/reconstruction';
import { latentShape, type AutoencoderConfig } from '../nets/autoencoder';
import { modelDir, SHIPPED_MODELS } from '../nets/registry';
import { initNodeBackend } from '../runtime/tf-node';
import {
  AutoencoderTrainer,
  DEFAULT_AUTOENCODER_TRAIN_CONFIG,
  type AutoencoderTrainConfig,
} from '../train/autoencoder-trainer';
import { arg } from './args';
import { loadClassifier } from './classifier-files';
import { writeFileAtomic } from './files';

export interface ChoiceRow {
  variant: { autoencoder?: Partial<AutoencoderConfig>; klWeight?: number; edgeWeight?: number };
  steps: number;
  seconds: number;
  mse: number;
  psnr: number;
  sharpness: [real: number, reconstructed: number];
  accuracy: [real: number, reconstructed: number];
}

/** The runs compared: the shipped setting first, then one change at a time. */
export const AUTOENCODER_VARIANTS: ChoiceRow['variant'][] = [
  { edgeWeight: 0 },
  { edgeWeight: 0, autoencoder: { latent: 2 } },
  { edgeWeight: 0, autoencoder: { latent: 8 } },
  { edgeWeight: 0, autoencoder: { down: 1, latent: 1 } },
  { edgeWeight: 0, klWeight: 1e-5 },
  { edgeWeight: 0, klWeight: 1e-2 },
  { edgeWeight: 1 },
  { edgeWeight: 3 },
];

function configOf(v: ChoiceRow['variant']): AutoencoderTrainConfig {
  const d = DEFAULT_AUTOENCODER_TRAIN_CONFIG;
  return { ...d, ...v, autoencoder: { ...d.autoencoder, ...(v.autoencoder ?? {}) } };
}

export function choicesMarkdown(rows: ChoiceRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = rows.map((r) => {
    const c = configOf(r.variant);
    const [h, w, ch] = latentShape(c.autoencoder);
    return `| ${h}×${w}×${ch} (f = ${2 ** c.autoencoder.down}) | ${c.klWeight} | ${c.edgeWeight ?? 0} | ${r.mse.toFixed(5)} | ${r.psnr.toFixed(1)} dB | ${pct(r.sharpness[1] / r.sharpness[0])} | ${pct(r.accuracy[1])} (originals ${pct(r.accuracy[0])}) |`;
  });
  return `# Autoencoder choices

Short runs from scratch (${rows[0]?.steps ?? '?'} steps of batch ${DEFAULT_AUTOENCODER_TRAIN_CONFIG.batch} each, the same seed), measured on
the first 2,000 test digits (\`npm run train -- autoencoder-compare\`):

| latent | β (KL) | λ (edge) | MSE | PSNR | sharpness vs real | classifier reads the label |
|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

export async function compareAutoencoderCli(): Promise<void> {
  await initNodeBackend('wasm');
  const steps = Number(arg('steps') ?? '500');
  const dir = modelDir(SHIPPED_MODELS.autoencoderMnist);
  const path = join(dir, 'choices.json');
  const rows: ChoiceRow[] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ChoiceRow[]) : [];
  const train = mnistTrainData(loadMnistNode('train'));
  const test = mnistTrainData(loadMnistNode('test'));
  const classifier = loadClassifier();
  for (const variant of AUTOENCODER_VARIANTS) {
    if (rows.some((r) => JSON.stringify(r.variant) === JSON.stringify(variant) && r.steps === steps))
      continue;
    const tr = new AutoencoderTrainer(configOf(variant), train);
    const t0 = performance.now();
    for await (const _ of tr.run(steps, { readEvery: 50 })) void _;
    const seconds = (performance.now() - t0) / 1000;
    tr.net.copyFrom(tr.ema.shadow);
    const r = await measureReconstruction(tr.net, test, classifier, 2000);
    tr.dispose();
    rows.push({
      variant,
      steps,
      seconds,
      mse: r.mse,
      psnr: r.psnr,
      sharpness: [r.sharpnessReal, r.sharpnessReconstructed],
      accuracy: [r.accuracyReal, r.accuracyReconstructed],
    });
    console.log(choicesMarkdown(rows.slice(-1)).split('\n').at(-2));
    writeFileAtomic(path, JSON.stringify(rows, null, 1));
    writeFileAtomic(join(dir, 'choices.md'), choicesMarkdown(rows));
  }
  classifier.dispose();
}
