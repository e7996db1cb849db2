/** The model cards of the GAN and the VAE (models/gan-mnist/README.md, models/vae-mnist/README.md). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsTable } from '../metrics/evaluate';
import type { EvalResult } from '../metrics/eval-result';
import { discriminatorShape, Gan } from '../nets/gan';
import { decodeWeights } from '../nets/weights-format';
import { Vae } from '../nets/vae';
import type { GanTrainConfig } from '../train/gan-trainer';
import type { VaeTrainConfig } from '../train/vae-trainer';
import { writeFileAtomic } from './files';
import { cardTemplate, optimiserText, renderTemplate } from './template';

interface TrainingLog<C> {
  config: C;
  step: number;
  wallSeconds: number;
  machine: string;
  history: [number, number][];
  terms: [number, Record<string, number>][];
  quality?: [number, number, number, number][];
}

function recentTerms(terms: [number, Record<string, number>][]): string {
  const last = terms.slice(-20);
  if (!last.length) return '–';
  const names = Object.keys(last[0]![1]);
  return (
    names
      .map((k) => `${k} ${(last.reduce((a, [, t]) => a + (t[k] ?? 0), 0) / last.length).toFixed(3)}`)
      .join(', ') + ` (mean of the last ${last.length} reports)`
  );
}

function qualityText(q: TrainingLog<unknown>['quality']): string {
  if (!q?.length) return 'No readings yet.';
  const rows = q.map(
    ([step, s, fid, conf]) =>
      `| ${step.toLocaleString('en')} | ${(s / 3600).toFixed(2)} | ${fid.toFixed(1)} | ${(100 * conf).toFixed(1)}% |`,
  );
  return `At every save, 500 samples of the EMA weights (seeds 1–500) scored by the project's classifier: a quick reading to follow training, not the evaluation (below).

| step | training hours | FID (500 samples) | confident > 0.9 |
|---|---|---|---|
${rows.join('\n')}`;
}

function metricsText(dir: string, kind: 'gan' | 'vae'): string {
  const path = join(dir, 'eval.json');
  if (!existsSync(path)) return `Not measured yet: run \`npm run eval -- ${kind}\`.`;
  const e = JSON.parse(readFileSync(path, 'utf8')) as { command: string; results: EvalResult[] };
  return `Measured with \`${e.command}\` (the full table, with the sampling machine, in \`eval.md\`; samples in \`runs/eval-${kind}/\`).

${resultsTable(e.results)}

\`samples.png\`: the first 100 samples, framed red where the classifier is not confident.`;
}

export function writeFamilyCard(dir: string, kind: 'gan' | 'vae', command: string): void {
  const common = (t: TrainingLog<GanTrainConfig | VaeTrainConfig>) => ({
    command,
    optimiser: optimiserText(t.config),
    emaDecay: t.config.emaDecay,
    steps: `${t.step.toLocaleString('en')} (${(t.step * t.config.batch).toLocaleString('en')} images seen, ${((t.step * t.config.batch) / 60000).toFixed(1)} epochs)`,
    wallHours: (t.wallSeconds / 3600).toFixed(2),
    machine: t.machine,
    recentLoss: recentTerms(t.terms),
    quality: qualityText(t.quality),
    metrics: metricsText(dir, kind),
  });
  let text: string;
  if (kind === 'gan') {
    const t = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingLog<GanTrainConfig>;
    const c = t.config;
    const net = new Gan(c.gan);
    const g = net.generatorNames.reduce((a, k) => a + net.params.get(k)!.size, 0);
    const d = discriminatorShape(c.gan);
    text = renderTemplate(cardTemplate('gan.md'), {
      ...common(t),
      architecture: `generator: z ∈ R^${c.gan.latent} ~ N(0, I) → dense to 7×7×${2 * c.gan.gch} → ReLU → 2 × (nearest 2× upsampling → conv3×3) to 14×14×${c.gan.gch} and 28×28×${c.gan.gch / 2}, ReLU${c.gan.gNorm === 'pixel' ? ' after pixel normalisation' : ''} → conv3×3 → tanh (${g.toLocaleString('en')} parameters); discriminator: 2 stride-2 conv${d.kernel}×${d.kernel} (${c.gan.dch}, ${2 * c.gan.dch} channels${d.depth === 3 ? `) → conv3×3 at 7×7 (${2 * c.gan.dch} channels` : ''}, LeakyReLU 0.2 after each) → dense to one logit (${(net.paramCount - g).toLocaleString('en')} parameters)`,
      objective: `${c.loss} loss; ${c.dSteps} discriminator update${c.dSteps > 1 ? 's' : ''} per generator update; discriminator lr ${c.dLr}`,
    });
    net.dispose();
  } else {
    const t = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingLog<VaeTrainConfig>;
    const c = t.config;
    const net = new Vae(c.vae);
    const model = readFileSync(join(dir, 'model.json'), 'utf8');
    const w = decodeWeights(model, new Uint8Array(readFileSync(join(dir, 'weights.bin'))), net.paramSpecs);
    const s = Math.exp(w.weights.get('d.logScale')!.data[0]!);
    text = renderTemplate(cardTemplate('vae.md'), {
      ...common(t),
      architecture: `encoder: 2 stride-2 conv3×3 (${c.vae.ch}, ${2 * c.vae.ch} channels, SiLU) → dense to the mean and log-variance of z ∈ R^${c.vae.latent}; decoder: dense to 7×7×${2 * c.vae.ch} → 2 × (nearest 2× upsampling → conv3×3, SiLU) → conv3×3 to the mean of each pixel, plus one learned log-noise-level; ${net.paramCount.toLocaleString('en')} parameters`,
      objective: `−ELBO per image: Gaussian negative log-likelihood of the pixels + ${c.klWeight === 1 ? '' : `${c.klWeight} × `}KL(q(z|x) ‖ N(0, I)), divided by 784 for the optimiser; z = μ + σ·ε`,
      decoderNoise: `s = ${s.toFixed(3)} on the [-1, 1] pixel scale (learned; a draw adds s·ε to the decoder's mean)`,
    });
    net.dispose();
  }
  writeFileAtomic(join(dir, 'README.md'), text);
}
