/** The autoencoder's model card (models/autoencoder-mnist/README.md), from training.json, eval.json and choices.md. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Autoencoder } from '../nets/autoencoder';
import type { ReconstructionReport } from '../metrics/reconstruction';
import type { AutoencoderTrainConfig } from '../train/autoencoder-trainer';
import { writeFileAtomic } from './files';
import { cardTemplate, optimiserText, recentLossText, renderTemplate } from './template';

interface TrainingJson {
  config: AutoencoderTrainConfig;
  step: number;
  wallSeconds: number;
  machine: string;
  history: [number, number][];
}

interface EvalJson {
  step: number;
  latentScale: number;
  latentMoments: { mean: number; std: number };
  /** Median posterior standard deviation on 500 test digits. */
  posteriorSd?: number;
  reconstruction: ReconstructionReport;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function metricsText(e: EvalJson | null, step: number): string {
  if (!e) return 'Not measured yet: run `npm run eval -- autoencoder`.';
  const r = e.reconstruction;
  const stale =
    e.step === step
      ? ''
      : ` **Measured at step ${e.step.toLocaleString('en')}, before the latest training: run \`npm run eval -- autoencoder\` again.**`;
  const sharp = r.sharpnessReconstructed / r.sharpnessReal;
  return `All ${r.images.toLocaleString('en')} MNIST test digits, each encoded to its posterior mean and decoded (\`npm run eval -- autoencoder\`).${stale}

| measure | value | target |
|---|---|---|
| reconstruction MSE (pixels on the [0, 1] scale) | ${r.mse.toFixed(5)} | |
| PSNR | ${r.psnr.toFixed(2)} dB | |
| classifier reads the original label: reconstructions | ${pct(r.accuracyReconstructed)} | ≥ 98% |
| classifier reads the original label: the originals themselves | ${pct(r.accuracyReal)} | |
| sharpness (mean gradient energy): reconstructions / originals | ${r.sharpnessReconstructed.toFixed(5)} / ${r.sharpnessReal.toFixed(5)} = ${(100 * sharp).toFixed(1)}% | 90–110% |
| latent scale (1 / std of the encoder means over the 60,000 training digits) | ${e.latentScale.toFixed(5)} (mean ${e.latentMoments.mean.toFixed(4)}, std ${e.latentMoments.std.toFixed(4)}) | |

\`samples.png\`: the first 32 test digits (rows 1 and 3) over their reconstructions (rows 2 and 4).`;
}

export function writeAutoencoderCard(dir: string): void {
  const t = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingJson;
  const evalPath = join(dir, 'eval.json');
  const e = existsSync(evalPath) ? (JSON.parse(readFileSync(evalPath, 'utf8')) as EvalJson) : null;
  const choicesPath = join(dir, 'choices.md');
  const choices = existsSync(choicesPath)
    ? readFileSync(choicesPath, 'utf8').replace(/^# .*\n\n/, '')
    : 'Not measured yet.';
  const net = new Autoencoder(t.config.autoencoder);
  const flops = net.flopsPerImage();
  const [h, w, c] = net.latentShape as [number, number, number];
  const pixels = net.imageShape.reduce((a, b) => a * b, 1);
  const cfg = t.config;
  const ae = cfg.autoencoder;
  const text = renderTemplate(cardTemplate('autoencoder.md'), {
    latentShape: `${h}×${w}×${c}`,
    architecture: `encoder conv3×3 → residual block → ${ae.down} × (stride-2 conv3×3 → residual block) → GroupNorm(${ae.groups}) + SiLU → conv3×3 to mean and log-variance; decoder the mirror with nearest 2× upsampling; ${ae.ch}/${2 * ae.ch} channels; residual blocks GroupNorm-SiLU-conv twice plus the input; ${net.paramCount.toLocaleString('en')} parameters`,
    encodeMflops: (flops.encode / 1e6).toFixed(1),
    decodeMflops: (flops.decode / 1e6).toFixed(1),
    latentText: `${h}×${w}×${c} = ${h * w * c} numbers for ${pixels} pixels: ${(pixels / (h * w * c)).toFixed(1)}× fewer values, ${(net.imageShape[0]! / h).toFixed(0)}× smaller on each side (f = ${2 ** ae.down})`,
    objective: `mean absolute pixel error + β·KL(posterior ‖ N(0, I)) per latent entry / pixel count, β = ${cfg.klWeight}${cfg.edgeWeight ? ` + ${cfg.edgeWeight} × the mean absolute difference of the image gradients (the edge term)` : ''}; the decoder sees z = μ + σ·ε during training`,
    optimiser: optimiserText(cfg),
    emaDecay: cfg.emaDecay,
    steps: `${t.step.toLocaleString('en')} (${(t.step * cfg.batch).toLocaleString('en')} images seen, ${((t.step * cfg.batch) / 60000).toFixed(1)} epochs)`,
    wallHours: (t.wallSeconds / 3600).toFixed(2),
    machine: t.machine,
    recentLoss: recentLossText(t.history),
    choices,
    posteriorSd: e?.posteriorSd?.toFixed(3) ?? '(not measured yet)',
    latentSpread: e ? e.latentMoments.std.toFixed(2) : '(not measured yet)',
    metrics: metricsText(e, t.step),
  });
  net.dispose();
  writeFileAtomic(join(dir, 'README.md'), text);
}
