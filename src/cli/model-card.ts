/** The shipped DDPM's model card (models/ddpm-mnist/README.md), rewritten from the training state and eval results. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNet, unetDepth, type UNetConfig } from '../nets/unet';
import type { EvalResult } from '../metrics/evaluate';
import { checkQualityTarget, CONFIDENT_ABOVE, QUALITY_TARGET, targetRow } from '../metrics/quality';
import { unetConfigOf, type TrainConfig } from '../train/ddpm-trainer';
import { writeFileAtomic } from './files';
import { cardTemplate, optimiserText, recentLossText, renderTemplate } from './template';

interface TrainingJson {
  config: TrainConfig;
  step: number;
  wallSeconds: number;
  machine: string;
  history: [number, number][];
}

/** Rewrite models/ddpm-mnist/README.md from training.json and eval.md (both written by the CLIs). */
export function writeDdpmCard(dir: string): void {
  const t = JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingJson;
  const net = new UNet(unetConfigOf(t.config));
  try {
    writeCard({ dir, ...t, net });
  } finally {
    net.dispose();
  }
}

function depthText(depth: UNetConfig['depth']): string {
  const d = unetDepth({ depth });
  return d.every((n) => n === 1)
    ? 'one residual block per level and side'
    : `${d.join('/')} residual blocks per side at 28×28/14×14/7×7`;
}

/** The card's status: whether the current weights meet the quality target, from eval.json. */
export function statusLine(dir: string, step: number): string {
  const path = join(dir, 'eval.json');
  const rows: EvalResult[] = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { results: EvalResult[] }).results
    : [];
  const t = QUALITY_TARGET;
  const steps = `${step.toLocaleString('en')} steps`;
  const row = targetRow(rows, step)?.row;
  const target = `${t.samples.toLocaleString('en')} samples of the ${t.steps.toLocaleString('en')}-step sampler, ≥ ${100 * t.confident}% classified with confidence > ${CONFIDENT_ABOVE}, every class ${100 * t.classMin}–${100 * t.classMax}%`;
  if (!row)
    return `**Status: training in progress** — ${steps} so far; these weights have no full target run yet (\`npm run eval -- ddpm\`; the target: ${target}).`;
  const check = checkQualityTarget(row, t.steps);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const got = `${pct(row.confidentShare)} confident, classes ${pct(Math.min(...row.classShares))}–${pct(Math.max(...row.classShares))}, FID ${row.fid.toFixed(2)} (real-digit floor ${row.fidRealFloor.toFixed(2)})`;
  return check.met
    ? `**Status: meets the quality target** at ${steps}: ${got}; the target: ${target}. More training may still help.`
    : `**Status: training in progress** — ${steps}; short of the target (${target}): ${check.shortfalls.join('; ')}.`;
}

function writeCard(c: TrainingJson & { dir: string; net: UNet }): void {
  const evalPath = join(c.dir, 'eval.md');
  const evalText = existsSync(evalPath)
    ? readFileSync(evalPath, 'utf8').replace(/^# .*\n/, '')
    : 'Not measured yet: run `npm run eval -- ddpm` (needs `npm run train -- classifier` first).';
  const choicesPath = join(c.dir, 'choices.md');
  const choicesText = existsSync(choicesPath)
    ? `These choices were measured against the alternatives on short runs from scratch (\`choices.md\`):\n\n${readFileSync(choicesPath, 'utf8').replace(/^# .*\n\n/, '')}`
    : 'Short comparison runs of these choices have not been made yet (`npm run train -- compare`).';
  // Hand-written observations from the training sessions (experiments on forks, decisions), if any.
  const notesPath = join(c.dir, 'notes.md');
  const notesText = existsSync(notesPath)
    ? `## Notes from the training sessions\n\n${readFileSync(notesPath, 'utf8').trim()}\n\n`
    : '';
  const status = statusLine(c.dir, c.step);
  const cfg = c.config;
  const u = c.net.config;
  const lrSteps = cfg.lrSteps ?? [];
  const t = QUALITY_TARGET;
  const text = renderTemplate(cardTemplate('ddpm.md'), {
    status,
    architecture:
      `U-Net, base ${u.ch} channels (28×28 → 14×14 → 7×7 with ${u.ch}/${2 * u.ch}/${4 * u.ch} channels), ${depthText(u.depth)} with GroupNorm(${u.groups}) + SiLU, sinusoidal time embedding + MLP, self-attention at 7×7, nearest upsampling with skips; ${c.net.paramCount.toLocaleString('en')} parameters, ${(c.net.flopsPerImage() / 1e6).toFixed(0)} MFLOPs per image per forward pass. Layer for layer the PyTorch mirror in \`scripts/peer/unet_torch.py\`${u.depth?.some((d) => d > 1) ? ` (its depth argument ${u.depth.join(',')})` : ''}` +
      (cfg.grown ?? [])
        .map(
          (g) =>
            `; grown from ${depthText(g.from.depth)} at step ${g.step.toLocaleString('en')} (\`--grow\`: the new blocks started as identities)`,
        )
        .join(''),
    schedule: cfg.schedule,
    T: cfg.T,
    objective: `${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting (Hang et al. 2023)` : 'plain L_simple'}`,
    optimiser: optimiserText(cfg),
    emaDecay: cfg.emaDecay,
    steps: `${c.step.toLocaleString('en')} (${(c.step * cfg.batch).toLocaleString('en')} images seen, ${((c.step * cfg.batch) / 60000).toFixed(1)} epochs)`,
    wallHours: (c.wallSeconds / 3600).toFixed(2),
    machine: c.machine,
    recentLoss: recentLossText(c.history, 'weighted training loss'),
    choices: choicesText,
    lrDecay: lrSteps.length
      ? `\n\nLearning-rate decay: ${lrSteps.map(([from, lr]) => `${lr} from step ${from.toLocaleString('en')}`).join(', ')} (\`npm run train -- ddpm --lr X\` on a resumed run), once the training loss and the classifier's confidence in the samples had levelled off at the higher rate; a lower rate lets the weights (and their EMA) settle instead of jittering around a minimum.`
      : '',
    notes: notesText,
    targetSamples: t.samples.toLocaleString('en'),
    targetSteps: t.steps.toLocaleString('en'),
    targetConfident: 100 * t.confident,
    confidenceThreshold: CONFIDENT_ABOVE,
    classMin: 100 * t.classMin,
    classMax: 100 * t.classMax,
    evalText,
  });
  writeFileAtomic(join(c.dir, 'README.md'), text);
}
